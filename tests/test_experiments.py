"""Experiments: common random numbers across variants, identical results on every executor,
resuming without rerunning, nothing lost on interruption, and the sweep plot's points."""
import json
import math
import subprocess
import sys

import numpy as np

import pytest

import sim
from conftest import ROOT, SCENARIOS
from sim.experiment import (
    SerialExecutor, Store, Task, Variant, estimate, execute, make_executor, paired_differences, replicate,
    staff_hours_per_week, sweep_points,
)

REPS = 3


def teaching(*overrides):
    return sim.load_scenario(SCENARIOS / "teaching.yaml", ["days=2", *overrides])


def variants():
    return [Variant("base", teaching()),
            Variant("extra_rad", teaching("radiologists.late.shifts=['08:00-21:00']"))]


def test_replication_k_of_every_variant_sees_the_same_patients(tmp_path):
    vs = variants()
    replicate(vs, REPS, seed=5, executor=SerialExecutor(), store=Store(tmp_path))
    for a, b in zip(vs[0].runs, vs[1].runs):
        assert a["replication"] == b["replication"] and a["arrivals"] == b["arrivals"]
    assert len({r["arrivals"] for r in vs[0].runs}) == REPS  # replications differ from each other
    # and the staffing change shows in the results
    assert vs[0].runs[0]["figures"] != vs[1].runs[0]["figures"]


def test_paired_differences_are_per_replication():
    base = [{"replication": k, "figures": {"x": v}} for k, v in enumerate([10.0, 20.0, 30.0])]
    other = [{"replication": k, "figures": {"x": v}} for k, v in enumerate([11.0, 22.0, 33.0])]
    d = paired_differences(base, other)["x"]
    assert d.mean == pytest.approx(2.0) and d.n == 3
    assert d.low < 2.0 < d.high


def test_estimate_uses_the_t_distribution_like_scipy():
    from scipy import stats

    data = [12.0, 15.5, 11.2, 14.8, 13.1]
    e = estimate(data)
    low, high = stats.t.interval(0.95, 4, loc=sum(data) / 5, scale=stats.sem(data))
    assert (e.low, e.high) == pytest.approx((low, high))
    assert e.relative_half_width == pytest.approx((high - low) / 2 / e.mean)
    assert math.isnan(estimate([3.0]).low)


def _figures(vs):
    return [(v.label, r["replication"], r["arrivals"], r["figures"], r["report_tat"]) for v in vs for r in v.runs]


def test_serial_process_pool_and_dask_give_identical_results(tmp_path):
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    outcomes = []
    serial = variants()
    replicate(serial, REPS, 5, SerialExecutor(), Store(tmp_path / "serial"))
    outcomes.append(_figures(serial))
    with make_executor(workers=2) as pool:
        pooled = variants()
        replicate(pooled, REPS, 5, pool, Store(tmp_path / "pool"), window=4)
    outcomes.append(_figures(pooled))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with make_executor(scheduler=cluster.scheduler_address) as dask:
            on_dask = variants()
            replicate(on_dask, REPS, 5, dask, Store(tmp_path / "dask"), window=8)
    outcomes.append(_figures(on_dask))
    assert outcomes[0] == outcomes[1] == outcomes[2]


class CountingExecutor(SerialExecutor):
    def __init__(self, fail_on: int | None = None):
        self.calls, self.fail_on = 0, fail_on

    def submit(self, fn, /, *args, **kwargs):
        self.calls += 1
        if self.fail_on is not None and self.calls == self.fail_on:
            raise KeyboardInterrupt
        return super().submit(fn, *args, **kwargs)


def test_a_resumed_experiment_runs_only_what_is_missing_and_ends_with_the_same_table(tmp_path):
    store = Store(tmp_path)
    first = variants()
    replicate(first, REPS, 5, CountingExecutor(), store)
    again, executor = variants(), CountingExecutor()
    replicate(again, REPS, 5, executor, store)
    assert executor.calls == 0
    assert {k: e.as_dict() for k, e in first[0].estimates.items()} == {k: e.as_dict() for k, e in again[0].estimates.items()}
    extended, executor = variants(), CountingExecutor()
    replicate(extended, REPS + 2, 5, executor, store)
    assert executor.calls == 2 * len(extended)  # only the two new replications of each variant


def test_a_changed_scenario_is_not_mistaken_for_a_finished_one(tmp_path):
    store = Store(tmp_path)
    replicate([Variant("v", teaching())], 2, 5, CountingExecutor(), store)
    executor = CountingExecutor()
    replicate([Variant("v", teaching("technologists.ct.count=1"))], 2, 5, executor, store)
    assert executor.calls == 2


