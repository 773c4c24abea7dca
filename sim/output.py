"""Writing a run's result folder: exams.csv, staff.csv, queues.csv, summary.json,
scenario.resolved.yaml (and the plots, drawn by `sim.plots`).

A result folder is built under a temporary name and renamed into place only
when complete, so a failed or interrupted run never leaves half-written
results, and an existing folder is never overwritten.
"""
from __future__ import annotations

import itertools
import json
import math
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import numpy as np

from .arrivals import above_reference
from .clock import CLOCK_LABELS, WEEKDAYS, weekday_and_clock, weekday_and_minute
from .csv_text import Coded, csv_rows
from .metrics import exam_columns, summarise
from .records import KIND_NAMES, ROOM_KIND_NAMES, Result
from .scenario import to_yaml

EXAM_COLUMNS = (
    "exam_id", "source", "priority", "modality", "exam_type", "subspecialty", "ordered_at", "ordered_weekday",
    "ordered_clock", "scan_start", "scan_end", "read_start", "report_at", "report_weekday", "report_clock", "technologist", "scanner", "radiologist", "wait_to_scan",
    "acquisition", "report_tat", "order_to_report", "interrupted", "read_priority", "ai_flagged", "finding",
    "critical", "critical_at", "critical_tat", "priors", "prelim_at", "prelim_tat", "prelim_radiologist",
    "protocol_at", "origin", "imaging_start", "door_to_scan", "contrast", "broken_off", "procedure_radiologist",
    "ready_at", "ready_to_scan", "cancelled_at", "dose", "dose_above_reference", "door_at", "ordered_as",
    "pregnancy_check", "sedated",
)


class OutputError(Exception):
    """A result folder that cannot be written as asked (one line for the user, exit status 2)."""

    pass


