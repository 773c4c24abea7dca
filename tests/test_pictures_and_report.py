"""Figures are drawn from records with labelled axes, one series per priority in its own colour;
report.html loads every image in a real browser; the narrative tells the stroke's story in order."""
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import sim
from conftest import ROOT, SCENARIOS
from sim import plots
from sim.narrative import format_narrative, narrate


@pytest.fixture(scope="module")
def teaching():
    return sim.run(sim.load_scenario(SCENARIOS / "teaching.yaml"))


def _priorities_with_reports(result):
    e = result.exams
    done = ~np.isnan(e.report_at)
    return [name for rank, name in enumerate(result.scenario.priority_names) if np.any(done & (e.orders.priority == rank))]


def test_report_tat_figure_has_one_series_per_priority_in_its_colour(community_result):
    fig = plots.report_tat_ecdf(community_result)
    ax = fig.axes[0]
    series = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    names = [line.get_label().split(":")[0] for line in series]
    assert names == _priorities_with_reports(community_result)
    for line, name in zip(series, names):
        rank = community_result.scenario.priority_names.index(name)
        assert line.get_color() == plots.priority_colour(rank)
    assert "minutes" in ax.get_xlabel() and ax.get_ylabel()
    assert community_result.scenario.name in ax.get_title()


def test_queue_figure_shows_both_queues_and_who_is_on_duty(community_result):
    fig = plots.queues_over_time(community_result)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert any("worklist" in label for label in labels) and any("scan" in label for label in labels)
    assert "radiologists on duty" in fig.axes[1].get_ylabel()
    assert fig.axes[1].collections, "the staffing shade is missing"
    assert "day" in ax.get_xlabel() and community_result.scenario.name in ax.get_title()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "Mon\nday 0" and ticks[1].startswith("Tue"), "time axes carry weekdays"
    legend = ax.get_legend()
    box = legend.get_window_extent(fig.canvas.get_renderer())
    assert box.y1 <= ax.get_window_extent(fig.canvas.get_renderer()).y0, "the legend sits below the data"


def test_a_long_runs_staffing_shade_reaches_the_most_on_duty_in_every_slice(community_result, monkeypatch):
    """Drawn from the slice envelope (few vertices), the shade still reaches every slice's highest staffing."""
    from sim.metrics import on_duty_over_time

    monkeypatch.setattr(plots, "ENVELOPE_ABOVE", 10)  # as if the run were long
    times, on_duty = on_duty_over_time(community_result, "radiologist")
    shade = plots.queues_over_time(community_result).axes[1].collections[0].get_paths()[0].vertices
    edges = np.linspace(0.0, community_result.horizon, plots.ENVELOPE_SLICES + 1) / 1440
    slice_of = lambda days: np.clip(np.searchsorted(edges, days, side="right") - 1, 0, plots.ENVELOPE_SLICES - 1)  # noqa: E731
    top, busiest = np.zeros(plots.ENVELOPE_SLICES), np.zeros(plots.ENVELOPE_SLICES)
    np.maximum.at(top, slice_of(shade[:, 0]), shade[:, 1])
    np.maximum.at(busiest, slice_of(times / 1440), on_duty)
    assert np.isin(np.round(shade[:, 0] * 1440, 6), np.round(edges * 1440, 6)).all(), "drawn at slice edges only"
    assert np.all(top >= busiest), "a slice whose busiest moment the shade does not reach"
    assert top.max() == on_duty.max()


def test_a_large_departments_timeline_has_narrower_lanes(academic_result, teaching):
    """Beyond TALL_TIMELINE lanes each lane is 0.22 inch, not 0.3: the day stays one readable page."""
    def lanes_and_inches(result):
        fig = plots.timeline(result)
        lanes = len(fig.axes[0].get_yticklabels())
        return lanes, (fig.get_figheight() - 2.2) / lanes

    few, wide = lanes_and_inches(teaching)
    many, narrow = lanes_and_inches(academic_result)
    assert few <= plots.TALL_TIMELINE < many
    assert wide == pytest.approx(0.3) and narrow == pytest.approx(0.22)

def test_the_timelines_title_and_lane_names_cover_nothing_and_stay_on_the_page(academic_result):
    """The title sits above the first lane, and every lane's name left of the lanes, all within the figure."""
    fig = plots.timeline(academic_result)
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    page, lanes, title = fig.bbox, ax.get_window_extent(renderer), ax.title.get_window_extent(renderer)
    assert lanes.y1 <= title.y0 and title.y1 <= page.y1, "the title overlaps the lanes or leaves the page"
    names = [label.get_window_extent(renderer) for label in ax.get_yticklabels()]
    assert all(page.x0 <= name.x0 and name.x1 <= lanes.x0 for name in names), "a lane's name overlaps or is cut"



