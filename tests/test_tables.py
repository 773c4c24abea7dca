"""Tables a manager opens in a spreadsheet carry weekday and clock time beside the minutes."""
import subprocess
import sys

import numpy as np
import pytest

import sim
from conftest import ROOT, SCENARIOS, build
from sim.clock import weekday_and_clock


def test_weekday_and_clock_follow_the_start_weekday_and_leave_unknown_times_empty():
    weekday, clock = weekday_and_clock(np.array([0.0, 630.5, 1440 + 59.99, 6 * 1440 + 1439, np.nan]), "sat")
    assert weekday.tolist() == ["sat", "sat", "sun", "fri", ""]
    assert clock.tolist() == ["00:00", "10:30", "00:59", "23:59", ""]


def test_exam_and_staff_tables_show_when_things_happened():
    result = sim.run(build({"start_weekday": "wed"}, orders=[(1, "10:30", "ct_head", "stat")]))
    exams = sim.exam_table(result)
    assert (exams["ordered_weekday"][0], exams["ordered_clock"][0]) == ("thu", "10:30")
    report = exams["report_at"][0]
    assert exams["report_clock"][0] == f"{int(report % 1440) // 60:02d}:{int(report % 1440) % 60:02d}"
    staff = sim.staff_table(result)
    scans = staff["kind"] == "scan"
    assert staff["start_weekday"][scans].tolist() == ["thu"] and staff["start_clock"][scans].tolist() == ["10:30"]


def test_overtime_is_shown_as_overtime_not_as_a_busy_hour():
    from sim.metrics import overtime_hours, utilisation, utilisation_by_hour

    result = sim.run(build({"radiologists": {"rad": {"shifts": ["08:00-09:00"]}}},
                           orders=[(0, "08:40", "ct_abdomen", "stat")]))  # read 08:50-09:10, ten minutes past
    labels, rows = utilisation_by_hour(result)
    reader = rows[labels.index("radiologists: rad")]
    assert np.isnan(reader[9]), "the hour after the shift has no scheduled duty, so no share"
    assert reader[8] == pytest.approx(10 / 120)  # hour 8 of two days
    assert utilisation(result)["radiologists"]["rad"] == pytest.approx(10 / (2 * 60))  # two days of one hour
    assert overtime_hours(result)["radiologists"]["rad"] == pytest.approx(10 / 60, abs=1e-5)


def test_busy_shares_by_hour_add_up_over_people_as_over_the_whole_group():
    """The heatmap adds each person's minutes; the group's rows taken at once give the same shares."""
    from sim.metrics import _by_hour_of_day, duty_and_work, utilisation_by_hour

    result = sim.run(sim.load_scenario(SCENARIOS / "community_hospital.yaml", ["days=7"]))
    labels, rows = utilisation_by_hour(result)
    lo, hi = result.warmup, result.horizon
    for section, group, (duty_starts, duty_ends, busy_starts, busy_ends) in duty_and_work(result):
        duty = _by_hour_of_day(duty_starts, duty_ends, lo, hi)
        share = np.divide(_by_hour_of_day(busy_starts, busy_ends, lo, hi), duty, out=np.full(24, np.nan),
                          where=duty > 1e-6)
        np.testing.assert_allclose(rows[labels.index(f"{section}: {group}")], share, rtol=1e-9, atol=1e-12)


def test_a_scan_past_closing_is_after_hours_work_not_a_share_above_one():
    from sim.metrics import scanner_after_hours, utilisation

    result = sim.run(build({"modalities": {"CT": {"scanners": 1, "hours": "08:00-09:00"}}},
                           orders=[(0, "08:55", "ct_head", "stat")]))  # scan 08:55-09:05
    assert utilisation(result)["scanners"]["CT"] == pytest.approx(5 / 120)
    assert scanner_after_hours(result)["CT"] == pytest.approx(5 / 60, abs=1e-5)


def test_a_long_run_shows_progress_with_the_time_left_on_a_terminal_and_nothing_when_piped():
    import io

    from sim.cli import run_progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen, ticks = Terminal(), iter(range(100))
    show = run_progress(screen, clock=lambda: float(next(ticks)) * 2)  # two seconds a simulated day
    scenario = sim.load_scenario(SCENARIOS / "academic_centre.yaml", ["days=2", "warmup_days=0"])
    quiet = sim.run(scenario)
    shown = sim.run(scenario, progress=show)
    assert "day 2 of 2 (100%)" in screen.getvalue() and "s left" in screen.getvalue()
    for a, b in zip(quiet.staff_log.columns().values(), shown.staff_log.columns().values()):
        assert np.array_equal(a, b, equal_nan=True)  # running day by day for the progress line changes nothing
    assert run_progress(io.StringIO()) is None  # piped: no progress line