def new_result_dir(root: Path, stem: str, seed: int) -> Path:
    """A fresh folder name under `root` from the scenario, the time and the seed, never one that exists."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return _free_name(root / f"{stem}-{stamp}-seed{seed}")


def _free_name(candidate: Path) -> Path:
    base, n = candidate, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


class result_dir:
    """A temporary folder (the `with` value) that becomes `final` only if the block succeeds.

    A name the user chose is never overwritten; a default name taken meanwhile (two runs started in the same
    second) moves on to the next free one, and `final` says where the results went."""

    def __init__(self, final: Path, chosen_name: bool = True):
        self.final, self.chosen_name = final, chosen_name
        self._check_free()  # before the run, so a taken name costs no time

    def _check_free(self) -> None:
        if self.final.exists() and (not self.final.is_dir() or any(self.final.iterdir())):
            raise OutputError(f"{self.final}: already exists and is not empty; choose another --out")

    def __enter__(self) -> Path:
        final = self.final
        if self.chosen_name:
            self._check_free()
        final.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
        return self.staging

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            try:
                self.final = _move_into_place(self.staging, self.final, self.chosen_name)
                return
            except BaseException:
                shutil.rmtree(self.staging, ignore_errors=True)
                raise
        shutil.rmtree(self.staging, ignore_errors=True)


def _move_into_place(staging: Path, final: Path, chosen_name: bool) -> Path:
    if final.is_dir() and not any(final.iterdir()):
        final.rmdir()
    while True:
        try:
            os.rename(staging, final)  # fails, rather than replaces, if another run took the name meanwhile
            return final
        except OSError:
            if chosen_name or not final.exists():
                raise OutputError(f"{final}: was created by something else during the run; choose another "
                                  "--out") from None
            final = _free_name(final)


def _names(codes: np.ndarray, names: list[str]) -> np.ndarray:
    lookup = np.array(list(names) + [""], dtype=object)  # code -1 -> ""
    return lookup[codes]


CHUNK_ROWS = 10_000  # rows built and formatted at once: a year's table never exists as Python objects whole


def _write_csv(path: Path, rows: int, table_for) -> None:
    """Write `rows` rows, building each chunk's columns with `table_for(slice)` (names in the first chunk's order).
    Times have three fixed decimals, so output is byte-identical across runs and machines."""
    with open(path, "wb") as f:
        for first in range(0, max(rows, 1), CHUNK_ROWS):
            chunk = table_for(slice(first, min(first + CHUNK_ROWS, rows)))
            if first == 0:
                f.write((",".join(chunk) + "\n").encode("utf-8"))
            f.write(csv_rows(chunk))


ORIGIN_NAMES = ["demand", "scripted", "follow_up", "booked"]
TIME_COLUMNS = ("ordered_at", "scan_start", "scan_end", "read_start", "report_at",
                "wait_to_scan", "acquisition", "report_tat", "order_to_report")
STAFF_COLUMNS = ("staff", "role", "group", "kind", "start", "start_weekday", "start_clock", "end", "exam_id", "overtime")


def placed_exams(result: Result) -> np.ndarray:
    """Row numbers of the exams in exams.csv: follow-ups never placed (their report was not signed) are left out."""
    return np.flatnonzero(~np.isnan(result.exams.ordered_at))


def exam_table(result: Result, rows: np.ndarray | None = None, columns: dict | None = None,
               coded: bool = False) -> dict[str, np.ndarray]:
    """exams.csv as columns, names resolved (`coded`: kept as codes for the CSV writer), for the given exam rows
    (default every placed exam)."""
    s = result.scenario
    rows = placed_exams(result) if rows is None else rows
    c = (columns or exam_columns(result)).take(rows)
    orders = result.exams.orders
    exam_types = list(s.exam_types.values())
    staff_names = [m.name for m in result.staff]
    as_names = Coded if coded else _names
    named = {
        "exam_id": rows,
        "source": as_names(c["source"], s.source_names),
        "priority": as_names(c["priority"], s.priority_names),
        "modality": as_names(c["exam_type"], [e.modality for e in exam_types]),
        "exam_type": as_names(c["exam_type"], list(s.exam_types)),
        "ordered_as": as_names(c["ordered_as"], list(s.exam_types)),
        "subspecialty": as_names(c["exam_type"], [e.subspecialty for e in exam_types]),
        "technologist": as_names(c["technologist"], staff_names),
        "scanner": as_names(c["scanner"], [sc.name for sc in result.scanners]),
        "radiologist": as_names(c["radiologist"], staff_names),
        "prelim_radiologist": as_names(c["prelim_radiologist"], staff_names),
        "interrupted": c["interrupted"],
        "read_priority": as_names(c["read_priority"], s.priority_names),
        "ai_flagged": as_names(c["ai_flagged"], FLAGS),
        "finding": as_names(c["finding"], FLAGS),
        "critical": c["critical"].astype(np.int8),
        "priors": orders.priors[rows].astype(np.int8),
        "origin": as_names(orders.origin[rows], ORIGIN_NAMES),
        "contrast": orders.steps.contrast[rows].astype(np.int8),
        "pregnancy_check": orders.steps.pregnancy_checked[rows].astype(np.int8),
        "sedated": orders.steps.sedated[rows].astype(np.int8),
        "dose_above_reference": as_names(above_reference(s, orders.exam_type[rows], orders.dose[rows]), FLAGS),
        "procedure_radiologist": as_names(c["procedure_radiologist"], staff_names),
    }
    for prefix, times in (("ordered", c["ordered_at"]), ("report", c["report_at"])):
        named[f"{prefix}_weekday"], named[f"{prefix}_clock"] = _weekday_and_clock(times, s.start_weekday, coded)
    return {name: named[name] if name in named else c[name] for name in EXAM_COLUMNS}


FLAGS = ("0", "1")  # a screened exam's flag by code; -1 (an exam type not screened) is empty


def _weekday_and_clock(times: np.ndarray, start_weekday: str, coded: bool):
    """The weekday and "HH:MM" columns of these times: as text, or as codes for the CSV writer."""
    if not coded:
        return weekday_and_clock(times, start_weekday)
    weekday, minute = weekday_and_minute(times, start_weekday)
    return Coded(weekday, WEEKDAYS), Coded(minute, CLOCK_LABELS)


def staff_table(result: Result, rows=slice(None), coded: bool = False) -> dict[str, np.ndarray]:
    """staff.csv as columns: one row per stretch of duty and per task segment (the given rows; default all;
    `coded`: names kept as codes for the CSV writer)."""
    log = {name: values[rows] for name, values in result.staff_log.columns().items()}
    person = log["person"]
    weekday, clock = _weekday_and_clock(log["start"], result.scenario.start_weekday, coded)
    as_names = Coded if coded else _names
    return {
        "staff": as_names(person, [m.name for m in result.staff]),
        "role": as_names(person, [m.role for m in result.staff]),
        "group": as_names(person, [m.group for m in result.staff]),
        "kind": as_names(log["kind"], [KIND_NAMES[k] for k in sorted(KIND_NAMES)]),
        "start": log["start"],
        "start_weekday": weekday,
        "start_clock": clock,
        "end": log["end"],
        "exam_id": log["exam"],
        "overtime": result.staff_log.overtime(rows),
    }


def room_table(result: Result, rows=slice(None), coded: bool = False) -> dict[str, np.ndarray]:
    """rooms.csv as columns: one row per stretch of a scanner's, suite's or portable unit's time."""
    log = {name: values[rows] for name, values in result.room_log.columns().items()}
    as_names = Coded if coded else _names
    return {
        "scanner": as_names(log["room"], [sc.name for sc in result.scanners]),
        "modality": as_names(log["room"], [sc.modality for sc in result.scanners]),
        "kind": as_names(log["kind"], [ROOM_KIND_NAMES[k] for k in sorted(ROOM_KIND_NAMES)]),
        "start": log["start"],
        "end": log["end"],
        "exam_id": log["exam"],
    }


