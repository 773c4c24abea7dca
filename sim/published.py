"""Published figures a run is compared with: each range with its source, and where one run's figure falls.

Every figure says what it measures in radsim's terms (a statistic of a turnaround for the exams of a source,
modality or priority; a share of radiologist time; a rate), its range, its source, and how the range was read
from the source: the source's own range, or a judgement around a single published figure (said in `basis`).
A scenario's sources and modalities are matched by their usual names (ED, inpatient, outpatient; CT, MR),
case-insensitively; a figure the scenario cannot produce is listed as not measured, with the reason.

Pure functions of a `Result` and its summary, like `sim.metrics`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .metrics import cut_minutes, describe_censored, exam_columns, in_statistics
from .records import CALL, DUTY, INTERRUPTION, NON_INTERPRETIVE, PROTOCOL, READ, Result, one_of
from .roster import clip, intervals
from .schema import Window

HOUR = 60.0
SOURCE_NAMES = {"ED": ("ed", "emergency", "er", "a&e"), "inpatient": ("inpatient", "inpatients", "ip", "ward"),
                "outpatient": ("outpatient", "outpatients", "op")}
MODALITY_NAMES = {"CT": ("ct",), "MR": ("mr", "mri")}


@dataclass(frozen=True)
class Measured:
    """A run's figure for a published range: the value (None: not measured, `why` says why) and whether it is a
    lower bound (exams still waiting at the end count at their wait so far)."""

    value: float | None
    lower_bound: bool = False
    why: str = ""
    upper: float | None = None  # with a lower bound: the most it can be (unfinished exams never finishing)


@dataclass(frozen=True)
class Published:
    """One published figure: what it measures, its range (either end may be open), unit, source and basis."""

    key: str
    label: str
    unit: str  # "min", "h", "share" or "per hour"
    low: float | None
    high: float | None
    published: str  # the figure as published
    source: str
    basis: str  # how the range was read from the source
    measure: Callable[[Result, dict], Measured]


def _named(names: list[str], usual: tuple[str, ...]) -> list[int]:
    return [i for i, name in enumerate(names) if name.lower() in usual]


def _turnaround(measure: str, statistic: str, source: str | None = None, modality: str | None = None,
                priority: str | None = None, scale: float = 1.0):
    """A statistic of one turnaround measure over the exams of a source, modality and priority."""
    def compute(result: Result, summary: dict) -> Measured:
        s, o = result.scenario, result.exams.orders
        mask = in_statistics(result).copy()
        if source is not None:
            codes = _named(s.source_names, SOURCE_NAMES[source])
            if not codes:
                return Measured(None, why=f"no {source} source in this scenario")
            mask &= one_of(o.source, codes)
        if modality is not None:
            modality_of_type = [e.modality.lower() for e in s.exam_types.values()]
            types = [t for t, m in enumerate(modality_of_type) if m in MODALITY_NAMES[modality]]
            if not types:
                return Measured(None, why=f"no {modality} exam types in this scenario")
            mask &= one_of(o.exam_type, types)
        if priority is not None:
            if priority not in s.priorities:
                return Measured(None, why=f"no {priority} priority in this scenario")
            mask &= o.priority == s.priority_names.index(priority)
        if not mask.any():
            return Measured(None, why="no such exams ordered after the warm-up")
        columns = exam_columns(result)
        start = {"order_to_images": "ordered_at", "wait_to_scan": "ordered_at", "report_tat": "scan_end"}[measure]
        values = columns["scan_end"] - columns["ordered_at"] if measure == "order_to_images" else columns[measure]
        values, starts = values[mask], columns[start][mask]
        stats = describe_censored(values, starts, result.horizon)
        value = stats[statistic]
        if value is None:
            return Measured(None, why="none finished")
        upper = None
        if stats["lower_bound"]:
            unfinished = np.isnan(values) & ~np.isnan(starts)
            never = np.where(unfinished, np.inf, values)
            upper = float(np.percentile(never[~np.isnan(never)], PERCENT[statistic], method="higher")) / scale
        return Measured(value / scale, stats["lower_bound"], upper=upper)
    return compute


PERCENT = {"median": 50, "p90": 90, "p95": 95}


def _share_within(priority: str, minutes: float):
    """Share of a priority's exams whose scan itself started within `minutes` of the order (door-to-scan)."""
    def compute(result: Result, summary: dict) -> Measured:
        row = summary.get("door_to_scan", {}).get(priority)
        if row is None or not row["count"]:
            return Measured(None, why=f"no {priority} exams with a door-to-scan target in this scenario")
        if row["target_minutes"] != minutes:
            return Measured(None, why=f"this scenario's {priority} scan target is {row['target_minutes']:g} min, "
                                      f"not {minutes:g}")
        return Measured(row["within_target"])
    return compute


