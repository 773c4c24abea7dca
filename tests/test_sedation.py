"""Sedation and anaesthesia: a sedated patient is induced on the scanner with an anaesthetist, who stays until the
patient leaves the room; the acquisition waits for one."""
import numpy as np
import pytest

import sim
from conftest import build, minutes
from sim.records import PREP, SEDATION
from sim.scenario import ScenarioError, deep_merge

SEDATED = {"exam_types": {"ct_head": {"sedation": {"induction": 15}, "steps": {"turnover": 5}}},
           "anaesthesia": {"anaesthetists": {"count": 1, "shifts": ["08:00-17:00"]}},
           "technologists": {"ct": {"count": 2}}, "modalities": {"CT": {"scanners": 2, "prep_rooms": 1}}}


def _rows(result, kind):
    log = result.staff_log.columns()
    rows = log["kind"] == kind
    return sorted(zip(log["exam"][rows].tolist(), log["start"][rows].tolist(), log["end"][rows].tolist(),
                      log["person"][rows].tolist()))


def test_a_sedated_scan_waits_for_the_anaesthetist_who_stays_until_the_patient_leaves():
    result = sim.run(build(SEDATED, orders=[(0, "06:00", "ct_head", "outpatient")]))
    e = result.exams
    assert e.scan_start[0] == minutes(0, "08:00")  # nobody sedates before the anaesthetist comes on duty
    assert e.imaging_start[0] == minutes(0, "08:15")  # induced on the scanner, then scanned
    assert e.scan_end[0] == minutes(0, "08:25")
    (exam, start, end, person), = _rows(result, SEDATION)
    assert (exam, start, end) == (0, minutes(0, "08:00"), minutes(0, "08:30"))  # through turnover
    assert result.staff[person].role == "anaesthetist"
    assert not _rows(result, PREP)  # never in the prep room: the induction is on the scanner


def test_one_anaesthetist_means_one_sedated_patient_at_a_time_while_others_are_scanned():
    orders = [(0, "09:00", "ct_head", "outpatient"), (0, "09:00", "ct_head", "outpatient"),
              (0, "09:00", "ct_abdomen", "outpatient")]
    result = sim.run(build(SEDATED, orders=orders))
    e = result.exams
    assert sorted(e.scan_start[:2].tolist()) == [minutes(0, "09:00"), minutes(0, "09:30")]
    assert e.scan_start[2] == minutes(0, "09:00")  # the second scanner takes an unsedated patient meanwhile


def test_only_the_share_sedated_needs_an_anaesthetist_and_the_draws_of_others_stay():
    demand = {"ED": {"exams_per_day": 40, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 1}}}
    plain = deep_merge(SEDATED, {"days": 6, "demand": demand, "exam_types": {"ct_head": {"sedation": None}},
                                 "anaesthesia": {"anaesthetists": {"shifts": ["00:00-24:00"]}}})
    some = deep_merge(plain, {"exam_types": {"ct_head": {"sedation": {"share": 0.3, "induction": 15}}}})
    before, after = sim.run(build(plain)), sim.run(build(some))
    assert np.array_equal(before.exams.orders.ordered_at, after.exams.orders.ordered_at)
    assert np.array_equal(before.exams.orders.acquisition, after.exams.orders.acquisition)
    sedated = after.exams.orders.steps.sedated
    assert 0.2 < sedated.mean() < 0.4
    attended = {exam for exam, *_ in _rows(after, SEDATION)}
    scanned = set(np.flatnonzero(~np.isnan(after.exams.scan_end)).tolist())
    assert attended & scanned == set(np.flatnonzero(sedated).tolist()) & scanned
    row = sim.summarise(after)["sedation"]["ct_head"]
    assert row["begun"] <= row["sedated"] and row["sedated"] > 30


def test_sedation_without_anaesthetists_is_refused_in_one_line():
    with pytest.raises(ScenarioError, match="exam_types.ct_head.sedation: patients sedated, but the scenario has no "
                                            "anaesthetists"):
        build(deep_merge(SEDATED, {"anaesthesia": {"anaesthetists": {"count": 0}}}),
              orders=[(0, "09:00", "ct_head", "outpatient")])


def test_too_few_anaesthetists_is_an_overload_warning():
    from sim.capacity import offered_load_warnings
    demand = {"ED": {"exams_per_day": 60, "exam_mix": {"ct_head": 1}, "priority_mix": {"outpatient": 1}}}
    heavy = deep_merge(SEDATED, {"demand": demand})
    # 60 a day, each holding the anaesthetist 15 + 10 + 5 min: 1,800 min of work for 540 on duty
    warnings = [w for w in offered_load_warnings(build(heavy)) if "anaesthetists" in w]
    assert len(warnings) == 1 and "1,800 min/day of work for 540 min/day available" in warnings[0]