def write_table(table: dict[str, np.ndarray], path: Path) -> None:
    rows = len(next(iter(table.values()))) if table else 0
    _write_csv(path, rows, lambda part: {name: np.asarray(col)[part] for name, col in table.items()})


def write_exams(result: Result, path: Path) -> None:
    rows, columns = placed_exams(result), exam_columns(result)
    _write_csv(path, len(rows), lambda part: exam_table(result, rows[part], columns, coded=True))


def write_staff(result: Result, path: Path) -> None:
    _write_csv(path, len(result.staff_log), lambda part: staff_table(result, part, coded=True))


def write_queues(result: Result, path: Path) -> None:
    write_table(result.queues.columns(), path)


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


def write_rooms(result: Result, path: Path) -> None:
    _write_csv(path, len(result.room_log), lambda part: room_table(result, part, coded=True))


QUICK_TABLES = ("rooms.csv", "queues.csv")  # a year's take under a second between them (exams and staff: 2 s each)
TABLE_FILES = {"exams.csv": write_exams, "staff.csv": write_staff, "rooms.csv": write_rooms,
               "queues.csv": write_queues}


def write_result_folder(result: Result, folder: Path, figures: bool = True, parquet: bool = False,
                        narrative: str | None = None) -> dict:
    """A run's whole result folder: its tables and summary.json (and Parquet copies of the tables, with `parquet`),
    and with `figures` every figure and report.html (with `narrative` in it). Returns the summary."""
    if figures:
        from .plots import figure_jobs, figure_paths  # matplotlib is only imported when drawing
        from .report import write_report
    # the tables are written and the figures drawn while the summary is worked out
    with run_written(result, folder, shared=figure_jobs(result, folder) if figures else []):
        summary = summarise(result)
        write_summary(summary, folder / "summary.json")
        if parquet:
            write_parquet(result, folder)
    if figures:
        write_report(result, summary, figure_paths(result, folder), folder / "report.html", narrative)
    return summary


@contextmanager
def run_written(result: Result, folder: Path, shared=()):
    """Every table of one run written into `folder`, and each of the `shared` jobs (calls without arguments: the
    figures) done, by the end of the block, which works out the summary meanwhile. Where `can_write_aside`, a forked
    process writes the two long tables (exams and staff) while this one runs the block and writes the two quick ones;
    then each takes the shared jobs one at a time, the next one not yet taken, until none is left, so the two end
    close together. Elsewhere this process does it all after the block. A table or figure that cannot be written is
    an OutputError."""
    (folder / "scenario.resolved.yaml").write_text(to_yaml(result.scenario), encoding="utf-8")
    aside = [name for name in TABLE_FILES if name not in QUICK_TABLES] if can_write_aside() else []
    jobs = SharedJobs(shared, folder, between_processes=bool(aside))
    with _tables_written_aside(result, folder, aside, jobs):
        yield
        _write_tables(result, folder, [name for name in TABLE_FILES if name not in aside])
        jobs.run()


