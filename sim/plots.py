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
        fig = draw(result)
        for suffix in ("png", "svg"):
            path = folder / f"{name}.{suffix}"
            fig.savefig(path, dpi=110, metadata={"Date": None} if suffix == "svg" else None)
            written.append(path)
        plt.close(fig)
    return written
