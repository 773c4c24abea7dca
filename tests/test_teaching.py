"""The teaching pack: every scenario runs, every claim the guide makes is checked against a run,
and the step-by-step mode is driven through its input."""
import io
import re

import numpy as np
import pytest

import sim
from conftest import ROOT
from sim.stepper import step_through
from teaching_figures import TEACHING, chain, night_backlog, run, stroke_story, where_orders_wait, within_target

GUIDE = (ROOT / "docs" / "teaching.md").read_text()


def section(number: int) -> str:
    start = GUIDE.index(f"## Scenario {number}:")
    following = GUIDE.find("## Scenario", start + 10)
    return GUIDE[start:following if following > 0 else None]


def says(text: str, value: str) -> None:
    assert f"**{value}**" in text, f"the guide should say **{value}**"


@pytest.mark.parametrize("path", sorted(TEACHING.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_teaching_scenario_runs_and_states_its_goal_and_question(path):
    text = path.read_text()
    assert "Learning goal" in text and "Question" in text
    result = sim.run(sim.load_scenario(path))
    assert np.sum(~np.isnan(result.exams.report_at)) > 0


def test_scenario_1_order_to_report_is_the_sum_of_its_parts():
    result = run("01_the_chain")
    figures = chain(result)
    summary = sim.summarise(result)
    assert f"Over the {summary['exams']['reported']} outpatients" in section(1)
    says(section(1), f"{100 * summary['utilisation']['technologists']['ct']:.0f}%")
    assert set(result.exams.orders.priority) == {result.scenario.priority_names.index("outpatient")}
    parts = figures["wait_to_scan"] + figures["acquisition"] + figures["worklist_wait"] + figures["reading"]
    assert parts == pytest.approx(figures["order_to_report"])
    for key in ("order_to_report", "wait_to_scan", "acquisition", "worklist_wait", "reading"):
        says(section(1), f"{figures[key]:.1f} min")


def test_scenario_2_the_stroke_is_read_before_the_routine_studies_ahead_of_it():
    result = run("02_stroke_jumps_the_queue")
    story = stroke_story(result)
    e = result.exams
    interrupted = int(np.flatnonzero(e.interrupted)[0])
    behind = (e.scan_end < e.scan_end[story["exam"]]) & (e.read_start > e.read_start[story["exam"]])
    assert np.all(e.report_at[interrupted] <= e.read_start[behind])  # resumes before the study behind it
    assert story["report_tat"] <= result.scenario.priorities["stroke"].target_minutes
    assert story["overtaken_at_scanner"] >= 1 and story["overtaken_on_worklist"] >= 1 and story["interrupted"] >= 1
    text = section(2)
    assert f"#{story['exam']}" in text
    says(text, f"{story['door_to_scan']:.0f} min")
    says(text, str(story["overtaken_at_scanner"]))
    says(text, str(story["overtaken_on_worklist"]))
    says(text, str(story["interrupted"]))
    says(text, f"{story['report_tat']:.0f} min")


def test_scenario_3_the_worklist_grows_overnight_and_the_morning_clears_it():
    result = run("03_night_backlog")
    backlog = night_backlog(result)
    waits = where_orders_wait(result)
    assert all(n > 0 for n in backlog["mornings"])
    assert waits["worklist_wait"] > 10 * waits["wait_to_scan"]
    text = section(3)
    for n in backlog["mornings"]:
        says(text, str(n))
    for minutes in backlog["minutes_to_clear"]:
        says(text, f"{minutes / 60:.1f} h")
    says(text, f"{waits['wait_to_scan']:.1f} min")
    says(text, f"{waits['worklist_wait']:.1f} min")
    says(text, f"{100 * backlog['within_target']:.0f}%")


def test_scenario_4_the_scanner_queue_not_the_worklist_is_the_longest_wait():
    base = where_orders_wait(run("04_short_of_technologists"))
    more_techs = where_orders_wait(run("04_short_of_technologists", "technologists.day.count=2",
                                       "technologists.night.count=2"))
    more_rads = where_orders_wait(run("04_short_of_technologists", "radiologists.day.count=2"))
    assert base["wait_to_scan"] > 5 * base["worklist_wait"]
    assert more_techs["wait_to_scan"] < base["wait_to_scan"] / 2
    assert more_rads["wait_to_scan"] == pytest.approx(base["wait_to_scan"], rel=0.05)
    text = section(4)
    says(text, f"{base['wait_to_scan']:.1f} min")
    says(text, f"{base['worklist_wait']:.1f} min")
    says(text, f"{more_techs['wait_to_scan']:.1f} min")
    says(text, f"{more_rads['wait_to_scan']:.1f} min")


def test_scenario_5_flagged_findings_gain_and_unflagged_studies_wait_longer():
    on = sim.summarise(run("05_ai_triage"))["ai"]
    off = sim.summarise(run("05_ai_triage", "ai_triage.mode=flag_only"))["ai"]
    text = section(5)
    for group in ("with_finding", "flagged", "unflagged"):
        says(text, f"{on[group]['report_tat']['mean']:.1f} min")
        says(text, f"{off[group]['report_tat']['mean']:.1f} min")
    assert on["with_finding"]["report_tat"]["mean"] < off["with_finding"]["report_tat"]["mean"]
    assert on["unflagged"]["report_tat"]["mean"] > off["unflagged"]["report_tat"]["mean"]
    says(text, f"{on['max_report_tat']:.1f} min")
    says(text, f"{off['max_report_tat']:.1f} min")


def test_scenario_6_the_answer_brings_ed_stat_within_target():
    exercise = run("06_staffing_exercise")
    before, after = within_target(exercise), within_target(run("06_answer"))
    assert before < 0.9 <= after
    text = section(6)
    mornings = [b["studies"] for b in sim.summarise(exercise)["worklist"]["morning_backlog"]]
    says(text, str(min(mornings)))
    says(text, str(max(mornings)))
    # "More day radiologists cannot help them"
    assert within_target(run("06_staffing_exercise", "radiologists.day.count=4")) < 0.9
    says(text, f"{100 * before:.0f}%")
    says(text, f"{100 * after:.0f}%")


def test_step_mode_shows_one_event_per_enter_and_quits_on_q():
    result = run("02_stroke_jumps_the_queue")
    window = (result.scenario.report.narrative.start, result.scenario.report.narrative.end)
    screen = io.StringIO()
    shown = step_through(result, *window, keys=io.StringIO("\n\nq\n"), screen=screen)
    text = screen.getvalue()
    assert shown == 3
    screens = re.findall(r"── day \d+ \d\d:\d\d ── event (\d+) of (\d+)", text)
    assert [int(n) for n, _ in screens] == [1, 2, 3]
    for heading in ("Who is doing what:", "Scanner queue (", "Worklist ("):
        assert text.count(heading) == 3
    assert re.search(r"Dr Rao\s+radiologist\s+(reading #\d+ \(\w+\) for \d+ min|free|off duty)", text)
    assert re.search(r"#\d+\s+outpatient\s+waited \d+ min", text)


def test_step_mode_shows_the_stroke_on_the_worklist_and_then_being_read():
    result = run("02_stroke_jumps_the_queue")
    screen = io.StringIO()
    # from the stroke's images to its report: press Enter through every event
    step_through(result, 2092.0, 2096.0, keys=io.StringIO("\n" * 50), screen=screen)
    text = screen.getvalue()
    assert "reading #54 (stroke)" in text
    assert "(end of the window)" in text
