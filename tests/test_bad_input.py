"""A scenario that cannot run gets one line naming the file, the field and the problem, exit 2, nothing written."""
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, SCENARIOS

GOOD = (SCENARIOS / "teaching.yaml").read_text()


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, str(ROOT / "run_sim.py"), *args], capture_output=True, text=True,
                          cwd=cwd)


def write(tmp_path, text, name="bad.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def replace(old, new):
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


CASES = {
    "malformed yaml": ("days: [3\nseed: 1\n", "line", "malformed YAML"),
    "unknown key": (replace("warmup_days: 0", "warmup_dayz: 0"), "warmup_dayz", "unknown field"),
    "unknown modality": (replace("    modality: CT\n    subspecialty: neuro", "    modality: CTX\n    subspecialty: neuro"),
                         "exam_types.ct_head.modality", "unknown modality 'CTX'"),
    "unknown exam type": (replace("exam_mix: {ct_head: 1, ct_abdomen: 2}", "exam_mix: {ct_hed: 1, ct_abdomen: 2}"),
                          "demand.outpatient.exam_mix.ct_hed", "unknown exam type"),
    "unknown priority": (replace("priority_mix: {outpatient: 1}", "priority_mix: {routine: 1}"),
                         "demand.outpatient.priority_mix.routine", "unknown priority"),
    "negative count": (replace("count: 2\n    names: [Tess, Tom]", "count: -1\n    names: [Tess, Tom]"),
                       "technologists.ct.count", "greater than or equal to 0"),
    "zero scanners": (replace("scanners: [CT-1]", "scanners: 0"), "modalities.CT.scanners", "at least one scanner"),
    "zero days": (replace("days: 3", "days: 0"), "days", "greater than 0"),
    "bad shift time": (replace('shifts: ["07:00-19:00"]', 'shifts: ["7am-19:00"]'),
                       "technologists.ct.shifts.0.start", "not a clock time"),
    "impossible hour": (replace('shifts: ["07:00-19:00"]', 'shifts: ["25:00-19:00"]'),
                        "technologists.ct.shifts.0.start", "between 00:00 and 24:00"),
    "nobody can read": (GOOD.replace("    names: [Dr Rao]\n", "    names: [Dr Rao]\n    priorities: [stroke]\n")
                        .replace("    names: [Dr Lee]\n", "    names: [Dr Lee]\n    priorities: [stroke]\n"),
                        "demand.", "no radiologist reads"),
    "warm-up too long": (replace("warmup_days: 0", "warmup_days: 5"), "warmup_days", "shorter than the horizon"),
    "bad distribution": (replace("read: {dist: lognormal, mean: 8, cv: 0.4}", "read: {dist: lognormal, mean: 8}"),
                         "exam_types.ct_head.read.cv", "required"),
    "duplicate names": (replace("names: [Tess, Tom]", "names: [Tess, Tess]"), "technologists.ct.names", "unique"),
    "a name used twice": (replace("names: [Dr Lee]", "names: [Tess]"), "radiologists.late.names.0", "also in"),
}

CASES.update({
    "maintenance of an unknown scanner": (
        replace("scanners: [CT-1]", "scanners: [CT-1]\n    maintenance: [{start: '06:00', end: '07:00', scanners: [CT-9]}]"),
        "modalities.CT.maintenance.0.scanners", "unknown scanner 'CT-9'"),
    "bedside exam without portable units": (
        replace("  ct_head:\n", "  ct_head:\n    portable: {travel_minutes: 5}\n"),
        "exam_types.ct_head.portable", "has no portable_units"),
    "follow-up of an unknown exam type": (
        replace("  ct_head:\n", "  ct_head:\n    leads_to: {exam_type: thrombectomy, share: 0.1}\n"),
        "exam_types.ct_head.leads_to.exam_type", "unknown exam type 'thrombectomy'"),
    "procedures without an IR radiologist": (
        replace("modalities:\n", "modalities:\n  IR: {scanners: 1, procedures: true}\n"),
        "modalities.IR.procedures", "no radiologist is credentialed for IR"),
    "appointments of another modality": (
        GOOD + "appointments:\n  list: {modality: MR, sessions: '08:00-12:00', slot_minutes: 30, exam_mix: {ct_head: 1}}\n",
        "appointments.list.modality", "unknown modality 'MR'"),
    "break of zero minutes": (
        replace('shifts: ["07:00-19:00"]', 'shifts: ["07:00-19:00"]\n    breaks: [{start: "12:00", minutes: 0}]'),
        "technologists.ct.breaks.0.minutes", "greater than 0"),
    "share above one": (
        replace("  ct_head:\n", "  ct_head:\n    steps: {contrast: {share: 1.5, minutes: 5}}\n"),
        "exam_types.ct_head.steps.contrast.share", "less than or equal to 1"),
})
CASES.update({
    "a scripted order of an unknown exam type": (
        replace("exam_type: ct_head, priority: stroke}", "exam_type: ct_hed, priority: stroke}"),
        "orders.0.exam_type", "unknown exam type 'ct_hed'"),
    "readiness of an unknown priority": (
        replace("priority_mix: {outpatient: 1}", "priority_mix: {outpatient: 1}\n    readiness: {routine: 30}"),
        "demand.outpatient.readiness.routine", "unknown priority"),
    "door lead of an unknown priority": (
        replace("priority_mix: {outpatient: 1}", "priority_mix: {outpatient: 1}\n    door_to_order: {urgent: 5}"),
        "demand.outpatient.door_to_order.urgent", "unknown priority"),
    "protected slots after an unknown priority": (
        GOOD + "appointments:\n  list: {modality: CT, sessions: '08:00-12:00', slot_minutes: 30, exam_mix: {ct_head: 1}, "
               "queue_after: urgent}\n",
        "appointments.list.queue_after", "unknown priority 'urgent'"),
    "a referral category of an unknown priority": (
        GOOD + "appointments:\n  list: {modality: CT, sessions: '08:00-12:00', slot_minutes: 30, exam_mix: {ct_head: 1}, "
               "referrals: {two_week_wait: {per_week: 5, priority: cancer}}}\n",
        "appointments.list.referrals.two_week_wait.priority", "unknown priority 'cancer'"),
    "an order changed at its protocol into an unknown exam type": (
        replace("  ct_head:\n", "  ct_head:\n    protocol: 3\n    protocol_changes: {mr_brain: 0.1}\n"),
        "exam_types.ct_head.protocol_changes.mr_brain", "unknown exam type"),
    "orders changed at a protocol they never get": (
        replace("  ct_head:\n", "  ct_head:\n    protocol_changes: {ct_abdomen: 0.1}\n"),
        "exam_types.ct_head.protocol_changes", "has no protocol"),
    "more changed and cancelled at the protocol than protocolled": (
        replace("  ct_head:\n", "  ct_head:\n    protocol: 3\n    protocol_cancels: 0.5\n"
                                 "    protocol_changes: {ct_abdomen: 0.6}\n"),
        "exam_types.ct_head.protocol_changes", "add up to more than 1"),
    "calls sparing an unknown priority": (
        replace("    names: [Dr Lee]\n", "    names: [Dr Lee]\n    interruptions: {spared: [code]}\n"),
        "radiologists.late.interruptions.spared.0", "unknown priority 'code'"),
    "non-interpretive work of no minutes": (
        replace("    names: [Dr Lee]\n", "    names: [Dr Lee]\n    non_interpretive: [{start: '12:00', minutes: 0}]\n"),
        "radiologists.late.non_interpretive.0.minutes", "greater than 0"),
})
CASES["nobody can scan"] = (replace("  ct:\n    count: 2\n    names: [Tess, Tom]", "  ct:\n    count: 0"),
                            "demand.", "no technologist is credentialed for CT")


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenario_gets_one_line_naming_file_and_field_and_exit_2(case, tmp_path):
    text, field, problem = CASES[case]
    path = write(tmp_path, text)
    out = tmp_path / "results"
    proc = run_cli(str(path), "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(path) in lines[0] and field in lines[0] and problem in lines[0], lines[0]
    assert not out.exists()
    assert proc.stdout == ""


def test_extends_pointing_to_a_missing_file(tmp_path):
    path = write(tmp_path, "extends: nowhere.yaml\ndays: 2\n")
    proc = run_cli(str(path), "--out", str(tmp_path / "r"))
    assert proc.returncode == 2
    assert "extends" in proc.stderr and "nowhere.yaml" in proc.stderr and "not found" in proc.stderr


def test_a_loop_of_extends_is_reported(tmp_path):
    write(tmp_path, "extends: b.yaml\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\n", "b.yaml")
    proc = run_cli(str(tmp_path / "a.yaml"), "--out", str(tmp_path / "r"))
    assert proc.returncode == 2
    assert "loops" in proc.stderr and "a.yaml -> b.yaml -> a.yaml" in proc.stderr


def test_a_missing_scenario_file(tmp_path):
    proc = run_cli(str(tmp_path / "absent.yaml"))
    assert proc.returncode == 2 and "file not found" in proc.stderr


def test_a_bad_override_names_the_key(tmp_path):
    proc = run_cli(str(SCENARIOS / "teaching.yaml"), "--set", "technologists.ct.cout=3", "--out", str(tmp_path / "r"))
    assert proc.returncode == 2
    assert "technologists.ct.cout" in proc.stderr and "unknown field" in proc.stderr


def test_an_existing_result_folder_is_never_overwritten(tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / "precious.txt").write_text("keep")
    proc = run_cli(str(SCENARIOS / "teaching.yaml"), "--out", str(out), "--no-plots")
    assert proc.returncode == 2 and "already exists" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["precious.txt"]


def test_an_overloaded_department_runs_with_a_warning_naming_the_group(tmp_path):
    proc = run_cli(str(SCENARIOS / "teaching.yaml"), "--set", "demand.outpatient.exams_per_day=200",
                   "--out", str(tmp_path / "r"), "--no-plots")
    assert proc.returncode == 0, proc.stderr
    assert "WARNING: overload: CT" in proc.stdout
    assert (tmp_path / "r" / "exams.csv").exists()


# ----------------------------------------------------------------- the bad-input corpus, run in-process

def _main(capsys, *args):
    from sim.cli import main

    try:
        code = main(list(args))
    except SystemExit as stop:  # option errors exit from the parser
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _bytes_file(tmp_path, data: bytes):
    path = tmp_path / "bad.yaml"
    path.write_bytes(data)
    return path


BOMB = "\n".join(["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"] + [
    f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + chr(96 + i)] * 10)}]" for i in range(1, 9)]) + "\n"