def test_parquet_tables_hold_what_the_csvs_hold(tmp_path):
    import csv

    import pyarrow.parquet as pq

    from sim.cli import main

    out = tmp_path / "run"
    assert main([str(SCENARIOS / "teaching.yaml"), "--no-plots", "--quiet", "--parquet", "--out", str(out)]) == 0
    with open(out / "exams.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    exams = pq.read_table(out / "exams.parquet").to_pydict()
    assert len(exams["exam_id"]) == len(rows) and exams["priority"] == [r["priority"] for r in rows]
    for name in ("ordered_at", "report_at"):  # times: numbers, and null where the CSV cell is empty
        assert [None if v is None else round(v, 3) for v in exams[name]] == \
            [None if r[name] == "" else float(r[name]) for r in rows]
    staff = pq.read_table(out / "staff.parquet")
    assert staff.num_rows == len((out / "staff.csv").read_text().splitlines()) - 1


def test_csv_cells_hold_the_table_across_chunks_with_times_to_the_thousandth_and_blanks_for_not_reached(
        tmp_path, monkeypatch):
    import csv

    from sim import output

    monkeypatch.setattr(output, "CHUNK_ROWS", 7)  # several chunks, and one cut short
    table = {"exam_id": np.array([3, -1, 0, 12] * 5), "name": np.array(["ct", "mr", "xr", "us"] * 5, dtype=object),
             "at": np.array([0.0, 1.0005, np.nan, 1e6 / 3] * 5), "flag": np.array([True, False, True, False] * 5)}
    output.write_table(table, tmp_path / "t.csv")
    with open(tmp_path / "t.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(table) and len(rows) == 21
    for i, row in enumerate(rows[1:]):
        at = table["at"][i]
        assert row == [str(table["exam_id"][i]) if table["exam_id"][i] >= 0 else "", table["name"][i],
                       "" if np.isnan(at) else "%.3f" % at, str(bool(table["flag"][i]))]
    output.write_table({"exam_id": np.zeros(0, dtype=int)}, tmp_path / "empty.csv")
    assert (tmp_path / "empty.csv").read_text() == "exam_id\n"


def test_a_name_with_a_comma_or_quote_stays_one_field_in_every_table(tmp_path):
    import csv

    from sim.output import write_result_folder

    scenario = build({"radiologists": {"rad": {"names": ['Smith, J "Jo"']}},
                      "demand": {"ED": {"exams_per_day": 20, "exam_mix": {"ct_head": 1},
                                        "priority_mix": {"outpatient": 1}}}})
    result = sim.run(scenario)
    write_result_folder(result, tmp_path, figures=False)
    for table in ("exams.csv", "staff.csv"):
        with open(tmp_path / table, newline="") as f:
            rows = list(csv.reader(f))
        assert {len(row) for row in rows} == {len(rows[0])}, table
        names = {row[rows[0].index("radiologist" if table == "exams.csv" else "staff")] for row in rows[1:]}
        assert 'Smith, J "Jo"' in names


def test_overtime_kept_for_few_rows_reads_as_a_whole_column():
    """Only rows with overtime keep it; every way of reading the column gives it row by row, 0 elsewhere."""
    from sim.records import BREAK, DUTY, READ, StaffLog

    log, expected = StaffLog(), []
    for row in range(50):
        kind = DUTY if row % 7 == 0 else BREAK if row % 11 == 0 else READ
        minutes = float(row) / 4 if kind != READ and row % 2 else 0.0
        log.add(row % 3, kind, float(row), float(row) + 1, -1, minutes)
        expected.append(minutes)
    assert log.columns()["overtime"].tolist() == expected
    assert dict(log.columns()).keys() == {"person", "kind", "start", "end", "exam", "overtime"}
    assert log.overtime(slice(10, 30)).tolist() == expected[10:30]
    assert log.overtime(slice(45, 60)).tolist() == expected[45:]
    picked = [49, 0, 21, 22, 35, 33]
    assert log.overtime(np.array(picked)).tolist() == [expected[k] for k in picked]
    assert StaffLog().overtime(np.array([], dtype=int)).tolist() == [] and StaffLog().overtime().tolist() == []


def _run_written(out, aside: bool, *options: str) -> dict[str, bytes]:
    """The result folder of a short run from the command line, in a fresh process, with or without a second
    process writing tables and drawing figures."""
    code = (f"import sys; from sim import output\n"
            f"output.can_write_aside = lambda: {aside} and output.sys.platform == 'linux'\n"
            f"from sim.cli import main; sys.exit(main(sys.argv[1:]))")
    subprocess.run([sys.executable, "-c", code, str(SCENARIOS / "community_hospital.yaml"), "--days", "5", "--quiet",
                    "--out", str(out), *options], check=True, capture_output=True, cwd=SCENARIOS.parent)
    return {path.name: path.read_bytes() for path in out.iterdir()}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="tables are written by a second process on Linux")
@pytest.mark.parametrize("options", [("--no-plots",), ()], ids=["tables only", "with figures"])
def test_results_written_by_two_processes_hold_the_same_bytes(tmp_path, options):
    from sim.plots import FIGURES

    here = _run_written(tmp_path / "here", False, *options)
    aside = _run_written(tmp_path / "aside", True, *options)
    tables = {"exams.csv", "staff.csv", "rooms.csv", "queues.csv", "summary.json", "scenario.resolved.yaml"}
    figures = {f"{name}.{suffix}" for name in FIGURES for suffix in ("png", "svg")} | {"report.html"}
    assert set(here) == (tables if options else tables | figures)
    assert aside == here


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a second process shares the work on Linux")
def test_shared_jobs_are_each_done_once_and_by_both_processes(tmp_path):
    """The figures are jobs this process and the table writer share: each job is done exactly once, whichever process
    is free takes the next, and the block's end waits for all of them. (In a fresh interpreter: a process with
    threads of its own, as a test session may have, does it all itself.)"""
    code = f"""
import os, time
from pathlib import Path
import sim
from sim.output import run_written

def job(k):
    def run():
        with open(Path({str(tmp_path)!r}) / f"job{{k}}", "x") as f:  # "x": a job done twice fails here
            f.write(str(os.getpid()))
        time.sleep(0.05)
    return run

result = sim.run(sim.load_scenario({str(SCENARIOS / "teaching" / "01_the_chain.yaml")!r}))
folder = Path({str(tmp_path / "out")!r})
folder.mkdir()
with run_written(result, folder, shared=[job(k) for k in range(24)]):
    pass
print(os.getpid())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    pids = [(tmp_path / f"job{k}").read_text() for k in range(24)]
    assert len(set(pids)) == 2 and done.stdout.strip() in pids
    assert {"exams.csv", "staff.csv", "rooms.csv", "queues.csv"} <= {path.name for path in (tmp_path / "out").iterdir()}


def test_a_figure_that_cannot_be_written_is_one_line_and_no_results(tmp_path):
    """The figures are drawn by whichever process is free: a write error in either stops the run the same way."""
    out = tmp_path / "out"
    code = ("import sys; from sim import plots\n"
            "def full(fig, folder, name): raise OSError(28, 'No space left on device', str(folder / f'{name}.png'))\n"
            "plots.save_figure = full\n"
            "from sim.cli import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", code, str(SCENARIOS / "teaching" / "01_the_chain.yaml"), "--quiet",
                           "--out", str(out)], capture_output=True, text=True, cwd=SCENARIOS.parent)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(f".png: cannot be written in {tmp_path} (No space left on device)"), \
        done.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_small_department_numbers_people_in_two_bytes_and_a_large_one_in_four():
    from sim.records import RoomLog, StaffLog

    assert StaffLog(120).person.itemsize == 2 and RoomLog(30).room.itemsize == 2
    big = StaffLog(40_000)
    big.add(39_999, 0, 0.0, 1.0)
    assert big.person.itemsize == 4 and big.columns()["person"].tolist() == [39_999]


def test_exams_name_their_technologist_scanner_and_readers_in_two_bytes_where_the_department_fits():
    from sim.arrivals import Orders
    from sim.records import ExamLog

    orders = Orders(*(np.zeros(3) for _ in Orders.__dataclass_fields__))
    small, large = ExamLog(orders, people=120, rooms=30), ExamLog(orders, people=40_000, rooms=40_000)
    for column in ("technologist", "scanner", "radiologist", "prelim_radiologist", "procedure_radiologist"):
        assert getattr(small, column).itemsize == 2 and getattr(large, column).itemsize == 4
        assert getattr(small, column).tolist() == [-1, -1, -1], "nobody yet"
    large.radiologist[0] = 39_999
    assert large.radiologist[0] == 39_999


def test_each_persons_rows_come_in_log_order_whatever_the_chunk(monkeypatch):
    """The rows of each person, found a chunk of the log at a time, are those a stable sort by person gives."""
    import sim.metrics as metrics

    person = np.random.default_rng(3).integers(0, 9, 1_000).astype(np.int16)
    person[person == 4] = 5  # somebody with no rows at all
    expected = [np.flatnonzero(person == p).tolist() for p in range(10)]
    for chunk in (1, 7, 1_000, 200_000):
        monkeypatch.setattr(metrics, "CUT_ROWS", chunk)
        assert [rows.tolist() for rows in metrics.rows_by_person(person, 10)] == expected


def test_duty_rows_are_the_stretches_of_duty_ending_after_a_moment():
    from sim.records import DUTY, READ, StaffLog

    log = StaffLog(5)
    for person, kind, start, end in ((0, DUTY, 0.0, 100.0), (0, READ, 10.0, 20.0), (1, DUTY, 50.0, 300.0),
                                     (2, DUTY, 200.0, float("nan")), (3, READ, 250.0, 260.0), (4, DUTY, 0.0, 150.0)):
        log.add(person, kind, start, end)
    assert log.duty_rows(120.0, 1000.0).tolist() == [2, 3, 5]  # one still on duty at the end counts
    assert log.duty_rows(120.0, 110.0).tolist() == [2, 5]  # ...as ending at the horizon


def test_cutting_and_clipping_a_chunk_at_a_time_gives_what_whole_columns_give(monkeypatch):
    """Row choice, open ends and chunk edges do not change a single part or its order (nor so the sums)."""
    import sim.metrics as metrics

    rng = np.random.default_rng(7)
    starts = np.sort(rng.uniform(0, 10_000, 5_000))
    ends = starts + rng.exponential(60, 5_000)
    ends[rng.random(5_000) < 0.05] = np.nan  # under way at the end
    opening = [(float(a), float(a) + 480) for a in range(0, 10_000, 1440)]
    rows = rng.random(5_000) < 0.6
    whole = metrics.cut_to(starts[rows], np.where(np.isnan(ends[rows]), 10_000.0, ends[rows]), opening)
    clipped = np.clip(np.minimum(np.where(np.isnan(ends), 10_000.0, ends), 10_000.0) - np.maximum(starts, 500.0), 0, None)
    for chunk in (7, 1_000, 200_000):
        monkeypatch.setattr(metrics, "CUT_ROWS", chunk)
        parts = metrics.cut_minutes(starts, ends, opening, rows, open_until=10_000.0)
        assert parts.tolist() == (whole[1] - whole[0]).tolist()
        assert metrics.clipped_minutes(starts, ends, 500.0, 10_000.0).tolist() == clipped.tolist()


TRICKY_FLOATS = [0.0, -0.0, 0.0625, -0.0625, 2.5e-4, 5e-4, -4e-4, 1.0005, 2.0005, 0.9995, 1234.5675, 99.9995,
                 1e15, 4.5e15, 1e300, 525600.0, 1e6 / 3, float("inf"), float("-inf"), float("nan")]


def test_the_csv_writer_writes_each_cell_as_python_formats_it():
    """Times to the thousandth rounded as Python rounds them (halves to even, within rounding error of a half
    included), blanks for NaN and for no exam, names quoted where they hold a comma, quote or line break."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from sim.csv_text import Coded, csv_rows

    sys.path.insert(0, str(ROOT / "tests" / "fuzzing"))
    from invariants import python_csv_row  # the rule the fuzzer checks every generated run's tables against

    names = ("ct", 'Smith, J "Jo"', "Zoë", "two\nlines", "", "a\x00b")
    thousandths_and_halves = st.integers(-10**9, 10**9).map(lambda k: k / 2000)  # many exactly x.xxx5

    @settings(max_examples=300, deadline=None, derandomize=True, database=None)
    @given(st.data())
    def check(data):
        rows = data.draw(st.integers(0, 40))
        floats = st.one_of(st.floats(width=64), st.sampled_from(TRICKY_FLOATS), thousandths_and_halves,
                           st.floats(-1e7, 1e7))
        at = data.draw(st.lists(floats, min_size=rows, max_size=rows))
        exam = data.draw(st.lists(st.integers(-5, 10**12), min_size=rows, max_size=rows))
        count = data.draw(st.lists(st.integers(-10**15, 10**15), min_size=rows, max_size=rows))
        text = data.draw(st.lists(st.one_of(st.sampled_from(names), st.text(max_size=6)), min_size=rows,
                                  max_size=rows))
        flag = data.draw(st.lists(st.booleans(), min_size=rows, max_size=rows))
        code = data.draw(st.lists(st.integers(-1, len(names) - 1), min_size=rows, max_size=rows))
        chunk = {"at": np.array(at, dtype=float), "exam_id": np.array(exam, dtype=np.int64),
                 "count": np.array(count, dtype=np.int64), "name": np.array(text, dtype=object),
                 "flag": np.array(flag), "coded": Coded(np.array(code, dtype=np.int64), names),
                 "small": np.array([c % 100 for c in count], dtype=np.int8)}
        expected = "".join(python_csv_row([("at", a), ("exam_id", e), ("count", c), ("name", t), ("flag", f),
                                            ("coded", names[k] if k >= 0 else ""), ("small", c % 100)])
                           for a, e, c, t, f, k in zip(at, exam, count, text, flag, code))
        assert csv_rows(chunk) == expected.encode("utf-8")

    check()
