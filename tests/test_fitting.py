"""Fitting a department's own exam export: an export radsim writes from a known scenario is fitted back, and the
fitted figures' intervals hold the true ones; bad exports get one line."""
import csv
import subprocess
import sys
from datetime import datetime

import numpy as np
import pytest

import sim
import sim.distributions
from conftest import ROOT, SCENARIOS
from sim.arrivals import hourly_rates
from sim.fitting import fit, fit_duration, fitted_scenario, parameters, read_export
from sim.ris_export import Dirt, export_rows, write_export
from sim.scenario import ScenarioError

BASE = SCENARIOS / "community_hospital.yaml"


def _fit_cli(export: str, out: str, *extra: str):
    """`run_sim.py fit EXPORT --onto the community hospital --out OUT`, as a user would type it."""
    return subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "fit", export, "--onto", str(BASE), "--out", out,
                           *extra], capture_output=True, text=True)


@pytest.fixture(scope="module")
def truth():
    return sim.load_scenario(BASE)


@pytest.fixture(scope="module")
def export_file(tmp_path_factory, truth):
    path = tmp_path_factory.mktemp("export") / "export.csv"
    write_export(path, export_rows(sim.run(truth), Dirt(duplicates=0.01, missing_final=0.02, out_of_order=0.003)))
    return path


def test_the_fitted_daily_rates_hold_the_true_ones_in_their_intervals(export_file, truth):
    export = read_export(export_file)
    demand = fit(export, truth)["demand"]
    for source in ("ED", "inpatient"):
        true_rate = float(np.sum(hourly_rates(truth, source))) / truth.days  # the weekday factors included
        low, high = demand[source]["exams_per_day_ci"]
        assert low <= true_rate <= high, (source, low, true_rate, high)
    ed = truth.demand["ED"]
    weights = {n: share.share for n, share in ed.exam_mix.items()}
    for name, weight in weights.items():
        assert demand["ED"]["exam_mix"][name] == pytest.approx(weight / sum(weights.values()), abs=0.03)
    profile = np.array(ed.hourly_profile) / np.sum(ed.hourly_profile) * 24
    assert np.corrcoef(profile, demand["ED"]["hourly_profile"])[0, 1] > 0.9


def test_an_exam_durations_family_and_parameters_are_recovered(export_file, truth):
    fitted = fit(read_export(export_file), truth)["acquisition"]["xr_msk"]  # lognormal, mean 8, cv 0.4; no steps
    assert fitted["best"]["dist"] == "lognormal" and fitted["n"] > 500
    assert fitted["best"]["mean"] == pytest.approx(8, rel=0.05) and fitted["best"]["cv"] == pytest.approx(0.4, abs=0.05)
    assert fitted["best"]["ks_p"] > 0.01
    assert [f["aic"] for f in fitted["all"]] == sorted(f["aic"] for f in fitted["all"])


def test_cleaning_counts_what_it_set_aside(tmp_path, truth):
    rows = export_rows(sim.run(truth, replication=1), Dirt(duplicates=0.05, out_of_order=0.01))
    path = tmp_path / "dirty.csv"
    write_export(path, rows)
    accessions = [r["accession"] for r in rows]
    export = read_export(path)
    assert export.cleaning["duplicates"] == len(accessions) - len(set(accessions)) > 0
    assert export.cleaning["out_of_order"] > 0
    cancelled = sum(1 for r in {r["accession"]: r for r in rows}.values() if r["status"] == "CANCELLED")
    assert export.cleaning["cancelled"] == cancelled
    no_shows = sum(1 for r in {r["accession"]: r for r in rows}.values() if r["status"] == "NO SHOW")
    assert export.cleaning["no_shows"] == no_shows > 0
    assert export.cleaning["exams_kept"] == len(set(accessions)) - cancelled - no_shows


