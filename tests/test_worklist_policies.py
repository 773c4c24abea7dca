"""Worklist policies: strict priority, FIFO, aging cap; subspecialty fallback."""
import numpy as np
import pytest

import sim
from conftest import SCENARIOS, build, minutes

BUSY = {"modalities": {"CT": {"scanners": 5}}, "technologists": {"ct": {"count": 5}},
        "radiologists": {"rad": {"shifts": ["08:00-17:00"]}}}
# a routine study's images at 08:00, and four STAT studies' (10 min reads) at 08:00 too
ORDERS = [(0, "07:50", "ct_abdomen", "outpatient")] + [(0, "07:50", "ct_head", "stat")] * 4


def routine_read_start(**reading):
    result = sim.run(build({**BUSY, "reading": reading}, orders=ORDERS))
    return result.exams.read_start[0]


def test_strict_priority_reads_every_stat_first():
    assert routine_read_start() == minutes(0, "08:40")


def test_aging_raises_a_study_exactly_when_its_cap_is_reached():
    # aged at 08:20 on the dot: the reader, free at 08:20, takes it before the remaining STAT studies
    assert routine_read_start(policy="aging", aging_cap_minutes=20) == minutes(0, "08:20")
    # half a minute later it is not yet aged at 08:20, so it waits for the next pick at 08:30
    assert routine_read_start(policy="aging", aging_cap_minutes=20.5) == minutes(0, "08:30")


def test_fifo_reads_oldest_first_whatever_the_priority_and_never_preempts():
    orders = [(0, "07:50", "ct_abdomen", "outpatient"), (0, "07:51", "ct_head", "stroke")]
    extra = {**BUSY, "radiologists": {"rad": {"shifts": ["08:05-17:00"]}}}
    strict = sim.run(build(extra, orders=orders)).exams
    fifo = sim.run(build({**extra, "reading": {"policy": "fifo"}}, orders=orders)).exams
    assert strict.read_start[1] < strict.read_start[0]
    assert fifo.read_start[0] == minutes(0, "08:05") < fifo.read_start[1]
    assert fifo.interrupted.sum() == 0


def fallback_read(minutes_to_fallback):
    extra = {"radiologists": {"rad": {"subspecialties": ["neuro"]},
                              "body": {"count": 1, "modalities": ["CT"], "subspecialties": ["body"],
                                       "names": ["Dr Body"], "shifts": ["12:00-20:00"]}},
             "reading": {"subspecialty_fallback_minutes": minutes_to_fallback}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_abdomen", "stat")]))
    return result.exams.read_start[0], result.staff[result.exams.radiologist[0]].name


def test_subspecialty_fallback_happens_after_the_configured_wait_and_not_before():
    # images at 08:10; the neuro reader may take the body study from 09:10, not a moment earlier
    assert fallback_read(60) == (minutes(0, "09:10"), "rad-1")
    # a fallback longer than the wait for the body reader changes nothing
    assert fallback_read(300) == (minutes(0, "12:00"), "Dr Body")


def test_without_fallback_a_study_waits_for_its_subspecialty():
    extra = {"radiologists": {"rad": {"subspecialties": ["neuro"]},
                              "body": {"count": 1, "modalities": ["CT"], "subspecialties": ["body"],
                                       "shifts": ["12:00-20:00"]}}}
    assert sim.run(build(extra, orders=[(0, "08:00", "ct_abdomen", "stat")])).exams.read_start[0] == minutes(0, "12:00")


def test_an_aging_cap_shortens_the_longest_wait_that_strict_priority_makes():
    path = SCENARIOS / "teaching" / "05_ai_triage.yaml"
    strict = sim.summarise(sim.run(sim.load_scenario(path)))
    capped = sim.summarise(sim.run(sim.load_scenario(
        path, ["reading.policy=aging", "reading.aging_cap_minutes=240"])))
    assert capped["ai"]["max_report_tat"] < strict["ai"]["max_report_tat"]


def test_aging_needs_a_cap():
    with pytest.raises(sim.ScenarioError, match="reading.aging_cap_minutes"):
        sim.load_scenario(SCENARIOS / "teaching.yaml", ["reading.policy=aging"])


def test_policies_keep_every_rule_of_the_department():
    for reading in ({"policy": "fifo"}, {"policy": "aging", "aging_cap_minutes": 60},
                    {"subspecialty_fallback_minutes": 30}):
        scenario = sim.load_scenario(SCENARIOS / "academic_centre.yaml",
                                     ["days=4", *(f"reading.{k}={v}" for k, v in reading.items())])
        result = sim.run(scenario)
        e = result.exams
        done = ~np.isnan(e.report_at)
        # nothing is lost: of the patients ready by the end of day 2, nearly all are reported by the end of day 4
        ready_early = e.ready_at() < 2 * 1440
        assert done[ready_early].sum() > 0.95 * ready_early.sum()
        assert np.all(e.read_start[done] >= e.scan_end[done])
