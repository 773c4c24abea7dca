"""AI triage rules: flags follow prevalence, sensitivity and specificity; an unflagged study is never
moved; flag-only changes nothing; switching AI on changes nothing but the reading order."""
import numpy as np
import pytest

import sim
from conftest import SCENARIOS

AI = SCENARIOS / "teaching" / "05_ai_triage.yaml"


def run(*overrides):
    return sim.run(sim.load_scenario(AI, list(overrides)))


def test_flags_follow_prevalence_sensitivity_and_specificity():
    o = run("days=400", "warmup_days=0", "demand.outpatient.exams_per_day=0").exams.orders
    screened = o.flagged >= 0
    truth, flag = o.finding[screened] == 1, o.flagged[screened] == 1
    assert truth.mean() == pytest.approx(0.10, abs=0.01)
    assert flag[truth].mean() == pytest.approx(0.90, abs=0.02)
    assert (~flag[~truth]).mean() == pytest.approx(0.90, abs=0.01)
    assert np.all(o.flagged[o.exam_type == 1] == -1)  # ct_body is not screened


def test_an_unflagged_study_is_never_moved_ahead_of_its_class():
    result = run()
    table = sim.exam_table(result)
    unflagged = table["ai_flagged"] != "1"
    assert np.all(table["read_priority"][unflagged] == table["priority"][unflagged])
    flagged = ~unflagged
    assert flagged.any() and np.all(table["read_priority"][flagged] == "stat")


def test_flag_only_reads_in_the_same_order_as_without_ai():
    flag_only = run("ai_triage.mode=flag_only").exams
    without = run("exam_types.ct_head.ai=null").exams
    for column in ("scan_start", "read_start", "report_at", "radiologist"):
        assert np.array_equal(getattr(flag_only, column), getattr(without, column), equal_nan=True)


def test_ai_changes_who_is_read_first_but_not_who_arrives():
    on, off = run(), run("ai_triage.mode=flag_only")
    for column in ("ordered_at", "exam_type", "priority", "read", "finding", "flagged"):
        assert np.array_equal(getattr(on.exams.orders, column), getattr(off.exams.orders, column))
    assert np.array_equal(on.exams.scan_start, off.exams.scan_start, equal_nan=True)  # AI acts after the images
    assert not np.array_equal(on.exams.read_start, off.exams.read_start, equal_nan=True)


def test_flagged_studies_gain_and_unflagged_studies_wait_longer():
    on, off = sim.summarise(run())["ai"], sim.summarise(run("ai_triage.mode=flag_only"))["ai"]
    assert on["with_finding"]["report_tat"]["mean"] < off["with_finding"]["report_tat"]["mean"]
    assert on["unflagged"]["report_tat"]["mean"] > off["unflagged"]["report_tat"]["mean"]
    assert on["max_report_tat"] > off["max_report_tat"]  # strict priority with no aging cap


def test_flagged_studies_gain_most_when_the_queue_is_busy_and_little_when_it_is_quiet():
    def gain(*overrides):
        on = sim.summarise(run(*overrides))["ai"]["with_finding"]["report_tat"]["mean"]
        off = sim.summarise(run("ai_triage.mode=flag_only", *overrides))["ai"]["with_finding"]["report_tat"]["mean"]
        return off - on

    busy = gain()
    quiet = gain("radiologists.day.count=3", "radiologists.day.shifts=['00:00-24:00']")
    assert busy > 10 and abs(quiet) < 1 and busy > 10 * abs(quiet)