def test_another_layout_with_a_mapping_and_date_format_fits_the_same(tmp_path, export_file, truth):
    names = {"accession": "Accession Number", "patient_class": "Pat Class", "priority": "Urgency",
             "modality": "Mod", "procedure_code": "Proc Code", "ordered_dt": "Order Time",
             "begin_dt": "Exam Begin", "end_dt": "Exam End", "final_dt": "Final Signed", "status": "Exam Status"}
    with open(export_file) as handle:
        rows = list(csv.DictReader(handle))
    path = tmp_path / "other.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names.values())
        for r in rows:
            writer.writerow([datetime.fromisoformat(r[c]).strftime("%d/%m/%Y %H:%M:%S") if c.endswith("_dt") and r[c]
                             else r[c] for c in names])
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("".join(f"{k}: {v}\n" for k, v in names.items()) + "date_format: '%d/%m/%Y %H:%M:%S'\n")
    out = tmp_path / "fitted.yaml"
    proc = _fit_cli(str(path), str(out), "--mapping", str(mapping))
    assert proc.returncode == 0, proc.stderr
    fitted = sim.load_scenario(out)
    report = out.with_suffix(".html").read_text()
    fitted_types = [n for n in fit(read_export(export_file), truth)["acquisition"]]
    # every fitted exam type drawn over its data (with its Q-Q plot) and the arrivals; this layout has no staff ids,
    # so no picture of people at work
    assert report.count("data:image/png") == len(fitted_types) + 1 and "people seen at work" not in report.lower()
    assert all(name in report for name in fitted_types)
    same = fit(read_export(export_file), truth)["demand"]
    assert fitted.demand["ED"].exams_per_day == pytest.approx(same["ED"]["exams_per_day"], abs=0.01)
    assert fitted.days == truth.days and fitted.technologists == truth.technologists  # staffing is the base's
    summary = sim.summarise(sim.run(fitted.model_copy(update={"days": 7})))
    assert summary["exams"]["ordered"] > 1000  # the fitted scenario runs


@pytest.mark.parametrize("content, field, problem", [
    ("accession,patient_class\nA1,ED\n", "priority", "required column missing"),
    ("accession,patient_class,priority,modality,procedure_code,ordered_dt\nA1,ED,stat,CT,ct_head,yesterday\n",
     "ordered_dt", "line 2: 'yesterday' is not a date"),
    ("accession,patient_class,priority,modality,procedure_code,ordered_dt\n", "export", "no exams in the export"),
    (b"\xff\xd8\xff\xe0 not text \x81\x82", "export", "is not UTF-8 text"),
])
def test_a_bad_export_is_one_line_and_exit_2_and_writes_nothing(tmp_path, content, field, problem):
    path = tmp_path / "bad.csv"
    path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    with pytest.raises(ScenarioError, match=f"{field}: {problem}"):
        read_export(path)
    out = tmp_path / "fitted.yaml"
    proc = _fit_cli(str(path), str(out))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and field in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


def test_an_export_of_exam_types_the_base_does_not_have_is_refused_in_one_line(tmp_path):
    path = tmp_path / "other_types.csv"
    path.write_text("accession,patient_class,priority,modality,procedure_code,ordered_dt\n"
                    "A1,ED,stat,CT,ct_sinus,2026-01-05 10:00:00\n")
    proc = _fit_cli(str(path), str(tmp_path / "f.yaml"))
    assert proc.returncode == 2 and "procedure_code: exam types not in" in proc.stderr and "ct_sinus" in proc.stderr


def _check(scenario, export_file, reps=3):
    from sim.checking import compare, daily_orders, morning_backlog, observed_groups, room_busy, simulated_groups

    export = read_export(export_file)
    results = [sim.run(scenario, replication=k) for k in range(reps)]
    return daily_orders(export, results) + morning_backlog(export, results) + room_busy(export, results) + compare(
        observed_groups(export, scenario.warmup_days * 1440.0), [simulated_groups(r) for r in results])