FILES = {
    "Latin-1 text": (GOOD.replace("Teaching", "Enseñanza").encode("latin-1"), "line", "is not UTF-8 text"),
    "UTF-16 text": (GOOD.encode("utf-16"), "", "is UTF-16 text"),
    "binary": (bytes(range(256)) * 4, "", "is not a text file"),
    "two demand sections": ((GOOD + "demand:\n  ed: {exams_per_day: 1}\n").encode(), "line", "key 'demand' appears twice"),
    "two groups of one name": (replace("  late:\n", "  day:\n").encode(), "line", "key 'day' appears twice"),
    "an alias bomb": (BOMB.encode(), "YAML", "expands to more than 1,000,000 values"),
    "infinite demand": (replace("exams_per_day: ", "exams_per_day: .inf #").encode(),
                        "demand.outpatient.exams_per_day", "finite number"),
    "demand of 1e9 a day": (replace("exams_per_day: ", "exams_per_day: 1.0e+9 #").encode(),
                            "demand.outpatient.exams_per_day", "less than or equal to 100000"),
    "a billion technologists": (replace("count: 2\n    names: [Tess, Tom]", "count: 1000000000").encode(),
                                "technologists.ct.count", "less than or equal to 1000"),
    "a billion days": (replace("days: 3", "days: 1000000000").encode(), "days", "less than or equal to 3660"),
    "a run too large": (replace("days: 3", "days: 3000").replace("exams_per_day: ", "exams_per_day: 90000 #").encode(),
                        "demand", "the run would place about"),
    "an infinite read time": (replace("read: {dist: lognormal, mean: 8, cv: 0.4}", "read: .inf").encode(),
                              "exam_types.ct_head.read", "finite number"),
    "a typo in a field name": (replace("exams_per_day:", "exams_per_dya:").encode(),
                               "demand.outpatient.exams_per_dya", "unknown field (did you mean 'exams_per_day'?)"),
    "a timeline after the horizon": (replace('timeline: {from: "day 1 07:00", to: "day 1 19:00"}',
                                             'timeline: {from: "day 9 07:00", to: "day 9 19:00"}').encode(),
                                     "report.timeline.from", "after the end of the horizon"),
    "a scripted order at the horizon": (
        replace('{day: 1, time: "10:30"', '{day: 2, time: "24:00"').encode(),
        "orders.0.day", "not before the end of the horizon"),
}


