"""Writing a run's result folder: exams.csv, staff.csv, queues.csv, summary.json,
scenario.resolved.yaml (and the plots, drawn by `sim.plots`).

A result folder is built under a temporary name and renamed into place only
when complete, so a failed or interrupted run never leaves half-written
results, and an existing folder is never overwritten.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import numpy as np

from .metrics import exam_columns
from .records import KIND_NAMES, Result
from .scenario import to_yaml

EXAM_COLUMNS = (
    "exam_id", "source", "priority", "modality", "exam_type", "subspecialty", "ordered_at", "scan_start",
    "scan_end", "read_start", "report_at", "technologist", "scanner", "radiologist", "wait_to_scan",
    "acquisition", "report_tat", "order_to_report", "interrupted",
)


class OutputError(Exception):
    pass


def new_result_dir(root: Path, stem: str) -> Path:
    """A fresh folder name under `root`, never one that exists already."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = root / f"{stem}-{stamp}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = root / f"{stem}-{stamp}-{n}"
    return candidate


@contextmanager
def result_dir(final: Path):
    """Yield a temporary folder that becomes `final` only if the block succeeds."""
    if final.exists() and (not final.is_dir() or any(final.iterdir())):
        raise OutputError(f"{final}: already exists and is not empty; choose another --out")
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        yield staging
        if final.exists():
            final.rmdir()
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _format(values: np.ndarray, digits: int = 3) -> list[str]:
    """Fixed decimals (so output is byte-identical across runs); NaN becomes an empty field."""
    text = np.char.mod(f"%.{digits}f", values)
    return np.where(np.isnan(values), "", text).tolist()


def _names(codes: np.ndarray, names: list[str]) -> list[str]:
    lookup = np.array(list(names) + [""], dtype=object)  # code -1 -> ""
    return lookup[codes].tolist()


def _write_csv(path: Path, header: tuple[str, ...] | list[str], columns: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in zip(*columns):
            f.write(",".join(row) + "\n")


def write_exams(result: Result, path: Path) -> None:
    s = result.scenario
    c = exam_columns(result)
    exam_types = list(s.exam_types.values())
    staff_names = [m.name for m in result.staff]
    columns = [
        [str(i) for i in range(len(result.exams))],
        _names(c["source"], s.source_names),
        _names(c["priority"], s.priority_names),
        _names(c["exam_type"], [e.modality for e in exam_types]),
        _names(c["exam_type"], list(s.exam_types)),
        _names(c["exam_type"], [e.subspecialty for e in exam_types]),
        *(_format(c[k]) for k in ("ordered_at", "scan_start", "scan_end", "read_start", "report_at")),
        _names(c["technologist"], staff_names),
        _names(c["scanner"], [sc.name for sc in result.scanners]),
        _names(c["radiologist"], staff_names),
        *(_format(c[k]) for k in ("wait_to_scan", "acquisition", "report_tat", "order_to_report")),
        c["interrupted"].astype(str).tolist(),
    ]
    _write_csv(path, EXAM_COLUMNS, columns)


def write_staff(result: Result, path: Path) -> None:
    log = result.staff_log.columns()
    people = result.staff
    columns = [
        [people[p].name for p in log["person"]],
        [people[p].role for p in log["person"]],
        [people[p].group for p in log["person"]],
        [KIND_NAMES[k] for k in log["kind"]],
        _format(log["start"]),
        _format(log["end"]),
        [str(e) if e >= 0 else "" for e in log["exam"]],
        _format(log["overtime"]),
    ]
    _write_csv(path, ("staff", "role", "group", "kind", "start", "end", "exam_id", "overtime"), columns)


def write_queues(result: Result, path: Path) -> None:
    q = result.queues.columns()
    _write_csv(path, ("time", "worklist", "scan_queue"),
               [_format(q["time"]), q["worklist"].astype(str).tolist(), q["scan_queue"].astype(str).tolist()])


def rounded(value, digits: int = 3):
    """JSON-ready data with floats rounded, so summaries are stable and readable."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(v, digits) for v in value]
    return value


def write_summary(summary: dict, path: Path) -> None:
    path.write_text(json.dumps(rounded(summary), indent=2) + "\n", encoding="utf-8")


def write_run(result: Result, summary: dict, folder: Path) -> None:
    """Every table of one run into `folder`."""
    (folder / "scenario.resolved.yaml").write_text(to_yaml(result.scenario), encoding="utf-8")
    write_exams(result, folder / "exams.csv")
    write_staff(result, folder / "staff.csv")
    write_queues(result, folder / "queues.csv")
    write_summary(summary, folder / "summary.json")
