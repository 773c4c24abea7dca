"""The web app: the what-if logic without a browser, the page through Streamlit's own test harness, and the real
thing served on localhost and driven by headless Chromium."""
import gc
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SCENARIOS
from sim import whatif
from sim.scenario import ScenarioError

COMMUNITY = SCENARIOS / "community_hospital.yaml"


def _setting(key: str, path: Path = COMMUNITY) -> whatif.Setting:
    return next(s for s in whatif.settings(path) if s.key == key)


def _wait(job: whatif.Comparison, seconds: float = 240) -> None:
    started = time.monotonic()
    while not job.finished and time.monotonic() - started < seconds:
        time.sleep(0.5)
    assert job.finished, "the comparison did not finish"


def test_the_settings_offered_are_the_scenarios_own_and_a_change_is_a_set_override():
    evening = _setting("radiologists.evening.count")
    assert evening.value == 2 and evening.kind == "count"
    assert _setting("radiologists.teleradiology.priorities").value == ("stroke", "trauma", "stat")
    assert _setting("modalities.MR.hours").value == "07:00-23:00"
    scenario = whatif.changed(COMMUNITY, [])
    assert whatif.overrides_for(evening, 2, scenario) == []  # unchanged: nothing to override
    assert whatif.overrides_for(evening, 3, scenario) == ["radiologists.evening.count=3"]
    assert whatif.overrides_for(_setting("modalities.CT.scanners"), 3, scenario) == \
        ["modalities.CT.scanners=[CT-1, CT-2, CT-new-1]"]
    assert len(whatif.changed(COMMUNITY, ["modalities.CT.scanners=[CT-1, CT-2, CT-new-1]"]).modalities["CT"]
               .scanners) == 3


@pytest.mark.parametrize("key, value, words", [("radiologists.evening.count", -1, "greater than or equal to 0"),
                                               ("modalities.MR.hours", "25:00-07:00", "clock")])
def test_a_bad_value_is_the_command_lines_message_and_names_its_setting(key, value, words):
    settings = whatif.settings(COMMUNITY)
    setting = next(s for s in settings if s.key == key)
    with pytest.raises(ScenarioError) as error:
        whatif.changed(COMMUNITY, whatif.overrides_for(setting, value, whatif.changed(COMMUNITY, [])))
    assert words in str(error.value) and whatif.field_of(error.value, settings) == key


def test_an_uploaded_scenario_is_checked_as_a_file_is_and_reads_no_other_files(tmp_path):
    variant = b"extends: community_hospital.yaml\nname: Mine\nradiologists: {evening: {count: 3}}\n"
    path = whatif.save_upload(variant, tmp_path)
    assert whatif.changed(path, []).radiologists["evening"].count == 3
    for data, words in [(b"extends: /etc/passwd\n", "may extend only a ready-made"),
                        (b"extends: ../../secret.yaml\n", "may extend only a ready-made"),
                        (b"name: [unclosed\n", "not a YAML scenario"), (b"- a list\n", "not a YAML mapping"),
                        (b"x" * (whatif.UPLOAD_LIMIT + 1), "at most"),
                        (b"extends: community_hospital.yaml\nradiologists: {evening: {count: -2}}\n", "count")]:
        with pytest.raises(ScenarioError, match=words):
            whatif.save_upload(data, tmp_path / "bad")