def test_hourly_flow_has_24_hours_of_orders_and_reports(community_result):
    ax = plots.arrivals_and_reports(community_result).axes[0]
    assert [c.get_label() for c in ax.containers] == ["orders placed", "reports signed"]
    assert all(len(c.patches) == 24 for c in ax.containers)
    orders = sum(p.get_height() for p in ax.containers[0].patches)
    assert 300 <= orders <= 400  # ~350 orders a day in the community hospital


def test_utilisation_heatmap_has_a_row_per_group_and_24_columns(community_result):
    fig = plots.utilisation_heatmap(community_result)
    ax = fig.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    s = community_result.scenario
    portable = [m for m, spec in s.modalities.items() if spec.portable_units]
    assert len(rows) == len(s.technologists) + len(s.radiologists) + len(s.modalities) + len(portable)
    assert "scanners: XR portable" in rows
    cells = ax.collections[0].get_array()  # one quad per group and hour of day
    assert cells.shape in ((len(rows), 24), (len(rows) * 24,))
    assert "hour of day" in ax.get_xlabel()


def test_timeline_has_a_lane_per_person_and_scanner_and_follows_the_stroke(teaching):
    fig = plots.timeline(teaching)
    ax = fig.axes[0]
    lanes = [t.get_text() for t in ax.get_yticklabels()]
    assert lanes == ["Tess", "Tom", "CT-1", "Dr Rao", "Dr Lee"]
    assert "#54" in ax.get_title()  # the stroke, the best priority in the window
    assert ax.texts or any(child.__class__.__name__ == "Annotation" for child in ax.get_children())
    hatched = [bars for bars in ax.patches if bars.get_hatch()]  # the bars of each style are one patch
    assert hatched, "the interrupted read should be hatched"


def test_every_figure_is_written_as_png_and_svg(teaching, tmp_path):
    paths = plots.write_plots(teaching, tmp_path)
    names = {p.stem for p in paths}
    assert names == set(plots.FIGURES)
    # whatever order they are drawn in, they are listed (and shown in the report) in FIGURES order, PNG first
    assert [(p.stem, p.suffix) for p in paths] == [(name, suffix) for name in plots.FIGURES for suffix in (".png", ".svg")]
    for name in names:
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
        assert (tmp_path / f"{name}.svg").read_text().lstrip().startswith("<?xml")


def test_narrative_tells_the_strokes_order_scan_jump_and_report_in_order(teaching):
    window = teaching.scenario.report.narrative
    text = format_narrative(narrate(teaching, window.start, window.end))
    lines = text.splitlines()

    def first(pattern):
        found = [i for i, line in enumerate(lines) if re.search(pattern, line)]
        assert found, pattern
        return found[0]

    order = first(r"Order #54 \(stroke")
    scan = first(r"starts scanning #54 .*ahead of \d+ earlier order")
    jump = first(r"starts reading #54 .*ahead of \d+ lower-priority")
    signed = first(r"signs the report of #54 .*target 20 min: met")
    assert order < scan < jump < signed
    assert first(r"stops reading #49: interrupted by #54") < first(r"resumes reading #49")
    assert re.search(r"waited \d+ min on the worklist behind \d+ stud", text)


def test_narrate_command_prints_the_window(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "narrate", str(SCENARIOS / "teaching.yaml"),
                           "--from", "day 1 10:25", "--to", "day 1 10:40"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    times = re.findall(r"day 1 (\d\d:\d\d)", proc.stdout)
    assert times and times == sorted(times) and "10:25" <= times[0] and times[-1] < "10:40"


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    if os.environ.get("CI"):
        pytest.fail("CI must install Debian's chromium (see .ci/run)")
    pytest.skip("headless Chromium is not installed (apt-get install chromium)")


def test_report_opens_in_a_browser_with_every_image_loaded_and_the_summary_table(tmp_path):
    browser = _chromium()
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), str(SCENARIOS / "teaching.yaml"),
                           "--out", str(out), "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
         "--disable-background-networking", "--disable-component-update", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=10000", "--dump-dom", (out / "report.html").as_uri()],
        capture_output=True, text=True, timeout=120).stdout
    images = re.findall(r"<img[^>]*>", dom)
    assert len(images) == len(plots.FIGURES)
    assert all('data-loaded="1"' in img for img in images), images
    assert not any("data-failed" in img for img in images)
    assert 'id="summary-table"' in dom and ">stroke<" in dom
    assert 'id="narrative"' in dom and "#54" in dom  # the teaching scenario's report tells its story
    assert "What happened, day 1 10:00 to day 1 11:30" in dom
    assert "Compared with published figures" in dom and "Dhanik et al., West J Emerg Med 2024" in dom
    assert 'id="department"' in dom and "Door to scan, stroke" in dom  # the technologist side, as in the terminal


