"""The command line.

    python run_sim.py [SCENARIO] [--days N] [--seed S] [--out DIR] [--set key=value ...] [--no-plots]
                      [--reps N [--precision P --max-reps M]] [--workers W | --scheduler ADDRESS]
    python run_sim.py compare A.yaml B.yaml [...] --reps N [options as above]
    python run_sim.py sweep SCENARIO --vary key=v1,v2 [--vary ...] --reps N [options as above]
    python run_sim.py optimise SCENARIO --spec SEARCH.yaml [options as above]
    python run_sim.py narrate SCENARIO [--from "day 1 07:00"] [--to "day 1 10:00"] [--step]
    python run_sim.py animate SCENARIO [--from ...] [--to ...] [--exam N] [--out PAGE.html]
    python run_sim.py serve [SCENARIO] [--port P]
    python run_sim.py validate SCENARIO [--set key=value ...]
    python run_sim.py schema

A scenario that cannot be run gets one line naming the file, the field and the
problem, and exit status 2, with nothing written.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

from . import __version__
from .experiment import ExperimentError
from .memory import map_large_blocks
from .model import run
from .output import OutputError, new_result_dir, result_dir, write_result_folder
from .scenario import ScenarioError, load_scenario
from .schema import Scenario

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "community_hospital.yaml"
EXIT_BAD_INPUT = 2


class Parser(argparse.ArgumentParser):
    """Bad options get one line and exit status 2, like a bad scenario."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def _number(text: str, kind=int):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole ' if kind is int else ''}number") from None


def _non_negative(text: str) -> int:
    value = _number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more (got {value})")
    return value


def _fraction(text: str) -> float:
    value = _number(text, float)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"is a fraction between 0 and 1, e.g. 0.05 for 5 % (got {text})")
    return value


def _common_options(parser: argparse.ArgumentParser, experiment_only: bool = False) -> None:
    parser.add_argument("--days", type=int, help="override the horizon in days")
    parser.add_argument("--seed", type=_non_negative, help="override the scenario's seed")
    parser.add_argument("--out", type=Path, help="result folder (default: under results/)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a scenario field, e.g. --set technologists.ct_night.count=2 (repeatable)")
    parser.add_argument("--no-plots", action="store_true", help="write tables only, no figures")
    parser.add_argument("--quiet", action="store_true", help="print nothing but warnings and errors")
    parser.add_argument("--reps", type=_positive, default=None if not experiment_only else 10,
                        help="independent replications" + (" (default 10)" if experiment_only else ""))
    parser.add_argument("--precision", type=_fraction, metavar="P",
                        help="add replications until headline figures' relative 95%% CI half-width is at most P")
    parser.add_argument("--max-reps", type=_positive, default=100, help="cap for --precision (default 100)")
    parser.add_argument("--measure", dest="measures", action="append", metavar="PATTERN",
                        help="a measure experiments report, e.g. 'priority.stat.order_to_report.p90' or "
                             "'utilisation.*' (repeatable; default: the scan side, reading, order to report, "
                             "door to scan, targets, utilisation, morning backlog and staff cost)")
    parser.add_argument("--workers", type=_positive, help="parallel processes (default: every core)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask distributed cluster instead")


def _positive(text: str) -> int:
    value = _number(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _run_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="run_sim.py",
        description="Simulate a radiology department and report turnaround times. Other commands: "
                    "'compare A.yaml B.yaml', 'sweep SCENARIO --vary key=v1,v2', 'narrate SCENARIO [--step]', "
                    "'validate SCENARIO', 'optimise SCENARIO --spec SEARCH.yaml', 'export SCENARIO --out X.csv', "
                    "'fit EXPORT.csv --onto BASE.yaml --out FITTED.yaml', 'check SCENARIO --against EXPORT.csv', "
                    "'animate SCENARIO', 'serve [SCENARIO]', 'schema'.")
    parser.add_argument("--version", action="version", version=f"radsim {__version__}")
    parser.add_argument("--parquet", action="store_true",
                        help="also write the tables as Parquet (needs pyarrow: pip install -e '.[parquet]')")
    parser.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO),
                        help="scenario YAML file (default: the community hospital)")
    _common_options(parser)
    return parser