def test_an_interrupted_experiment_keeps_every_finished_result(tmp_path):
    store = Store(tmp_path)
    tasks = [Task("v", teaching(), 5, k) for k in range(4)]
    with pytest.raises(KeyboardInterrupt):
        execute(tasks, CountingExecutor(fail_on=3), store, window=1)
    saved = sorted(store.runs.glob("*.json"))
    assert len(saved) == 2 and not list(store.runs.glob("*.part"))
    for path in saved:
        assert json.loads(path.read_text())["figures"]
    executor = CountingExecutor()
    execute(tasks, executor, store, window=1)
    assert executor.calls == 2


def test_sweep_plot_has_one_point_per_setting_per_priority(tmp_path):
    from sim.experiments_cli import _sweep_rows
    from sim.plots import sweep_figure

    vary = [("radiologists.late.count", ["0", "1", "2"])]
    vs = [Variant(f"late={v}", teaching(f"radiologists.late.count={v}")) for _, values in vary for v in values]
    replicate(vs, 2, 5, SerialExecutor(), Store(tmp_path))
    rows, points = _sweep_rows(vary, sweep_points(vary), vs, [])
    fig = sweep_figure(points, vs[0].scenario, "test")
    ax = fig.axes[0]
    series = {c.get_label(): c.lines[0] for c in ax.containers if c.get_label().endswith(" p90")}
    present = {name for name in vs[0].scenario.priority_names
               if any(f"priority.{name}.report_tat.p90" in v.estimates for v in vs)}
    assert set(series) == {f"{name} p90" for name in present}
    for line in series.values():
        assert list(line.get_xdata()) == [0.0, 1.0, 2.0]
    cost = fig.axes[1].get_lines()[0].get_ydata()
    assert list(cost) == [staff_hours_per_week(v.scenario) for v in vs]
    assert cost[0] < cost[1] < cost[2]


def test_staff_hours_per_week_counts_scheduled_shifts():
    scenario = teaching()
    # teaching: 2 technologists 07-19 every day, Dr Rao 08-17, Dr Lee 13-21: (24 + 9 + 8) h a day
    assert staff_hours_per_week(scenario) == pytest.approx((2 * 12 + 9 + 8) * 7)


def test_compare_command_writes_the_experiment_folder(tmp_path):
    out = tmp_path / "cmp"
    cmd = [sys.executable, str(ROOT / "run_sim.py"), "compare", str(SCENARIOS / "teaching.yaml"),
           str(SCENARIOS / "teaching.yaml"), "--set", "days=2", "--reps", "2", "--workers", "1", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "paired by replication" in proc.stdout
    for name in ("summary.csv", "summary.json", "replications.csv", "differences.csv", "differences.png",
                 "report.html", "scenarios/teaching.yaml", "scenarios/teaching-2.yaml", "compare_stroke.png",
                 "compare_stroke.svg"):
        assert (out / name).exists(), name
    # identical variants: every paired difference is exactly zero
    differences = json.loads((out / "summary.json").read_text())["differences"]["teaching-2"]
    assert all(d["mean"] == 0 for d in differences.values())
    summary_before = (out / "summary.csv").read_bytes()
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert again.returncode == 0 and (out / "summary.csv").read_bytes() == summary_before


def test_precision_adds_replications_until_the_target_or_the_cap(tmp_path):
    out = tmp_path / "prec"
    proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), str(SCENARIOS / "teaching.yaml"),
                           "--set", "days=2", "--reps", "2", "--precision", "0.0001", "--max-reps", "4",
                           "--workers", "1", "--no-plots", "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["precision"]["replications"] == 4
    assert "cap of 4 reached" in proc.stdout
    loose = tmp_path / "loose"
    proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), str(SCENARIOS / "teaching.yaml"),
                           "--set", "days=2", "--reps", "8", "--precision", "0.999", "--workers", "1", "--no-plots",
                           "--out", str(loose)], capture_output=True, text=True)
    assert json.loads((loose / "summary.json").read_text())["precision"]["replications"] == 8


def _variant_file(tmp_path, name, text):
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"extends: {SCENARIOS / 'community_hospital.yaml'}\n{text}")
    return str(path)


def test_a_night_ct_technologist_shows_its_gain_on_the_scan_side(tmp_path, capsys):
    """The manager's question: the paired difference in order-to-scan time is negative and its CI excludes 0."""
    from sim.cli import main

    night = _variant_file(tmp_path, "two_night_ct", "technologists:\n  ct_night: {count: 2}\n")
    out = tmp_path / "cmp"
    code = main(["compare", str(SCENARIOS / "community_hospital.yaml"), night, "--set", "days=7", "--reps", "4",
                 "--workers", "1", "--out", str(out), "--set", "demand.ED.exams_per_day=260"])
    assert code == 0, capsys.readouterr().err
    differences = json.loads((out / "summary.json").read_text())["differences"]["two_night_ct"]
    stat = differences["priority.stat.wait_to_scan.mean"]
    assert stat["ci_high"] < 0, stat  # the scan side: waits fall, and the interval excludes no change
    text = capsys.readouterr().out
    assert "stat order to scan mean" in text and "night technologists busy" in text
    assert "morning backlog" in text and "staff cost per week" in text
    assert (out / "differences.png").exists() and "Δ two_night_ct" in (out / "report.html").read_text()


