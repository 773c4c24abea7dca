"""Figures drawn from a run's records (never from simpy objects).

Each figure function takes a `Result` and returns a matplotlib Figure, so
tests can inspect the axes; `write_plots` saves them as PNG and SVG. Every
priority keeps one colour across all figures.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; radsim never opens windows
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .metrics import exam_columns, in_statistics  # noqa: E402
from .records import Result  # noqa: E402

PRIORITY_COLOURS = ["#c0392b", "#e67e22", "#8e44ad", "#2980b9", "#27ae60", "#7f8c8d", "#16a085", "#d35400"]


def priority_colour(rank: int) -> str:
    return PRIORITY_COLOURS[rank % len(PRIORITY_COLOURS)]


def report_tat_ecdf(result: Result):
    """Report turnaround (images complete -> signed) per priority, with each target marked."""
    columns = exam_columns(result)
    window = in_statistics(result)
    fig, ax = plt.subplots(figsize=(8, 5))
    for rank, (name, priority) in enumerate(result.scenario.priorities.items()):
        tat = columns["report_tat"][window & (columns["priority"] == rank)]
        tat = np.sort(tat[~np.isnan(tat)])
        if not len(tat):
            continue
        colour = priority_colour(rank)
        ax.step(tat, np.arange(1, len(tat) + 1) / len(tat), where="post", color=colour,
                label=f"{name} (n={len(tat)})")
        ax.axvline(priority.target_minutes, color=colour, linestyle=":", linewidth=1)
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(left=0)
    ax.set_xlabel("report turnaround, images complete to signed report (minutes; dotted = target)")
    ax.set_ylabel("share of studies reported")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"{result.scenario.name}: report turnaround by priority")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def queues_over_time(result: Result):
    """Worklist length and orders waiting to be scanned, over the whole horizon."""
    trace = result.queues.columns()
    fig, ax = plt.subplots(figsize=(10, 4.5))
    days = trace["time"] / 1440.0
    ax.step(days, trace["worklist"], where="post", label="worklist (studies awaiting a read)", color="#2c3e50")
    ax.step(days, trace["scan_queue"], where="post", label="orders awaiting a scan", color="#e67e22")
    if result.warmup > 0:
        ax.axvspan(0, result.warmup / 1440.0, color="grey", alpha=0.15, label="warm-up")
    ax.set_xlim(0, result.scenario.days)
    ax.set_xlabel("time (days from the start of day 0)")
    ax.set_ylabel("studies waiting")
    ax.set_title(f"{result.scenario.name}: queues over time")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


FIGURES = {"report_tat": report_tat_ecdf, "queues": queues_over_time}


def write_plots(result: Result, folder: Path) -> list[Path]:
    written = []
    for name, draw in FIGURES.items():
        written += _save(draw(result), folder, name)
    return written


# ------------------------------------------------------------- experiments


def _save(fig, folder: Path, name: str) -> list[Path]:
    paths = []
    for suffix in ("png", "svg"):
        path = folder / f"{name}.{suffix}"
        fig.savefig(path, dpi=110, metadata={"Date": None} if suffix == "svg" else None)
        paths.append(path)
    plt.close(fig)
    return paths


VARIANT_COLOURS = ["#2c3e50", "#e67e22", "#16a085", "#8e44ad", "#c0392b", "#7f8c8d"]


def comparison_figure(variants, priority: str, target: float, title: str):
    """One priority across variants: report-turnaround ECDF, percentiles with 95% CIs, share within target."""
    fig, (ecdf, pct, share) = plt.subplots(1, 3, figsize=(15, 4.8))
    for i, v in enumerate(variants):
        colour = VARIANT_COLOURS[i % len(VARIANT_COLOURS)]
        pooled = np.sort(np.concatenate([np.asarray(r["report_tat"].get(priority, []), dtype=float)
                                         for r in v.runs]))
        if len(pooled):
            ecdf.step(pooled, np.arange(1, len(pooled) + 1) / len(pooled), where="post", color=colour, label=v.label)
        estimates = v.estimates
        stats = [estimates.get(f"priority.{priority}.report_tat.{s}") for s in ("median", "p90", "p95")]
        xs = np.arange(3) + (i - (len(variants) - 1) / 2) * 0.8 / max(1, len(variants))
        _error_points(pct, xs, stats, colour, v.label)
        _error_points(share, [i], [estimates.get(f"priority.{priority}.within_target")], colour, v.label)
    ecdf.axvline(target, color="grey", linestyle=":", label="target")
    ecdf.set_xscale("symlog", linthresh=10)
    ecdf.set_xlim(left=0)
    ecdf.set(xlabel="report turnaround (minutes)", ylabel="share of studies reported",
             title="distribution, all replications")
    ecdf.legend(loc="lower right")
    pct.axhline(target, color="grey", linestyle=":")
    pct.set_xticks(range(3), ["median", "p90", "p95"])
    pct.set(ylabel="report turnaround (minutes)", title="percentiles, mean and 95% CI")
    share.set_xticks(range(len(variants)), [v.label for v in variants], rotation=15)
    share.set(ylabel="share within target", ylim=(0, 1.05), title=f"within {target:g}-minute target")
    for ax in (ecdf, pct, share):
        ax.grid(alpha=0.3)
    fig.suptitle(f"{title}: {priority} report turnaround")
    fig.tight_layout()
    return fig


def _error_points(ax, xs, estimates, colour, label):
    points = [(x, e) for x, e in zip(xs, estimates) if e is not None and not np.isnan(e.mean)]
    if not points:
        return
    x = [p[0] for p in points]
    y = [p[1].mean for p in points]
    err = [[0 if np.isnan(p[1].half_width) else p[1].half_width for p in points]] * 2
    ax.errorbar(x, y, yerr=err, fmt="o", color=colour, capsize=4, label=label)


def write_comparison_plots(variants, scenario, folder: Path, title: str) -> list[Path]:
    paths = []
    for name, priority in scenario.priorities.items():
        if any(f"priority.{name}.report_tat.p90" in v.estimates for v in variants):
            paths += _save(comparison_figure(variants, name, priority.target_minutes, title), folder,
                           f"compare_{name}")
    return paths


def sweep_figure(points, scenario, title: str):
    """p90 report turnaround per priority (95% CIs) across the sweep, targets as lines, cost on a second axis.

    `points` are dicts with "label", "value" (x position), "estimates" and "staff_hours".
    """
    fig, ax = plt.subplots(figsize=(10, 5.5))
    xs = [p["value"] for p in points]
    for rank, (name, priority) in enumerate(scenario.priorities.items()):
        estimates = [p["estimates"].get(f"priority.{name}.report_tat.p90") for p in points]
        if all(e is None for e in estimates):
            continue
        colour = priority_colour(rank)
        ys = [e.mean if e is not None else np.nan for e in estimates]
        err = [0 if e is None or np.isnan(e.half_width) else e.half_width for e in estimates]
        ax.errorbar(xs, ys, yerr=[err, err], fmt="o-", color=colour, capsize=4, label=f"{name} p90")
        ax.axhline(priority.target_minutes, color=colour, linestyle=":", linewidth=1)
    ax.set_yscale("log")
    ax.set_ylabel("p90 report turnaround (minutes, log scale; dotted = target)")
    ax.set_xlabel(points[0]["axis"] if points else "setting")
    if points and points[0].get("categorical"):
        ax.set_xticks(xs, [p["label"] for p in points], rotation=20, fontsize="small")
    else:
        ax.set_xticks(xs)
    cost = ax.twinx()
    cost.plot(xs, [p["staff_hours"] for p in points], "s--", color="grey", label="staff-hours per week")
    cost.set_ylabel("paid staff-hours per week (cost proxy)")
    lines, labels = ax.get_legend_handles_labels()
    more, more_labels = cost.get_legend_handles_labels()
    ax.legend(lines + more, labels + more_labels, loc="upper right", fontsize="small")
    ax.grid(alpha=0.3)
    ax.set_title(f"{title}: staffing against report turnaround")
    fig.tight_layout()
    return fig


def frontier_figure(points, scenario, title: str):
    """Cost (staff-hours per week) against the share of studies within target, per priority."""
    fig, ax = plt.subplots(figsize=(9, 5.5))
    costs = [p["staff_hours"] for p in points]
    for rank, name in enumerate(scenario.priorities):
        estimates = [p["estimates"].get(f"priority.{name}.within_target") for p in points]
        if all(e is None for e in estimates):
            continue
        ys = [e.mean if e is not None else np.nan for e in estimates]
        ax.plot(costs, ys, "o", color=priority_colour(rank), label=name)
    for p, c in zip(points, costs):
        ax.annotate(str(p["label"]), (c, 0.02), fontsize="x-small", rotation=90, ha="center")
    ax.set(xlabel="paid staff-hours per week", ylabel="share of studies reported within target", ylim=(0, 1.05))
    ax.set_title(f"{title}: cost against target attainment")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def write_sweep_plots(points, scenario, folder: Path, title: str) -> list[Path]:
    return (_save(sweep_figure(points, scenario, title), folder, "sweep")
            + _save(frontier_figure(points, scenario, title), folder, "sweep_frontier"))
