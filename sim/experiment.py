"""Experiments: replications with confidence intervals, variant comparisons and sweeps.

Replications and sweep points are independent runs, handed to any
`concurrent.futures.Executor`: in-process, a local process pool (the default,
one process per core), or a Dask `distributed` cluster (`Client.get_executor()`).
Each run is a pure function of (scenario, seed, replication), so every
executor gives identical results.

Replication k of every variant uses the same (seed, k), so variants that share
their demand see the same patients (common random numbers), and differences
between them can be judged pairwise.

No lost work: each run's result is saved in the experiment folder as soon as it
finishes, under a key made from the resolved scenario's content, the seed and
the replication. Running the same experiment again loads what is there and runs
only what is missing; an interrupted experiment keeps everything it finished.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from . import __version__
from .metrics import exam_columns, hourly_flow, in_statistics, queue_by_hour, summarise, utilisation_by_hour
from .measures import target_key
from .model import run
from .queueing import confidence_interval
from .roster import covered_minutes, intervals
from .scenario import to_yaml
from .schema import Scenario

TURNAROUND_STATISTICS = ("mean", "median", "p90", "p95")
MEASURES = ("wait_to_scan", "report_tat", "order_to_report")


# ----------------------------------------------------------------- one run


@dataclass(frozen=True)
class Task:
    """One replication of one variant."""

    variant: str
    scenario: Scenario
    seed: int
    replication: int
    scenario_text: str | None = field(default=None, repr=False, compare=False)  # to_yaml(scenario), if known

    @property
    def key(self) -> str:
        scenario = self.scenario_text or to_yaml(self.scenario)
        text = "\n".join([__version__, scenario, str(self.seed), str(self.replication)])
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def run_task(scenario: Scenario, seed: int, replication: int) -> dict:
    """Run one replication; return its figures (flat) and its report turnarounds per priority."""
    result = run(scenario, seed=seed, replication=replication)
    summary = summarise(result)
    columns = exam_columns(result)
    counted = in_statistics(result)
    report_tat = {}
    for rank, name in enumerate(scenario.priority_names):
        values = columns["report_tat"][counted & (columns["priority"] == rank)]
        report_tat[name] = [round(float(v), 3) for v in values[~np.isnan(values)]]
    return {"seed": seed, "replication": replication, "arrivals": arrivals_digest(result),
            "figures": flatten(summary), "report_tat": report_tat, "warnings": summary["warnings"],
            "profiles": profiles(result)}


def profiles(result) -> dict:
    """The standard figures' curves of one replication, by hour of day: both queues, orders and reports, and
    utilisation per group (so that replicated runs can show them as a mean with a band)."""
    orders, reports = hourly_flow(result)
    labels, matrix = utilisation_by_hour(result)
    rounded = lambda values: [None if v != v else round(float(v), 4) for v in values]  # noqa: E731 - NaN: none
    return {"worklist": rounded(queue_by_hour(result, "worklist")),
            "scan_queue": rounded(queue_by_hour(result, "scan_queue")),
            "orders": rounded(orders), "reports": rounded(reports),
            "utilisation": {label: rounded(row) for label, row in zip(labels, matrix)}}


def arrivals_digest(result) -> str:
    """A fingerprint of who arrived when: equal digests mean the same patients (common random numbers)."""
    o = result.exams.orders
    digest = hashlib.sha256()
    for column in (o.ordered_at, o.source, o.exam_type, o.priority):
        digest.update(np.ascontiguousarray(column).tobytes())
    return digest.hexdigest()[:16]


def flatten(summary: dict) -> dict[str, float]:
    """The headline figures of a summary as "priority.stroke.report_tat.p90"-style keys."""
    figures: dict[str, float] = {}
    for priority, row in summary["turnaround"]["priority"].items():
        if not row["count"]:
            continue
        figures[f"priority.{priority}.count"] = float(row["count"])
        for measure in MEASURES:
            for statistic in TURNAROUND_STATISTICS:
                value = row[measure][statistic]
                if value is not None:
                    figures[f"priority.{priority}.{measure}.{statistic}"] = value
        if row["within_target"] is not None:
            figures[f"priority.{priority}.within_target"] = row["within_target"]
    for section, groups in summary["utilisation"].items():
        for group, value in groups.items():
            if value is not None:
                figures[f"utilisation.{section}.{group}"] = value
    figures["worklist.peak"] = float(summary["worklist"]["peak"])
    mornings = summary["worklist"]["morning_backlog"]
    if mornings:
        figures["worklist.morning_backlog.mean"] = float(np.mean([m["studies"] for m in mornings]))
    for name, row in summary.get("door_to_scan", {}).items():
        for statistic in ("mean", "p90", "within_target"):
            if row.get(statistic) is not None:
                figures[f"door_to_scan.{name}.{statistic}"] = row[statistic]
    for row in summary.get("targets", []):
        if row["within_target"] is not None:
            figures[target_key(row)] = row["within_target"]
    for section, groups in summary.get("overtime_hours", {}).items():
        for group, hours in groups.items():
            figures[f"overtime.{section}.{group}"] = hours
    if summary.get("cost", {}).get("per_week") is not None:
        figures["cost.per_week"] = summary["cost"]["per_week"]
    for row in summary.get("published", []):
        if row["value"] is not None:
            figures[f"published.{row['key']}"] = row["value"]
    for name, book in (summary.get("waiting_list") or {}).items():
        if book["list_size"]["mean"] is not None:
            figures[f"waiting_list.{name}.list_size.mean"] = book["list_size"]["mean"]
        for category, row in book["categories"].items():
            for statistic in ("median", "p90"):
                if row["wait_days"][statistic] is not None:
                    figures[f"waiting_list.{name}.{category}.wait_days.{statistic}"] = row["wait_days"][statistic]
            if row.get("within_target") is not None:
                figures[f"waiting_list.{name}.{category}.within_target"] = row["within_target"]
    return figures


def headline_keys(figures: dict[str, float]) -> list[str]:
    """The figures whose precision `--precision` controls: report turnaround mean and p90 per priority."""
    return [k for k in figures if k.startswith("priority.") and (k.endswith(".report_tat.mean")
                                                                   or k.endswith(".report_tat.p90"))]


def staff_hours_per_week(scenario: Scenario) -> float:
    """Scheduled paid staff-hours per week: the cost proxy of a staffing variant."""
    minutes = 0.0
    for groups in (scenario.technologists, scenario.radiologists):
        for group in groups.values():
            plan = intervals(group.shifts, scenario.days, scenario.start_weekday)
            minutes += group.count * covered_minutes(plan, 0.0, scenario.days * 1440.0)
    return minutes / 60.0 / (scenario.days / 7.0)


# --------------------------------------------------------------- executing


class SerialExecutor(Executor):
    """Runs each task in this process as it is submitted (for --workers 1 and debugging)."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future


