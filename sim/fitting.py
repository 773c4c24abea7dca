"""A department's own exam export in, demand and exam durations fitted from it out.

`read_export` reads a RIS/PACS export (CSV, one row per exam) through a column mapping and cleans it as an
analyst would, counting everything it set aside: duplicated accessions, cancelled exams, rows without an order
time, timestamps out of order. `fit` then estimates, from the clean rows:

- demand per source (patient class): orders a day with a 95 % confidence interval (Poisson), the share of each
  hour of the day and each weekday's factor, the priority mix and the exam mix;
- each exam type's acquisition time (exam begun -> ended) and, where the export has read starts, its read time
  (read started -> report signed), fitted by maximum likelihood with the families radsim can draw from
  (lognormal, gamma, log-logistic, exponential), the one with the lowest AIC chosen, with its Kolmogorov-Smirnov
  distance and p-value.

`fitted_scenario` writes the result as a variant of a scenario that supplies what an export cannot tell (staff,
shifts, breaks, scanners, read times, targets): the fitted demand replaces the base's, and each fitted exam
type's acquisition replaces its own. Pure functions of the export's rows: nothing here runs the model.
"""
from __future__ import annotations

import csv
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import yaml
from scipy import stats

from .clock import WEEKDAYS
from .scenario import ScenarioError

REQUIRED = ("accession", "patient_class", "priority", "modality", "procedure_code", "ordered_dt")
OPTIONAL = ("arrived_dt", "begin_dt", "end_dt", "read_start_dt", "final_dt", "cancelled_dt", "status",
            "technologist_id", "room", "radiologist_id", "scheduled_dt")
CANCELLED = ("CANCELLED", "CANCELED", "CA", "X")
NO_SHOW = ("NO SHOW", "NO-SHOW", "NOSHOW", "NS", "DNA", "DID NOT ATTEND")
MIN_SAMPLE = 20  # fewer exams of a type than this: its acquisition time is not fitted (the base's is kept)


@dataclass
class Export:
    """The clean rows of an export (times as minutes from midnight of its first day) and what cleaning did."""

    source: str
    first_day: datetime
    days: int
    rows: list[dict]
    cleaning: Counter = field(default_factory=Counter)
    cancelled: list[dict] = field(default_factory=list)  # the cancelled orders, set aside from `rows`
    no_shows: list[dict] = field(default_factory=list)  # booked patients who did not come, set aside from `rows`


def read_export(path: str | Path, mapping: dict[str, str] | None = None, date_format: str | None = None) -> Export:
    """Read and clean an export; `mapping` names the export's column for each of radsim's (default: the same
    name). A missing required column, an unparseable date or an empty export is a ScenarioError naming it."""
    path, mapping = Path(path), {**{c: c for c in REQUIRED + OPTIONAL}, **(mapping or {})}
    if not path.is_file():
        raise ScenarioError(str(path), "export", "file not found")
    header, raw = _table(path)
    for column in REQUIRED:
        if mapping[column] not in header:
            raise ScenarioError(str(path), mapping[column], f"required column missing (the export has: "
                                                            f"{', '.join(header) or 'no columns'})")
    if not raw:
        raise ScenarioError(str(path), "export", "no exams in the export")
    cleaning: Counter = Counter(rows_read=len(raw))
    seen, rows, cancelled, no_shows = set(), [], [], []
    for line, row in enumerate(raw, start=2):
        record = {column: _cell(row.get(mapping[column])) for column in REQUIRED + OPTIONAL}
        if record["accession"] in seen:
            cleaning["duplicates"] += 1
            continue
        seen.add(record["accession"])
        record.update({c: _parse(record[c], date_format, path, mapping[c], line) for c in REQUIRED + OPTIONAL
                       if c.endswith("_dt")})
        if str(record["status"]).upper() in NO_SHOW:
            cleaning["no_shows"] += 1
            no_shows.append(record)
            continue
        if str(record["status"]).upper() in CANCELLED:
            cleaning["cancelled"] += 1
            if record["ordered_dt"] is not None:
                cancelled.append(record)
            continue
        if record["ordered_dt"] is None:
            cleaning["no_order_time"] += 1
            continue
        if _out_of_order(record):
            cleaning["out_of_order"] += 1
            record["final_dt"] = None  # the report time cannot be right; the rest of the row still counts
        elif record["final_dt"] is None:
            cleaning["no_report_time"] += 1  # kept: unreported, or the time is missing
        rows.append(record)
    if not rows:
        raise ScenarioError(str(path), "export", "no usable exams after cleaning "
                                                 f"({', '.join(f'{k} {v}' for k, v in cleaning.items())})")
    first = min(r["ordered_dt"] for r in rows).replace(hour=0, minute=0, second=0, microsecond=0)
    last = max(r["ordered_dt"] for r in rows)
    days = (last - first).days + 1
    for r in rows + cancelled + no_shows:
        for c in (c for c in REQUIRED + OPTIONAL if c.endswith("_dt")):
            r[c] = None if r[c] is None else (r[c] - first).total_seconds() / 60
    end = days * 1440.0
    cleaning["unfinished_at_the_end"] = sum(1 for r in rows if r["final_dt"] is None and r["ordered_dt"] >= end - 1440)
    cleaning["exams_kept"] = len(rows)
    return Export(str(path), first, days, rows, cleaning, cancelled, no_shows)