def test_a_comparison_runs_in_a_worker_with_the_same_patients_and_can_be_cancelled(tmp_path):
    baseline = whatif.changed(COMMUNITY, [], days=5)
    fewer = whatif.changed(COMMUNITY, ["radiologists.weekday.count=4"], days=5)
    job = whatif.Comparison.start(baseline, fewer, 2, tmp_path / "job")
    # a second user's run at the same time, in a process and folder of its own, disturbs nothing
    other = whatif.Comparison.start(baseline, whatif.changed(COMMUNITY, ["radiologists.weekday.count=14"], days=5), 2,
                                    tmp_path / "other")
    assert job.process.pid != __import__("os").getpid() and other.process.pid != job.process.pid
    _wait(job)
    _wait(other)
    assert job.error() is None and other.error() is None, (job.error(), other.error())
    more = {r["figure"]: r for r in other.result()["rows"]}
    result = job.result()
    assert result["same_patients"]
    rows = {r["figure"]: r for r in result["rows"]}
    # half the weekday readers: inpatient reports come later, the scans do not move (same patients, same rooms)
    assert rows["inpatient images to report p90"]["difference"] > 0
    assert more["inpatient images to report p90"]["difference"] < rows["inpatient images to report p90"]["difference"]
    assert rows["inpatient order to scan mean"]["difference"] == 0
    assert (tmp_path / "job" / "figures" / "differences.png").exists()
    assert b"variant.yaml" in job.zipped() and b"results/exams.csv" in job.zipped()
    long = whatif.Comparison.start(whatif.changed(COMMUNITY, [], days=60), whatif.changed(COMMUNITY, [], days=60),
                                   20, tmp_path / "long")
    time.sleep(1.0)
    long.cancel()
    assert not long.process.is_alive() and long.error() == "cancelled" and long.result() is None


def test_a_sessions_files_and_run_go_with_the_session_and_the_rest_when_the_server_stops(tmp_path):
    session = whatif.SessionFolder()
    path = session.path
    assert path.parent == whatif.server_folder()
    run = whatif.Comparison.start(whatif.changed(COMMUNITY, [], days=60), whatif.changed(COMMUNITY, [], days=60), 20,
                                  path / "run")
    worker = run.process
    time.sleep(1.0)
    del run  # what Streamlit does with a closed browser's session state, a little later
    gc.collect()
    worker.join(10)
    assert not worker.is_alive() and path.exists()  # a run nobody can see stops
    del session
    gc.collect()
    assert not path.exists() and whatif.server_folder().exists()
    # a server that stops (here, a process that exits) leaves nothing behind in the temporary directory
    code = "from sim import whatif; session = whatif.SessionFolder(); (session.path / 'upload').mkdir(); print(session.path)"
    made = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "TMPDIR": str(tmp_path)},
                          capture_output=True, text=True, check=True).stdout.strip()
    assert Path(made).is_relative_to(tmp_path) and list(tmp_path.iterdir()) == []


