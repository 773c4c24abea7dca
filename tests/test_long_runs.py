"""Result folders never mix experiments, and long runs stop and resume safely."""
import json
import os
import signal
import subprocess
import sys
import time

from conftest import ROOT, SCENARIOS

TEACHING = str(SCENARIOS / "teaching.yaml")


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, str(ROOT / "run_sim.py"), *args], capture_output=True, text=True, cwd=cwd)


def test_replications_into_a_single_run_folder_are_refused_and_leave_it_alone(tmp_path):
    out = tmp_path / "single"
    assert run_cli(TEACHING, "--no-plots", "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    proc = run_cli(TEACHING, "--reps", "2", "--workers", "1", "--no-plots", "--out", str(out))
    assert proc.returncode == 2 and "holds other files" in proc.stderr and proc.stderr.count("\n") == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_an_experiment_folder_holds_one_experiment_and_resumes_only_into_it(tmp_path):
    out = tmp_path / "exp"
    common = ["--reps", "2", "--workers", "1", "--no-plots", "--out", str(out)]
    assert run_cli(TEACHING, *common).returncode == 0
    other = run_cli(TEACHING, "--set", "radiologists.late.count=2", *common)
    assert other.returncode == 2 and "holds another experiment" in other.stderr
    again = run_cli(TEACHING, *common)
    assert again.returncode == 0 and len(list((out / "runs").glob("*.json"))) == 2


def test_unrelated_files_are_never_mixed_with_an_experiment(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep")
    proc = run_cli(TEACHING, "--reps", "2", "--workers", "1", "--no-plots", "--out", str(out))
    assert proc.returncode == 2 and "holds other files" in proc.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_default_folders_of_different_variants_and_seeds_differ(tmp_path):
    for extra in ([], ["--set", "radiologists.late.count=2"]):
        assert run_cli(TEACHING, "--reps", "2", "--workers", "1", "--no-plots", *extra, cwd=tmp_path).returncode == 0
    for seed in ("1", "2"):
        assert run_cli(TEACHING, "--no-plots", "--seed", seed, cwd=tmp_path).returncode == 0
    folders = sorted(p.name for p in (tmp_path / "results").iterdir())
    assert len(folders) == 4 and len(set(folders)) == 4
    assert sum("replications" in f for f in folders) == 2 and sum("seed" in f for f in folders) == 2


def _start(out, *extra, days: int = 60):
    return subprocess.Popen([sys.executable, str(ROOT / "run_sim.py"), TEACHING, "--set", f"days={days}", "--reps", "6",
                             "--workers", "2", "--no-plots", "--out", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_answer_ctrl_c)


def _answer_ctrl_c():
    # a shell without job control starts background jobs with Ctrl-C ignored, and children inherit that
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_first_run(out, proc, limit=120):
    deadline = time.time() + limit
    while time.time() < deadline and proc.poll() is None:
        if list((out / "runs").glob("*.json")) if (out / "runs").exists() else []:
            return
        time.sleep(0.05)
    raise AssertionError("no replication finished")


def test_ctrl_c_stops_replications_at_once_keeping_the_finished_ones(tmp_path):
    out = tmp_path / "exp"
    proc = _start(out, days=300)  # long enough that replications are always left when the first has finished
    _wait_for_first_run(out, proc)
    asked = time.time()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert time.time() - asked < 3.0, "Ctrl-C answers within a second (3 s allowed for a busy machine)"
    assert proc.returncode == 130 and "Traceback" not in err and "keeps its finished runs" in err
    kept = list((out / "runs").glob("*.json"))
    assert 1 <= len(kept) < 6 and not list((out / "runs").glob("*.part"))


def test_a_killed_experiment_is_finished_by_the_next_run_with_the_same_results(tmp_path):
    out = tmp_path / "killed"
    proc = _start(out)
    _wait_for_first_run(out, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    (out / "runs" / "half-written.part").write_text('{"seed": ')  # as a kill during a save leaves it
    resumed = _start(out)
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert "left unfinished by an interrupted run" in err
    clean = _start(tmp_path / "clean")
    clean.communicate(timeout=300)
    assert (out / "summary.csv").read_bytes() == (tmp_path / "clean" / "summary.csv").read_bytes()
    assert json.loads((out / "experiment.json").read_text())["kind"] == "replications"