def _table(path: Path) -> tuple[list[str], list[dict]]:
    """The header and rows of a CSV (UTF-8), Excel (.xlsx, first sheet; needs openpyxl) or Parquet (needs pyarrow)
    export."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            sheet = _optional("openpyxl", "xlsx").load_workbook(path, read_only=True, data_only=True).worksheets[0]
            rows = list(sheet.iter_rows(values_only=True))
            header = [str(h) for h in rows[0] if h is not None] if rows else []
            return header, [dict(zip(header, row)) for row in rows[1:]]
        if suffix == ".parquet":
            table = _optional("pyarrow.parquet", "parquet").read_table(path)
            return table.column_names, table.to_pylist()
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            return list(reader.fieldnames or []), list(reader)
    except UnicodeDecodeError:
        raise ScenarioError(str(path), "export", "is not UTF-8 text (save the export as CSV in UTF-8)") from None
    except csv.Error as exc:
        raise ScenarioError(str(path), "export", f"is not a readable CSV ({exc})") from None
    except ScenarioError:
        raise
    except Exception as exc:  # a damaged workbook or Parquet file: the libraries raise their own kinds
        raise ScenarioError(str(path), "export", f"cannot be read as {suffix[1:]} ({exc})") from None


def _optional(module: str, extra: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ScenarioError(module.split(".")[0], "export", f"reading .{extra} exports needs it: pip install -e "
                                                            f"'.[{extra}]', or save the export as CSV") from None


def _cell(value) -> str | datetime:
    """A cell as text, or as the datetime an Excel or Parquet export already holds."""
    if isinstance(value, datetime):
        return value
    return "" if value is None else str(value).strip()


def _parse(text, date_format: str | None, path: Path, column: str, line: int) -> datetime | None:
    if isinstance(text, datetime):
        return text.replace(tzinfo=None)
    if not text:
        return None
    try:
        return datetime.strptime(text, date_format) if date_format else datetime.fromisoformat(text)
    except ValueError:
        expected = f"dates like {date_format!r}" if date_format else "ISO dates (YYYY-MM-DD HH:MM[:SS])"
        raise ScenarioError(str(path), column, f"line {line}: {text!r} is not a date (expected {expected}; "
                                               "give --date-format)") from None


def _out_of_order(record: dict) -> bool:
    order = [record[c] for c in ("ordered_dt", "begin_dt", "end_dt", "final_dt") if record[c] is not None]
    return any(b < a for a, b in zip(order, order[1:]))


# ---------------------------------------------------------------- demand


def fit_demand(export: Export, booked: set[tuple[str, str]] = frozenset()) -> dict[str, dict]:
    """Per source: orders a day (with a 95 % CI), hourly profile, weekday factors, priority and exam mix. Exams of
    a (source, exam type) in `booked` come from appointment books, not random demand, and are left out."""
    out = {}
    placed = export.rows + export.cancelled  # a cancelled order was ordered all the same: it is demand
    for source in sorted({r["patient_class"] for r in placed}):
        mine = [r for r in placed if r["patient_class"] == source and (source, r["procedure_code"]) not in booked]
        if not mine:
            continue
        n, days = len(mine), export.days
        minutes = np.array([r["ordered_dt"] for r in mine])
        hours = np.bincount((minutes // 60 % 24).astype(int), minlength=24)
        day_of = (minutes // 1440).astype(int)
        weekday_of = [(export.first_day.weekday() + d) % 7 for d in range(days)]
        per_day = np.bincount(day_of, minlength=days)
        overall = per_day.mean()
        factors = {}
        for w, name in enumerate(WEEKDAYS):
            these = [per_day[d] for d in range(days) if weekday_of[d] == w]
            if these and overall > 0:
                factors[name] = round(float(np.mean(these) / overall), 3)
        rate = n / days
        out[source] = {
            "orders": n, "exams_per_day": rate,
            "exams_per_day_ci": (max(0.0, rate - 1.96 * math.sqrt(n) / days), rate + 1.96 * math.sqrt(n) / days),
            "hourly_profile": [round(float(h) / n * 24, 4) for h in hours],
            "weekday_factors": factors,
            "priority_mix": _shares(r["priority"] for r in mine),
            "exam_mix": _shares(r["procedure_code"] for r in mine),
            # priorities differ by exam type (strokes are head CTs): each type keeps its own mix
            "priority_mix_by_exam": {name: _shares(r["priority"] for r in mine if r["procedure_code"] == name)
                                     for name in {r["procedure_code"] for r in mine}}}
    return out


def _scalar(text: str) -> str:
    """A name (a file, source, priority, exam type, group, room) written into the fitted scenario so that it reads
    back as the same string, as a key or an item of a flow list: as it is where it does, in double quotes where it
    would not (a room called "CT #1" or "Room 2, east", a source called "null", a path with ": " in it)."""
    try:
        if yaml.safe_load(f"[{text}]") == [text]:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _names(items) -> str:
    return ", ".join(_scalar(item) for item in items)


def _flow(mapping: dict) -> str:
    return "{" + ", ".join(f"{_scalar(k)}: {v}" for k, v in mapping.items()) + "}"


def _shares(values) -> dict[str, float]:
    counts = Counter(values)
    total = sum(counts.values())
    return {k: round(v / total, 4) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}


# ---------------------------------------------------------------- durations

FAMILIES = {
    "lognormal": (stats.lognorm, lambda p: _mean_cv(stats.lognorm(*p))),
    "gamma": (stats.gamma, lambda p: _mean_cv(stats.gamma(*p))),
    "loglogistic": (stats.fisk, lambda p: {"scale": round(float(p[2]), 4), "shape": round(float(p[0]), 4)}),
    "weibull": (stats.weibull_min, lambda p: {"scale": round(float(p[2]), 4), "shape": round(float(p[0]), 4)}),
    "exponential": (stats.expon, lambda p: {"mean": round(float(p[1]), 4)}),
}
NO_FIT_P = 0.01  # every family's KS p-value below this (with enough data): the percentiles themselves are written
EMPIRICAL_MIN = 200  # fewer values than this are too few to stand for their own distribution



GOODNESS = ("aic", "ks_distance", "ks_p", "ad")  # what a fit entry says of its fit, beside `dist` and parameters


def parameters(entry: dict) -> dict:
    """A fit entry's distribution as radsim reads it: `dist` and its parameters, without the goodness of fit."""
    return {k: v for k, v in entry.items() if k not in GOODNESS}


