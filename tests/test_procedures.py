"""Interventional radiology: a procedure holds an IR suite, a technologist and a radiologist for its whole
length; a share of stroke CTs leads to a thrombectomy once reported; procedures in the reader time split."""
from __future__ import annotations

import numpy as np
from conftest import build, minutes

from sim import run
from sim.acquisition_metrics import procedures
from sim.experiment import arrivals_digest
from sim.metrics import reader_time, summarise
from sim.records import PROCEDURE, READ
from sim.scenario import deep_merge
from sim.streams import FOLLOW_UP

IR = {"modalities": {"IR": {"scanners": ["IR suite"], "procedures": True}},
      "exam_types": {"ir_biopsy": {"modality": "IR", "subspecialty": "body", "acquisition": 45, "read": 5},
                     "ir_thrombectomy": {"modality": "IR", "subspecialty": "neuro", "acquisition": 90, "read": 10}},
      "technologists": {"ct": {"modalities": ["CT", "IR"]}},
      "radiologists": {"rad": {"modalities": ["CT", "IR"]}}}


def _rows(result, kind, person=None):
    log = result.staff_log.columns()
    chosen = (log["kind"] == kind) & ((log["person"] == person) if person is not None else True)
    return list(zip(log["start"][chosen].tolist(), log["end"][chosen].tolist()))


def test_a_procedure_holds_suite_technologist_and_radiologist_for_its_length():
    result = run(build(IR, orders=[(0, "10:00", "ir_biopsy", "inpatient")]))
    e, t0 = result.exams, minutes(0, "10:00")
    assert result.scanners[e.scanner[0]].name == "IR suite"
    assert e.procedure_radiologist[0] >= 0
    assert _rows(result, PROCEDURE) == [(t0, t0 + 45)]
    assert e.read_start[0] >= t0 + 45  # the procedure's report comes after it


def test_while_doing_ir_a_radiologist_reads_nothing():
    scenario = build({**IR, "days": 5, "radiologists": {"rad": {"count": 2, "modalities": ["CT", "IR"]}},
                      "technologists": {"ct": {"count": 2, "modalities": ["CT", "IR"]}},
                      "demand": {"ED": {"exams_per_day": 60, "exam_mix": {"ct_head": 5, "ct_abdomen": 5, "ir_biopsy": 1},
                                        "priority_mix": {"stat": 1, "inpatient": 2}}}})
    result = run(scenario)
    assert len(_rows(result, PROCEDURE)) > 5
    for person in {int(r) for r in result.exams.procedure_radiologist if r >= 0}:
        for p_start, p_end in _rows(result, PROCEDURE, person):
            for r_start, r_end in _rows(result, READ, person):
                assert r_end <= p_start + 1e-9 or r_start >= p_end - 1e-9


def test_a_procedure_waits_for_a_free_radiologist():
    result = run(build(IR, orders=[(0, "10:00", "ct_abdomen", "stat"), (0, "10:15", "ir_biopsy", "inpatient")]))
    e = result.exams
    assert e.read_start[0] == minutes(0, "10:10")
    assert e.scan_start[1] == e.report_at[0] == minutes(0, "10:30")  # the only radiologist finishes the read


def test_a_radiologist_not_credentialed_for_ir_is_never_taken():
    result = run(build({**IR, "radiologists": {"rad": {"modalities": ["CT", "IR"]},
                                               "reader": {"count": 1, "modalities": ["CT"], "shifts": ["00:00-24:00"]}}},
                       orders=[(0, "10:00", "ir_biopsy", "inpatient")]))
    assert result.staff[result.exams.procedure_radiologist[0]].group == "rad"


STROKE = deep_merge(IR, {"days": 30,
          "exam_types": {**IR["exam_types"], "ct_head": {"modality": "CT", "subspecialty": "neuro", "acquisition": 8,
                                                         "read": 8, "leads_to": {"exam_type": "ir_thrombectomy",
                                                                                 "share": 0.3, "priorities": ["stroke"]}}},
          "radiologists": {"rad": {"count": 2}}, "technologists": {"ct": {"count": 2}},
          "demand": {"ED": {"exams_per_day": 12, "exam_mix": {"ct_head": 1}, "priority_mix": {"stroke": 1, "stat": 1}}}})


def test_a_share_of_stroke_cts_leads_to_a_thrombectomy_once_the_ct_is_reported():
    result = run(build(STROKE))
    o, e = result.exams.orders, result.exams
    parents = np.flatnonzero(o.follow_up >= 0)
    children = o.follow_up[parents]
    stroke = o.priority == 0
    assert np.all(stroke[parents])  # only stroke CTs
    share = len(parents) / np.sum(stroke & (o.origin != FOLLOW_UP))
    assert 0.2 < share < 0.4
    placed = ~np.isnan(e.report_at[parents])
    assert np.all(e.ordered_at[children[placed]] == e.report_at[parents[placed]])
    assert np.all(np.isnan(e.ordered_at[children[~placed]]))
    assert np.all(np.isnan(o.ordered_at[children]))  # the orders as drawn stay as they were: placing is the run's
    assert np.all(o.priority[children] == 0)
    assert np.all(e.scan_start[children[placed]] >= e.report_at[parents[placed]])