def test_the_scenario_that_made_the_export_checks_out_and_one_with_half_the_readers_does_not(export_file, truth):
    rows = _check(truth, export_file)
    inside = [r for r in rows if r.verdict == "inside"]
    assert len(rows) > 50 and len(inside) / len(rows) > 0.8  # 95 % bands, a few misses by chance
    assert all(r.verdict == "inside" for r in rows if r.measure == "orders_per_day")
    busy = [r for r in rows if r.measure == "room_busy_share"]
    assert {r.group for r in busy} == {"modality:CT", "modality:MR", "modality:US", "modality:XR"}
    assert all(r.verdict == "inside" for r in busy)
    short = sim.load_scenario(BASE, ["radiologists.weekday.count=4", "radiologists.evening.count=1"])
    short_rows = _check(short, export_file)
    flagged = [r for r in short_rows if r.measure == "report_tat" and r.group == "source:ED"]
    assert flagged and all(r.verdict.startswith("below") for r in flagged)  # the department reads faster than that
    # outpatient reports the short-staffed scenario never finishes are said to be not comparable, not dropped
    assert any(r.group == "source:outpatient" and r.verdict.startswith("not comparable") for r in short_rows)


def test_the_fit_report_shows_people_and_rooms_where_the_export_has_their_ids(tmp_path, export_file, truth):
    out = tmp_path / "fitted.yaml"
    proc = _fit_cli(str(export_file), str(out))
    assert proc.returncode == 0, proc.stderr
    report = out.with_suffix(".html").read_text()
    assert "people seen at work" in report.lower() and "CT-1, CT-2" in report
    from sim.fitting import people_seen
    technologists = people_seen(read_export(export_file), "technologist")
    # the community hospital has no CT, MR or US technologist on duty between 23:00 and 07:00 but the night XR and
    # CT ones: fewer people are seen at 03:00 than at 10:00 on a weekday
    assert technologists[0, 3] < technologists[0, 10]


def test_check_from_the_command_line_prints_the_comparison_and_writes_it(tmp_path, export_file):
    out = tmp_path / "check.csv"
    proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "check", str(BASE), "--against", str(export_file),
                           "--reps", "2", "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "observed figures inside the simulated band" in proc.stdout
    with open(out) as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {"group", "observed", "band_low", "band_high", "verdict"} <= set(rows[0])
    bad = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "check", str(BASE), "--against",
                          str(tmp_path / "missing.csv")], capture_output=True, text=True)
    assert bad.returncode == 2 and "file not found" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("export, mapping", [("community_hospital_14_days.csv", None),
                                             ("day_first_layout_7_days.csv", "day_first_layout_mapping.yaml")])
def test_the_shipped_exports_fit_and_hold_the_true_rates(tmp_path, export, mapping, truth):
    folder = ROOT / "data" / "exports"
    out = tmp_path / "fitted.yaml"
    proc = _fit_cli(str(folder / export), str(out), "--staffing",
                    *(["--mapping", str(folder / mapping)] if mapping else []))
    assert proc.returncode == 0, proc.stderr
    fitted = sim.load_scenario(out)
    days = fitted.days
    # either layout shows the overnight teleradiologist's remit and the night radiographer who scans CT too
    assert _on_duty(fitted.radiologists, "wed", "03:00", priority="inpatient") == 0 < _on_duty(
        fitted.radiologists, "wed", "03:00", priority="stroke")
    assert any(set(g.modalities) == {"CT", "XR"} for g in fitted.technologists.values())
    true_rate = float(np.sum(hourly_rates(truth.model_copy(update={"days": days}), "ED"))) / days
    low, high = (float(x) for x in proc.stdout.split("ED: ")[1].split("(95% CI ")[1].split(")")[0].split("-"))
    # one export is one draw: its 95 % interval misses the truth one time in twenty, so test at three standard
    # errors (the 14-day export's interval, 154.7-168.0, just misses the true 154.3)
    standard_error = (high - low) / (2 * 1.96)
    assert abs((low + high) / 2 - true_rate) <= 3 * standard_error


