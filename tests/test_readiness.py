"""Patients are not ready the moment they are ordered: a readiness delay per source and priority (transport,
IV access, labs) comes before the scanner queue."""
from __future__ import annotations

import numpy as np

from sim import run
from sim.metrics import summarise

from conftest import build, minutes

ED_READINESS = {"ED": {"exams_per_day": 0, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 1},
                       "readiness": {"stat": 45, "inpatient": {"dist": "exponential", "mean": 240}}}}


def test_nobody_is_scanned_before_they_are_ready_and_protocoling_goes_on_meanwhile():
    extra = {"demand": ED_READINESS, "exam_types": {"ct_head": {"protocol": 5}}}
    result = run(build(extra, orders=[(0, "10:00", "ct_head", "stat"), (0, "10:00", "ct_head", "stroke")]))
    e = result.exams
    # the stat patient is protocolled within minutes but scanned only once ready, 45 min after the order
    assert e.protocol_at[0] < minutes(0, "10:45")
    assert e.scan_start[0] == minutes(0, "10:45")
    # a stroke code arrives ready: no delay is listed for its priority
    assert e.scan_start[1] == minutes(0, "10:00")


def test_the_scanner_queue_is_in_order_of_readiness_not_of_order():
    # the inpatient is ordered first but is ready later than the outpatient ordered after them
    extra = {"demand": {"ED": {**ED_READINESS["ED"], "readiness": {"inpatient": 60}}},
             "technologists": {"ct": {"count": 1}}}
    orders = [(0, "09:00", "ct_abdomen", "inpatient"), (0, "09:30", "ct_abdomen", "inpatient"),
              (0, "09:45", "ct_abdomen", "outpatient")]
    e = run(build(extra, orders)).exams
    assert e.scan_start[2] == minutes(0, "09:45")  # ready at once
    assert e.scan_start[0] == minutes(0, "10:00")  # ready at 10:00, the scanner is free again at 09:55
    assert e.scan_start[1] == minutes(0, "10:30")


def test_readiness_lengthens_order_to_scan_by_its_mean_and_leaves_the_patients_as_they_were():
    demand = {"ED": {"exams_per_day": 40, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 3, "stroke": 1}}}
    extra = {"days": 30, "warmup_days": 1, "modalities": {"CT": {"scanners": 2}},
             "technologists": {"ct": {"count": 2}}, "radiologists": {"rad": {"count": 2}}}
    before = run(build({**extra, "demand": demand}))
    after = run(build({**extra, "demand": {"ED": {**demand["ED"],
                                                  "readiness": {"stat": {"dist": "exponential", "mean": 60}}}}}))
    o = after.exams.orders
    assert np.array_equal(before.exams.orders.ordered_at, o.ordered_at)  # same patients (common random numbers)
    assert np.array_equal(before.exams.orders.read, o.read)
    stat, stroke = o.priority == 2, o.priority == 0
    assert np.all(o.readiness[stroke] == 0) and np.all(o.readiness[stat] > 0)
    assert 50 < o.readiness[stat].mean() < 70
    wait = after.exams.scan_start - after.exams.ordered_at
    scanned = stat & ~np.isnan(after.exams.scan_start)
    assert scanned.sum() > 0.95 * stat.sum()
    assert np.all(after.exams.scan_start[scanned] >= after.exams.ready_at()[scanned] - 1e-9)
    extra_wait = np.nanmean(wait[stat]) - np.nanmean((before.exams.scan_start - before.exams.ordered_at)[stat])
    assert 40 < extra_wait < 80
    table = summarise(after)["readiness"]["ED"]["stat"]
    assert abs(table["order_to_ready"]["mean"] - 60) < 10
    assert table["ready_to_scan"]["median"] < 15  # two scanners for 40 exams a day: hardly any queue once ready


def test_one_priority_s_delay_leaves_the_other_priorities_draws_unchanged():
    demand = {"ED": {"exams_per_day": 30, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 1, "inpatient": 1},
                     "readiness": {"stat": 30, "inpatient": {"dist": "exponential", "mean": 200}}}}
    first = run(build({"days": 5, "demand": demand})).exams.orders
    demand["ED"]["readiness"]["stat"] = 90
    second = run(build({"days": 5, "demand": demand})).exams.orders
    inpatient = first.priority == 3
    assert np.array_equal(first.readiness[inpatient], second.readiness[inpatient])
    assert np.all(second.readiness[first.priority == 2] == 90)


def test_a_follow_up_gets_ready_after_it_is_ordered():
    extra = {"demand": {"ED": {**ED_READINESS["ED"], "readiness": {"stat": 30}}},
             "exam_types": {"ct_head": {"leads_to": {"exam_type": "ct_abdomen", "share": 1.0}}}}
    e = run(build(extra, orders=[(0, "10:00", "ct_head", "stat")])).exams
    follow = int(e.orders.follow_up[0])
    assert e.ordered_at[follow] == e.report_at[0]
    assert e.scan_start[follow] >= e.ordered_at[follow] + 30 - 1e-9


def test_readiness_of_an_unknown_priority_is_one_line():
    import pytest

    from sim.scenario import ScenarioError

    with pytest.raises(ScenarioError, match=r"demand\.ED\.readiness\.urgent: unknown priority"):
        build({"demand": {"ED": {**ED_READINESS["ED"], "readiness": {"urgent": 30}}}})


def test_an_exam_type_can_have_its_own_delay_and_changing_one_delay_moves_no_other_draw():
    def orders(stat_delay):
        demand = {"ED": {"exams_per_day": 40, "priority_mix": {"stat": 1, "inpatient": 1},
                         "readiness": {"stat": stat_delay, "inpatient": {"dist": "lognormal", "mean": 100, "cv": 1}},
                         "exam_mix": {"ct_head": 1, "ct_abdomen": {"share": 1, "readiness": {"stat": 120}}}}}
        return run(build({"days": 5, "demand": demand})).exams.orders

    first, second = orders(30), orders({"dist": "exponential", "mean": 30})
    head, abdomen = first.exam_type == 0, first.exam_type == 1
    stat, inpatient = first.priority == 2, first.priority == 3
    assert np.all(first.readiness[abdomen & stat] == 120)  # the exam type's own delay
    assert np.all(first.readiness[abdomen & inpatient] == 0)  # its own table lists no inpatient delay
    assert np.all(first.readiness[head & stat] == 30)
    assert np.array_equal(first.readiness[head & inpatient], second.readiness[head & inpatient])
    assert np.array_equal(first.readiness[abdomen], second.readiness[abdomen])
    assert not np.array_equal(first.readiness[head & stat], second.readiness[head & stat])


def test_door_to_scan_is_measured_from_the_patient_s_arrival_before_the_order():
    from sim.targets import attainment

    demand = {"ED": {"exams_per_day": 0, "exam_mix": {"ct_head": 1}, "priority_mix": {"stroke": 1},
                     "door_to_order": {"stroke": 30}}}
    result = run(build({"demand": demand}, orders=[(0, "10:00", "ct_head", "stroke")]))
    e = result.exams
    assert e.scan_start[0] == minutes(0, "10:00")  # ordered at 10:00 and scanned at once...
    summary = summarise(result)
    row = summary["door_to_scan"]["stroke"]
    assert row["mean"] == 30  # ...but the patient came through the door 30 min earlier
    target = next(t for t in attainment(result) if t["measure"] == "door_to_scan")
    assert target["missed"] == 1  # 30 min from the door, against 25
    assert summary["turnaround"]["priority"]["stroke"]["wait_to_scan"]["mean"] == 0  # order -> scan is unchanged
