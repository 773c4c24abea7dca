"""A run's exams in the layout of a RIS/PACS exam export: data to test and teach `fit` with.

No real patient data is needed or allowed: radsim writes what a department's
information system would export for the exams of a run, one row per exam, with
wall-clock timestamps from a chosen start date, and, where asked, the dirt of a
real export: duplicated rows, cancelled exams, missing and out-of-order
timestamps. Every kind of dirt is drawn from a stream of its own, so the clean
rows are the same whatever dirt is added.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from .clock import WEEKDAYS
from .records import Result

COLUMNS = ("accession", "patient_class", "priority", "modality", "procedure_code", "ordered_dt", "arrived_dt",
           "begin_dt", "end_dt", "read_start_dt", "final_dt", "cancelled_dt", "status", "technologist_id", "room",
           "radiologist_id", "scheduled_dt")


@dataclass(frozen=True)
class Dirt:
    """Shares of rows spoiled as real exports are: duplicated, a missing final-report time, a final report
    stamped before the exam ended."""

    duplicates: float = 0.0
    missing_final: float = 0.0
    out_of_order: float = 0.0


def first_day(weekday: str, year: int = 2026) -> datetime:
    """The first date of `year` that falls on `weekday` (day 0 of the run)."""
    day = datetime(year, 1, 1)
    return day + timedelta(days=(WEEKDAYS.index(weekday) - day.weekday()) % 7)


def export_rows(result: Result, dirt: Dirt = Dirt(), seed: int = 0) -> list[dict[str, str]]:
    """One row per exam ordered within the run (cancelled ones marked CANCELLED), in order time, then one per
    booked patient who did not come (NO SHOW, at their slot time). A booked patient's order time is their arrival
    (radsim does not model when the booking was made) and their slot is `scheduled_dt`."""
    s, e = result.scenario, result.exams
    o = e.orders
    start = first_day(s.start_weekday)
    names, sources, priorities = list(s.exam_types), s.source_names, s.priority_names
    staff = [m.name for m in result.staff]
    rooms = [sc.name for sc in result.scanners]

    def stamp(minutes: float) -> str:
        return "" if minutes != minutes else (start + timedelta(minutes=float(minutes))).strftime("%Y-%m-%d %H:%M:%S")

    slots = o.slots
    scheduled = np.full(len(e.ordered_at), np.nan)
    scheduled[slots.exam[slots.exam >= 0]] = slots.time[slots.exam >= 0]
    ready_at, rows = e.ready_at(), []
    for exam in np.flatnonzero(~np.isnan(e.ordered_at)).tolist():
        kind = s.exam_types[names[o.exam_type[exam]]]
        rows.append({
            "accession": f"A{exam + 1:07d}", "patient_class": sources[o.source[exam]],
            "priority": priorities[o.priority[exam]], "modality": kind.modality,
            "procedure_code": names[o.exam_type[exam]], "ordered_dt": stamp(e.ordered_at[exam]),
            # the patient is ready (arrived from the ward, IV in): when the order was placed if nothing was needed
            # (a booked patient's arrival is always stamped: it is how late or early they came)
            "arrived_dt": stamp(ready_at[exam])
            if o.readiness[exam] > 0 or scheduled[exam] == scheduled[exam] else "",
            "cancelled_dt": stamp(e.cancelled_at[exam]),
            "begin_dt": stamp(e.scan_start[exam]), "end_dt": stamp(e.scan_end[exam]),
            "read_start_dt": stamp(e.read_start[exam]),
            "final_dt": stamp(e.report_at[exam]),
            "status": "CANCELLED" if e.cancelled_at[exam] == e.cancelled_at[exam] else
                      "FINAL" if e.report_at[exam] == e.report_at[exam] else "IN PROGRESS",
            "technologist_id": staff[e.technologist[exam]] if e.technologist[exam] >= 0 else "",
            "room": rooms[e.scanner[exam]] if e.scanner[exam] >= 0 else "",
            "radiologist_id": staff[e.radiologist[exam]] if e.radiologist[exam] >= 0 else "",
            "scheduled_dt": stamp(scheduled[exam])})
    books = list(s.appointments.values())
    for slot in np.flatnonzero(slots.no_show & (slots.time < s.days * 1440.0)).tolist():
        book = books[slots.book[slot]]
        rows.append({**dict.fromkeys(COLUMNS, ""), "accession": f"A{len(rows) + 1:07d}", "patient_class": book.source,
                     "priority": book.priority, "modality": book.modality,
                     "procedure_code": names[slots.exam_type[slot]], "ordered_dt": stamp(slots.time[slot]),
                     "scheduled_dt": stamp(slots.time[slot]), "status": "NO SHOW"})
    return _spoil(rows, dirt, seed)


def _spoil(rows: list[dict], dirt: Dirt, seed: int) -> list[dict]:
    streams = np.random.SeedSequence(seed).spawn(3)
    missing, disorder, duplicate = (np.random.default_rng(x).random(len(rows)) for x in streams)
    out = []
    for row, lost, swapped, twice in zip(rows, missing, disorder, duplicate):
        row = dict(row)
        if row["final_dt"] and lost < dirt.missing_final:
            row["final_dt"] = ""
        elif row["final_dt"] and row["begin_dt"] and swapped < dirt.out_of_order:
            row["final_dt"] = row["begin_dt"]  # a report signed at the exam's start: clerical, not real
        out.append(row)
        if twice < dirt.duplicates:
            out.append(dict(row))
    return out


def write_export(path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
