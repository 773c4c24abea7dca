"""Writing an experiment's folder: resolved scenarios, per-replication figures,
the aggregated table with confidence intervals, and the comparison tables.

    EXP/scenarios/<variant>.yaml   each variant exactly as run
    EXP/runs/*.json                one file per finished (variant, replication), for resuming
    EXP/replications.csv           variant, replication, figure, value
    EXP/summary.csv, summary.json  mean, 95% CI and relative half-width per variant and figure
    EXP/differences.csv            (compare) paired differences from the first variant
    EXP/sweep.csv                  (sweep) settings, cost proxy and headline figures per point
    EXP/candidates.csv             (optimise) every candidate: settings, objective, constraints, verdicts
"""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from .experiment import Estimate, Variant
from .output import rounded
from .scenario import to_yaml


def _number(value: float) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.6g}"


def write_scenarios(folder: Path, variants: list[Variant]) -> None:
    (folder / "scenarios").mkdir(parents=True, exist_ok=True)
    for v in variants:
        (folder / "scenarios" / f"{v.label}.yaml").write_text(to_yaml(v.scenario), encoding="utf-8")


def write_replications(folder: Path, variants: list[Variant]) -> None:
    with open(folder / "replications.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["variant", "replication", "figure", "value"])
        for v in variants:
            for run in sorted(v.runs, key=lambda r: r["replication"]):
                for figure, value in run["figures"].items():
                    writer.writerow([v.label, run["replication"], figure, _number(value)])


def _estimate_rows(label: str, estimates: dict[str, Estimate]):
    for figure, e in estimates.items():
        yield [label, figure, *(_number(x) for x in (e.mean, e.low, e.high, e.half_width, e.relative_half_width)), e.n]


ESTIMATE_HEADER = ["mean", "ci_low", "ci_high", "half_width", "relative_half_width", "n"]


def write_summary(folder: Path, variants: list[Variant], extra: dict | None = None) -> None:
    with open(folder / "summary.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["variant", "figure", *ESTIMATE_HEADER])
        for v in variants:
            writer.writerows(_estimate_rows(v.label, v.estimates))
    data = {"variants": {v.label: {"scenario": v.scenario.name, "replications": len(v.runs),
                                   "figures": {k: e.as_dict() for k, e in v.estimates.items()}}
                         for v in variants}}
    data.update(extra or {})
    (folder / "summary.json").write_text(json.dumps(rounded(data, 4), indent=2) + "\n", encoding="utf-8")


def write_differences(folder: Path, baseline: str, differences: dict[str, dict[str, Estimate]]) -> None:
    with open(folder / "differences.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["variant", "baseline", "figure", *ESTIMATE_HEADER])
        for label, estimates in differences.items():
            for row in _estimate_rows(label, estimates):
                writer.writerow([row[0], baseline, *row[1:]])


def write_sweep(folder: Path, rows: list[dict], name: str = "sweep.csv") -> None:
    keys = list(dict.fromkeys(k for row in rows for k in row))  # a measure missing at some point: empty there
    with open(folder / name, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=keys)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _number(v) if isinstance(v, float) else v for k, v in row.items()})