def parameters_text(entry: dict) -> str:
    """The parameters for a person: an empirical distribution by its size and median, not its 100 values."""
    if entry["dist"] == "empirical":
        return f"{len(entry['values'])} percentiles, median {np.median(entry['values']):.4g}"
    return ", ".join(f"{k} {v}" for k, v in parameters(entry).items() if k != "dist")


def _mean_cv(frozen) -> dict:
    mean, var = frozen.stats("mv")
    return {"mean": round(float(mean), 4), "cv": round(float(math.sqrt(var) / mean), 4)}


def fit_duration(values: np.ndarray) -> dict:
    """Every family fitted by maximum likelihood (location fixed at 0), ranked by AIC; each with its KS test and
    Anderson-Darling statistic. Where every family is rejected (KS p < NO_FIT_P) and there are EMPIRICAL_MIN values
    or more, the best is the empirical distribution of 100 percentiles of the data (no AIC of its own)."""
    values = np.asarray(values, dtype=float)
    values = values[values > 0]
    if np.ptp(values) <= 1e-6 * values.mean():  # every value the same (a set time): nothing to fit
        fixed = {"dist": "fixed", "value": round(float(values.mean()), 4), "aic": float("-inf"), "ks_distance": 0.0,
                 "ks_p": 1.0, "ad": 0.0}
        return {"n": int(len(values)), "best": fixed, "all": [fixed], "values": values, "params": {}}
    fits, fitted_params = [], {}
    for name, (family, to_radsim) in FAMILIES.items():
        try:
            with np.errstate(all="ignore"):
                params = family.fit(values, floc=0)
        except (ValueError, RuntimeError, FloatingPointError):  # this family cannot fit these values
            continue
        fitted_params[name] = params
        loglik = float(np.sum(family.logpdf(values, *params)))
        free = len(params) - 1  # the location is fixed
        ks = stats.kstest(values, family.cdf, args=params)
        fits.append({"dist": name, **to_radsim(params), "aic": round(2 * free - 2 * loglik, 2),
                     "ks_distance": round(float(ks.statistic), 4), "ks_p": round(float(ks.pvalue), 4),
                     "ad": round(anderson_darling(values, lambda x, f=family, p=params: f.cdf(x, *p)), 3)})
    fits.sort(key=lambda f: f["aic"])
    if len(values) >= EMPIRICAL_MIN and all(f["ks_p"] < NO_FIT_P for f in fits):
        fits.insert(0, _empirical(values))
    return {"n": int(len(values)), "best": fits[0], "all": fits, "values": values, "params": fitted_params}


def _empirical(values: np.ndarray) -> dict:
    """The data's 100 percentiles (0.5 %, 1.5 %, ... 99.5 %) to be resampled with equal probability."""
    percentiles = np.percentile(values, np.arange(0.5, 100, 1.0))
    ks = stats.kstest(values, lambda x: np.searchsorted(np.sort(percentiles), x, side="right") / 100)
    return {"dist": "empirical", "values": [round(float(v), 3) for v in percentiles], "aic": float("nan"),
            "ks_distance": round(float(ks.statistic), 4), "ks_p": round(float(ks.pvalue), 4), "ad": float("nan")}


def anderson_darling(values: np.ndarray, cdf) -> float:
    """The Anderson-Darling statistic A² of `values` against a fitted `cdf`: like KS, but weighting the tails,
    where long exams and long waits live. With parameters estimated from the same data its tabled critical values
    do not apply; it ranks the families (smaller is closer)."""
    x = np.sort(values)
    n = len(x)
    f = np.clip(cdf(x), 1e-12, 1 - 1e-12)
    i = np.arange(1, n + 1)
    return float(-n - np.mean((2 * i - 1) * (np.log(f) + np.log1p(-f[::-1]))))


def fit_acquisition(export: Export) -> dict[str, dict]:
    """Per exam type with at least MIN_SAMPLE exams begun and ended: its room time (begun -> ended) fitted."""
    return _fit_spans(export, "begin_dt", "end_dt")