def test_the_fitted_scenario_checks_out_against_the_export_it_was_fitted_to(tmp_path, export_file):
    out = tmp_path / "fitted.yaml"
    proc = _fit_cli(str(export_file), str(out))
    assert proc.returncode == 0, proc.stderr
    rows = _check(sim.load_scenario(out), export_file)
    inside = [r for r in rows if r.verdict == "inside"]
    assert len(rows) > 50 and len(inside) / len(rows) > 0.8
    assert all(r.verdict == "inside" for r in rows if r.measure == "orders_per_day")


def _lognormal_mean(fitted: dict) -> float:
    return next(f["mean"] for f in fitted["all"] if f["dist"] == "lognormal")


def test_read_times_are_recovered_where_nothing_breaks_into_the_reads_and_overstated_where_calls_do(
        tmp_path, export_file, truth):
    calm = sim.load_scenario(BASE, [f"radiologists.{g}.interruptions=null"
                                    for g in ("weekday", "weekend", "evening", "teleradiology")])
    path = tmp_path / "calm.csv"
    write_export(path, export_rows(sim.run(calm)))
    fitted = fit(read_export(path), calm)["read"]["xr_msk"]  # lognormal, mean 2.5, cv 0.6 in the scenario
    assert fitted["n"] > 500 and _lognormal_mean(fitted) == pytest.approx(2.5, rel=0.1)
    # with calls at the published rates, the calls that broke into reads are inside the fitted read: an upper bound
    called = fit(read_export(export_file), truth)["read"]["xr_msk"]
    assert _lognormal_mean(called) > _lognormal_mean(fitted)


def test_read_times_enter_the_fitted_scenario_only_when_asked(tmp_path, export_file):
    texts = {}
    for flag in ([], ["--reads"]):
        out = tmp_path / f"fitted{len(flag)}.yaml"
        proc = _fit_cli(str(export_file), str(out), *flag)
        assert proc.returncode == 0, proc.stderr
        texts[bool(flag)] = out.read_text()
    assert "    read: {dist:" not in texts[False] and "    read: {dist:" in texts[True]
    assert "read time" in (tmp_path / "fitted0.html").read_text()  # the report shows them either way


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_an_export_saved_from_excel_or_as_parquet_reads_as_the_csv_does(tmp_path, suffix):
    source = ROOT / "data" / "exports" / "community_hospital_14_days.csv"
    with open(source) as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    # dates as the tools hold them (datetime cells), empty cells as nothing
    cells = [[datetime.fromisoformat(r[c]) if c.endswith("_dt") and r[c] else (r[c] or None) for c in header]
             for r in rows]
    path = tmp_path / f"export{suffix}"
    if suffix == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(header)
        for row in cells:
            sheet.append(row)
        book.save(path)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({c: [row[i] for row in cells] for i, c in enumerate(header)}), path)
    other, same = read_export(path), read_export(source)
    assert other.cleaning == same.cleaning and other.days == same.days
    assert [r["ordered_dt"] for r in other.rows] == [r["ordered_dt"] for r in same.rows]


def test_readiness_is_recovered_from_arrival_times(export_file, truth):
    ready = fit(read_export(export_file), truth)["readiness"]
    # the community hospital's inpatients: ready a lognormal mean of 420 min after the order (cv 1), portable
    # films 120 min; ED STAT 95 min; strokes and trauma arrive ready (no arrival times: nothing fitted)
    assert _lognormal_mean(ready["inpatient"]["ct_abdomen"]["inpatient"]) == pytest.approx(420, rel=0.12)
    assert _lognormal_mean(ready["inpatient"]["xr_chest_portable"]["inpatient"]) == pytest.approx(120, rel=0.12)
    assert _lognormal_mean(ready["ED"][None]["stat"]) == pytest.approx(95, rel=0.12)
    assert "stroke" not in ready["ED"][None] and parameters(
        ready["inpatient"]["xr_chest_portable"]["stat"]["best"]) == {"dist": "fixed", "value": 15.0}


