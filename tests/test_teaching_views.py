"""The teaching views describe every kind of task, across breaks, prep rooms and IR procedures."""
import io

import numpy as np
import pytest

from conftest import SCENARIOS
from sim.cli import main
from sim.records import BREAK, DOING, DUTY, KIND_NAMES, PREP, PROCEDURE
from sim.stepper import render, step_through


def test_every_kind_of_task_has_words_for_what_the_person_is_doing():
    assert set(DOING) == set(KIND_NAMES) - {DUTY}


@pytest.mark.parametrize("name", ["community_result", "academic_result"])
def test_the_step_view_runs_through_breaks_prep_and_procedures(name, request):
    result = request.getfixturevalue(name)
    log = result.staff_log.columns()
    shown = set()
    for kind in (BREAK, PREP, PROCEDURE):
        rows = np.flatnonzero(log["kind"] == kind)
        if not len(rows):
            continue
        t = float(log["start"][rows[0]]) + 0.5
        person = result.staff[int(log["person"][rows[0]])].name
        screen = render(result, t, "an event", 1, 1)
        line = next(line for line in screen.splitlines() if line.strip().startswith(person))
        assert DOING[kind] in line, line
        shown.add(kind)
    assert BREAK in shown  # both ready-made departments take breaks
    if name == "academic_result":
        assert {PREP, PROCEDURE} <= shown


def test_stepping_over_a_lunch_break_shows_every_event(community_result):
    log = community_result.staff_log.columns()
    start = float(log["start"][np.flatnonzero(log["kind"] == BREAK)[0]])
    screen = io.StringIO()
    shown = step_through(community_result, start - 30, start + 60, io.StringIO("\n" * 10_000), screen)
    assert shown > 0 and "on a break" in screen.getvalue()


def test_a_narrative_window_after_the_horizon_is_an_error(capsys):
    code = main(["narrate", str(SCENARIOS / "teaching.yaml"), "--from", "day 9 10:00", "--to", "day 9 11:00"])
    assert code == 2 and "after the end of the horizon" in capsys.readouterr().err


def test_a_step_shows_the_state_after_its_own_event_not_after_the_whole_minute():
    from conftest import build, minutes
    import sim

    handover = {"technologists": {"ct": {"shifts": ["00:00-12:00"]},
                                  "late": {"count": 1, "modalities": ["CT"], "shifts": ["12:00-24:00"]}}}
    result = sim.run(build(handover, orders=[(0, "12:00", "ct_head", "stat")]))
    screen = io.StringIO()
    step_through(result, minutes(0, "12:00"), minutes(0, "12:01"), io.StringIO("\n" * 10), screen)
    steps = screen.getvalue().split("── day 0 12:00 ──")[1:]
    events = [s.splitlines()[1] for s in steps]
    assert events[0].startswith("ct-1 goes off duty") and events[1].startswith("late-1")
    late = [[line for line in s.splitlines() if line.startswith("  late-1")][0] for s in steps]
    assert "off duty" in late[0] and "free" in late[1]  # at the first step the night shift has not arrived yet
    queue = [int(s.split("Scanner queue (")[1].split()[0]) for s in steps]
    assert queue[:2] == [0, 0] and 1 in queue  # the order joins the queue at its own step, not before


def test_the_step_view_s_scanner_queue_holds_only_patients_who_are_ready_and_not_cancelled():
    import sim
    from conftest import build, minutes
    from sim.stepper import snapshot

    demand = {"ED": {"exams_per_day": 0, "exam_mix": {"ct_head": 1}, "priority_mix": {"inpatient": 1},
                     "readiness": {"inpatient": 60}, "cancellation": {"inpatient": {"after": 90}}}}
    result = sim.run(build({"demand": demand, "technologists": {"ct": {"shifts": ["12:00-24:00"]}}},
                           orders=[(0, "10:00", "ct_head", "inpatient")]))
    assert list(snapshot(result, minutes(0, "10:30"))["scan_queue"]) == []  # not ready yet
    assert list(snapshot(result, minutes(0, "11:15"))["scan_queue"]) == [0]  # ready at 11:00, nobody on duty
    assert list(snapshot(result, minutes(0, "11:45"))["scan_queue"]) == []  # cancelled at 11:30


def test_the_step_view_lists_the_worklist_by_the_priority_studies_are_read_at_and_says_when_ai_raised_it():
    import sim
    from sim.stepper import snapshot

    result = sim.run(sim.load_scenario(SCENARIOS / "teaching" / "05_ai_triage.yaml", ["days=7"]))
    e, o = result.exams, result.exams.orders
    raised = np.flatnonzero(e.read_priority < o.priority)
    # a moment when a raised study waits on the worklist behind none of its order priority's neighbours
    for exam in raised:
        t = float(e.scan_end[exam]) + 1e-6
        worklist = list(snapshot(result, t)["worklist"])
        if exam in worklist and any(o.priority[w] <= o.priority[exam] for w in worklist if w != exam):
            break
    else:
        pytest.fail("no raised study waited beside others")
    ranks = e.read_priority[worklist]
    assert list(ranks) == sorted(ranks)  # read-at priority first, as the worklist itself takes them
    screen = render(result, t, "an event", 1, 1).splitlines()
    line = next(line for line in screen if line.strip().startswith(f"#{exam} "))
    names = result.scenario.priority_names
    assert f"AI: read as {names[e.read_priority[exam]]}" in line and names[o.priority[exam]] in line