def fit_reads(export: Export) -> dict[str, dict]:
    """Per exam type with at least MIN_SAMPLE reads whose start the export has: read started -> report signed.
    Calls and urgent studies that broke into a read are inside it, so this is an upper bound of reading time."""
    return _fit_spans(export, "read_start_dt", "final_dt")


def _fit_spans(export: Export, start: str, end: str) -> dict[str, dict]:
    times: dict[str, list[float]] = {}
    for r in export.rows:
        if r[start] is not None and r[end] is not None and r[end] > r[start]:
            times.setdefault(r["procedure_code"], []).append(r[end] - r[start])
    return {name: fit_duration(np.array(v)) for name, v in sorted(times.items()) if len(v) >= MIN_SAMPLE}


# ---------------------------------------------------------------- readiness and cancellations

MIN_FITTED = 20  # fewer values than this: nothing is fitted (the base's setting stays)


def fit_readiness(export: Export) -> dict[str, dict]:
    """Order -> patient ready (the export's arrival time), per source and priority pooled over exam types, and per
    source, exam type and priority where the type has its own; only groups with arrival times are fitted (an order
    without one was ready when placed, or the export does not say)."""
    spans: dict[tuple, list[float]] = {}
    for r in export.rows:
        if r["arrived_dt"] is not None and r["arrived_dt"] > r["ordered_dt"]:
            wait = r["arrived_dt"] - r["ordered_dt"]
            spans.setdefault((r["patient_class"], None, r["priority"]), []).append(wait)
            spans.setdefault((r["patient_class"], r["procedure_code"], r["priority"]), []).append(wait)
    out: dict[str, dict] = {}
    for (source, exam, priority), values in sorted(spans.items(), key=lambda kv: str(kv[0])):
        if len(values) >= MIN_FITTED:
            out.setdefault(source, {}).setdefault(exam, {})[priority] = fit_duration(np.array(values))
    return out


def fit_cancellations(export: Export) -> dict[str, dict]:
    """Per source and priority with cancelled orders: the share cancelled and, where the export has cancellation
    times for enough of them, order -> cancelled fitted. The share is of all orders placed; in radsim's terms a
    lower bound of the share with a finite patience, since some of those are scanned before it runs out."""
    placed = Counter((r["patient_class"], r["priority"]) for r in export.rows + export.cancelled)
    gone: dict[tuple, list[float | None]] = {}
    for r in export.cancelled:
        after = r["cancelled_dt"] - r["ordered_dt"] if r["cancelled_dt"] is not None else None
        gone.setdefault((r["patient_class"], r["priority"]), []).append(after)
    out: dict[str, dict] = {}
    for (source, priority), afters in sorted(gone.items()):
        times = np.array([a for a in afters if a is not None and a > 0])
        out.setdefault(source, {})[priority] = {
            "cancelled": len(afters), "placed": placed[source, priority],
            "share": round(len(afters) / placed[source, priority], 4),
            "after": fit_duration(times) if len(times) >= MIN_FITTED else None}
    return out


def fit_appointments(export: Export, books: dict) -> dict[str, dict]:
    """Per appointment book of the base (`books`: name -> book) whose patients the export has: the no-show share of
    booked patients (with a 95 % Wilson interval), where the export marks no-shows at all, and punctuality (arrived
    minus slot time, its 0.5th and 99.5th percentiles as the uniform's bounds), where it has slot and arrival
    times. A book's patients are its source's exams of its exam types, with a slot time where the export has any."""
    has_slots = any(r["scheduled_dt"] is not None for r in export.rows)
    out: dict[str, dict] = {}
    for name, book in books.items():
        def mine(r):
            return r["patient_class"] == book.source and r["procedure_code"] in book.exam_mix

        came = [r for r in export.rows if mine(r) and (r["scheduled_dt"] is not None or not has_slots)]
        missed = sum(1 for r in export.no_shows if mine(r))
        if not came and not missed:
            continue
        fitted: dict = {"attended": len(came), "no_shows": missed}
        if export.no_shows:  # an export that never marks a no-show cannot say there were none
            fitted["no_show"] = round(missed / (missed + len(came)), 4)
            fitted["no_show_ci"] = _wilson(missed, missed + len(came))
        lateness = np.array([r["arrived_dt"] - r["scheduled_dt"] for r in came
                             if r["arrived_dt"] is not None and r["scheduled_dt"] is not None])
        if len(lateness) >= MIN_FITTED:
            fitted["punctuality"] = {"earliest": round(float(np.percentile(lateness, 0.5)), 1),
                                     "latest": round(float(np.percentile(lateness, 99.5)), 1), "n": len(lateness)}
        out[name] = fitted
    return out


