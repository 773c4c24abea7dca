"""Does the scenario reproduce the department? Its simulated turnaround beside an export's observed one.

The validation step of a simulation study: the scenario runs for the export's days with several replications,
and for each priority, modality and source the median and p90 of order -> exam begun, exam ended -> report and
order -> report are placed beside the export's. A replication is one possible month, and the export is one
too, so the band a real month may fall in is the replications' 95 % prediction interval (mean ± t · sd ·
√(1 + 1/R)), not the confidence interval of their mean; each row's verdict says whether the observed figure lies
inside it, or above or below and by how much. The same is done by band of the day the order came in (six bands
of four hours), for daily orders per source, for the morning backlog (studies imaged and not yet reported) and for
each modality's rooms' busy share of the day.
Exams ordered in the scenario's warm-up are left out of both sides; only exams with both times count.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .fitting import Export
from .metrics import exam_columns, in_statistics
from .records import one_of

MEASURES = {"order_to_scan": ("ordered_dt", "begin_dt", "ordered_at", "scan_start"),
            "report_tat": ("end_dt", "final_dt", "scan_end", "report_at"),
            "order_to_report": ("ordered_dt", "final_dt", "ordered_at", "report_at")}
STATISTICS = {"median": 50, "p90": 90}
MIN_EXAMS = 20  # groups with fewer exams on either side are not compared


@dataclass(frozen=True)
class Row:
    """One compared figure: the observed value, the replications' mean and prediction band, and the verdict."""

    group: str
    measure: str
    statistic: str
    observed: float
    simulated: float
    low: float
    high: float
    note: str = ""  # why the figure could not be compared

    @property
    def verdict(self) -> str:
        if self.note:
            return self.note
        if self.low <= self.observed <= self.high:
            return "inside"
        side = "above" if self.observed > self.high else "below"
        edge = self.high if side == "above" else self.low
        gap = abs(self.observed - edge)
        return f"{side} by {100 * gap:.1f} points" if self.measure.endswith("share") else f"{side} by {gap:.1f}"


def observed_groups(export: Export, warmup_minutes: float) -> dict[str, dict[str, np.ndarray]]:
    """For each group (priority:..., modality:..., source:...), each measure's finished values in the export."""
    rows = [dict(r, hours=_band(r["ordered_dt"])) for r in export.rows if r["ordered_dt"] >= warmup_minutes]
    out: dict[str, dict[str, np.ndarray]] = {}
    for kind, column in (("priority", "priority"), ("modality", "modality"), ("source", "patient_class"),
                         ("ordered", "hours")):
        for name in sorted({r[column] for r in rows}):
            mine = [r for r in rows if r[column] == name]
            out[f"{kind}:{name}"] = {m: np.array([r[b] - r[a] for r in mine if r[a] is not None and r[b] is not None])
                                     for m, (a, b, _, _) in MEASURES.items()}
    return out


def simulated_groups(result) -> dict[str, dict[str, np.ndarray]]:
    """The same groups and measures from one replication's records (finished exams after the warm-up)."""
    s, o = result.scenario, result.exams.orders
    columns, window = exam_columns(result), in_statistics(result)
    modality = np.array([s.exam_types[n].modality for n in s.exam_types])[o.exam_type]
    keys = {"priority": np.array(s.priority_names)[o.priority], "modality": modality,
            "source": np.array(s.source_names)[o.source],
            "ordered": np.array([_band(t) for t in result.exams.ordered_at.tolist()])}
    out = {}
    for kind, labels in keys.items():
        for name in np.unique(labels[window]):
            mine = window & (labels == name)
            out[f"{kind}:{name}"] = {}
            for measure, (_, _, a, b) in MEASURES.items():
                values = (columns[b] - columns[a])[mine]
                out[f"{kind}:{name}"][measure] = values[~np.isnan(values)]
    return out


HOUR_BANDS = 4  # hours of the day in each band of order times: the day in six bands