def window_for(workers: int | None, scheduler: str | None) -> int:
    """How many runs to keep in flight: enough to keep every worker busy, no more."""
    if scheduler:
        return 256
    workers = workers or os.cpu_count() or 1
    return 1 if workers == 1 else 2 * workers


@contextmanager
def make_executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor]:
    """A process pool (default: one worker per core), a Dask cluster, or in-process for workers=1."""
    if scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise ExperimentError("--scheduler needs Dask: pip install 'radsim[dask]'") from None
        with Client(scheduler) as client:
            yield client.get_executor()
        return
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        yield SerialExecutor()
        return
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_leave_interrupts_to_the_parent)
    try:
        yield pool
    except BaseException:
        # Ctrl-C (or any failure): stop at once rather than wait for the replications in flight; the finished
        # ones are saved already. The pool has no public way to stop its workers before Python 3.14.
        workers = list((getattr(pool, "_processes", None) or {}).values())
        for process in workers:
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _leave_interrupts_to_the_parent() -> None:
    """Workers ignore Ctrl-C: the parent stops them, so none dies half-way through printing a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


class ExperimentError(Exception):
    """An experiment that cannot be run as asked (one line for the user, exit status 2)."""

    pass


class Store:
    """Finished runs of an experiment, one JSON file each, written atomically."""

    def __init__(self, folder: Path, say=None):
        self.folder = folder
        self.runs = folder / "runs"
        self.runs.mkdir(parents=True, exist_ok=True)
        # a run stopped mid-save (killed, power cut) leaves a .part file: that replication is simply run again
        unfinished = sorted(self.runs.glob("*.part"))
        if unfinished and say is not None:
            say(f"{len(unfinished)} replication(s) left unfinished by an interrupted run will be run again")
        for path in unfinished:
            path.unlink()

    def path(self, task: Task) -> Path:
        return self.runs / f"{task.key}.json"

    def load(self, task: Task) -> dict | None:
        try:
            return json.loads(self.path(task).read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def save(self, task: Task, data: dict) -> None:
        data = {"variant": task.variant, **data}
        final = self.path(task)
        staging = final.with_suffix(".part")
        try:
            staging.write_text(json.dumps(data))
            os.replace(staging, final)
        except BaseException:  # Ctrl-C mid-save: the replication is not kept, and leaves nothing half-written
            staging.unlink(missing_ok=True)
            raise


def execute(tasks: list[Task], executor: Executor, store: Store, window: int = 1,
            progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """Results for `tasks`, in order: loaded from the store where finished, run otherwise.

    At most `window` runs are in flight at once, and each is saved the moment it
    finishes, so an interruption loses only the runs in flight.
    """
    results: list[dict | None] = [store.load(task) for task in tasks]
    todo = [i for i, r in enumerate(results) if r is None]
    done = len(tasks) - len(todo)
    if progress:
        progress(done, len(tasks))
    pending: dict[Future, int] = {}
    try:
        while todo or pending:
            while todo and len(pending) < window:
                i = todo.pop(0)
                pending[executor.submit(run_task, tasks[i].scenario, tasks[i].seed, tasks[i].replication)] = i
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                i = pending.pop(future)
                results[i] = {"variant": tasks[i].variant, **future.result()}
                store.save(tasks[i], results[i])
                done += 1
                if progress:
                    progress(done, len(tasks))
    except BaseException:
        for future in pending:
            future.cancel()
        raise
    return results  # type: ignore[return-value]


def progress_bar(stream=None) -> Callable[[int, int], None]:
    """A one-line text progress bar on stderr, redrawn in place on a terminal."""
    stream = stream or sys.stderr
    interactive = stream.isatty()

    def show(done: int, total: int) -> None:
        if not interactive and done not in (total,):
            return
        width = 30
        filled = int(width * done / total) if total else width
        end = "\n" if done == total else ""
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} runs{end}")
        stream.flush()

    return show


# ------------------------------------------------------------- statistics


@dataclass(frozen=True)
class Estimate:
    """A figure across replications: its mean, 95% confidence interval and the number of values."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    @property
    def relative_half_width(self) -> float:
        return abs(self.half_width / self.mean) if self.mean else math.inf

    def as_dict(self) -> dict:
        return {"mean": self.mean, "ci_low": self.low, "ci_high": self.high,
                "half_width": self.half_width, "relative_half_width": self.relative_half_width, "n": self.n}