def test_cancellations_are_fitted_as_a_share_and_a_time_to_cancel(tmp_path):
    cancelling = sim.load_scenario(BASE, ["demand.inpatient.cancellation={inpatient: {share: 0.3, after: "
                                          "{dist: exponential, mean: 600}}}"])
    path = tmp_path / "cancelling.csv"
    write_export(path, export_rows(sim.run(cancelling)))
    export = read_export(path)
    fitted = fit(export, cancelling)["cancellation"]["inpatient"]["inpatient"]
    # only those still waiting when their patience ran out were cancelled: the share seen is a lower bound
    assert 0.05 < fitted["share"] < 0.3 and fitted["cancelled"] == export.cleaning["cancelled"]
    assert fitted["after"] is not None and fitted["after"]["n"] == fitted["cancelled"]
    # the cancelled orders were placed all the same: the fitted demand counts them
    low, high = fit(export, cancelling)["demand"]["inpatient"]["exams_per_day_ci"]
    assert low <= float(np.sum(hourly_rates(cancelling, "inpatient"))) / cancelling.days <= high
    out = tmp_path / "fitted.yaml"
    proc = _fit_cli(str(path), str(out))
    assert proc.returncode == 0, proc.stderr
    assert sim.load_scenario(out).demand["inpatient"].cancellation["inpatient"].share == fitted["share"]


def _head_ct_export(path, priority: str, clock_times: list[str]):
    """A minimal export of one day: ED head CTs of one priority ordered at these times, nothing else known."""
    path.write_text("accession,patient_class,priority,modality,procedure_code,ordered_dt\n" + "".join(
        f"A{i},ED,{priority},CT,ct_head,2026-01-05 {t}:00\n" for i, t in enumerate(clock_times)))
    return path


def test_an_export_whose_priorities_the_base_does_not_know_is_one_line_naming_the_export(tmp_path):
    path = _head_ct_export(tmp_path / "export.csv", "urgent", [f"{10 + i % 10}:00" for i in range(30)])
    out = tmp_path / "f.yaml"
    proc = _fit_cli(str(path), str(out))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert str(path) in proc.stderr and "unknown priority" in proc.stderr and ".partial" not in proc.stderr
    assert not out.exists() and not list(tmp_path.glob(".*partial"))


def test_a_short_export_without_exam_times_fits_demand_only_and_keeps_the_base_exam_types(tmp_path):
    path = _head_ct_export(tmp_path / "one_day.csv", "stat", [f"{i % 24:02d}:30" for i in range(48)])
    out = tmp_path / "f.yaml"
    proc = _fit_cli(str(path), str(out))
    assert proc.returncode == 0, proc.stderr
    fitted, base = sim.load_scenario(out), sim.load_scenario(BASE)
    assert fitted.days == 1 and fitted.warmup_days == 0  # the base's warm-up is longer than the export
    assert fitted.exam_types == base.exam_types and fitted.demand["ED"].exams_per_day == 48


def _on_duty(groups: dict, weekday: str, clock: str, modality: str | None = None, priority: str | None = None) -> int:
    """People of `groups` on duty at a clock time of a weekday in a repeating week, who do `modality` and read
    `priority` where given."""
    from sim.clock import WEEKDAYS
    from sim.roster import intervals

    hours, minutes = map(int, clock.split(":"))
    t = 7 * 1440 + WEEKDAYS.index(weekday) * 1440 + hours * 60 + minutes  # the second week: nights have begun
    return sum(g.count for g in groups.values() if g.count and (modality is None or modality in g.modalities)
               and (priority is None or getattr(g, "priorities", None) is None or priority in g.priorities)
               and any(a <= t < b for a, b in intervals(g.shifts, 14, "mon")))