def _reader_share(*parts: str):
    """Parts of every radiologist's on-duty time (reading; interruptions per hour...), summed, weighted by duty
    hours."""
    def compute(result: Result, summary: dict) -> Measured:
        groups = [g for g in summary.get("reader_time", {}).values() if g["on_duty_hours"]]
        hours = sum(g["on_duty_hours"] for g in groups)
        if not hours:
            return Measured(None, why="no radiologist on duty after the warm-up")
        return Measured(sum(sum(g[part] for part in parts) * g["on_duty_hours"] for g in groups) / hours)
    return compute


# Time-allocation studies watch radiologists at work by day: the time split is compared over weekday 08:00-17:00.
WEEKDAY_DAYTIME = Window(start="08:00", end="17:00", days=["mon", "tue", "wed", "thu", "fri"])


def _daytime_share(*kinds: int):
    """The share of radiologists' on-duty time on weekdays 08:00-17:00 (after the warm-up) spent on these tasks."""
    def compute(result: Result, summary: dict) -> Measured:
        s = result.scenario
        spans = clip(intervals([WEEKDAY_DAYTIME], s.days, s.start_weekday), result.warmup, result.horizon)
        log = result.staff_log.columns()
        readers = np.array([m.role == "radiologist" for m in result.staff] or [False])[log["person"]]

        def minutes(rows):
            return float(np.sum(cut_minutes(log["start"], log["end"], spans, rows, open_until=result.horizon)))
        duty = minutes(readers & (log["kind"] == DUTY))
        if duty <= 0:
            return Measured(None, why="no radiologist on duty on a weekday 08:00-17:00 after the warm-up")
        return Measured(minutes(readers & one_of(log["kind"], kinds)) / duty)
    return compute


def _no_show_share(result: Result, summary: dict) -> Measured:
    books = (summary.get("appointments") or {}).values()
    slots = sum(b["booked"] for b in books)
    if not slots:
        return Measured(None, why="no booked appointments in this scenario")
    return Measured(sum(b["no_shows"] for b in books) / slots)


def _scanner_utilisation(modality: str):
    def compute(result: Result, summary: dict) -> Measured:
        scanners = summary.get("utilisation", {}).get("scanners", {})
        names = [m for m in scanners if m.lower() in MODALITY_NAMES[modality]]
        if not names or scanners[names[0]] is None:
            return Measured(None, why=f"no {modality} scanners open after the warm-up")
        return Measured(scanners[names[0]])
    return compute