def estimate(values: Iterable[float]) -> Estimate:
    values = [v for v in values if v is not None and not math.isnan(v)]
    if not values:
        return Estimate(math.nan, math.nan, math.nan, 0)
    if len(values) == 1:
        return Estimate(values[0], math.nan, math.nan, 1)
    if max(values) == min(values):
        return Estimate(values[0], values[0], values[0], len(values))
    mean, low, high = confidence_interval(values)
    return Estimate(mean, low, high, len(values))


def aggregate(runs: list[dict]) -> dict[str, Estimate]:
    """Mean and 95% CI of every figure across replications (figures missing from a run are skipped)."""
    keys = sorted({k for r in runs for k in r["figures"]}, key=_figure_order)
    return {k: estimate(r["figures"].get(k, math.nan) for r in runs) for k in keys}


def paired_differences(baseline: list[dict], variant: list[dict]) -> dict[str, Estimate]:
    """Variant minus baseline, replication by replication (common random numbers), with 95% CIs."""
    by_rep = {r["replication"]: r["figures"] for r in baseline}
    keys = sorted({k for r in variant for k in r["figures"]} & {k for f in by_rep.values() for k in f},
                  key=_figure_order)
    return {k: estimate(r["figures"][k] - by_rep[r["replication"]][k] for r in variant
                        if k in r["figures"] and k in by_rep.get(r["replication"], {}))
            for k in keys}


def _figure_order(key: str):
    return (not key.startswith("priority."), key)


# ------------------------------------------------------------- experiments


@dataclass
class Variant:
    """One scenario of an experiment, with a label and the figures of its replications."""

    label: str
    scenario: Scenario
    runs: list[dict] = field(default_factory=list)

    @property
    def estimates(self) -> dict[str, Estimate]:
        return aggregate(self.runs)


def replicate(variants: list[Variant], replications: int, seed: int, executor: Executor, store: Store,
              precision: float | None = None, max_replications: int = 100, batch: int | None = None,
              window: int = 1, progress: Callable[[int, int], None] | None = None) -> int:
    """Run `replications` of every variant; with `precision`, add more until headline figures are
    within that relative half-width (or `max_replications` is reached). Returns replications run."""
    n = replications
    texts = {v.label: to_yaml(v.scenario) for v in variants}  # once per variant, not once per replication
    while True:
        tasks = [Task(v.label, v.scenario, seed, k, texts[v.label]) for v in variants for k in range(n)]
        results = execute(tasks, executor, store, window, progress)
        for v in variants:
            v.runs = [r for t, r in zip(tasks, results) if t.variant == v.label]
        if precision is None or n >= max_replications or _precise_enough(variants, precision):
            return n
        n = min(max_replications, n + (batch or max(2, os.cpu_count() or 2)))


def worst_precision(variant: Variant) -> float:
    estimates = variant.estimates
    keys = headline_keys({k: 0 for k in estimates})
    return max((estimates[k].relative_half_width for k in keys), default=math.inf)


def _precise_enough(variants: list[Variant], precision: float) -> bool:
    return all(worst_precision(v) <= precision for v in variants)


def sweep_points(vary: list[tuple[str, list[str]]]) -> list[list[tuple[str, str]]]:
    """The full factorial of the varied settings, as lists of (key, value)."""
    points: list[list[tuple[str, str]]] = [[]]
    for key, values in vary:
        points = [p + [(key, v)] for p in points for v in values]
    return points


def parse_vary(text: str) -> tuple[str, list[str]]:
    key, sep, values = text.partition("=")
    items = [v.strip() for v in values.split(",") if v.strip()]
    if not sep or not key.strip() or not items:
        raise ExperimentError(f"--vary {text!r}: expected dotted.key=value1,value2,...")
    return key.strip(), items