@pytest.mark.parametrize("case", sorted(FILES))
def test_bad_file_gets_one_line_and_exit_2(case, tmp_path, capsys):
    data, field, problem = FILES[case]
    path = _bytes_file(tmp_path, data)
    for command in (["validate", str(path)], [str(path), "--out", str(tmp_path / "out")]):
        code, out, err = _main(capsys, *command)
        assert code == 2, err
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert str(path) in err and field in err and problem in err, err
    assert not (tmp_path / "out").exists()


OPTIONS = {
    "a negative seed": (["--seed", "-5"], "--seed", "must be 0 or more"),
    "precision as a percentage": (["--reps", "2", "--precision", "5"], "--precision", "fraction between 0 and 1"),
    "replications that are not a number": (["--reps", "many"], "--reps", "'many' is not a whole number"),
    "a misspelt group in --set": (["--set", "radiologists.dya.count=2"], "--set: radiologists.dya.count=2",
                                  "did you mean 'day'?"),
    "a misspelt field in --set": (["--set", "technologists.ct.cuont=2"], "--set: technologists.ct.cuont=2",
                                  "did you mean 'count'?"),
    "an impossible value in --set": (["--set", "days=-1"], "--set: days=-1", "greater than 0"),
}


@pytest.mark.parametrize("case", sorted(OPTIONS))
def test_bad_option_gets_one_line_naming_it_and_exit_2(case, tmp_path, capsys):
    args, where, problem = OPTIONS[case]
    code, out, err = _main(capsys, str(SCENARIOS / "teaching.yaml"), *args, "--out", str(tmp_path / "out"))
    assert code == 2, err
    assert err.count("\n") == 1 and where in err and problem in err, err
    assert not (tmp_path / "out").exists()
