"""Coverage gaps: hours when work can arrive that nobody on duty may do are warnings, worded for a manager."""
from conftest import build
from sim.coverage import coverage_warnings


def test_an_open_modality_with_no_technologist_on_duty_is_a_gap():
    scenario = build({"technologists": {"ct": {"shifts": ["07:00-23:00"]}}}, orders=[(0, "10:00", "ct_head", "stat")])
    assert coverage_warnings(scenario) == [
        "coverage: CT is open with no CT technologist on duty 23:00-07:00 every day; patients wait for the next one"]


def test_a_reading_gap_longer_than_the_target_is_a_gap_and_a_shorter_one_is_not():
    night_off = {"radiologists": {"rad": {"shifts": ["08:00-20:00"]}}}
    warnings = coverage_warnings(build(night_off, orders=[(0, "10:00", "ct_head", "stat")]))
    assert warnings == ["coverage: nobody on duty may read stat CT neuro studies 20:00-08:00 every day, longer "
                        "than their 60-minute target"]
    # twelve hours without a reader is within an outpatient's 24-hour target
    assert coverage_warnings(build(night_off, orders=[(0, "10:00", "ct_head", "outpatient")])) == []


def test_a_department_covered_around_the_clock_has_no_gap():
    assert coverage_warnings(build(orders=[(0, "10:00", "ct_head", "stroke")])) == []