def _wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    p = k / n
    centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (
        1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


# ---------------------------------------------------------------- what the export shows of staff and rooms


def rooms_seen(export: Export) -> dict[str, list[str]]:
    """The rooms each modality's exams were done in (bedside units included)."""
    rooms: dict[str, set[str]] = {}
    for r in export.rows:
        if r["room"]:
            rooms.setdefault(r["modality"], set()).add(r["room"])
    return {m: sorted(v) for m, v in sorted(rooms.items())}


def people_seen(export: Export, role: str, modality: str | None = None, people: set | None = None) -> np.ndarray:
    """7 x 24: how many different people of a role (technologist: began an exam; radiologist: signed a report) were
    seen at work in each hour of each weekday (Monday first), on average over the weeks of the export; only exams of
    `modality` and only `people`, if given. A lower bound of who was on duty: people on a break or without work that
    hour are not seen."""
    column, moment = _ROLE_COLUMNS[role]
    seen: dict[tuple[int, int], set] = {}
    for r in export.rows:
        if r[column] and r[moment] is not None and (modality is None or r["modality"] == modality) and \
                (people is None or r[column] in people):
            day = int(r[moment] // 1440)
            seen.setdefault((day, int(r[moment] // 60 % 24)), set()).add(r[column])
    grid, weeks = np.zeros((7, 24)), np.zeros((7, 24))
    for day in range(export.days):
        weekday = (export.first_day.weekday() + day) % 7
        for hour in range(24):
            grid[weekday, hour] += len(seen.get((day, hour), ()))
            weeks[weekday, hour] += 1
    return np.divide(grid, weeks, out=np.zeros_like(grid), where=weeks > 0)


_ROLE_COLUMNS = {"technologist": ("technologist_id", "begin_dt"), "radiologist": ("radiologist_id", "final_dt")}
REMIT_SHARE = 0.1  # a person's share of a kind of work below a tenth of the department's: not their work
RARE = 0.05  # a priority this rare (trauma, stroke) may simply not have come a reader's way: no remit is read from it


def remits(export: Export, role: str) -> dict[tuple[tuple[str, ...], tuple[str, ...] | None], set[str]]:
    """People of a role grouped by what they do: (modalities, priorities or None for every priority) -> ids.

    A modality (and, for radiologists, a priority) is in someone's remit when it makes up at least REMIT_SHARE of
    its share of all the role's work in their own work: a CT technologist who once took a radiograph is still a
    CT technologist, and a night reader who signs no outpatient reports reads urgent work only. A priority of less
    than RARE of the work is never read as outside a remit: a fortnight without a trauma case says nothing."""
    column = _ROLE_COLUMNS[role][0]
    mine = [r for r in export.rows if r[column]]
    overall = {what: Counter(r[what] for r in mine) for what in ("modality", "priority")}
    work: dict[str, dict[str, Counter]] = {}
    for r in mine:
        person = work.setdefault(r[column], {"modality": Counter(), "priority": Counter()})
        person["modality"][r["modality"]] += 1
        person["priority"][r["priority"]] += 1
    groups: dict[tuple, set[str]] = {}
    for person, counts in work.items():
        own = {what: tuple(sorted(k for k in overall[what] if counts[what][k] / sum(counts[what].values()) >=
                                  REMIT_SHARE * overall[what][k] / len(mine)
                                  or (what == "priority" and overall[what][k] < RARE * len(mine))))
               for what in counts}
        priorities = None if role == "technologist" or set(own["priority"]) == set(overall["priority"]) else \
            tuple(p for p in overall["priority"] if p in own["priority"])
        groups.setdefault((own["modality"], priorities), set()).add(person)
    return groups


WEEKEND = (5, 6)
MIN_SHIFT_HOURS = 3  # a shorter run of hours at one head count is noise, not a shift
BRIDGED_HOURS = 2  # a person not seen for this long within a run was on a break, or had nothing to start


def inferred_shifts(grid: np.ndarray, threshold: float = 0.5) -> list[dict]:
    """A weekly roster that covers what `people_seen` shows: [{start, end, days, count}] in whole hours.

    Weekdays and weekend days are each pooled (a fortnight has only two Mondays). Each hour's head count is the
    mean people seen, rounded half up; the k-th person is on duty in each run of hours in which at least k were
    seen, runs broken by up to BRIDGED_HOURS joined and runs shorter than MIN_SHIFT_HOURS dropped. A shift running
    to midnight joins the next day's run from midnight at the same head count, as a night shift; a post held
    around the clock beside a day shift is split into a day and a night shift, as rosters are written (the cover
    is the same). Shifts of the same hours and head count are grouped over their days. A lower bound, like what
    it comes from: breaks and hours with nothing to start are invisible."""
    weekdays = [w for w in range(7) if w not in WEEKEND]
    pooled = grid.copy()
    for days in (weekdays, list(WEEKEND)):
        pooled[days] = grid[days].mean(axis=0)
    levels = np.floor(pooled + (1 - threshold)).astype(int)
    runs = {(weekday, level): _runs(levels[weekday] >= level)
            for weekday in range(7) for level in range(1, int(levels[weekday].max(initial=0)) + 1)}
    for weekday in range(7):  # a post held around the clock beside a day shift is a day and a night shift
        if runs.get((weekday, 1)) == [(0, 24)] and runs.get((weekday, 2)) and 0 < runs[weekday, 2][0][0] and \
                runs[weekday, 2][0][1] < 24:
            a, b = runs[weekday, 2][0]
            runs[weekday, 1] = [(0, a), (a, b), (b, 24)]
    for (weekday, level), spans in runs.items():  # then the nights: the next day's early hours end them
        following = runs.get(((weekday + 1) % 7, level), [])
        if spans and spans[-1][1] == 24 and spans[-1][0] > 0 and following and following[0][0] == 0 \
                and following[0][1] < 24:
            spans[-1] = (spans[-1][0], 24 + following.pop(0)[1])
    shifts: Counter = Counter()  # (start hour, end hour, weekday) -> people
    for (weekday, level), spans in sorted(runs.items()):
        for a, b in spans:
            if b - a >= MIN_SHIFT_HOURS:
                shifts[a, b, weekday] += 1
    grouped: dict[tuple[int, int, int], list[str]] = {}
    for (a, b, weekday), people in sorted(shifts.items()):
        grouped.setdefault((a, b, people), []).append(WEEKDAYS[weekday])
    return [{"start": f"{a:02d}:00", "end": "24:00" if b == 24 else f"{b % 24:02d}:00", "days": days,
             "count": people} for (a, b, people), days in grouped.items()]


def _runs(on: np.ndarray) -> list[tuple[int, int]]:
    """The [start, end) hours of the runs of `on`, gaps of up to BRIDGED_HOURS joined."""
    edges = np.diff(np.concatenate([[0], on.astype(int), [0]]))
    runs: list[tuple[int, int]] = []
    for a, b in zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()):
        if runs and a - runs[-1][1] <= BRIDGED_HOURS:
            runs[-1] = (runs[-1][0], b)
        else:
            runs.append((a, b))
    return runs


def rooms_by_kind(export: Export, portable: set[str]) -> dict[str, dict]:
    """Per modality: the rooms its exams were done in, and how many bedside units (rooms used only by exam types in
    `portable`)."""
    fixed: dict[str, set] = {}
    bedside: dict[str, set] = {}
    for r in export.rows:
        if r["room"]:
            (bedside if r["procedure_code"] in portable else fixed).setdefault(r["modality"], set()).add(r["room"])
    return {m: {"scanners": sorted(fixed.get(m, ())), "portable_units": len(bedside.get(m, set()) - fixed.get(m, set()))}
            for m in sorted(set(fixed) | set(bedside))}


# ---------------------------------------------------------------- the fitted variant


def fit(export: Export, base_scenario) -> dict:
    """Demand and acquisition times; exams the base's appointment books cover (their source and exam types) are
    booked patients, not demand."""
    booked = {(book.source, name) for book in base_scenario.appointments.values() for name in book.exam_mix}
    return {"demand": fit_demand(export, booked), "acquisition": fit_acquisition(export), "read": fit_reads(export),
            "readiness": fit_readiness(export), "cancellation": fit_cancellations(export), "booked": booked,
            "appointments": fit_appointments(export, base_scenario.appointments)}


def _readiness_entry(own: dict | None, pooled: dict | None) -> str:
    """An exam type's own readiness, where it has one: its fitted priorities, the source's pooled fit for the rest
    (a type's readiness replaces the source's for that type)."""
    if not own:
        return ""
    merged = {**(pooled or {}), **own}
    return ", readiness: {" + ", ".join(f"{_scalar(p)}: {_as_distribution(f)}" for p, f in merged.items()) + "}"


def _described(fit: dict, what: str) -> str:
    best = fit["best"]
    others = "; ".join(f"{o['dist']} AIC {o['aic']} KS p {o['ks_p']}" for o in fit["all"][1:])
    why = (f"every family rejected (KS p < {NO_FIT_P}), so its own percentiles" if best["dist"] == "empirical" else
           f"AIC {best['aic']}")
    return (f"# {what} of {fit['n']} exams: {best['dist']} ({why}; KS distance {best['ks_distance']}, "
            f"p {best['ks_p']}); others: {others}")


def _as_distribution(fit: dict) -> str:
    return _flow(parameters(fit["best"]))  # `dist` first: every entry is built with it first


def _fitted_acquisition(name: str, fit: dict | None, base: str, base_scenario, assumptions: list[str]) -> list[str]:
    kind = base_scenario.exam_types[name]
    if fit is None:
        return []
    if kind.portable is not None:
        assumptions.append(f"{name}: a bedside exam's begun -> ended holds the trip to the patient, which the "
                           f"export cannot separate; {base}'s times are kept")
        return []
    lines = [f"    {_described(fit, 'room time')}", f"    acquisition: {_as_distribution(fit)}"]
    if kind.steps is not None:
        # the export's begun -> ended already holds preparation, contrast, screening and the image check
        lines.append("    steps: {prep: 0, screening: 0, check: 0, contrast: null, pregnancy_check: null}")
        assumptions.append(f"{name}: the fitted room time holds the base's preparation, contrast, screening and "
                           "image check; its turnover (after the images) is kept")
    return lines


def _fitted_read(name: str, fit: dict | None, base_scenario, assumptions: list[str]) -> list[str]:
    if fit is None:
        return []
    kind = base_scenario.exam_types[name]
    lines = [f"    {_described(fit, 'read started to report signed')}", f"    read: {_as_distribution(fit)}"]
    if kind.priors is not None:
        lines.append("    priors: null   # the comparison with priors is inside the fitted read")
    assumptions.append(f"{name}: the fitted read (read started to report signed) holds any calls or urgent studies "
                       "that broke into it, so it is an upper bound of reading time, and the base's calls are "
                       "modelled again on top; a read time by priority in the base still applies to its priority")
    return lines


def _fitted_appointments(books: dict, export: Export, base: str, assumptions: list[str]) -> list[str]:
    lines = []
    for name, b in books.items():
        entry = []
        if "no_show" in b:
            low, high = b["no_show_ci"]
            entry.append(f"    no_show: {b['no_show']}   # {b['no_shows']} of {b['no_shows'] + b['attended']} booked "
                         f"patients did not come; 95% CI {low:.3f}-{high:.3f}")
        if "punctuality" in b:
            p = b["punctuality"]
            entry.append(f"    punctuality: {{earliest: {p['earliest']}, latest: {p['latest']}}}   # arrived - slot, "
                         f"0.5th to 99.5th percentile of {p['n']}")
        if entry:
            lines += [f"  {_scalar(name)}:", *entry]
    if not export.no_shows and books:
        assumptions.append(f"the export marks no booked patient as a no-show; {base}'s no-show shares stay")
    if books:
        assumptions.append(f"the appointment books' sessions, slot lengths and booked shares are {base}'s (an "
                           "export shows the patients booked, not the empty slots)")
    return ["appointments:", *lines] if lines else []


def _group_name(prefix: str, shift: dict) -> str:
    days = shift["days"]
    when = {7: "daily"}.get(len(days)) or {("mon", "tue", "wed", "thu", "fri"): "weekdays",
                                           ("sat", "sun"): "weekends"}.get(tuple(days)) or "_".join(days)
    return f"{prefix}_{shift['start'][:2]}-{shift['end'][:2]}_{when}"


def inferred_roster(export: Export, role: str) -> list[dict]:
    """Groups of a role as the export shows them: per remit (`remits`), the shifts `inferred_shifts` finds for
    its people; each {name, count, modalities, priorities (None: all), start, end, days}."""
    groups = []
    for (modalities, priorities), people in sorted(remits(export, role).items(), key=lambda kv: str(kv[0])):
        prefix = "_".join(m.lower() for m in modalities) if role == "technologist" else \
            "readers" + ("" if priorities is None else "_" + "_".join(priorities))
        groups += [{"name": _group_name(prefix, shift), "modalities": list(modalities), "priorities": priorities,
                    **shift} for shift in inferred_shifts(people_seen(export, role, people=people))]
    return groups


def _inferred_groups(section: str, base_groups: dict, groups: list[dict], carried: str) -> list[str]:
    """A people section that replaces the base's groups (each set to null) with `groups`, each with the base's
    `carried` settings."""
    lines = [f"{section}:", *(f"  {_scalar(name)}: null" for name in base_groups)]
    for g in groups:
        remit = "" if g["priorities"] is None else f", priorities: [{_names(g['priorities'])}]"
        lines.append(f"  {_scalar(g['name'])}: {{count: {g['count']}, modalities: [{_names(g['modalities'])}]{remit}, "
                     f"shifts: [{{start: \"{g['start']}\", end: \"{g['end']}\", days: [{', '.join(g['days'])}]}}]"
                     f"{carried}}}")
    return lines


def _common_setting(groups: dict, name: str) -> str:
    """`, name: {...}` when every group of the base has the same setting `name`, so the inferred ones keep it."""
    values = {yaml.safe_dump(getattr(g, name).model_dump(mode="json", by_alias=True, exclude_unset=True),
                             default_flow_style=True,
                             width=1000).strip() if getattr(g, name) is not None else None for g in groups.values()}
    return f", {name}: {values.pop()}" if len(values) == 1 and None not in values else ""


def inferred_staffing(export: Export, base_scenario, base: str, apply: bool, assumptions: list[str]) -> list[str]:
    """Technologists, radiologists and each modality's rooms as the export shows them, replacing the base's
    (`apply`), or the same lines commented out for the user to edit and apply."""
    portable = {name for name, kind in base_scenario.exam_types.items() if kind.portable is not None}
    lines = []
    for section, role in (("technologists", "technologist"), ("radiologists", "radiologist")):
        groups = inferred_roster(export, role)
        base_groups = getattr(base_scenario, section)
        if groups:
            carried = _common_setting(base_groups, "interruptions") if role == "radiologist" else ""
            lines += _inferred_groups(section, base_groups, groups, carried)
    rooms = {m: r for m, r in rooms_by_kind(export, portable).items() if m in base_scenario.modalities and r["scanners"]}
    if rooms:
        lines.append("modalities:")
        lines += [f"  {_scalar(m)}: {{scanners: [{_names(r['scanners'])}]"
                  + (f", portable_units: {r['portable_units']}" if r["portable_units"] else "") + "}"
                  for m, r in rooms.items()]
    if not lines:
        return []
    head = [f"# Staff and rooms as the export shows them{'' if apply else ' (fit with --staffing to apply)'}: a",
            "# shift per run of hours in which people were seen starting exams or signing reports (weekdays and",
            "# weekends pooled), grouped by the modalities and priorities each person worked, and the rooms exams",
            "# were done in. A lower bound: breaks, idle hours and people who did neither are invisible."]
    if apply:
        assumptions.append(f"staffing as seen in the export replaces {base}'s groups and their breaks and set work "
                           "(add those back by hand; calls are kept where all its reader groups had the same); a "
                           "post covered around the clock is one 24-hour shift; scanners are the rooms seen, with "
                           f"{base}'s opening hours and breakdowns")
        return head + lines
    return head + [f"# {line}" for line in lines]


def fitted_scenario(fitted: dict, export: Export, base: str, base_scenario, reads: bool = False,
                    staffing: bool = False) -> tuple[str, list[str]]:
    """The YAML text of a variant of `base` with the fitted demand and acquisition times, commented with where
    each figure came from; and the assumptions a user should check. Exam types the base does not have are
    refused (name them in the base first: the export cannot tell their read times or subspecialties)."""
    unknown = sorted({r["procedure_code"] for r in export.rows} - set(base_scenario.exam_types))
    if unknown:
        raise ScenarioError(export.source, "procedure_code",
                            f"exam types not in {base}: {', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}"
                            "; add them to the base scenario (modality, read time) first")
    lines = [f"# Fitted by radsim from {Path(export.source).name}: {export.cleaning['exams_kept']} exams over "
             f"{export.days} days from {export.first_day:%Y-%m-%d}.",
             "# Cleaning: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in export.cleaning.items()) + ".",
             f"# Breaks, targets{'' if staffing else ', staff, shifts, scanners'} come from {base}: an export "
             "cannot tell them (nor read times, where it has no read start).",
             f"extends: {_scalar(base)}",
             f"name: {_scalar(f'{base_scenario.name}, fitted to {Path(export.source).name}')}",
             f"days: {export.days}"]
    if base_scenario.warmup_days >= export.days:  # a short export: keep some of it for the statistics
        lines.append(f"warmup_days: {export.days // 4}   # {base}'s warm-up is longer than the export")
    lines.append("demand:")
    assumptions = [f"{'targets' if staffing else 'staff, shifts, breaks, scanners and targets'} are {base}'s, and so "
                   "are the read times of exam types the export has no read starts for"]
    if fitted["booked"]:
        assumptions.append("exams of " + ", ".join(f"{s} {e}" for s, e in sorted(fitted["booked"])) +
                           f" are taken as booked by {base}'s appointment books, which are kept, and left out of "
                           "the fitted demand")
    for source, d in fitted["demand"].items():
        low, high = d["exams_per_day_ci"]
        lines += [f"  {_scalar(source)}:   # {d['orders']} orders; 95% CI of the daily rate {low:.1f}-{high:.1f}",
                  f"    exams_per_day: {d['exams_per_day']:.2f}",
                  f"    hourly_profile: {d['hourly_profile']}",
                  f"    weekday_factors: {_flow(d['weekday_factors'])}",
                  f"    priority_mix: {_flow(d['priority_mix'])}",
                  "    exam_mix:   # share of the orders, and each exam type's own priority mix"]
        ready = fitted["readiness"].get(source, {})
        lines += [f"      {_scalar(name)}: {{share: {share}, priority_mix: {_flow(d['priority_mix_by_exam'][name])}"
                  + _readiness_entry(ready.get(name), ready.get(None)) + "}"
                  for name, share in d["exam_mix"].items()]
        inherited = base_scenario.demand[source].exam_mix if source in base_scenario.demand else {}
        lines += [f"      {_scalar(name)}: {{share: 0}}   # in {base}'s mix, not in the export"
                  for name in inherited if name not in d["exam_mix"]]
        if ready.get(None):
            lines.append("    readiness:   # order to patient ready (arrived), pooled over exam types")
            lines += [f"      {_scalar(priority)}: {_as_distribution(f)}   {_described(f, 'order to ready')}"
                      for priority, f in ready[None].items()]
        gone = fitted["cancellation"].get(source, {})
        if any(c["after"] for c in gone.values()):
            lines.append("    cancellation:   # share of the orders placed that were cancelled: a lower bound")
            lines += [f"      {_scalar(priority)}: {{share: {c['share']}, after: {_as_distribution(c['after'])}}}   "
                      f"# {c['cancelled']} of {c['placed']}" for priority, c in gone.items() if c["after"]]
        for priority, c in gone.items():
            if not c["after"]:
                assumptions.append(f"{source} {priority}: {c['cancelled']} of {c['placed']} orders cancelled, too few "
                                   f"with a cancellation time to fit when; {base}'s setting stays")
        if source not in base_scenario.demand:
            assumptions.append(f"source {source} is new to {base}: its door settings are the defaults")
    lines += _fitted_appointments(fitted["appointments"], export, base, assumptions)
    read_fits = fitted["read"] if reads else {}  # opt-in: a read span holds the calls the base models again
    types = []
    for name in sorted(set(fitted["acquisition"]) | set(read_fits)):
        body = _fitted_acquisition(name, fitted["acquisition"].get(name), base, base_scenario, assumptions) + \
            _fitted_read(name, read_fits.get(name), base_scenario, assumptions)
        if body:  # an empty entry would remove the base's exam type
            types += [f"  {_scalar(name)}:", *body]
    if types:  # an empty section would remove the base's exam types
        lines += ["exam_types:", *types]
    lines += inferred_staffing(export, base_scenario, base, staffing, assumptions)
    return "\n".join(lines) + "\n", assumptions
