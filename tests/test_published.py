"""Every run is compared with figures published for real departments: each range has its source, and a run's
figure is placed inside, below or above it, or said to be unknown where unfinished exams leave it open."""
from __future__ import annotations

import pytest

from sim import run
from sim.console import format_summary
from sim.metrics import summarise
from sim.published import FIGURES, Measured, verdict

from conftest import build

ED_CT = {"days": 20, "warmup_days": 1, "modalities": {"CT": {"scanners": 2}},
         "technologists": {"ct": {"count": 2}}, "radiologists": {"rad": {"count": 2}},
         "demand": {"ED": {"exams_per_day": 30, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 1}}}}


def _row(summary, key):
    return next(r for r in summary["published"] if r["key"] == key)


def test_every_published_figure_names_its_source_and_how_its_range_was_read():
    assert len({f.key for f in FIGURES}) == len(FIGURES)
    for figure in FIGURES:
        assert figure.source and figure.basis and figure.published
        assert figure.low is not None or figure.high is not None
        if figure.low is not None and figure.high is not None:
            assert figure.low < figure.high


def test_a_patient_who_must_get_ready_brings_ed_ct_order_to_images_into_the_published_range():
    before = _row(summarise(run(build(ED_CT))), "ed_ct_order_to_images")
    ready = {**ED_CT, "demand": {"ED": {**ED_CT["demand"]["ED"], "readiness": {"stat": 90}}}}
    after = _row(summarise(run(build(ready))), "ed_ct_order_to_images")
    assert before["verdict"] == "below" and before["value"] < 57  # scanned within minutes of the order
    assert after["verdict"] == "inside" and 90 < after["value"] < 120
    assert after["source"].startswith("Dhanik")


def test_a_figure_the_scenario_cannot_produce_says_why():
    summary = summarise(run(build(ED_CT)))
    mr = _row(summary, "inpatient_mr_order_to_scan")
    assert mr["value"] is None and mr["verdict"] == "not measured" and "inpatient" in mr["why_not_measured"]
    assert _row(summary, "no_shows")["why_not_measured"] == "no booked appointments in this scenario"


def test_no_interruptions_is_below_the_published_rate_and_the_terminal_says_so():
    summary = summarise(run(build(ED_CT)))
    row = _row(summary, "interruptions")
    assert row["value"] == 0 and row["verdict"] == "below"
    text = format_summary(summary)
    assert "Compared with published figures" in text
    assert "below  Interruptions per radiologist-hour on duty: 0.0 per hour (published 4.4–6 per hour)" in text


FIGURE = next(f for f in FIGURES if f.key == "ed_ct_order_to_images")  # 57-182 min


@pytest.mark.parametrize("measured, expected", [
    (Measured(100), "inside"),
    (Measured(40), "below"),
    (Measured(200), "above"),
    (Measured(None, why="no ED source"), "not measured"),
    (Measured(100, lower_bound=True, upper=150), "inside"),  # every way the unfinished exams can go, it is inside
    (Measured(40, lower_bound=True, upper=50), "below"),
    (Measured(200, lower_bound=True, upper=None), "above"),  # already above with the unfinished counted short
    (Measured(40, lower_bound=True, upper=100), "not known: exams still waiting at the end could put it either side"),
    (Measured(100, lower_bound=True, upper=250), "not known: exams still waiting at the end could put it either side"),
])
def test_a_figure_with_exams_still_waiting_is_placed_only_where_every_outcome_agrees(measured, expected):
    assert verdict(FIGURE, measured) == expected


def test_the_validation_guide_lists_every_published_figure_with_its_source():
    from conftest import ROOT

    text = (ROOT / "docs" / "validation.md").read_text()
    for figure in FIGURES:
        assert f"| `{figure.key}` | {figure.label} |" in text and figure.source in text


def test_validate_warns_of_settings_far_outside_published_figures_and_not_of_ordinary_ones(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT, SCENARIOS
    from sim.published import setting_warnings

    ordinary = build({**ED_CT, "exam_types": {"ct_head": {"read": 15}}})
    assert not [w for w in setting_warnings(ordinary) if "ct_head" in w]
    slow = build({**ED_CT, "exam_types": {"ct_head": {"read": 120}}})
    [warning] = [w for w in setting_warnings(slow) if "ct_head" in w]
    assert warning.startswith("setting: exam_types.ct_head.read (CT read time, mean 120.0 min) is far outside")
    assert "Sexauer" in warning
    for name in ("community_hospital", "academic_centre"):  # the ready-made departments are within
        proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "validate", str(SCENARIOS / f"{name}.yaml")],
                              capture_output=True, text=True)
        assert proc.returncode == 0 and "setting:" not in proc.stdout
    proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "validate", str(SCENARIOS / "community_hospital.yaml"),
                           "--set", "appointments.mr_outpatients.no_show=0.4"], capture_output=True, text=True)
    assert "setting: appointments.mr_outpatients.no_show (no-shows, mean 40.0 %) is far outside" in proc.stdout
