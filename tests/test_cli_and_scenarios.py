"""The ready-made scenarios show what their headers promise; the default run writes everything."""
import json
import subprocess
import sys

import numpy as np

import sim
from conftest import ROOT, SCENARIOS
from sim.output import EXAM_COLUMNS


def test_teaching_stroke_jumps_the_scanner_queue_and_the_worklist():
    result = sim.run(sim.load_scenario(SCENARIOS / "teaching.yaml"))
    e, o = result.exams, result.exams.orders
    stroke = int(np.flatnonzero(o.priority == result.scenario.priority_names.index("stroke"))[0])
    t_order, t_images = e.ordered_at[stroke], e.scan_end[stroke]
    # outpatients ordered earlier but still waiting for the scanner when the stroke was ordered
    waiting_scan = np.flatnonzero((e.ordered_at < t_order) & (e.scan_start > t_order))
    assert len(waiting_scan) > 0
    assert np.all(e.scan_start[stroke] < e.scan_start[waiting_scan])
    # routine studies already on the worklist when the stroke's images arrived
    waiting_read = np.flatnonzero((e.scan_end < t_images) & (e.read_start > t_images))
    assert len(waiting_read) > 0
    assert np.all(e.read_start[stroke] < e.read_start[waiting_read])
    assert e.report_at[stroke] - t_images <= result.scenario.priorities["stroke"].target_minutes


def test_community_hospital_has_an_overnight_backlog_and_a_teleradiologist_for_urgent_work_only(community_result):
    r = community_result
    s = r.scenario
    tele = [i for i, m in enumerate(r.staff) if m.group == "teleradiology"]
    read_by_tele = np.isin(r.exams.radiologist, tele)
    urgent = [s.priority_names.index(p) for p in ("stroke", "trauma", "stat")]
    assert read_by_tele.any() and np.all(np.isin(r.exams.orders.priority[read_by_tele], urgent))
    summary = sim.summarise(r)
    assert max(b["studies"] for b in summary["worklist"]["morning_backlog"]) > 10
    assert 300 <= len(r.exams) / s.days <= 400


def test_academic_centre_is_about_a_thousand_exams_a_day(academic_result):
    r = academic_result
    assert 850 <= len(r.exams) / r.scenario.days <= 1150
    assert not [w for w in sim.summarise(r)["warnings"] if w.startswith("overload")]


def test_default_run_prints_the_summary_and_writes_tables_and_plots(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "--days", "4", "--out", str(out)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Turnaround by priority" in proc.stdout and "stroke" in proc.stdout and "Utilisation" in proc.stdout
    for name in ("exams.csv", "staff.csv", "queues.csv", "summary.json", "scenario.resolved.yaml",
                 "report_tat.png", "report_tat.svg", "queues.png", "queues.svg"):
        assert (out / name).stat().st_size > 0, name
    header = (out / "exams.csv").read_text().splitlines()[0].split(",")
    assert header == list(EXAM_COLUMNS)
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["turnaround"]) == {"priority", "modality", "source"}
    stroke = summary["turnaround"]["priority"]["stroke"]
    assert {"mean", "median", "p90", "p95", "max"} <= set(stroke["report_tat"])
    # the resolved scenario reruns to the same exams
    again = tmp_path / "again"
    proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), str(out / "scenario.resolved.yaml"),
                           "--out", str(again), "--no-plots", "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (again / "exams.csv").read_bytes() == (out / "exams.csv").read_bytes()


def test_without_out_each_run_gets_a_new_folder_under_results(tmp_path):
    for _ in range(2):
        proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), str(SCENARIOS / "teaching.yaml"),
                               "--no-plots", "--quiet"], capture_output=True, text=True, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    folders = sorted((tmp_path / "results").iterdir())
    assert len(folders) == 2 and all((f / "exams.csv").exists() for f in folders)
    assert not [p for p in (tmp_path / "results").iterdir() if p.name.startswith(".")]


def test_warm_up_exams_are_left_out_and_busy_time_straddling_it_is_split():
    # A single 60-minute scan from 23:30 on day 0 to 00:30 on day 1; warm-up ends at midnight.
    from conftest import build

    extra = {"days": 2, "warmup_days": 1, "exam_types": {"ct_head": {"acquisition": 60}}}
    result = sim.run(build(extra, orders=[(0, "23:30", "ct_head", "stat")]))
    summary = sim.summarise(result)
    assert summary["exams"]["in_statistics"] == 0
    assert summary["turnaround"]["priority"]["stat"]["count"] == 0
    # 30 of the 60 busy minutes fall in the day after warm-up, on duty for 1440 minutes
    assert summary["utilisation"]["technologists"]["ct"] == 30 / 1440


def test_python_api_returns_the_same_tables_as_the_files(tmp_path):
    from sim.output import write_result_folder

    result = sim.run(sim.load_scenario(SCENARIOS / "teaching.yaml"))
    table = sim.exam_table(result)
    assert list(table) == list(EXAM_COLUMNS)
    stroke = list(table["priority"]).index("stroke")
    assert table["report_tat"][stroke] == table["report_at"][stroke] - table["scan_end"][stroke]
    write_result_folder(result, tmp_path, figures=False)
    rows = (tmp_path / "exams.csv").read_text().splitlines()
    assert len(rows) == len(table["exam_id"]) + 1
    assert rows[1 + stroke].split(",")[2] == "stroke"
    staff = sim.staff_table(result)
    assert set(staff["kind"]) == {"duty", "scan", "read"}
