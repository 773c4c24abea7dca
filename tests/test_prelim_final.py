"""Preliminary and final reports: a teleradiologist's or trainee's prelim, then an attending's final read."""
import numpy as np
import pytest

import sim
from conftest import build, minutes
from sim.records import CALL, READ

NIGHT = {"radiologists": {"rad": {"shifts": ["08:00-17:00"]},
                          "tele": {"count": 1, "modalities": ["CT"], "names": ["Dr Night"], "reports": "preliminary",
                                   "priorities": ["stroke", "trauma", "stat"], "shifts": ["20:00-08:00"]}},
         "reading": {"final_read": 6}}


def test_an_overnight_prelim_is_finalised_by_the_attending_in_the_morning():
    result = sim.run(build(NIGHT, orders=[(0, "22:00", "ct_head", "stat")]))
    e = result.exams
    assert e.prelim_at[0] == minutes(0, "22:20")  # scan 22:00-22:10, prelim read 22:10-22:20
    assert result.staff[e.prelim_radiologist[0]].name == "Dr Night"
    assert e.report_at[0] == minutes(1, "08:06")  # the attending over-reads at 08:00 for 6 minutes
    assert result.staff[e.radiologist[0]].group == "rad"
    summary = sim.summarise(result)["preliminary_reports"]
    assert summary["count"] == 1 and summary["prelim_tat"]["mean"] == pytest.approx(10.0)


def test_a_study_read_first_by_an_attending_gets_no_prelim():
    result = sim.run(build(NIGHT, orders=[(0, "10:00", "ct_head", "stat")]))
    assert np.isnan(result.exams.prelim_at[0]) and result.exams.report_at[0] == minutes(0, "10:20")


def test_prelim_readers_never_finalise_and_read_only_their_priorities():
    extra = {**NIGHT, "demand": {"ED": {"exams_per_day": 60, "exam_mix": {"ct_head": 1, "ct_abdomen": 1},
                                        "priority_mix": {"stat": 0.7, "inpatient": 0.3}}},
             "modalities": {"CT": {"scanners": 2}}, "technologists": {"ct": {"count": 2}}, "days": 5}
    result = sim.run(build(extra))
    e, s = result.exams, result.scenario
    tele = [i for i, m in enumerate(result.staff) if m.group == "tele"]
    assert not np.isin(e.radiologist[~np.isnan(e.report_at)], tele).any()
    prelims = ~np.isnan(e.prelim_at)
    assert prelims.sum() > 20
    assert np.all(np.isin(e.orders.priority[prelims], [s.priority_names.index("stat")]))
    done = prelims & ~np.isnan(e.report_at)
    assert np.all(e.report_at[done] >= e.prelim_at[done] + 6.0 - 1e-9)


def test_a_critical_result_is_phoned_at_the_prelim_not_again_at_the_final():
    extra = {**NIGHT, "exam_types": {"ct_head": {"critical_share": 1.0}}, "reading": {"final_read": 6, "critical_call": 4}}
    result = sim.run(build(extra, orders=[(0, "22:00", "ct_head", "stat")]))
    e = result.exams
    assert e.critical_at[0] == minutes(0, "22:24")
    calls = result.staff_log.columns()["kind"] == CALL
    assert calls.sum() == 1


def test_preliminary_reports_need_someone_to_finalise_them():
    data = {"radiologists": {"rad": {"reports": "preliminary"}}}
    with pytest.raises(sim.ScenarioError, match="radiologists.rad.reports"):
        build(data, orders=[(0, "08:00", "ct_head", "stat")])


def test_a_remote_reader_sees_a_study_only_after_its_transmission_delay():
    extra = {"radiologists": {"rad": {"count": 0},
                              "remote": {"count": 1, "modalities": ["CT"], "transmission_minutes": 7,
                                         "shifts": ["00:00-24:00"]}}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_head", "stat")]))
    # images at 08:10, on the remote worklist at 08:17
    assert result.exams.read_start[0] == minutes(0, "08:17")


def test_a_stroke_reaches_a_busy_remote_reader_after_the_delay_and_then_preempts():
    extra = {"modalities": {"CT": {"scanners": 2}}, "technologists": {"ct": {"count": 2}},
             "radiologists": {"rad": {"count": 0},
                              "remote": {"count": 1, "modalities": ["CT"], "transmission_minutes": 5,
                                         "shifts": ["00:00-24:00"]}}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_abdomen", "outpatient"), (0, "08:15", "ct_head", "stroke")]))
    e = result.exams
    # routine read from 08:15 (images 08:10 + 5); stroke images 08:25, visible 08:30: it preempts then
    assert e.read_start[0] == minutes(0, "08:15")
    assert e.read_start[1] == minutes(0, "08:30") and e.interrupted[0] == 1


def test_community_teleradiology_prelims_come_overnight_and_finals_after_the_morning_start():
    from conftest import SCENARIOS

    result = sim.run(sim.load_scenario(SCENARIOS / "community_teleradiology_prelim.yaml", ["days=5"]))
    e = result.exams
    tele = [i for i, m in enumerate(result.staff) if m.group == "teleradiology"]
    prelim = ~np.isnan(e.prelim_at)
    assert prelim.sum() > 50 and np.all(np.isin(e.prelim_radiologist[prelim], tele))
    # the remote reader never starts before the images have been transmitted (5 min)
    log = result.staff_log.columns()
    remote_reads = np.isin(log["person"], tele) & (log["kind"] == READ)
    assert np.all(log["start"][remote_reads] >= e.scan_end[log["exam"][remote_reads]] + 5 - 1e-6)
    finals = prelim & ~np.isnan(e.report_at)
    clock = e.report_at[finals] % 1440
    assert np.all((clock >= 8 * 60) & (clock <= 23 * 60))  # finalised by the hospital's own readers