def test_the_rosters_that_made_the_export_are_recovered_from_who_was_seen_at_work(tmp_path, export_file, truth):
    out = tmp_path / "staffed.yaml"
    assert _fit_cli(str(export_file), str(out), "--staffing").returncode == 0
    fitted = sim.load_scenario(out)
    assert not set(truth.technologists) & set(fitted.technologists)  # the base's groups are replaced
    for day in ("tue", "sat"):
        # CT: three by day, one at night (plus the night radiographer who scans CT too)
        assert _on_duty(fitted.technologists, day, "12:00", "CT") == _on_duty(truth.technologists, day, "12:00", "CT")
        assert _on_duty(fitted.technologists, day, "03:00", "CT") >= 1
        # sonographers from 07:00 to 21:00 and nobody at night
        assert _on_duty(fitted.technologists, day, "08:00", "US") >= 1 and \
            _on_duty(fitted.technologists, day, "20:30", "US") >= 1
        assert _on_duty(fitted.technologists, day, "22:00", "US") == 0 == _on_duty(fitted.technologists, day, "06:30",
                                                                                    "US")
    # the night reader signs urgent work only: the remit is recovered, and nobody reads outpatients at 03:00
    night = [g for g in fitted.radiologists.values() if _on_duty({"g": g}, "wed", "03:00")]
    assert night and all(set(g.priorities) == {"stroke", "trauma", "stat"} for g in night)
    assert _on_duty(fitted.radiologists, "wed", "03:00", priority="outpatient") == 0
    # readers by day: fewer than the roster's nine (set work and calls keep some from signing), but more at weekdays
    # than at weekends, as rostered; and the calls every reader group had are kept
    assert _on_duty(fitted.radiologists, "wed", "11:00") > _on_duty(fitted.radiologists, "sun", "11:00") >= 2
    assert all(g.interruptions is not None for g in fitted.radiologists.values())
    assert fitted.modalities["CT"].scanners == ["CT-1", "CT-2"] and fitted.modalities["XR"].portable_units == 1
    # without --staffing the same lines are in the file, commented out, and the base's staff stay
    plain = tmp_path / "plain.yaml"
    assert _fit_cli(str(export_file), str(plain)).returncode == 0
    commented = plain.read_text().split("\n# technologists:\n")[1]
    applied = out.read_text().split("\ntechnologists:\n")[1]
    assert [line[2:] for line in commented.splitlines()] == applied.splitlines()
    assert sim.load_scenario(plain).technologists == truth.technologists


def test_weibull_durations_are_fitted_as_weibull_with_their_parameters():
    values = sim.distributions.Weibull(dist="weibull", scale=20, shape=1.6).sample(np.random.default_rng(5), 3000)
    fitted = fit_duration(values)
    assert fitted["best"]["dist"] == "weibull"
    assert fitted["best"]["scale"] == pytest.approx(20, rel=0.05) and fitted["best"]["shape"] == pytest.approx(1.6,
                                                                                                              rel=0.06)
    # Anderson-Darling, which weights the tails, ranks the true family closest too
    assert min(fitted["all"], key=lambda f: f["ad"])["dist"] == "weibull"


def test_durations_no_family_fits_are_written_as_their_own_percentiles():
    rng = np.random.default_rng(8)  # two kinds of exam under one code: a short and a long protocol
    values = np.concatenate([rng.normal(10, 1, 1500), rng.normal(45, 3, 1500)])
    fitted = fit_duration(values)
    assert all(f["ks_p"] < 0.01 for f in fitted["all"][1:])
    best = fitted["best"]
    assert best["dist"] == "empirical" and len(best["values"]) == 100 and best["ks_p"] > 0.01
    drawn = sim.distributions.Empirical(**parameters(best)).sample(np.random.default_rng(1), 100_000)
    assert drawn.mean() == pytest.approx(values.mean(), rel=0.02)
    assert np.mean(drawn < 25) == pytest.approx(0.5, abs=0.02)
    # a family that fits is kept even with much data: percentiles only where every family is rejected
    assert fit_duration(rng.lognormal(2, 0.4, 3000))["best"]["dist"] == "lognormal"


