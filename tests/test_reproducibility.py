"""Same scenario and seed: byte-identical results. Staffing and durations never change who arrives."""
import subprocess
import sys

import numpy as np

import sim
from conftest import ROOT, SCENARIOS

ARRIVAL_COLUMNS = ("ordered_at", "source", "exam_type", "priority")


def _arrivals(result):
    o = result.exams.orders
    return [getattr(o, c) for c in ARRIVAL_COLUMNS]


def test_same_scenario_and_seed_give_byte_identical_tables_figures_and_report(tmp_path):
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / run
        proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), str(SCENARIOS / "community_hospital.yaml"),
                               "--days", "4", "--out", str(out), "--quiet"], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        outputs.append(out)
    written = sorted(path.name for path in outputs[0].iterdir())
    assert {"exams.csv", "staff.csv", "queues.csv", "summary.json", "scenario.resolved.yaml", "timeline.svg",
            "timeline.png", "report.html"} <= set(written)
    assert written == sorted(path.name for path in outputs[1].iterdir())
    for name in written:
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name


def test_changing_staffing_leaves_the_arrivals_unchanged():
    base = sim.load_scenario(SCENARIOS / "community_hospital.yaml", ["days=7"])
    variant = sim.load_scenario(SCENARIOS / "community_hospital.yaml",
                                ["days=7", "technologists.ct_night.count=2", "radiologists.weekday.count=3",
                                 "radiologists.teleradiology=null",
                                 "radiologists.evening.shifts=['16:00-08:00']"])
    a, b = sim.run(base), sim.run(variant)
    for x, y in zip(_arrivals(a), _arrivals(b)):
        assert np.array_equal(x, y)
    # each exam keeps its own durations too, so only the department differs
    assert np.array_equal(a.exams.orders.read, b.exams.orders.read)
    assert not np.array_equal(a.exams.report_at, b.exams.report_at, equal_nan=True)


def test_changing_durations_leaves_the_arrivals_unchanged():
    base = sim.load_scenario(SCENARIOS / "community_hospital.yaml", ["days=7"])
    slower = sim.load_scenario(SCENARIOS / "community_hospital.yaml",
                               ["days=7", "exam_types.ct_head.read={dist: lognormal, mean: 20, cv: 0.5}"])
    a, b = sim.run(base), sim.run(slower)
    for x, y in zip(_arrivals(a), _arrivals(b)):
        assert np.array_equal(x, y)
    other = np.array(list(base.exam_types)).tolist().index("ct_chest")
    chest = a.exams.orders.exam_type == other
    assert np.array_equal(a.exams.orders.read[chest], b.exams.orders.read[chest])


def test_one_sources_demand_does_not_change_anothers_arrivals():
    base = sim.load_scenario(SCENARIOS / "community_hospital.yaml", ["days=7"])
    busier_ed = sim.load_scenario(SCENARIOS / "community_hospital.yaml", ["days=7", "demand.ED.exams_per_day=200"])
    a, b = sim.run(base), sim.run(busier_ed)
    for code in (1, 2):  # inpatient and outpatient
        in_a = a.exams.orders.source == code
        in_b = b.exams.orders.source == code
        assert np.array_equal(a.exams.orders.ordered_at[in_a], b.exams.orders.ordered_at[in_b])


def test_different_seeds_and_replications_give_different_patients():
    scenario = sim.load_scenario(SCENARIOS / "teaching.yaml")
    first = sim.run(scenario, seed=1).exams.orders.ordered_at
    assert not np.array_equal(first, sim.run(scenario, seed=2).exams.orders.ordered_at)
    assert not np.array_equal(first, sim.run(scenario, seed=1, replication=1).exams.orders.ordered_at)
    assert np.array_equal(first, sim.run(scenario, seed=1).exams.orders.ordered_at)