class SharedJobs:
    """Jobs that this process and a process forked from it take one at a time, each the next one not yet taken
    (a counter in memory both see), until none is left."""

    def __init__(self, jobs, folder: Path, between_processes: bool):
        self.jobs, self.folder = list(jobs), folder
        self._taken = multiprocessing.get_context("fork").Value("i", 0) if between_processes and self.jobs else None
        self._taken_here = itertools.count()

    def run(self) -> None:
        while (k := self._take()) < len(self.jobs):
            try:
                self.jobs[k]()
            except OSError as exc:
                name = Path(exc.filename).name if exc.filename else "the results"
                raise _cannot_write(name, self.folder, exc) from None

    def _take(self) -> int:
        if self._taken is None:
            return next(self._taken_here)
        with self._taken.get_lock():
            self._taken.value += 1
            return self._taken.value - 1


def can_write_aside() -> bool:
    """Whether tables can be written by a forked process: on Linux, where the fork shares the result's arrays instead
    of copying them, and only from a process with no other threads (a fork keeps just the calling thread, and a
    lock another one held would stay held), which is not itself a daemon worker (those may not have children).
    Elsewhere tables are written in this process, with the same bytes."""
    return sys.platform == "linux" and threading.active_count() == 1 and not multiprocessing.current_process().daemon \
        and "fork" in multiprocessing.get_all_start_methods()


def _write_tables(result: Result, folder: Path, names: list[str]) -> None:
    for name in names:
        try:
            TABLE_FILES[name](result, folder / name)
        except OSError as exc:
            raise _cannot_write(name, folder, exc) from None


def _cannot_write(name: str, folder: Path, exc: OSError) -> OutputError:
    """A file of the result folder that could not be written (a full disk, a folder removed meanwhile), said in one
    line naming where the folder was to go (`folder` itself has a temporary name until it is complete)."""
    return OutputError(f"{name}: cannot be written in {folder.parent} ({exc.strerror or exc})")


@contextmanager
def _tables_written_aside(result: Result, folder: Path, names: list[str], jobs: SharedJobs):
    """These tables written into `folder` by a forked process, which then takes its share of the jobs, while the
    block runs; an error in the block stops it."""
    if not names:
        yield
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    writer = context.Process(target=_write_aside, args=(result, folder, names, jobs, send), daemon=True)
    writer.start()
    send.close()
    try:
        yield
    except BaseException:
        writer.terminate()
        writer.join()
        raise
    try:
        error = receive.recv()
    except EOFError:  # stopped before it could say
        error = f"{folder}: the tables were not written (their writer stopped with status {writer.exitcode})"
    finally:
        writer.join()
        receive.close()
    if error is not None:
        raise OutputError(error)


def _write_aside(result: Result, folder: Path, names: list[str], jobs: SharedJobs, send) -> None:
    try:
        _write_tables(result, folder, names)
        jobs.run()
        send.send(None)
    except BaseException as exc:  # said to the parent, which stops the run with it
        send.send(str(exc) if isinstance(exc, OutputError) else f"{folder}: writing the results failed: {exc!r}")
    finally:
        send.close()


def write_parquet(result: Result, folder: Path) -> None:
    """exams, staff, rooms and queues as Parquet files beside the CSVs, typed (times as floats with nulls for
    "not reached", names as text), for loading in pandas, polars or R. Needs pyarrow (`radsim[parquet]`)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise OutputError("--parquet needs pyarrow: pip install -e '.[parquet]'") from None
    tables = {"exams": exam_table(result), "staff": staff_table(result), "rooms": room_table(result),
              "queues": result.queues.columns()}
    for name, table in tables.items():
        columns = {}
        for column, values in table.items():
            values = np.asarray(values)
            if values.dtype.kind == "f":
                columns[column] = pa.array(values, from_pandas=True)  # NaN -> null: not reached by the end
            elif values.dtype.kind in "OU":
                columns[column] = pa.array(values.astype(str).tolist(), type=pa.string())
            else:
                columns[column] = pa.array(values)
        pq.write_table(pa.table(columns), folder / f"{name}.parquet")