def _band(minutes: float) -> str:
    """The band of the day an order time falls in, e.g. '08-12h' (or '' where there is no time)."""
    if minutes != minutes:
        return ""
    start = int(minutes // 60 % 24) // HOUR_BANDS * HOUR_BANDS
    return f"{start:02d}-{start + HOUR_BANDS:02d}h"


def compare(observed: dict, replications: list[dict]) -> list[Row]:
    """Every group, measure and statistic both sides have enough exams for, with its prediction band."""
    rows = []
    for group, measures in observed.items():
        for measure, values in measures.items():
            simulated = [rep.get(group, {}).get(measure, np.zeros(0)) for rep in replications]
            if len(values) < MIN_EXAMS:
                continue
            fewest = min(len(v) for v in simulated)
            if fewest < MIN_EXAMS:  # the scenario left them unfinished: say so rather than drop the row
                nan = float("nan")
                rows += [Row(group, measure, statistic, float(np.percentile(values, q)), nan, nan, nan,
                             f"not comparable: a replication finished only {fewest}")
                         for statistic, q in STATISTICS.items()]
                continue
            for statistic, q in STATISTICS.items():
                per_rep = np.array([np.percentile(v, q) for v in simulated])
                low, high = prediction_band(per_rep)
                low = max(low, 0.0)  # no wait is shorter than nothing
                rows.append(Row(group, measure, statistic, float(np.percentile(values, q)), float(per_rep.mean()),
                                low, high))
    return rows


def prediction_band(values: np.ndarray) -> tuple[float, float]:
    """Where one more replication (or the real month) falls 95 times in 100: mean ± t · sd · √(1 + 1/R)."""
    r = len(values)
    if r < 2:
        return float(values[0]), float(values[0])
    half = stats.t.ppf(0.975, r - 1) * values.std(ddof=1) * math.sqrt(1 + 1 / r)
    return float(values.mean() - half), float(values.mean() + half)


def morning_backlog(export: Export, results: list) -> list[Row]:
    """Studies with images complete and no report at the scenario's morning (08:00 by default), mean over the
    mornings after the warm-up: the export's against the replications' band. An exam without a report time is left
    out (the time is missing, not the report), unless it was imaged in the export's last day."""
    scenario = results[0].scenario
    ends = np.array([np.nan if r["end_dt"] is None else r["end_dt"] for r in export.rows])
    last = export.days * 1440.0
    # a missing report time is unknown, not unreported, except for exams imaged in the export's last day
    finals = np.array([r["final_dt"] if r["final_dt"] is not None else
                       np.inf if r["end_dt"] is not None and r["end_dt"] >= last - 1440 else np.nan
                       for r in export.rows])
    mornings = [t for t in (d * 1440.0 + scenario.morning for d in range(export.days))
                if t >= scenario.warmup_days * 1440.0]
    if not mornings:
        return []
    observed = float(np.mean([np.sum((ends <= t) & (finals > t)) for t in mornings]))
    # the same count from each replication's records (not the worklist, which leaves out studies being read)
    per_rep = np.array([np.mean([np.sum((res.exams.scan_end <= t) & ~(res.exams.report_at <= t)) for t in mornings])
                        for res in results])
    low, high = prediction_band(per_rep)
    return [Row("department", "morning_backlog", "mean", observed, float(per_rep.mean()), low, high)]


def room_busy(export: Export, results: list) -> list[Row]:
    """Per modality, the share of the day its rooms spend with a patient (exam begun to ended, over the rooms
    seen and the whole day, after the warm-up), from the export and from each replication the same way: a
    utilisation both sides can measure."""
    scenario = results[0].scenario
    lo, hi = scenario.warmup_days * 1440.0, export.days * 1440.0
    rows = []
    for modality in sorted({r["modality"] for r in export.rows}):
        mine = [r for r in export.rows if r["modality"] == modality and r["begin_dt"] is not None
                and r["end_dt"] is not None and r["begin_dt"] >= lo]
        rooms = {r["room"] for r in mine if r["room"]}
        if not rooms or modality not in scenario.modalities:
            continue
        observed = sum(r["end_dt"] - r["begin_dt"] for r in mine) / (len(rooms) * (hi - lo))
        per_rep = np.array([_busy_share(res, modality, lo) for res in results])
        low, high = prediction_band(per_rep)
        rows.append(Row(f"modality:{modality}", "room_busy_share", "mean", observed, float(per_rep.mean()), low, high))
    return rows


def _busy_share(result, modality: str, lo: float) -> float:
    e = result.exams
    ids = [i for i, sc in enumerate(result.scanners) if sc.modality == modality]
    if not ids:
        return 0.0
    mine = one_of(e.scanner, ids) & (e.scan_start >= lo) & ~np.isnan(e.scan_end)
    return float(np.sum(e.scan_end[mine] - e.scan_start[mine]) / (len(ids) * (result.horizon - lo)))


def daily_orders(export: Export, results: list) -> list[Row]:
    """Orders a day per source: the export's against the replications' band."""
    rows = []
    for source in sorted({r["patient_class"] for r in export.rows}):
        # every order placed, cancelled ones too, as the replications count them
        observed = sum(1 for r in export.rows + export.cancelled if r["patient_class"] == source) / export.days
        code = {name: i for i, name in enumerate(results[0].scenario.source_names)}.get(source)
        per_rep = np.array([np.sum(res.exams.orders.source[~np.isnan(res.exams.ordered_at)] == code)
                            / res.scenario.days if code is not None else 0.0 for res in results])
        low, high = prediction_band(per_rep)
        rows.append(Row(f"source:{source}", "orders_per_day", "mean", observed, float(per_rep.mean()), low, high))
    return rows
