"""Breaks: taken within shifts, staggered across a group, after the task in hand, deferred while a stroke or
trauma case waits for the person."""
from __future__ import annotations

import numpy as np
from conftest import build, minutes

from sim import run
from sim.acquisition_metrics import breaks
from sim.records import BREAK, READ, SCAN
from sim.scenario import deep_merge

LUNCH = {"technologists": {"ct": {"breaks": [{"start": "12:00", "minutes": 30}]}}}


def _rows(result, kind, person=None):
    log = result.staff_log.columns()
    chosen = (log["kind"] == kind) & ((log["person"] == person) if person is not None else True)
    return list(zip(log["start"][chosen].tolist(), log["end"][chosen].tolist(), log["overtime"][chosen].tolist()))


def test_a_break_is_taken_at_its_time_for_its_length_and_nobody_scans_meanwhile():
    result = run(build(LUNCH, orders=[(0, "12:10", "ct_head", "stat")]))
    assert _rows(result, BREAK)[0] == (minutes(0, "12:00"), minutes(0, "12:30"), 0.0)
    assert result.exams.scan_start[0] == minutes(0, "12:30")  # the only technologist is at lunch


def test_a_break_due_while_busy_comes_after_the_task_in_hand():
    result = run(build(LUNCH, orders=[(0, "11:55", "ct_head", "outpatient")]))
    start, end, deferred = _rows(result, BREAK)[0]
    assert start == result.exams.scan_end[0] == minutes(0, "12:05") and end == start + 30 and deferred == 5


def test_a_break_is_deferred_while_a_stroke_waits():
    orders = [(0, "11:50", "ct_abdomen", "outpatient"), (0, "11:55", "ct_head", "stroke")]
    result = run(build(LUNCH, orders=orders))
    e = result.exams
    assert e.scan_start[1] == minutes(0, "12:00")  # the stroke goes first
    assert _rows(result, BREAK)[0][0] == e.scan_end[1]  # lunch after it


def test_a_break_is_not_deferred_for_routine_work():
    orders = [(0, "11:50", "ct_abdomen", "outpatient"), (0, "11:55", "ct_head", "outpatient")]
    result = run(build(LUNCH, orders=orders))
    assert _rows(result, BREAK)[0][0] == minutes(0, "12:00")
    assert result.exams.scan_start[1] == minutes(0, "12:30")


READER_BREAK = {"radiologists": {"rad": {"breaks": [{"start": "12:10", "minutes": 30}]}}}


def test_a_radiologists_break_is_deferred_while_a_trauma_study_waits_for_them():
    # the break falls due during a 20-minute read (12:00-12:20); the trauma study has waited since 12:10
    orders = [(0, "11:50", "ct_abdomen", "outpatient"), (0, "12:00", "ct_head", "trauma")]
    result = run(build(READER_BREAK, orders=orders))
    assert result.exams.read_start[1] == minutes(0, "12:20")
    assert _rows(result, BREAK, person=1)[0][:2] == (minutes(0, "12:30"), minutes(0, "13:00"))


def test_a_radiologists_break_is_not_deferred_for_a_routine_study():
    orders = [(0, "11:50", "ct_abdomen", "outpatient"), (0, "12:00", "ct_head", "outpatient")]
    result = run(build(READER_BREAK, orders=orders))
    assert _rows(result, BREAK, person=1)[0][:2] == (minutes(0, "12:20"), minutes(0, "12:50"))
    assert result.exams.read_start[1] == minutes(0, "12:50")


def test_breaks_are_staggered_in_waves():
    scenario = build(deep_merge(LUNCH, {"technologists": {"ct": {"count": 3, "breaks": [
        {"start": "12:00", "minutes": 30, "waves": 3}]}}}), orders=[(0, "03:00", "ct_head", "stat")])
    starts = sorted(r[0] for r in _rows(run(scenario), BREAK))
    assert starts == [minutes(d, t) for d in (0, 1) for t in ("12:00", "12:30", "13:00")]


def test_a_group_never_leaves_all_at_once():
    scenario = build(deep_merge(LUNCH, {"days": 8, "technologists": {"ct": {"count": 2, "breaks": [
        {"start": "12:00", "minutes": 30, "waves": 2}, {"start": "12:10", "minutes": 20, "waves": 2}]}},
        "modalities": {"CT": {"scanners": 2}},
        "demand": {"ED": {"exams_per_day": 90, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 1}}}}))
    rows = _rows(run(scenario), BREAK)
    assert len(rows) >= 16
    events = sorted([(s, 1) for s, _, _ in rows] + [(e, -1) for _, e, _ in rows])
    on_break = np.cumsum([step for _, step in events])
    assert on_break.max() == 1  # never both technologists at once


def test_nobody_works_during_their_break():
    scenario = build(deep_merge(LUNCH, {"days": 5, "technologists": {"ct": {"count": 2}},
                                        "radiologists": {"rad": {"count": 2, "breaks": [{"start": "13:00", "minutes": 45}]}},
                                        "demand": {"ED": {"exams_per_day": 80, "exam_mix": {"ct_head": 1},
                                                          "priority_mix": {"stroke": 1, "stat": 3}}}}))
    result = run(scenario)
    for person in range(len(result.staff)):
        for b_start, b_end, _ in _rows(result, BREAK, person):
            for kind in (SCAN, READ):
                for start, end, _ in _rows(result, kind, person):
                    assert end <= b_start + 1e-9 or start >= b_end - 1e-9
    figures = breaks(result)
    assert figures["radiologists: rad"]["breaks"] > 0 and figures["technologists: ct"]["share_of_duty"] > 0


def test_a_break_is_only_taken_on_duty():
    result = run(build({"technologists": {"ct": {"shifts": ["07:00-11:00"], "breaks": [{"start": "12:00", "minutes": 30}]},
                                          "late": {"count": 1, "modalities": ["CT"], "shifts": ["11:00-07:00"]}}},
                       orders=[(0, "10:00", "ct_head", "stat")]))
    assert not _rows(result, BREAK)



def test_a_break_falls_on_the_days_its_time_is_within_duty_the_shift_start_included_its_end_not():
    from sim.model import break_times
    from sim.roster import covers
    from sim.schema import Break

    duty = [(420.0, 720.0), (1140.0, 1860.0), (2880.0 + 420.0, 2880.0 + 780.0)]  # day 0 07-12 and 19-07, day 2 07-13
    probes = (0.0, 419.9, 420.0, 719.9, 720.0, 1139.9, 1140.0, 1859.9, 1860.0, 3300.0, 3659.9, 3660.0, 9e9)
    assert [t for t in probes if covers(duty, t)] == [420.0, 719.9, 1140.0, 1859.9, 3300.0, 3659.9]
    assert not covers([], 0.0)
    lunch, night = Break(start="12:00", minutes=30, waves=1), Break(start="02:00", minutes=20, waves=1)
    # day 0 12:00 is where the first shift ends: no lunch then; day 1 02:00 is within the night; day 2 12:00 is on duty
    assert break_times([lunch, night], 0, duty, days=3) == [(1440.0 + 120.0, 20.0), (2880.0 + 720.0, 30.0)]