def test_the_page_asks_runs_and_answers_through_streamlits_test_harness():
    testing = pytest.importorskip("streamlit.testing.v1")
    app = testing.AppTest.from_file(str(ROOT / "sim" / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    app.number_input(key="days").set_value(5)
    app.number_input(key="reps").set_value(2)
    app.number_input(key="community_hospital:radiologists.evening.count").set_value(-1)
    app.run()
    assert any("greater than or equal to 0" in e.value for e in app.error)  # shown, and nothing can be run
    assert app.button(key=None) if False else all(b.disabled for b in app.button if b.label.startswith("Run"))
    app.number_input(key="community_hospital:radiologists.evening.count").set_value(3)
    app.run()
    next(b for b in app.button if b.label.startswith("Run")).click().run()
    started = time.monotonic()
    while not app.dataframe and time.monotonic() - started < 240:
        time.sleep(1)
        app.run()
    assert not app.exception and app.dataframe
    table = app.dataframe[0].value
    assert {"measure", "baseline", "variant", "difference", "95% CI"} <= set(table.columns)
    assert any("minus baseline" in h.value for h in app.subheader)
    # another scenario starts from its own values: nothing changed in the first carries over
    app.selectbox(key="scenario_name").set_value("community_night_ct").run()
    assert any(m.value.startswith("Changes: none yet") for m in app.markdown)
    app.number_input(key="days").set_value(2).run()  # shorter than the warm-up: said, not a crash
    assert not app.exception and any("warmup_days" in e.value for e in app.error)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve():
    """`run_sim.py serve` on a free port, once it answers: (the process, port, the address it printed)."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "run_sim.py"), "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    address = server.stdout.readline().split(": ", 1)[1].split(" ")[0]
    started = time.monotonic()
    while time.monotonic() - started < 60:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    return server, port, address


@pytest.fixture(scope="module")
def served():
    pytest.importorskip("streamlit")
    server, port, address = _serve()
    yield port, address
    server.terminate()
    server.wait(10)


@pytest.mark.skipif(os.name != "posix", reason="the server is the command's own process on POSIX systems")
def test_stopping_the_serve_command_stops_the_server():
    pytest.importorskip("streamlit")
    server, port, _ = _serve()
    socket.create_connection(("127.0.0.1", port), timeout=2).close()  # it answers
    server.terminate()  # as a service manager or `kill` would
    server.wait(10)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_the_server_listens_on_this_computer_only(served):
    port, address = served
    assert address == f"http://127.0.0.1:{port}/"
    others = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)} - {"127.0.0.1"}
    for ip in others:
        with pytest.raises(OSError):
            socket.create_connection((ip, port), timeout=2).close()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium (CI installs it)")
def test_a_manager_changes_staffing_runs_and_sees_the_difference_and_a_teacher_plays_the_stroke(served, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    port, address = served
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(address)
        page.get_by_text("Run baseline and variant").wait_for(timeout=60_000)
        for label, value in (("Days to simulate", "5"), ("Replications", "2"), ("evening: people", "-1")):
            field = page.get_by_label(label, exact=True)
            field.fill(value)
            field.press("Enter")
        page.get_by_text("greater than or equal to 0").wait_for(timeout=30_000)  # next to the field
        page.screenshot(path=str(tmp_path / "invalid.png"))
        evening = page.get_by_label("evening: people", exact=True)
        evening.fill("3")
        evening.press("Enter")
        page.get_by_text("Changes: ").filter(has_text="radiologists.evening.count=3").wait_for(timeout=30_000)
        page.get_by_role("button", name="Run baseline and variant").click()
        page.get_by_text("minus baseline").wait_for(timeout=240_000)
        page.get_by_text("images to report p90").first.wait_for(state="attached", timeout=30_000)  # a canvas grid
        page.locator('[data-testid="stImage"] img').first.wait_for(timeout=30_000)  # the figures, beside it
        page.screenshot(path=str(tmp_path / "difference.png"))
        page.get_by_role("tab", name="Watch the department").click()
        animation = page.frame_locator("iframe").first
        animation.locator("#play").wait_for(timeout=60_000)
        assert "Following #" in animation.locator("#banner").inner_text() and \
            "stroke" in animation.locator("#banner").inner_text()
        first = animation.locator("#clock").inner_text()
        animation.locator("#speed").select_option("40")
        animation.locator("#play").click()
        page.wait_for_timeout(2000)
        assert animation.locator("#clock").inner_text() != first  # the frames change
        page.screenshot(path=str(tmp_path / "watch.png"))
        browser.close()


def test_a_demand_multiplier_scales_every_source_including_one_changed_by_hand():
    settings = whatif.settings(COMMUNITY)
    scenario = whatif.changed(COMMUNITY, [])
    values = {whatif.MULTIPLIER: 1.5, "demand.ED.exams_per_day": 100.0}
    changed = whatif.changed(COMMUNITY, whatif.overrides(settings, values, scenario))
    assert changed.demand["ED"].exams_per_day == pytest.approx(150)
    assert changed.demand["inpatient"].exams_per_day == pytest.approx(1.5 * scenario.demand["inpatient"].exams_per_day)
    assert whatif.overrides(settings, {}, scenario) == []  # nothing changed: nothing overridden


def test_the_watch_page_animates_a_window_of_any_ready_made_scenario_in_a_worker():
    # the academic centre warms up for three days: a window on day 1 runs only the days it needs all the same
    data = whatif.animation_frames(SCENARIOS / "academic_centre.yaml", 1440 + 8 * 60, 1440 + 9 * 60)
    assert data["highlight"] is not None and len(data["times"]) > 30
    with pytest.raises(ValueError, match="exam 99999"):
        whatif.animation_frames(SCENARIOS / "teaching.yaml", 1440 + 600, 1440 + 690, 99999)
    with pytest.raises(ValueError, match="window"):
        whatif.animation_frames(SCENARIOS / "teaching.yaml", 1440 + 690, 1440 + 600)