def test_the_queue_envelope_holds_every_point_of_the_trace():
    rng = np.random.default_rng(1)
    times = np.sort(rng.uniform(0, 10_000, 50_000))
    values = rng.integers(0, 40, len(times))
    edges, low, high = plots._envelope(times, values, 10_000.0)
    slice_of = np.clip(np.searchsorted(edges, times, side="right") - 1, 0, len(edges) - 2)
    assert np.all(low[slice_of] <= values) and np.all(values <= high[slice_of])
    assert high.max() == values.max() and low.min() == values.min()


def test_the_queue_envelope_is_exactly_the_range_of_each_time_slice():
    """Each slice's band runs from the least to the greatest queue length shown during it: the value carried in
    at its start and every change inside it (empty slices are a flat line; a change at the horizon counts)."""
    rng = np.random.default_rng(2)
    horizon = 3 * 1440.0
    times = np.sort(np.concatenate([rng.uniform(0, horizon, 3_000), [0.0, horizon]]))
    values = rng.integers(0, 30, len(times))
    edges, low, high = plots._envelope(times, values, horizon)
    for i in rng.choice(len(edges) - 1, 400, replace=False).tolist() + [0, len(edges) - 2]:
        carried = values[max(np.searchsorted(times, edges[i], side="right") - 1, 0)]
        upper = np.inf if i == len(edges) - 2 else edges[i + 1]
        inside = values[(times >= edges[i]) & (times < upper)]
        shown = np.append(inside, carried)
        assert (low[i], high[i]) == (shown.min(), shown.max()), i


def test_a_long_report_curve_is_drawn_within_a_hair_of_every_step():
    """A year's report-turnaround curve is drawn through a few thousand of its steps: it starts at zero, ends at
    the full reported share, and never strays more than 1/ECDF_POINTS below the full curve."""
    rng = np.random.default_rng(3)
    values = np.sort(rng.lognormal(3, 1, 150_000))
    total = 160_000  # 10,000 not reported yet
    x, y = plots._ecdf_points(values, total, floor=0.1)
    assert len(x) <= plots.ECDF_POINTS + 1 and (x[0], y[0]) == (0.1, 0.0)
    assert x[-1] == values[-1] and y[-1] == len(values) / total
    probe = rng.uniform(values[0], values[-1], 5_000)
    full = np.searchsorted(values, probe, side="right") / total
    drawn = y[np.searchsorted(x, probe, side="right") - 1]
    assert np.all(drawn <= full) and np.all(full - drawn <= 1 / plots.ECDF_POINTS)


def test_every_kind_of_task_and_a_scanner_down_have_a_style_and_colour_of_their_own():
    styles = [*plots.TASK_STYLE.values(), plots.DOWN_STYLE]
    assert len(set(styles)) == len(styles)
    colours = [plots.STYLE_COLOURS[s] for s in styles]
    assert len(set(colours)) == len(colours)
    assert not set(styles) & set(range(len(plots.PRIORITY_COLOURS)))  # priorities are styles 0, 1, 2...


def test_the_timeline_draws_non_interpretive_work_in_its_colour_and_names_it_in_the_legend():
    from matplotlib.colors import to_hex

    from conftest import build
    from sim.records import NON_INTERPRETIVE, TASK_COLOURS

    quiet = {"ED": {"exams_per_day": 0, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 1}}}
    result = sim.run(build({"demand": quiet, "radiologists": {"rad": {"non_interpretive": [
        {"name": "tumour board", "start": "12:00", "minutes": 60}]}}}))
    fig = plots.timeline(result, start=0.0, end=1440.0)
    faces = {to_hex(bars.get_facecolor()) for bars in fig.axes[0].patches}
    assert TASK_COLOURS[NON_INTERPRETIVE] in faces
    assert "meeting, teaching, QA" in [t.get_text() for t in fig.legends[0].get_texts()]


def test_a_waiting_list_gets_a_figure_of_its_size_by_category_and_other_runs_do_not(tmp_path):
    scenario = sim.load_scenario(SCENARIOS / "community_mr_waiting_list.yaml", ["days=21", "warmup_days=3"])
    result = sim.run(scenario)
    fig = plots.waiting_lists(result)
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    for text, (category, days) in zip(legend, (("two week wait", 14), ("urgent", 28), ("routine", 42))):
        assert text.startswith(f"{category} (") and text.endswith(f"within {days} days)")
    assert legend[3:] == ["warm-up"] and ax.get_ylabel() == "referrals on the list"
    assert len(ax.collections) >= 3  # one band per category
    written = {p.name for p in plots.write_plots(result, tmp_path)}
    assert "waiting_list.png" in written
    teaching = sim.run(sim.load_scenario(SCENARIOS / "teaching.yaml"))
    (tmp_path / "t").mkdir()
    assert not any(p.name.startswith("waiting_list") for p in plots.write_plots(teaching, tmp_path / "t"))