FIGURES = [
    Published("ed_ct_order_to_images", "ED CT, order → images complete, median", "min", 57, 182,
              "median 108 min, IQR 57–182", "Dhanik et al., West J Emerg Med 2024",
              "another department's median inside the published IQR (a judgement)",
              _turnaround("order_to_images", "median", source="ED", modality="CT")),
    Published("ed_ct_report", "ED CT, images → report signed, median", "min", 54, 300,
              "median 54 min with an on-site 24/7 radiologist (578 without); academic centre final reports 3–5 h",
              "RSNA 2019 abstract, Vancouver General; Lamb et al., CJEM 2015",
              "from the on-site median to the academic centre's final reports",
              _turnaround("report_tat", "median", source="ED", modality="CT")),
    Published("inpatient_ct_order_to_scan", "Inpatient CT, order → scan, median", "h", 3.5, 14,
              "median about 7 h", "Bartsch et al., PLoS One 2023",
              "half to twice the published median (a judgement)",
              _turnaround("wait_to_scan", "median", source="inpatient", modality="CT", scale=HOUR)),
    Published("inpatient_mr_order_to_scan", "Inpatient MR, order → scan, median", "h", 11, 44,
              "median about 22 h", "Bartsch et al., PLoS One 2023",
              "half to twice the published median (a judgement)",
              _turnaround("wait_to_scan", "median", source="inpatient", modality="MR", scale=HOUR)),
    Published("stroke_door_to_ct", "Stroke, scan started within 25 min of the order (share)", "share", 0.69, None,
              "target ≤ 25 min; 69 % achieved in a state registry, 2020", "AHA/ASA 2013; Minnesota Dept of Health",
              "at least the registry's share", _share_within("stroke", 25)),
    Published("inpatient_report", "Inpatient, images → report signed, median", "h", None, 24,
              "reported within 12–24 h (targets)", "RCR guidance; Wait Time Alliance P2",
              "within the longer of the published targets", _turnaround("report_tat", "median", source="inpatient",
                                                                         scale=HOUR)),
    Published("outpatient_report", "Outpatient, images → report signed, median", "h", 24, 72,
              "24 h benchmark; 36–72 h typical", "vendor summaries (secondary)",
              "from the benchmark to the longest typical figure",
              _turnaround("report_tat", "median", source="outpatient", scale=HOUR)),
    Published("radiologist_interpreting", "Radiologists' weekday daytime on duty spent reading (share)", "share",
              0.30, 0.45, "36.4 % interpreting, 43.8 % non-interpretive work", "Dhanoa et al., JACR 2013",
              "around the published share (a judgement); over weekdays 08:00-17:00, when the study watched",
              _daytime_share(READ)),
    # Dhanoa et al. count consultations, protocoling, communicating results, teaching, meetings and administration as
    # non-interpretive work: radsim's calls and questions (interruptions), protocols, critical-result calls and set
    # work together.
    Published("radiologist_non_interpretive", "Radiologists' weekday daytime on duty in non-interpretive work "
                                                  "(share)", "share",
              0.35, 0.50, "43.8 % non-interpretive work (meetings, teaching, QA, consultations, protocoling, "
                          "communicating results), 36.4 % interpreting",
              "Dhanoa et al., JACR 2013", "around the published share (a judgement); over weekdays 08:00-17:00; "
                                          "radsim counts set work, calls and questions, protocols and critical-result "
                                          "calls", _daytime_share(NON_INTERPRETIVE, INTERRUPTION, PROTOCOL, CALL)),
    Published("interruptions", "Interruptions per radiologist-hour on duty", "per hour", 4.4, 6,
              "about 4.4–6 per hour (6 overnight)", "Yu / Kansagra, JACR 2014; BMJ Open Quality",
              "the published range", _reader_share("interruptions_per_hour")),
    Published("no_shows", "Booked patients who did not come (share)", "share", 0.023, 0.07,
              "2.3–3.4 % overall; mammography 7 %", "Mieloszyk et al., JACR 2018",
              "from the lowest overall figure to mammography's", _no_show_share),
    Published("mr_utilisation", "MR scanners, busy share of opening hours", "share", 0.65, 0.85,
              "about 65 % typical, 85 % target", "vendor analysis (secondary)", "from typical to target",
              _scanner_utilisation("MR")),
]


def verdict(figure: Published, measured: Measured) -> str:
    """inside, below or above the published range, or not measured. A figure that counts exams still waiting at
    the end at their wait so far is only known to lie between that and `upper`; where those straddle an end of
    the range, the verdict says it is not known."""
    value = measured.value
    if value is None:
        return "not measured"
    most = measured.upper if measured.lower_bound and measured.upper is not None else \
        math.inf if measured.lower_bound else value
    if figure.high is not None and value > figure.high:
        return "above"
    if figure.low is not None and most < figure.low:
        return "below"
    if (figure.low is None or value >= figure.low) and (figure.high is None or most <= figure.high):
        return "inside"
    return "not known: exams still waiting at the end could put it either side"


def compare(result: Result, summary: dict) -> list[dict]:
    """Every published figure with this run's value, its verdict and its source."""
    rows = []
    for figure in FIGURES:
        measured = figure.measure(result, summary)
        rows.append({"key": figure.key, "label": figure.label, "unit": figure.unit, "value": measured.value,
                     "lower_bound": measured.lower_bound, "low": figure.low, "high": figure.high,
                     "verdict": verdict(figure, measured), "why_not_measured": measured.why or None,
                     "published": figure.published, "source": figure.source, "basis": figure.basis})
    return rows