def _load(path: str, overrides: list[str], days: int | None = None) -> Scenario:
    if days is not None:
        overrides = [*overrides, f"days={days}"]
    return load_scenario(path, overrides)


def cmd_run(argv: list[str]) -> int:
    args = _run_parser().parse_args(argv)
    if args.reps or args.precision:
        from .experiments_cli import run_replications

        return run_replications(args)
    scenario = _load(args.scenario, args.overrides, args.days)
    seed = scenario.seed if args.seed is None else args.seed
    if args.parquet:
        from importlib.util import find_spec

        if find_spec("pyarrow") is None:  # say so before the run, not after it
            raise OutputError("--parquet needs pyarrow: pip install -e '.[parquet]'")
    folder = result_dir(args.out or new_result_dir(Path("results"), Path(args.scenario).stem, seed),
                        chosen_name=args.out is not None)
    result = run(scenario, seed=seed, progress=None if args.quiet else run_progress(sys.stderr))
    with folder as staging:
        summary = write_result_folder(result, staging, figures=not args.no_plots, parquet=args.parquet,
                                      narrative=None if args.no_plots else _scenario_narrative(result))
    if not args.quiet:
        from .console import format_summary

        print(format_summary(summary))
        print(f"\nResults written to {folder.final}/")
    else:
        for warning in summary["warnings"]:
            print(f"WARNING: {warning}", file=sys.stderr)
    return 0


def run_progress(stream, clock=time.monotonic):
    """A progress line with the time left, redrawn in place on an interactive terminal; None when piped, so that
    logs stay clean. Shown only once a run has taken a second (short runs print nothing)."""
    if not stream.isatty():
        return None
    started = clock()

    def show(done: float, total: float) -> None:
        elapsed = clock() - started
        if elapsed < 1.0 and done < total:
            return
        left = elapsed * (total - done) / done if done else 0.0
        end = "\n" if done >= total else ""
        stream.write(f"\rsimulating: day {done / 1440:.0f} of {total / 1440:.0f} ({100 * done / total:.0f}%), "
                     f"about {left:.0f} s left   {end}")
        stream.flush()

    return show


def _scenario_narrative(result) -> str | None:
    window = result.scenario.report.narrative
    if window is None:
        return None
    from .narrative import format_narrative, narrate

    return format_narrative(narrate(result, window.start, window.end))


def _window_parser(prog: str, description: str) -> Parser:
    """A command about a window of one run: the scenario, --from/--to, --seed and --set."""
    parser = Parser(prog=prog, description=description)
    parser.add_argument("scenario")
    parser.add_argument("--from", dest="start", metavar="MOMENT", help='e.g. "day 1 07:00" (default: the '
                        "scenario's report.narrative window, else the first morning after warm-up)")
    parser.add_argument("--to", dest="end", metavar="MOMENT", help='e.g. "day 1 10:00"')
    parser.add_argument("--seed", type=_non_negative)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    return parser


def _window_run(args):
    """The run and the window (start, end) a window command asks for."""
    scenario = _load(args.scenario, args.overrides)
    start, end = _narrative_window(scenario, args.start, args.end)
    return run(scenario, seed=args.seed), start, end


def _narrate_parser() -> Parser:
    parser = _window_parser("run_sim.py narrate", "Tell what happened in a window of simulated time.")
    parser.add_argument("--step", action="store_true",
                        help="one event at a time with who does what and both queues; Enter advances, q quits")
    return parser


def cmd_narrate(argv: list[str]) -> int:
    args = _narrate_parser().parse_args(argv)
    result, start, end = _window_run(args)
    if args.step:
        from .stepper import step_through

        step_through(result, start, end, sys.stdin, sys.stdout)
        return 0
    from .narrative import format_narrative, narrate

    print(format_narrative(narrate(result, start, end)))
    return 0


