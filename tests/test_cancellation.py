"""Orders cancelled while they wait for the scanner: a patience per source and priority."""
from __future__ import annotations

import numpy as np
import pytest

from sim import run
from sim.metrics import accounting, summarise
from sim.scenario import ScenarioError

from conftest import build, minutes


def _ed(**extra):
    return {"ED": {"exams_per_day": 0, "exam_mix": {"ct_abdomen": 1}, "priority_mix": {"inpatient": 1}, **extra}}


def test_an_order_still_waiting_when_its_patience_runs_out_is_cancelled_and_never_scanned():
    # one scanner busy with the first order until 10:20 (10 min scan + the next); the third gives up at 10:15
    scenario = build({"demand": _ed(cancellation={"inpatient": {"after": 15}})},
                     orders=[(0, "10:00", "ct_abdomen", "inpatient"), (0, "10:00", "ct_abdomen", "inpatient"),
                             (0, "10:00", "ct_abdomen", "inpatient")])
    result = run(scenario)
    e = result.exams
    assert e.scan_start[0] == minutes(0, "10:00") and e.scan_start[1] == minutes(0, "10:10")
    assert e.cancelled_at[2] == minutes(0, "10:15") and np.isnan(e.scan_start[2]) and np.isnan(e.report_at[2])
    assert np.all(np.isnan(e.cancelled_at[:2]))  # begun before their patience ran out
    counts = accounting(result)
    assert counts["cancelled"] == 1 and counts["reported"] == 2
    assert result.queues.columns()["scan_queue"][-1] == 0  # it left the queue


def test_a_cancelled_order_is_neither_met_nor_missed_and_leaves_the_statistics():
    scenario = build({"demand": _ed(cancellation={"inpatient": {"after": 15}})},
                     orders=[(0, "10:00", "ct_abdomen", "inpatient")] * 3)
    summary = summarise(run(scenario))
    assert summary["turnaround"]["priority"]["inpatient"]["count"] == 2
    target = next(t for t in summary["targets"] if t["priority"] == "inpatient")
    assert target["met"] + target["missed"] + target["unknown"] == 2
    row = summary["cancellations"]["ED"]["inpatient"]
    assert row == {"ordered": 3, "cancelled": 1, "share": pytest.approx(1 / 3), "at_protocol": 0,
                   "waited": {"mean": 15.0, "median": 15.0, "p90": 15.0, "p95": 15.0, "max": 15.0}}


def test_patients_still_getting_ready_are_cancelled_before_they_join_the_queue():
    scenario = build({"demand": _ed(readiness={"inpatient": 60}, cancellation={"inpatient": {"after": 30}})},
                     orders=[(0, "10:00", "ct_abdomen", "inpatient")])
    e = run(scenario).exams
    assert e.cancelled_at[0] == minutes(0, "10:30") and np.isnan(e.scan_start[0])


def test_the_share_cancelled_follows_the_setting_and_the_arrivals_do_not_move():
    demand = {"ED": {"exams_per_day": 60, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 1, "inpatient": 1},
                     "readiness": {"inpatient": 600}}}
    base = {"days": 10, "demand": demand}
    some = {"days": 10, "demand": {"ED": {**demand["ED"], "cancellation": {
        "inpatient": {"share": 0.3, "after": {"dist": "exponential", "mean": 300}}}}}}
    a, b = run(build(base)), run(build(some))
    assert np.array_equal(a.exams.orders.ordered_at, b.exams.orders.ordered_at)
    o, e = b.exams.orders, b.exams
    inpatient = o.priority == 3
    assert np.all(np.isinf(o.patience[~inpatient]))
    assert 0.25 < np.mean(np.isfinite(o.patience[inpatient])) < 0.35
    cancelled = ~np.isnan(e.cancelled_at)
    # every inpatient waits at least 600 min to be ready, so nearly all with a patience give up first
    assert np.all(cancelled <= np.isfinite(o.patience)) and cancelled.sum() > 0.8 * np.isfinite(o.patience).sum()
    assert np.allclose(e.cancelled_at[cancelled], e.ordered_at[cancelled] + o.patience[cancelled])


def test_cancellation_of_an_unknown_priority_is_one_line():
    with pytest.raises(ScenarioError, match=r"demand\.ED\.cancellation\.urgent: unknown priority"):
        build({"demand": _ed(cancellation={"urgent": {"after": 15}})})


def test_the_protocoling_radiologist_may_cancel_an_order_after_a_consult():
    demand = {"ED": {"exams_per_day": 40, "exam_mix": {"ct_abdomen": 1}, "priority_mix": {"inpatient": 1}}}
    extra = {"days": 10, "demand": demand, "exam_types": {"ct_abdomen": {"protocol": 3, "protocol_cancels": 0.2}}}
    result = run(build(extra))
    o, e = result.exams.orders, result.exams
    cancelled = ~np.isnan(e.cancelled_at)
    assert np.array_equal(cancelled & ~np.isnan(e.protocol_at), o.cancelled_at_protocol & ~np.isnan(e.protocol_at))
    assert 0.15 < cancelled.mean() < 0.25
    assert np.all(e.cancelled_at[cancelled] == e.protocol_at[cancelled])  # at the end of the protocol
    assert np.all(np.isnan(e.scan_start[cancelled]))  # never scanned
    row = summarise(result)["cancellations"]["ED"]["inpatient"]
    assert row["at_protocol"] == row["cancelled"] > 0
    assert accounting(result)["cancelled"] == int(cancelled.sum())