def test_no_shows_and_punctuality_of_a_booked_list_are_recovered(tmp_path, truth):
    # the community hospital's booked MR list: 7 % no-shows, arriving Uniform(-15, +20) min around the slot; a
    # year of slots so that the interval is narrow enough to mean something
    scenario = sim.load_scenario(BASE, ["days=120", "demand.ED.exams_per_day=1", "demand.inpatient.exams_per_day=1",
                                        "demand.outpatient.exams_per_day=1"])
    path = tmp_path / "booked.csv"
    write_export(path, export_rows(sim.run(scenario)))
    export = read_export(path)
    book = fit(export, scenario)["appointments"]["mr_outpatients"]
    assert export.cleaning["no_shows"] == book["no_shows"] > 0
    low, high = book["no_show_ci"]
    assert low <= 0.07 <= high and high - low < 0.04
    assert book["punctuality"]["earliest"] == pytest.approx(-15, abs=1)
    assert book["punctuality"]["latest"] == pytest.approx(20, abs=1)
    # the booked patients are not demand: the outpatient source's fitted orders hold no MR
    assert not any(name.startswith("mr_") for name in fit(export, scenario)["demand"].get("outpatient", {})
                   .get("exam_mix", {}))
    (tmp_path / "fitted.yaml").write_text(fitted_scenario(fit(export, scenario), export, str(BASE), scenario)[0])
    fitted_book = sim.load_scenario(tmp_path / "fitted.yaml").appointments["mr_outpatients"]
    assert fitted_book.no_show == pytest.approx(book["no_show"])
    assert fitted_book.punctuality.earliest == book["punctuality"]["earliest"]


def test_shifts_are_read_from_hours_seen_nights_joined_gaps_bridged_and_blips_dropped():
    from sim.fitting import inferred_shifts

    grid = np.zeros((7, 24))
    grid[:, 7:19] = 2.4  # two people by day (a third seen now and then)
    grid[:, 19:] = grid[:, :7] = 0.9  # one at night, seen most hours
    grid[:5, 12:14] = 0  # weekday lunch: nobody starts anything for two hours (bridged)
    grid[2, 3] = 3  # one busy hour on a Wednesday night: a blip, not a shift
    shifts = {(s["start"], s["end"], tuple(s["days"]), s["count"]) for s in inferred_shifts(grid)}
    every_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    assert ("07:00", "19:00", every_day, 2) in shifts  # the bridged lunch leaves the weekday shift whole
    assert ("19:00", "07:00", every_day, 1) in shifts  # the night is one shift across midnight
    assert len(shifts) == 2


def test_names_from_the_export_and_the_base_path_read_back_as_written(tmp_path, export_file):
    """Rooms and patient classes are a department's own words ("CT #1", "Room 2, east", "null", "Échographie 2"), and
    the base may sit in a folder whose name YAML would misread: the fitted scenario says each of them exactly."""
    rooms = {"CT-1": "CT #1", "CT-2": "Room 2, east", "MR-1": "null", "US-1": "US: day unit", "US-2": "Échographie 2"}
    with open(export_file, newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["room"] = rooms.get(row["room"], row["room"])
        row["patient_class"] = {"outpatient": "Day case: ward 7"}.get(row["patient_class"], row["patient_class"])
    path = tmp_path / "awkward.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    folder = tmp_path / "base #2: copy"
    folder.mkdir()
    (folder / "base.yaml").write_text(BASE.read_text())
    out = tmp_path / "fitted" / "f.yaml"
    out.parent.mkdir()
    proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "fit", str(path), "--onto",
                           str(folder / "base.yaml"), "--out", str(out), "--staffing"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    fitted = sim.load_scenario(out)
    assert {"CT #1", "Room 2, east"} <= set(fitted.modalities["CT"].scanner_names("CT"))
    assert fitted.modalities["MR"].scanner_names("MR") == ["null"]
    assert {"US: day unit", "Échographie 2"} <= set(fitted.modalities["US"].scanner_names("US"))
    assert "Day case: ward 7" in fitted.demand
    assert fitted.name == f"{sim.load_scenario(BASE).name}, fitted to awkward.csv"