def test_measure_chooses_what_an_experiment_reports(tmp_path, capsys):
    from sim.cli import main

    out = tmp_path / "reps"
    code = main([str(SCENARIOS / "teaching.yaml"), "--set", "days=2", "--reps", "2", "--workers", "1", "--no-plots",
                 "--out", str(out), "--measure", "utilisation.radiologists.*"])
    text = capsys.readouterr().out
    measures = text.split("Measures (mean")[1]
    assert code == 0 and "day radiologists busy" in measures and "order to scan" not in measures
    code = main([str(SCENARIOS / "teaching.yaml"), "--set", "days=2", "--reps", "2", "--workers", "1", "--no-plots",
                 "--out", str(out), "--measure", "nothing.like.this"])
    err = capsys.readouterr().err
    assert code == 2 and "--measure: nothing matches" in err


def test_a_sweep_names_the_cheapest_setting_that_meets_each_target(tmp_path, capsys):
    from sim.cli import main

    out = tmp_path / "sweep"
    code = main(["sweep", str(SCENARIOS / "teaching.yaml"), "--vary", "radiologists.late.count=0,1",
                 "--reps", "3", "--workers", "1", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "Cheapest setting that meets each target" in text and "stat images to report within target" in text
    assert (out / "sweep_measures.png").exists() and (out / "report.html").exists()
    differences = (out / "differences.csv").read_text().splitlines()
    assert differences[1].startswith("radiologists.late.count=1,radiologists.late.count=0,")  # paired, from the first


def test_queue_by_hour_is_the_time_average_in_each_hour_of_day():
    from types import SimpleNamespace

    from sim.metrics import queue_by_hour

    # 4 waiting from 00:00 to 00:30, then 2 until 02:00, then none; two days, the same each day
    times = np.array([0.0, 30.0, 120.0, 1440.0, 1470.0, 1560.0])
    trace = {"time": times, "worklist": np.array([4, 2, 0, 4, 2, 0])}
    fake = SimpleNamespace(queues=SimpleNamespace(columns=lambda: trace), warmup=0.0, horizon=2880.0)
    by_hour = queue_by_hour(fake, "worklist")
    assert by_hour[0] == pytest.approx(3.0) and by_hour[1] == pytest.approx(2.0) and by_hour[2] == 0


def test_replicated_runs_show_the_standard_curves_as_a_mean_with_a_band(tmp_path):
    from sim.plots import replication_profiles_figure

    variant = Variant("teaching", teaching())
    replicate([variant], 3, 1, SerialExecutor(), Store(tmp_path))
    assert all(len(r["profiles"]["worklist"]) == 24 for r in variant.runs)
    fig = replication_profiles_figure(variant, "test")
    queues = fig.axes[0]
    assert [line.get_label() for line in queues.get_lines()] == ["worklist (mean)", "orders awaiting a scan (mean)"]
    assert len(queues.collections) == 2, "each curve has its confidence band"
    assert "3 replications" in fig._suptitle.get_text()


def test_experiment_warnings_say_once_what_each_variant_missed_and_in_how_many_replications():
    from sim.experiments_cli import _warnings

    overload = "overload: CT technologists are offered 1.90 of their capacity (2,742 min/day of work for 1,440 min/day)"
    runs = [{"warnings": [overload, "target missed: stat images to report within 60 min for 80% of exams (8 of 10)"]},
            {"warnings": [overload, "backlog: 3 of 40 exams had no report"]}]
    variant = Variant("base", teaching(), runs)
    assert _warnings([variant]) == [
        f"base: {overload}", "base: target missed: stat images to report within 60 min (in 1 of 2 replications)"]


def test_waiting_list_and_published_figures_are_measures_with_their_units():
    from sim.experiment import flatten
    from sim.measures import is_possible, label, unit

    scenario = sim.load_scenario(SCENARIOS / "community_mr_waiting_list.yaml", ["days=28", "warmup_days=3"])
    figures = flatten(sim.summarise(sim.run(scenario)))
    wait = "waiting_list.mr_outpatients.routine.wait_days.p90"
    assert wait in figures and unit(wait) == "days" and label(wait) == "mr_outpatients routine p90 wait"
    assert unit("waiting_list.mr_outpatients.two_week_wait.within_target") == "share"
    assert unit("published.inpatient_ct_order_to_scan") == "hours" and unit("published.no_shows") == "share"
    assert all(is_possible(k, scenario) for k in figures if k.startswith(("waiting_list.", "published.")))
