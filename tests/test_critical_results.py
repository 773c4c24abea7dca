"""Critical results: the radiologist phones before taking the next study; the time to communication is recorded."""
import numpy as np
import pytest

import sim
from conftest import build, minutes
from sim.records import CALL, READ


def test_a_critical_call_comes_before_that_readers_next_study(academic_result):
    log = academic_result.staff_log.columns()
    e = academic_result.exams
    calls = np.flatnonzero(log["kind"] == CALL)
    assert len(calls) > 20
    for k in calls:
        person, exam, start = log["person"][k], log["exam"][k], log["start"][k]
        first_report = e.prelim_at[exam] if not np.isnan(e.prelim_at[exam]) else e.report_at[exam]
        assert start == first_report  # the call starts the moment the first report (prelim or final) is signed
        later_reads = (log["person"] == person) & (log["kind"] == READ) & (log["start"] >= start) & (log["exam"] != exam)
        if later_reads.any() and not np.isnan(log["end"][k]):
            assert log["start"][later_reads].min() >= log["end"][k]


def test_the_share_of_critical_reports_follows_the_exam_type():
    scenario = sim.load_scenario("scenarios/academic_centre.yaml", ["days=60"])
    o = sim.run(scenario).exams.orders
    head = list(scenario.exam_types).index("ct_head")
    assert o.critical[o.exam_type == head].mean() == pytest.approx(0.08, abs=0.015)
    assert not o.critical[o.exam_type == list(scenario.exam_types).index("mr_msk")].any()


def test_time_to_communication_is_report_plus_the_call():
    extra = {"exam_types": {"ct_head": {"critical_share": 1.0}},
             "reading": {"critical_call": 4}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_head", "stat"), (0, "08:01", "ct_head", "stat")]))
    e = result.exams
    # scan 08:00-08:10, read 08:10-08:20, call 08:20-08:24; second: scan 08:10-08:20, read 08:24 (after the call)
    assert e.critical_at[0] == minutes(0, "08:24")
    assert e.read_start[1] == minutes(0, "08:24")
    summary = sim.summarise(result)["critical_results"]
    # images to communicated: 08:10 -> 08:24 (14 min) and 08:20 -> 08:38 (18 min)
    assert summary["count"] == 2
    assert (summary["images_to_communicated"]["mean"], summary["images_to_communicated"]["max"]) == (16.0, 18.0)


def test_a_reader_on_a_critical_call_is_not_interrupted_by_a_stroke():
    extra = {"exam_types": {"ct_abdomen": {"critical_share": 1.0}}, "reading": {"critical_call": 15},
             "modalities": {"CT": {"scanners": 2}}, "technologists": {"ct": {"count": 2}}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_abdomen", "outpatient"), (0, "08:25", "ct_head", "stroke")]))
    e = result.exams
    # routine read 08:10-08:30, call 08:30-08:45; the stroke's images at 08:35 wait for the call to end
    assert e.interrupted.sum() == 0
    assert e.read_start[1] == minutes(0, "08:45")