def test_procedures_are_counted_with_the_reading_time_they_took():
    result = run(build(STROKE))
    figures = procedures(result)
    thrombectomies = figures["by_type"]["ir_thrombectomy"]
    assert thrombectomies["done"] > 0 and thrombectomies["from_follow_up"] == thrombectomies["ordered"]
    split = reader_time(result)["rad"]
    assert split["procedures"] > 0
    assert np.isclose(split["procedures"] * split["on_duty_hours"], figures["radiologist_hours"], rtol=1e-6)
    assert "procedures" in summarise(result)


def test_follow_ups_do_not_change_the_patients_who_arrive():
    without = {**STROKE, "exam_types": {**STROKE["exam_types"], "ct_head": {
        k: v for k, v in STROKE["exam_types"]["ct_head"].items() if k != "leads_to"}}}
    a, b = run(build(STROKE)), run(build(without))
    n = len(b.exams)
    assert np.array_equal(a.exams.orders.ordered_at[:n], b.exams.orders.ordered_at)
    assert np.array_equal(a.exams.orders.read[:n], b.exams.orders.read)


def test_staffing_moves_when_a_follow_up_is_placed_never_the_patients_drawn():
    """Common random numbers with follow-ups: a follow-up is placed when the report leading to it is signed, which
    staffing moves; the orders as drawn, and the fingerprint comparisons of variants rest on, stay the same."""
    a, b = run(build(STROKE)), run(build(deep_merge(STROKE, {"radiologists": {"rad": {"count": 1}}})))
    children = a.exams.orders.follow_up[a.exams.orders.follow_up >= 0]
    assert not np.array_equal(a.exams.ordered_at[children], b.exams.ordered_at[children], equal_nan=True)
    assert arrivals_digest(a) == arrivals_digest(b)
    assert not a.exams.orders.ordered_at.flags.writeable  # a run cannot change the demand it was given


def test_at_one_instant_a_waiting_procedure_gets_a_free_radiologist_before_the_worklist():
    """The dispatcher's order at one instant: acquisition (IR procedures included) is served before reading."""
    spec = {"modalities": {"IR": {"scanners": 1, "procedures": True}},
            "exam_types": {"embolisation": {"modality": "IR", "acquisition": 60, "read": 10}},
            "technologists": {"ct": {"count": 2, "modalities": ["CT", "IR"]}},
            "radiologists": {"rad": {"modalities": ["CT", "IR"], "shifts": ["08:00-20:00"]}}}
    result = run(build(spec, orders=[(0, "07:00", "ct_head", "stat"), (0, "07:30", "embolisation", "stat")]))
    e = result.exams
    assert e.scan_start[1] == minutes(0, "08:00")  # the procedure starts as the radiologist arrives
    assert e.read_start[0] == minutes(0, "09:00")  # the CT waiting on the worklist since 07:10 is read after it


def test_a_procedure_report_has_its_own_priority_and_target_not_the_stroke_s():
    priorities = {"stroke": {"target_minutes": 20, "preempts": True}, "procedure": {"target_minutes": 240},
                  "stat": {"target_minutes": 60}}
    own = deep_merge(STROKE, {"priorities": priorities, "exam_types": {"ct_head": {"leads_to": {"priority": "procedure"}}}})
    same, result = run(build({**STROKE, "priorities": priorities})), run(build(own))
    o = result.exams.orders
    children = o.follow_up[o.follow_up >= 0]
    procedure = result.scenario.priority_names.index("procedure")
    assert np.all(o.priority[children] == procedure) and np.all(same.exams.orders.priority[children] == 0)
    assert np.array_equal(o.ordered_at[o.origin != FOLLOW_UP], same.exams.orders.ordered_at[o.origin != FOLLOW_UP])
    summary = summarise(result)["turnaround"]["priority"]
    assert summary["procedure"]["count"] == int(np.sum(o.origin == FOLLOW_UP)) > 0
    assert summary["procedure"]["report_tat"]["max"] is not None
    assert summary["stroke"]["count"] == int(np.sum((o.priority == 0) & (o.origin != FOLLOW_UP)))


def test_a_follow_up_of_an_unknown_priority_is_one_line():
    import pytest

    from sim.scenario import ScenarioError

    with pytest.raises(ScenarioError, match=r"exam_types\.ct_head\.leads_to\.priority: unknown priority 'urgent'"):
        build(deep_merge(STROKE, {"exam_types": {"ct_head": {"leads_to": {"priority": "urgent"}}}}))


def test_a_radiologist_on_call_from_home_comes_in_before_the_procedure_starts():
    home = deep_merge(IR, {"radiologists": {"rad": {"call_in_minutes": 30}},
                           "exam_types": {"ir_biopsy": {"steps": {"prep": 10}}}})
    result = run(build(home, orders=[(0, "22:00", "ir_biopsy", "inpatient")]))
    e, t0 = result.exams, minutes(0, "22:00")
    assert e.scan_start[0] == t0  # the patient is prepared meanwhile, in the suite
    assert e.imaging_start[0] == t0 + 30  # the call-in, not the 10 min of preparation, decides
    assert _rows(result, PROCEDURE) == [(t0, t0 + 30 + 45)]  # the radiologist's time includes coming in
    on_site = run(build(deep_merge(IR, {"exam_types": {"ir_biopsy": {"steps": {"prep": 10}}}}),
                        orders=[(0, "22:00", "ir_biopsy", "inpatient")]))
    assert on_site.exams.imaging_start[0] == t0 + 10