def range_text(row: dict) -> str:
    """ "57–182 min", "≤ 24 h", "≥ 69 %": a published range in words."""
    def fmt(value):
        return f"{100 * value:.1f}".rstrip("0").rstrip(".") + " %" if row["unit"] == "share" else f"{value:g}"
    unit = "" if row["unit"] == "share" else f" {row['unit']}"
    if row["low"] is None:
        return f"≤ {fmt(row['high'])}{unit}"
    if row["high"] is None:
        return f"≥ {fmt(row['low'])}{unit}"
    return f"{fmt(row['low'])}–{fmt(row['high'])}{unit}"


def value_text(row: dict) -> str:
    value = row["value"]
    if value is None:
        return "-"
    text = f"{100 * value:.1f} %" if row["unit"] == "share" else f"{value:.1f} {row['unit']}"
    return ("≥ " if row["lower_bound"] else "") + text


# ------------------------------------------------------------------ settings


@dataclass(frozen=True)
class PublishedSetting:
    """A scenario setting with a published span: a value under half its low end or over twice its high end is far
    outside what departments report, and `validate` says so (not an error: a department may truly differ)."""

    label: str
    unit: str
    low: float
    high: float
    published: str
    source: str
    values: Callable[[object], list[tuple[str, float]]]  # (field, value) of every setting it covers


def _exam_means(modality: str, what: str):
    """The mean of each exam type's read time or technologist minutes, for exam types of this modality."""
    from .schema import acquisition_mean

    def values(scenario) -> list[tuple[str, float]]:
        out = []
        for name, exam in scenario.exam_types.items():
            if exam.modality.lower() in MODALITY_NAMES.get(modality, (modality.lower(),)):
                mean = exam.read.mean() if what == "read" else acquisition_mean(exam)
                out.append((f"exam_types.{name}.{what}", mean))
        return out
    return values


def _no_show_values(scenario) -> list[tuple[str, float]]:
    return [(f"appointments.{name}.no_show", book.no_show) for name, book in scenario.appointments.items()]


def _interruption_values(scenario) -> list[tuple[str, float]]:
    return [(f"radiologists.{name}.interruptions.per_hour", sum(g.interruptions.per_hour) / 24)
            for name, g in scenario.radiologists.items() if g.interruptions is not None]


SETTINGS = [
    PublishedSetting("CT read time", "min", 8.8, 39.2, "mean 16.6 min; 8.8 (wrist) to 39.2 (polytrauma) by region",
                     "Sexauer et al., J Imaging 2022", _exam_means("CT", "read")),
    PublishedSetting("MR read time", "min", 11, 16, "brain MRI: attendings 11 min, residents 16",
                     "brain MRI draft-report study (healthimaging)", _exam_means("MR", "read")),
    PublishedSetting("radiograph read time", "min", 1, 5, "1–2 min at 6–12 wRVU/h; 5 min in the film era",
                     "Kidwai, RSNA 2014; Dockray 1978", _exam_means("XR", "read")),
    PublishedSetting("CT room time", "min", 8, 21, "8–21 min by body region", "ED 16-MDCT study",
                     _exam_means("CT", "acquisition")),
    PublishedSetting("MR exam time", "min", 30, 60, "40-minute scheduled MR exams", "ITN, MRI throughput",
                     _exam_means("MR", "acquisition")),
    PublishedSetting("no-shows", "share", 0.013, 0.07, "radiography 1.3 %, 2.3–3.4 % overall, mammography 7 %",
                     "Mieloszyk et al., JACR 2018", _no_show_values),
    PublishedSetting("interruptions per reader-hour (mean over the day)", "per hour", 4.4, 6,
                     "about 4.4–6 per hour", "Yu / Kansagra, JACR 2014; BMJ Open Quality", _interruption_values),
]


def setting_warnings(scenario) -> list[str]:
    """Settings far outside published figures: under half the published span's low end or over twice its high."""
    warnings = []
    for setting in SETTINGS:
        for field, value in setting.values(scenario):
            if value < setting.low / 2 or value > setting.high * 2:
                shown = f"{100 * value:.1f} %" if setting.unit == "share" else f"{value:.1f} {setting.unit}"
                warnings.append(f"setting: {field} ({setting.label}, mean {shown}) is far outside published "
                                f"figures ({setting.published}; {setting.source})")
    return warnings