def _animate_parser() -> Parser:
    parser = _window_parser("run_sim.py animate", "Write an animation of a window of a run (scanners, queues, the "
                            "worklist, who does what, one exam followed) as one HTML page that plays in any browser.")
    parser.add_argument("--exam", type=_non_negative, help="the exam to follow (default: the first of the most "
                                                           "urgent priority ordered in the window)")
    parser.add_argument("--out", metavar="PAGE.html", help="default results/<scenario>-animation.html")
    return parser


def cmd_animate(argv: list[str]) -> int:
    from .animation import animation_page, default_highlight, frames

    args = _animate_parser().parse_args(argv)
    result, start, end = _window_run(args)
    exam = default_highlight(result, start, end) if args.exam is None else args.exam
    if exam is not None and exam >= len(result.exams):
        raise ScenarioError("animate", "--exam", f"{exam} is not an exam of this run (it has {len(result.exams)})")
    out = Path(args.out or Path("results") / f"{Path(args.scenario).stem}-animation.html")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(animation_page(frames(result, start, end, highlight=exam)), encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the page ({exc.strerror})") from None
    print(f"Animation written to {out}: open it in a browser and press Play")
    return 0


def _serve_parser() -> Parser:
    parser = Parser(prog="run_sim.py serve", description="Start the web app (what-if page and the animated "
                                                         "department) on this computer and print its address.")
    parser.add_argument("scenario", nargs="?", help="the scenario the what-if page opens with")
    parser.add_argument("--port", type=_non_negative, default=8501)
    return parser


def cmd_serve(argv: list[str]) -> int:
    from importlib.util import find_spec

    args = _serve_parser().parse_args(argv)
    if args.scenario:
        _load(args.scenario, [])  # a bad scenario is one line now, not an error page later
    if find_spec("streamlit") is None:
        raise OutputError("the web app needs streamlit: pip install -e '.[app]' (or make app)")
    import subprocess

    page = Path(__file__).with_name("app.py")
    command = [sys.executable, "-m", "streamlit", "run", str(page), "--server.address", "127.0.0.1",
               "--server.port", str(args.port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.enableStaticServing", "false", "--client.toolbarMode", "minimal",
               "--server.maxUploadSize", "1", "--", *([args.scenario] if args.scenario else [])]
    print(f"radsim web app: http://127.0.0.1:{args.port}/ (this computer only; Ctrl-C stops it)", flush=True)
    if os.name == "posix":  # become the server: stopping this process (Ctrl-C, kill, a service manager) stops it
        os.execv(sys.executable, command)
    return subprocess.call(command)


def _narrative_window(scenario: Scenario, start: str | None, end: str | None) -> tuple[float, float]:
    from .schema import parse_moment

    default = scenario.report.narrative
    if default is not None:
        lo, hi = default.start, default.end
    else:
        day = int(-(-scenario.warmup_days // 1))
        lo, hi = day * 1440.0 + 7 * 60, day * 1440.0 + 10 * 60
    try:
        lo = parse_moment(start) if start else lo
        hi = parse_moment(end) if end else hi
    except ValueError as exc:
        raise ScenarioError("narrate", "--from/--to", str(exc)) from None
    if hi <= lo:
        raise ScenarioError("narrate", "--to", "must come after --from")
    if lo >= scenario.days * 1440.0:
        raise ScenarioError("narrate", "--from", f"is after the end of the horizon ({scenario.days} days)")
    return lo, hi


def _validate_parser() -> Parser:
    parser = Parser(prog="run_sim.py validate", description="Check a scenario file.")
    parser.add_argument("scenario")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    return parser


def cmd_validate(argv: list[str]) -> int:
    args = _validate_parser().parse_args(argv)
    scenario = _load(args.scenario, args.overrides)
    from .capacity import offered_load_warnings

    print(f"{args.scenario}: valid ({scenario.name})")
    from .coverage import coverage_warnings

    from .published import setting_warnings

    for warning in offered_load_warnings(scenario) + coverage_warnings(scenario) + setting_warnings(scenario):
        print(f"WARNING: {warning}")
    return 0


def _export_parser() -> Parser:
    parser = Parser(prog="run_sim.py export",
                    description="Run a scenario and write its exams as a RIS/PACS exam export (CSV), optionally with "
                                "the dirt of a real one: data to try `fit` on.")
    parser.add_argument("scenario")
    parser.add_argument("--out", required=True, help="the CSV file to write")
    parser.add_argument("--days", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    for name, what in (("duplicates", "rows duplicated"), ("missing-final", "final-report times left empty"),
                       ("out-of-order", "final-report times stamped before the exam ended")):
        parser.add_argument(f"--{name}", type=float, default=0.0, metavar="SHARE", help=f"share of {what}")
    return parser


def cmd_export(argv: list[str]) -> int:
    from .model import run
    from .ris_export import Dirt, export_rows, write_export

    args = _export_parser().parse_args(argv)
    scenario = _load(args.scenario, args.overrides, args.days)
    rows = export_rows(run(scenario, seed=args.seed), Dirt(args.duplicates, args.missing_final, args.out_of_order))
    write_export(args.out, rows)
    print(f"{len(rows)} rows written to {args.out}")
    return 0


def _read_export(path: str, args):
    """An export read through the --mapping file (radsim's column names to the export's, and date_format) and
    --date-format options of `fit` and `check`."""
    from .fitting import read_export
    from .scenario import read_yaml

    mapping = read_yaml(Path(args.mapping)) if args.mapping else {}
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise ScenarioError(args.mapping, "mapping", "must map radsim's column names to the export's (and "
                                                     "date_format to a format)")
    mapping = dict(mapping)
    return read_export(path, mapping, args.date_format or mapping.pop("date_format", None))


def _fit_parser() -> Parser:
    parser = Parser(prog="run_sim.py fit",
                    description="Fit demand and exam durations from a RIS/PACS exam export and write them as a "
                                "variant of a scenario that supplies what an export cannot tell (staff, shifts, "
                                "scanners, read times).")
    parser.add_argument("export", help="the export, one row per exam: CSV, .xlsx or .parquet")
    parser.add_argument("--onto", required=True, metavar="BASE.yaml", help="the scenario the fitted one extends")
    parser.add_argument("--out", required=True, metavar="FITTED.yaml", help="the scenario file to write")
    parser.add_argument("--mapping", metavar="MAP.yaml",
                        help="radsim's column names to the export's, and date_format (docs/user-guide.md)")
    parser.add_argument("--date-format", help="strptime format of the export's dates (default ISO)")
    parser.add_argument("--staffing", action="store_true",
                        help="replace the base's technologists, radiologists and scanners with the shifts and rooms "
                             "the export shows (without it they are written commented out, to edit)")
    parser.add_argument("--reads", action="store_true",
                        help="also replace the base's read times with the export's read started -> signed spans "
                             "(which hold the calls and urgent studies that broke into each read)")
    return parser


def cmd_fit(argv: list[str]) -> int:
    from .fitting import fit, fitted_scenario, rooms_seen

    args = _fit_parser().parse_args(argv)
    base = _load(args.onto, [])
    export = _read_export(args.export, args)
    fitted = fit(export, base)
    out = Path(args.out)
    base_path = os.path.relpath(Path(args.onto).resolve(), out.resolve().parent)
    text, assumptions = fitted_scenario(fitted, export, base_path, base, reads=args.reads, staffing=args.staffing)
    temporary = out.with_name(f".{out.name}.partial")
    temporary.write_text(text, encoding="utf-8")
    try:
        _load(str(temporary), [])  # the file must load as it is, or nothing is written
    except ScenarioError as exc:
        temporary.unlink()
        raise ScenarioError(export.source, exc.field, f"{exc.problem} (in the scenario fitted onto {args.onto})") \
            from None
    temporary.replace(out)
    from .fit_report import write_fit_report

    report = out.with_suffix(".html")
    write_fit_report(report, export, fitted, assumptions, str(out))
    print(f"{export.source}: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in export.cleaning.items()))
    for source, d in fitted["demand"].items():
        low, high = d["exams_per_day_ci"]
        print(f"  {source}: {d['exams_per_day']:.1f} orders a day (95% CI {low:.1f}-{high:.1f})")
    for what, fits in (("room time", fitted["acquisition"]), ("read time", fitted["read"])):
        for name, f in fits.items():
            best = f["best"]
            print(f"  {name}: {what} {best['dist']} (AIC {best['aic']}, KS p {best['ks_p']}) from {f['n']} exams")
    for name, b in fitted["appointments"].items():
        print(f"  {name}: {b['attended']} booked patients came" + (f", {b['no_shows']} did not (no-show share "
                                                                   f"{b['no_show']:.1%})" if "no_show" in b else ""))
    for line in assumptions:
        print(f"ASSUMED: {line}")
    rooms = rooms_seen(export)
    print("Rooms seen: " + "; ".join(f"{m} {len(r)}" for m, r in rooms.items()) +
          ("" if args.staffing else " (scanners and staff are the base's; --staffing applies what the export shows)"))
    print(f"Fitted scenario written to {out}; the fit report (every fit over its data) to {report}")
    return 0


def _check_parser() -> Parser:
    parser = Parser(prog="run_sim.py check",
                    description="Run a scenario for an export's days with replications and place its simulated "
                                "turnaround (median, p90 by priority, modality and source) and daily orders beside "
                                "the export's observed ones, each with the replications' 95%% prediction band.")
    parser.add_argument("scenario")
    parser.add_argument("--against", required=True, metavar="EXPORT.csv", help="the department's exam export")
    parser.add_argument("--mapping", metavar="MAP.yaml", help="as for fit")
    parser.add_argument("--date-format", help="as for fit")
    parser.add_argument("--reps", type=int, default=10, help="replications (default 10)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--out", metavar="CHECK.csv", help="also write every compared row as CSV")
    return parser


def cmd_check(argv: list[str]) -> int:
    from .checking import compare, daily_orders, morning_backlog, observed_groups, room_busy, simulated_groups

    args = _check_parser().parse_args(argv)
    if args.reps < 2:
        raise ScenarioError("check", "--reps", "needs at least 2 replications for a prediction band")
    export = _read_export(args.against, args)
    scenario = _load(args.scenario, args.overrides, export.days)
    results = []
    for k in range(args.reps):
        results.append(run(scenario, replication=k))
        print(f"\rcheck: {k + 1}/{args.reps} replications", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    rows = daily_orders(export, results) + morning_backlog(export, results) + room_busy(export, results) + compare(
        observed_groups(export, scenario.warmup_days * 1440.0), [simulated_groups(r) for r in results])
    print(f"radsim check: {scenario.name} against {export.source} ({export.days} days, {args.reps} replications; "
          "minutes; band: where a month falls 95 times in 100)")
    print(f"{'group':<24}{'measure':<17}{'stat':<7}{'observed':>10}{'simulated':>11}{'band':>20}  verdict")
    for row in rows:
        shown = (lambda v: f"{100 * v:.1f}%") if row.measure.endswith("share") else (lambda v: f"{v:.1f}")
        band = "-" if row.note else f"{shown(row.low)}-{shown(row.high)}"
        simulated = "-" if row.note else shown(row.simulated)
        print(f"{row.group[:23]:<24}{row.measure:<17}{row.statistic:<7}{shown(row.observed):>10}{simulated:>11}"
              f"{band:>20}  {row.verdict}")
    inside = sum(1 for row in rows if row.verdict == "inside")
    print(f"{inside} of {len(rows)} observed figures inside the simulated band")
    if args.out:
        with open(args.out, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["group", "measure", "statistic", "observed", "simulated", "band_low", "band_high",
                             "verdict"])
            writer.writerows([r.group, r.measure, r.statistic, f"{r.observed:.3f}", f"{r.simulated:.3f}",
                              f"{r.low:.3f}", f"{r.high:.3f}", r.verdict] for r in rows)
    return 0


def _schema_parser() -> Parser:
    return Parser(prog="run_sim.py schema", description="Print the scenario format's JSON Schema.")


def cmd_schema(argv: list[str]) -> int:
    _schema_parser().parse_args(argv)
    print(json.dumps(scenario_json_schema(), indent=2))
    return 0


def scenario_json_schema() -> dict:
    schema = Scenario.model_json_schema(by_alias=True)
    schema["title"] = "radsim scenario"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _compare_parser() -> Parser:
    parser = Parser(prog="run_sim.py compare",
                    description="Compare scenario variants over replications with common random numbers.")
    parser.add_argument("scenarios", nargs="+", help="two or more scenario files; the first is the baseline")
    _common_options(parser, experiment_only=True)
    return parser


def cmd_compare(argv: list[str]) -> int:
    from .experiments_cli import run_compare

    parser = _compare_parser()
    return run_compare(parser.parse_args(argv), parser)


def _sweep_parser() -> Parser:
    parser = Parser(prog="run_sim.py sweep",
                    description="Run the full factorial of settings and plot the chosen measures against them.")
    parser.add_argument("scenario")
    parser.add_argument("--vary", action="append", required=True, metavar="KEY=V1,V2,...",
                        help="a setting and its values, e.g. radiologists.evening.count=1,2,3 (repeatable)")
    _common_options(parser, experiment_only=True)
    return parser


def cmd_sweep(argv: list[str]) -> int:
    from .experiments_cli import run_sweep

    return run_sweep(_sweep_parser().parse_args(argv))


def _optimise_parser() -> Parser:
    parser = Parser(prog="run_sim.py optimise",
                    description="Find the cheapest settings that meet every constraint of a search file with the "
                                "confidence it asks for (an exhaustive search with common random numbers, confirmed "
                                "on fresh replications).")
    parser.add_argument("scenario")
    parser.add_argument("--spec", required=True, metavar="SEARCH.yaml",
                        help="the search file: variables and their values, constraints, the objective")
    _common_options(parser)  # --reps, if given, replaces the search file's screening replications
    return parser


def cmd_optimise(argv: list[str]) -> int:
    from .experiments_cli import run_optimise

    return run_optimise(_optimise_parser().parse_args(argv))


PARSERS = {"run": _run_parser, "compare": _compare_parser, "sweep": _sweep_parser, "narrate": _narrate_parser,
           "validate": _validate_parser, "schema": _schema_parser, "optimise": _optimise_parser,
           "export": _export_parser, "fit": _fit_parser, "check": _check_parser, "animate": _animate_parser,
           "serve": _serve_parser}


def check_command(argv: list[str]) -> list[Scenario]:
    """Parse a command line as `main` would and load every scenario it names, without running anything:
    the scenarios, or the first error (ScenarioError, SystemExit from a bad option)."""
    command = argv[0] if argv and argv[0] in PARSERS else "run"
    args = PARSERS[command]().parse_args(argv[1:] if argv and argv[0] in PARSERS else argv)
    if command == "schema":
        return []
    days = getattr(args, "days", None)
    overrides = getattr(args, "overrides", [])
    paths = getattr(args, "scenarios", None) or [getattr(args, "scenario", None) or getattr(args, "onto", None)
                                                 or str(DEFAULT_SCENARIO)]
    scenarios = [_load(path, overrides, days) for path in paths]
    if command == "optimise":
        from .optimise import check_measures, check_values, load_spec

        spec = load_spec(args.spec)
        day_overrides = [*overrides, *([f"days={days}"] if days is not None else [])]
        check_values(spec, paths[0], day_overrides, args.spec)
        check_measures(spec, scenarios[0], args.spec)
    for vary in getattr(args, "vary", None) or []:
        from .experiment import parse_vary

        key, values = parse_vary(vary)
        scenarios += [_load(paths[0], [*overrides, f"{key}={value}"], days) for value in values]
    return scenarios


COMMANDS = {"run": cmd_run, "compare": cmd_compare, "sweep": cmd_sweep, "narrate": cmd_narrate,
            "validate": cmd_validate, "schema": cmd_schema, "optimise": cmd_optimise, "export": cmd_export,
            "fit": cmd_fit, "check": cmd_check, "animate": cmd_animate, "serve": cmd_serve}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    map_large_blocks()
    command = COMMANDS.get(argv[0]) if argv else None
    if command is not None:
        argv = argv[1:]
    else:
        command = cmd_run
    try:
        return command(argv)
    except (ScenarioError, OutputError, ExperimentError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted: no half-written results are left; an experiment keeps its finished runs "
              "and resumes when the same command is run again", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to say to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
