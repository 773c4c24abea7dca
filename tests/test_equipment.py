"""Scanners over time: maintenance windows, breakdowns, warm-up at opening, capacity reserved for urgent work."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import build, minutes

from sim import ScenarioError, run
from sim.records import ROOM_BROKEN, ROOM_MAINTENANCE, ROOM_SCAN, ROOM_WARM_UP


def _rows(result, kind):
    log = result.room_log.columns()
    chosen = log["kind"] == kind
    return list(zip(log["room"][chosen].tolist(), log["start"][chosen].tolist(), log["end"][chosen].tolist()))


def _scans(result):
    return _rows(result, ROOM_SCAN)


def _overlaps(a, b) -> bool:
    return a[0] == b[0] and a[1] < b[2] - 1e-9 and b[1] < a[2] - 1e-9


def test_no_scan_during_a_maintenance_window():
    result = run(build({"modalities": {"CT": {"scanners": 1, "maintenance": [{"start": "10:00", "end": "12:00"}]}}},
                       orders=[(0, "09:30", "ct_head", "outpatient"), (0, "10:30", "ct_head", "stroke")]))
    windows = _rows(result, ROOM_MAINTENANCE)
    assert windows[0][1:] == (minutes(0, "10:00"), minutes(0, "12:00"))
    assert result.exams.scan_start[1] == minutes(0, "12:00")  # even a stroke waits for the scanner
    assert not any(_overlaps(w, s) for w in windows for s in _scans(result))


def test_a_maintenance_window_starts_only_once_the_scanner_is_free():
    result = run(build({"modalities": {"CT": {"scanners": 1, "maintenance": [{"start": "10:00", "end": "11:00"}]}}},
                       orders=[(0, "09:55", "ct_head", "stat")]))
    (_, start, end), *_ = _rows(result, ROOM_MAINTENANCE)
    assert start == result.exams.scan_end[0] == minutes(0, "10:05")
    assert end - start == 60  # the full window, started late


def test_maintenance_of_one_named_scanner_leaves_the_other_in_use():
    result = run(build({"modalities": {"CT": {"scanners": ["CT-A", "CT-B"],
                                              "maintenance": [{"start": "10:00", "end": "12:00", "scanners": ["CT-A"]}]}}},
                       orders=[(0, "10:30", "ct_head", "stat")]))
    assert result.exams.scan_start[0] == minutes(0, "10:30")
    assert result.scanners[result.exams.scanner[0]].name == "CT-B"


BREAKS_DOWN = {"days": 10, "modalities": {"CT": {"scanners": 2, "breakdowns": {
    "hours_between": {"dist": "exponential", "mean": 8}, "repair_minutes": {"dist": "exponential", "mean": 90}}}},
    "technologists": {"ct": {"count": 2}}, "radiologists": {"rad": {"count": 2}},
    "demand": {"ED": {"exams_per_day": 60, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 1, "inpatient": 1}}}}


def test_no_scan_starts_or_runs_on_a_broken_scanner():
    result = run(build(BREAKS_DOWN))
    broken = _rows(result, ROOM_BROKEN)
    assert len(broken) > 10
    assert not any(_overlaps(b, s) for b in broken for s in _scans(result))


@pytest.mark.parametrize("handling", ["move", "restart", "resume"])
def test_a_breakdown_interrupts_the_scan_in_progress_and_the_exam_is_handled_as_configured(handling):
    scenario = build({**BREAKS_DOWN, "modalities": {"CT": {"scanners": 2, "breakdowns": {
        **BREAKS_DOWN["modalities"]["CT"]["breakdowns"], "interrupted_exam": handling}}}})
    result = run(scenario)
    e = result.exams
    cut = np.flatnonzero(e.broken_off > 0)
    assert len(cut) > 0
    scans = result.room_log.columns()
    for exam in cut:
        rows = (scans["exam"] == exam) & (scans["kind"] == ROOM_SCAN)
        rooms, starts, ends = scans["room"][rows], scans["start"][rows], scans["end"][rows]
        failure = ends[0]
        assert any(b[0] == rooms[0] and b[1] == failure for b in _rows(result, ROOM_BROKEN))  # cut at the failure
        if len(rooms) < 2:
            continue  # not finished by the horizon
        if handling in ("restart", "resume"):
            assert rooms[1] == rooms[0]  # back on the same scanner, once repaired
            repaired = next(b[2] for b in _rows(result, ROOM_BROKEN) if b[0] == rooms[0] and b[1] == failure)
            assert starts[1] >= repaired
        if handling == "resume":
            assert np.isclose((ends[0] - starts[0]) + (ends[1] - starts[1]), 10)  # only what was left
        else:
            assert np.isclose(ends[-1] - starts[-1], 10)  # scanned again from the start
    if handling == "move":
        moved = [exam for exam in cut if len(set(scans["room"][(scans["exam"] == exam) & (scans["kind"] == ROOM_SCAN)])) > 1]
        assert moved  # with two scanners, some go straight to the other one


def test_breakdowns_do_not_change_the_patients_who_arrive():
    base = {key: value for key, value in BREAKS_DOWN.items() if key != "modalities"}
    with_failures, without = run(build(BREAKS_DOWN)), run(build({**base, "modalities": {"CT": {"scanners": 2}}}))
    assert np.array_equal(with_failures.exams.orders.ordered_at, without.exams.orders.ordered_at)
    assert np.array_equal(with_failures.exams.orders.acquisition, without.exams.orders.acquisition)


def test_warm_up_at_every_opening_before_the_first_scan():
    result = run(build({"modalities": {"CT": {"scanners": 1, "hours": "08:00-18:00", "warm_up_minutes": 15}}},
                       orders=[(0, "07:50", "ct_head", "outpatient"), (1, "07:00", "ct_head", "outpatient")]))
    warm = _rows(result, ROOM_WARM_UP)
    assert [w[1:] for w in warm] == [(minutes(d, "08:00"), minutes(d, "08:15")) for d in (0, 1)]
    assert result.exams.scan_start.tolist() == [minutes(0, "08:15"), minutes(1, "08:15")]


RESERVED = {"modalities": {"CT": {"scanners": ["CT-1", "CT-ED"], "reserved": [
    {"scanners": ["CT-ED"], "hours": "08:00-18:00", "priorities": ["stroke", "trauma", "stat"]}]}},
    "technologists": {"ct": {"count": 2}}}


def test_a_reserved_scanner_takes_only_its_priorities_in_its_hours():
    result = run(build(RESERVED, orders=[(0, "10:00", "ct_abdomen", "outpatient"), (0, "10:00", "ct_head", "outpatient"),
                                         (0, "10:05", "ct_head", "stroke"), (0, "20:00", "ct_head", "outpatient"),
                                         (0, "20:00", "ct_head", "outpatient")]))
    e, names = result.exams, [sc.name for sc in result.scanners]
    assert names[e.scanner[0]] == "CT-1"
    assert e.scan_start[1] == e.scan_end[0]  # the second outpatient waits although CT-ED is free
    assert names[e.scanner[2]] == "CT-ED" and e.scan_start[2] == minutes(0, "10:05")  # the stroke finds it free
    assert {names[e.scanner[3]], names[e.scanner[4]]} == {"CT-1", "CT-ED"}  # after 18:00 both take anyone


def test_each_modality_warms_up_for_its_own_minutes():
    two = {"modalities": {"CT": {"scanners": 1, "hours": "08:00-18:00", "warm_up_minutes": 15},
                          "MR": {"scanners": 1, "hours": "09:00-17:00", "warm_up_minutes": 30}},
           "exam_types": {"mr_brain": {"modality": "MR", "acquisition": 30, "read": 15}},
           "technologists": {"mr": {"count": 1, "modalities": ["MR"], "shifts": ["00:00-24:00"]}},
           "radiologists": {"rad": {"modalities": ["CT", "MR"]}}}
    result = run(build(two, orders=[(1, "07:00", "ct_head", "outpatient")]))
    warm = {(result.scanners[r].name, start, end) for r, start, end in _rows(result, ROOM_WARM_UP)}
    assert ("CT-1", minutes(1, "08:00"), minutes(1, "08:15")) in warm
    assert ("MR-1", minutes(1, "09:00"), minutes(1, "09:30")) in warm


def test_each_reservation_keeps_its_own_priorities():
    two = {"modalities": {"CT": {"scanners": ["CT-1", "CT-ED", "CT-IP"], "reserved": [
        {"scanners": ["CT-ED"], "hours": "00:00-24:00", "priorities": ["stroke"]},
        {"scanners": ["CT-IP"], "hours": "00:00-24:00", "priorities": ["inpatient"]}]}},
        "technologists": {"ct": {"count": 3}}}
    result = run(build(two, orders=[(0, "10:00", "ct_abdomen", "outpatient"), (0, "10:05", "ct_head", "inpatient"),
                                    (0, "10:05", "ct_head", "stroke"), (0, "10:06", "ct_head", "outpatient")]))
    e, names = result.exams, [sc.name for sc in result.scanners]
    assert names[e.scanner[1]] == "CT-IP" and names[e.scanner[2]] == "CT-ED"
    assert e.scan_start[3] == e.scan_end[0]  # the second outpatient waits for CT-1: neither reserved one takes it


def test_a_breakdown_during_a_warm_up_is_logged_once_and_the_warm_up_is_done_after_the_repair():
    spec = {"modalities": {"CT": {"scanners": 1, "hours": "08:00-18:00", "warm_up_minutes": 60,
                                  "breakdowns": {"hours_between": 32.25, "repair_minutes": 30}}}}
    result = run(build(spec, orders=[(1, "07:00", "ct_head", "outpatient")]))  # fails at 08:15 on day 1
    assert [r[1:] for r in _rows(result, ROOM_BROKEN)] == [(minutes(1, "08:15"), minutes(1, "08:45"))]
    assert [r[1:] for r in _rows(result, ROOM_WARM_UP)] == [
        (minutes(0, "08:00"), minutes(0, "09:00")), (minutes(1, "08:00"), minutes(1, "08:15")), (minutes(1, "08:45"), minutes(1, "09:45"))]
    assert result.exams.scan_start[0] == minutes(1, "09:45")


def test_breakdowns_that_never_let_time_pass_are_refused():
    with pytest.raises(ScenarioError, match="hours_between"):
        build({"modalities": {"CT": {"scanners": 1, "breakdowns": {"hours_between": 0, "repair_minutes": 0}}}})
