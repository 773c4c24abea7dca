"""The animated department: what it shows at every frame agrees with the model, the followed stroke goes through
the department in order, and the page plays in a real browser."""
import shutil
import subprocess
import sys

import numpy as np
import pytest

import sim
from conftest import ROOT, SCENARIOS
from sim.animation import CLOSED, OFF, animation_page, default_highlight, frames
from sim.records import READ, SCAN

STROKE = SCENARIOS / "teaching" / "02_stroke_jumps_the_queue.yaml"


@pytest.fixture(scope="module")
def stroke_run():
    return sim.run(sim.load_scenario(STROKE))


@pytest.fixture(scope="module")
def community_run():
    return sim.run(sim.load_scenario(SCENARIOS / "community_hospital.yaml", ["days=4", "warmup_days=1"]))


@pytest.fixture(scope="module")
def academic_run():  # prep rooms, NM uptake, porters, IR procedures, protocols, prelims, cancellations, breakdowns
    return sim.run(sim.load_scenario(SCENARIOS / "academic_centre.yaml", ["days=3", "warmup_days=1"]))


def _model_queues(result, times):
    q = result.queues.columns()
    at = np.searchsorted(q["time"], times, side="right") - 1
    return q["scan_queue"][at], q["worklist"][at]


@pytest.mark.parametrize("which", ["stroke_run", "community_run", "academic_run"])
def test_the_queues_shown_are_the_models_at_every_frame(which, request):
    result = request.getfixturevalue(which)
    data = frames(result, 1440 + 6 * 60, 1440 + 18 * 60, step=1.0)
    scan_queue, worklist = _model_queues(result, np.array(data["times"]))
    # patients waiting for a scanner (every modality and priority) and studies waiting to be read or protocolled,
    # told from the records, equal the model's own queue lengths
    assert np.array_equal(np.array(data["waiting"]).sum(axis=(0, 1)), scan_queue)
    assert np.array_equal(np.array(data["worklist"]).sum(axis=0), worklist)
    assert scan_queue.max() > 0 and worklist.max() > 0


def test_the_stroke_is_followed_from_its_order_to_its_report_in_that_order(stroke_run):
    start, end = 1440 + 10 * 60, 1440 + 11.5 * 60
    exam = default_highlight(stroke_run, start, end)
    assert stroke_run.scenario.priority_names[stroke_run.exams.orders.priority[exam]] == "stroke"
    followed = frames(stroke_run, start, end, highlight=exam)["highlight"]
    order = ["not yet ordered", "ordered", "waiting for a scanner", "on ", "on the worklist", "being read", "reported"]
    rank = [next(i for i, prefix in enumerate(order) if stage.startswith(prefix)) for stage in followed["stage"]]
    assert rank == sorted(rank) and rank[-1] == len(order) - 1 and order.index("on ") in rank
    data = frames(stroke_run, start, end, highlight=exam)
    stroke = stroke_run.scenario.priority_names.index("stroke")
    for f, room in enumerate(followed["room"]):  # on the scanner: that scanner shows a stroke patient on it
        if room >= 0:
            assert data["room_priority"][room][f] == stroke
    for f, person in enumerate(followed["person"]):  # with someone: the technologist scanning it, then the
        if person >= 0:                                # radiologist reading it, each shown with a stroke in hand
            assert data["person_state"][person][f] == (READ if followed["stage"][f].startswith("being read") else SCAN)
            assert data["person_priority"][person][f] == stroke


def test_closed_scanners_and_people_off_duty_are_shown_so(community_run):
    data = frames(community_run, 1440, 2 * 1440, step=30.0)
    at_3am = data["times"].index(1440 + 180.0)
    mr = next(i for i, room in enumerate(data["rooms"]) if room["name"] == "MR-1")  # open 07:00-23:00
    assert data["room_state"][mr][at_3am] == CLOSED
    assert data["room_state"][mr][data["times"].index(1440 + 600.0)] != CLOSED
    weekday = [i for i, person in enumerate(data["people"]) if person["group"] == "weekday"]  # 08:00-17:00
    assert all(data["person_state"][i][at_3am] == OFF for i in weekday)
    duty = community_run.duty_plan
    for i, states in enumerate(data["person_state"]):  # anyone shown at work is on a stretch of duty (or overtime)
        for f in np.flatnonzero(np.array(states) != OFF).tolist():
            t = data["times"][f]
            log = community_run.staff_log.columns()
            mine = (log["person"] == i) & (log["kind"] == 0) & (log["start"] <= t) & ~(log["end"] <= t)
            assert mine.any() or any(a <= t < b for a, b in duty[i])


def test_the_animate_command_writes_a_page_and_refuses_an_unknown_exam_in_one_line(tmp_path):
    out = tmp_path / "stroke.html"
    done = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "animate", str(STROKE), "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    assert "Following #" in page or "Following ${" in page and '"label":"#' in page
    bad = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "animate", str(STROKE), "--exam", "999999",
                          "--out", str(tmp_path / "x.html")], capture_output=True, text=True)
    assert bad.returncode == 2 and "--exam" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "x.html").exists()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium (CI installs it)")
def test_the_page_plays_in_a_browser(tmp_path, stroke_run):
    playwright = pytest.importorskip("playwright.sync_api")
    start, end = 1440 + 10 * 60, 1440 + 11.5 * 60
    page_file = tmp_path / "stroke.html"
    page_file.write_text(animation_page(frames(stroke_run, start, end,
                                               highlight=default_highlight(stroke_run, start, end))))
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(page_file.as_uri())
        assert page.inner_text("#clock").startswith("day 1 10:00")
        page.select_option("#speed", "40")
        page.click("#play")
        page.wait_for_function("Number(document.body.dataset.frame) > 20", timeout=10_000)
        assert page.inner_text("#clock") != "day 1 10:00 (tue)"
        page.click("#play")  # pause: the frame stays
        paused = page.evaluate("document.body.dataset.frame")
        page.wait_for_timeout(300)
        assert page.evaluate("document.body.dataset.frame") == paused
        page.fill("#slider", "0")  # the slider moves the clock back
        page.dispatch_event("#slider", "input")
        assert page.evaluate("document.body.dataset.frame") == "0"
        assert "Following #" in page.inner_text("#banner")
        page.screenshot(path=str(tmp_path / "animation.png"))
        browser.close()
    assert not errors
