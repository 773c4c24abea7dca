"""Figures drawn from a run's records (never from simpy objects).

Each figure function takes a `Result` and returns a matplotlib Figure, so
tests can inspect the axes; `write_plots` saves them as PNG and SVG. Every
priority keeps one colour across all figures.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; radsim never opens windows
DPI = 110
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402
from matplotlib.path import Path as Outline  # noqa: E402 (pathlib.Path is the file path here)
import numpy as np  # noqa: E402

from .clock import MINUTES_PER_DAY, describe as describe_time, weekday_of  # noqa: E402
from .memory import give_back_memory  # noqa: E402
from .metrics import CUT_ROWS, hourly_flow, in_statistics, on_duty_over_time, utilisation_by_hour  # noqa: E402
from .records import (BREAK, CALL, DOWN_COLOUR, DUTY, INTERRUPTION, NON_INTERPRETIVE, PROTOCOL, READ,  # noqa: E402
                      PRIORITY_COLOURS, ROOM_DOWN, SCAN, SEDATION, TASK_COLOURS, TRANSPORT, Result,
                      priority_colour)


# Bars not coloured by priority: critical calls, interruptions, protocols, breaks, scanners down.
TASK_STYLE = {CALL: -1, INTERRUPTION: -2, PROTOCOL: -3, BREAK: -4, NON_INTERPRETIVE: -6, TRANSPORT: -7, SEDATION: -8}
DOWN_STYLE = -5  # a style of its own: no task's
STYLE_COLOURS = {**{TASK_STYLE[kind]: colour for kind, colour in TASK_COLOURS.items()}, DOWN_STYLE: DOWN_COLOUR}


def report_tat_ecdf(result: Result):
    """Report turnaround (images complete -> signed) per priority, with each target marked."""
    exams = result.exams
    imaged = in_statistics(result) & ~np.isnan(exams.scan_end)
    fig, ax = plt.subplots(figsize=(8, 5))
    floor = 0.1  # a log axis (no kink); the rare report signed within 6 seconds is drawn at 0.1 min
    for rank, (name, priority) in enumerate(result.scenario.priorities.items()):
        mine = imaged & (exams.orders.priority == rank)
        if not mine.any():
            continue
        tat = exams.report_at[mine] - exams.scan_end[mine]
        reported = np.sort(np.maximum(tat[~np.isnan(tat)], floor))
        waiting = int(np.isnan(tat).sum())
        colour = priority_colour(rank)
        # the share of all studies with images complete: unreported ones keep the curve below 1
        x, y = _ecdf_points(reported, int(mine.sum()), floor)
        ax.step(x, y, where="post", color=colour,
                label=f"{name}: {len(reported)} reported" + (f", {waiting} not yet" if waiting else ""))
        ax.axvline(priority.target_minutes, color=colour, linestyle=":", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel("report turnaround, images complete to signed report (minutes, log scale; dotted = target)")
    ax.set_ylabel("share of studies with images complete")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"{result.scenario.name}: report turnaround by priority")
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


ECDF_POINTS = 4_000  # steps drawn per curve at most: finer than a figure's pixels


def _ecdf_points(values: np.ndarray, total: int, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Steps of the share of `total` at or below each of the sorted `values`, starting at (floor, 0). A long run's
    curve is drawn through ECDF_POINTS of its steps, the last always included: it lies at most 1/ECDF_POINTS of
    the reported share below the full curve, which no screen shows."""
    shares = np.arange(1, len(values) + 1) / total
    if len(values) > ECDF_POINTS:
        keep = np.unique(np.linspace(0, len(values) - 1, ECDF_POINTS).round().astype(int))
        values, shares = values[keep], shares[keep]
    return np.concatenate([[floor], values]), np.concatenate([[0.0], shares])


def queues_over_time(result: Result):
    """Worklist length and orders waiting to be scanned over the horizon; radiologists on duty shaded behind,
    so shift changes, the overnight backlog and the morning clearing show together."""
    trace = result.queues.columns()
    fig, ax = plt.subplots(figsize=(11, 4.8))
    staffing = ax.twinx()
    times, on_duty = on_duty_over_time(result, "radiologist")
    if len(times) > ENVELOPE_ABOVE:  # the most on duty in each short slice: the same shading at screen resolution
        edges, _, most = _envelope(times, on_duty, result.horizon)
        times, on_duty = edges[:-1], most
    if len(times):
        staffing.fill_between(np.append(times, result.horizon) / MINUTES_PER_DAY, np.append(on_duty, on_duty[-1]),
                              step="post", color="#3498db", alpha=0.12, linewidth=0, label="radiologists on duty")
    staffing.set_ylabel("radiologists on duty (shaded)")
    staffing.set_ylim(0, max(1.0, float(on_duty.max()) if len(on_duty) else 1.0) * 1.6)
    ax.set_zorder(staffing.get_zorder() + 1)
    ax.patch.set_visible(False)
    for column, label, colour in (("worklist", "worklist (studies awaiting a read)", "#2c3e50"),
                                  ("scan_queue", "orders awaiting a scan", "#e67e22")):
        times, values = trace["time"], trace[column]
        if len(times) > ENVELOPE_ABOVE:  # a long run: the envelope over short slices draws the same picture
            edges, low, high = _envelope(times, values, result.horizon)
            ax.fill_between(edges[:-1] / MINUTES_PER_DAY, low, high, step="post", color=colour, alpha=0.6,
                            linewidth=0)
            times, values = edges[:-1], high
        ax.step(times / MINUTES_PER_DAY, values, where="post", label=label, color=colour, linewidth=0.8)
    if result.warmup > 0:
        ax.axvspan(0, result.warmup / MINUTES_PER_DAY, color="grey", alpha=0.15, label="warm-up")
    ax.set_xlim(0, result.scenario.days)
    _weekday_ticks(ax, result.scenario.days, result.scenario.start_weekday)
    ax.set_xlabel("day (ticks at midnight; day 0 is the first day of the run)")
    ax.set_ylabel("studies waiting")
    ax.set_title(f"{result.scenario.name}: queues over time")
    lines, labels = ax.get_legend_handles_labels()
    more, more_labels = staffing.get_legend_handles_labels()
    # below the axes, so that it never covers the queues
    ax.legend(lines + more, labels + more_labels, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=4,
              fontsize="small", frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def waiting_lists(result: Result):
    """Each waiting list's size at the start of every day, stacked by urgency category (most urgent at the
    bottom), one panel per book with referrals, with each category's share within its target in the legend."""
    from .acquisition_metrics import list_sizes, waiting_list

    s = result.scenario
    books = [(code, name) for code, (name, book) in enumerate(s.appointments.items()) if book.referrals]
    summary = waiting_list(result) or {}
    fig, axes = plt.subplots(len(books), 1, figsize=(11, 4.2 * len(books)), squeeze=False)
    for ax, (code, name) in zip(axes[:, 0], books):
        mornings, sizes = list_sizes(result, code)
        categories = summary.get(name, {}).get("categories", {})
        labels = []
        for category in sizes:
            row = categories.get(category, {})
            within = row.get("within_target")
            labels.append(category.replace("_", " ") + (f" ({100 * within:.0f} % within {row['target_days']:g} days)"
                                                        if within is not None else ""))
        if len(mornings):
            ax.stackplot(mornings / MINUTES_PER_DAY, *sizes.values(), labels=labels, step="post", alpha=0.8,
                         colors=PRIORITY_COLOURS[:len(sizes)])
        if result.warmup > 0:
            ax.axvspan(0, result.warmup / MINUTES_PER_DAY, color="grey", alpha=0.15, label="warm-up")
        ax.set_xlim(0, s.days)
        _weekday_ticks(ax, s.days, s.start_weekday)
        ax.set_ylabel("referrals on the list")
        ax.set_title(f"{s.name}: waiting list {name}, at the start of each day")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, fontsize="small", frameon=False)
        ax.grid(alpha=0.3)  # the legend sits below the axes, so that it never covers the list
    axes[-1, 0].set_xlabel("day (ticks at midnight; day 0 is the first day of the run)", labelpad=28)
    fig.tight_layout()
    return fig


ENVELOPE_ABOVE = 20_000  # queue-trace points beyond which the queue figure draws an envelope
ENVELOPE_SLICES = 4_000


def _envelope(times: np.ndarray, values: np.ndarray, horizon: float):
    """(slice edges, lowest, highest) of a step function over equal time slices: what a plot of every point shows
    at screen resolution, from a few thousand numbers instead of millions (and no per-point temporaries)."""
    edges = np.linspace(0.0, horizon, ENVELOPE_SLICES + 1)
    carried = values[np.clip(np.searchsorted(times, edges[:-1], side="right") - 1, 0, None)]  # value at each edge
    low, high = carried.astype(float), carried.astype(float)
    # the points of slice i are firsts[i]:firsts[i + 1] (times are sorted; the last slice takes any at the horizon)
    firsts = np.searchsorted(times, edges[:-1], side="left")
    firsts[0] = 0
    has_points = firsts < np.append(firsts[1:], len(times))
    if has_points.any():
        at = np.minimum(firsts, len(times) - 1)
        low[has_points] = np.minimum(low, np.minimum.reduceat(values, at))[has_points]
        high[has_points] = np.maximum(high, np.maximum.reduceat(values, at))[has_points]
    return edges, low, high


def _weekday_ticks(ax, days: int, start_weekday: str) -> None:
    """Day ticks labelled with the weekday and day number ("Tue\nday 1"), thinned to about 15 labels."""
    step = max(1, int(np.ceil(days / 15)))
    ticks = list(range(0, days + 1, step))
    ax.set_xticks(ticks, [f"{weekday_of(d, start_weekday).capitalize()}\nday {d}" for d in ticks],
                  fontsize="small")


def arrivals_and_reports(result: Result):
    """Orders placed and reports signed in each hour of the day, averaged over the days after the warm-up."""
    orders, reports = hourly_flow(result)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    hours = np.arange(24)
    ax.bar(hours - 0.2, orders, width=0.4, color="#e67e22", label="orders placed")
    ax.bar(hours + 0.2, reports, width=0.4, color="#2c3e50", label="reports signed")
    ax.set_xticks(hours, [f"{h:02d}" for h in hours])
    ax.set_xlabel("hour of day")
    ax.set_ylabel("exams per hour (mean over days)")
    ax.set_title(f"{result.scenario.name}: arrivals against completed reports")
    ax.legend(loc="upper left", fontsize="small")
    ax.set_ylim(0, max(float(orders.max(initial=0)), float(reports.max(initial=0)), 0.1) * 1.25)  # room for it
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def utilisation_heatmap(result: Result):
    """Busy share of on-duty (or opening) time by hour of day for every staff group and scanner group."""
    labels, matrix = utilisation_by_hour(result)
    fig, ax = plt.subplots(figsize=(11, 0.42 * len(labels) + 1.8))
    cmap = plt.get_cmap("viridis").with_extremes(bad="#eeeeee")
    # cells as quads, not an image: an image is resampled through buffers the size of the figure (40 MB here)
    image = ax.pcolormesh(np.arange(25) - 0.5, np.arange(len(labels) + 1) - 0.5, np.ma.masked_invalid(matrix),
                          cmap=cmap, vmin=0, vmax=1)
    ax.set_ylim(len(labels) - 0.5, -0.5)  # the first row at the top
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("hour of day (grey: nobody scheduled / closed; overtime is not counted)")
    fig.colorbar(image, ax=ax, label="busy share of scheduled duty or opening time")
    ax.set_title(f"{result.scenario.name}: utilisation by hour of day")
    fig.tight_layout()
    return fig


def default_timeline_window(result: Result) -> tuple[float, float]:
    """The scenario's chosen window, or the first whole day after the warm-up."""
    options = result.scenario.report.timeline
    if options is not None:
        return options.start, options.end
    day = int(np.ceil(result.warmup / MINUTES_PER_DAY - 1e-9))
    day = min(day, result.scenario.days - 1)
    return day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY


def default_followed_exam(result: Result, start: float, end: float) -> int | None:
    """The first exam of the best priority scanned in the window: the one to follow from scan to read."""
    e = result.exams
    scanned = np.flatnonzero((e.scan_start >= start) & (e.scan_start < end))
    if not len(scanned):
        return None
    return int(scanned[np.lexsort((e.scan_start[scanned], e.orders.priority[scanned]))][0])


TALL_TIMELINE = 80  # lanes beyond which the timeline's lanes are narrower


def timeline(result: Result, start: float | None = None, end: float | None = None, follow: int | None = None):
    """Swimlanes: one lane per technologist, scanner and radiologist; a bar per task coloured by priority.

    Off-duty time is grey; interrupted read segments are hatched; the followed
    exam's bars are outlined in black and joined from its scan to its reads.
    """
    if start is None or end is None:
        start, end = default_timeline_window(result)
    if follow is None:
        follow = default_followed_exam(result, start, end)
    log = result.staff_log.columns()
    e = result.exams
    lanes = ([("technologist", i, m.name) for i, m in enumerate(result.staff) if m.role == "technologist"]
             + [("scanner", i, sc.name) for i, sc in enumerate(result.scanners)]
             + [(m.role, i, m.name) for i, m in enumerate(result.staff) if m.role != "technologist"])
    row_of = {(kind, i): row for row, (kind, i, _) in enumerate(lanes)}
    # lanes a little narrower in a large department: a readable page, and a raster of about 20 rather than 28 MB
    # for 140 lanes
    fig, ax = plt.subplots(figsize=(13, (0.3 if len(lanes) <= TALL_TIMELINE else 0.22) * len(lanes) + 2.2))
    hours = lambda t: (np.asarray(t) - start) / 60.0  # noqa: E731
    # off duty: a grey background per person, on duty white, then tasks on top
    within = _rows_within(log, start, end, result.horizon)
    duty = _duty_spans(log, within, result.horizon)
    people = [(i, row) for (kind, i), row in row_of.items() if kind != "scanner"]
    _boxes(ax, [(hours(start), hours(end) - hours(start), row - 0.4, 0.8) for _, row in people],
           facecolor="#dddddd", edgecolor="#dddddd", zorder=0)
    _boxes(ax, [(hours(max(a, start)), hours(min(b, end)) - hours(max(a, start)), row - 0.4, 0.8)
                for i, row in people for a, b in duty.get(i, ()) if b > start and a < end],
           facecolor="white", edgecolor="white", zorder=0)
    followed = {"scan": None, "reads": []}
    bars: dict[tuple, list[tuple[float, float]]] = {}  # one collection per lane and style: fast to draw
    lane_of_person = {i: row_of[(m.role, i)] for i, m in enumerate(result.staff)}
    for k in within[log["kind"][within] != DUTY]:
        finish = _end(log, k, result.horizon)
        exam, kind, a, b = int(log["exam"][k]), int(log["kind"][k]), max(log["start"][k], start), min(finish, end)
        row = lane_of_person[int(log["person"][k])]
        reported = e.report_at[exam] if exam >= 0 and not np.isnan(e.report_at[exam]) else np.inf
        interrupted = bool(kind == READ and finish < reported)
        rank = TASK_STYLE.get(kind, int(e.orders.priority[exam]) if exam >= 0 else -4)
        bars.setdefault((row, rank, exam == follow and kind not in (INTERRUPTION, BREAK), interrupted), []).append(
            (hours(a), hours(b) - hours(a)))
        if exam == follow and kind in (READ, CALL):
            followed["reads"].append((hours(a), row))
        elif exam == follow and kind == SCAN:
            followed["scan"] = (hours(b), row)
    rooms = result.room_log.columns()
    for k in _rows_within(rooms, start, end, result.horizon):
        exam, a, b = int(rooms["exam"][k]), max(rooms["start"][k], start), min(_end(rooms, k, result.horizon), end)
        rank = DOWN_STYLE if rooms["kind"][k] in ROOM_DOWN else int(e.orders.priority[exam])
        bars.setdefault((row_of[("scanner", int(rooms["room"][k]))], rank, exam == follow, False), []).append(
            (hours(a), hours(b) - hours(a)))
    by_style: dict[tuple, list] = {}  # one collection per style across all lanes: fast to draw and to save
    for (row, rank, is_followed, interrupted), spans in bars.items():
        by_style.setdefault((rank, is_followed, interrupted), []).extend((x, w, row - 0.35, 0.7) for x, w in spans)
    for (rank, is_followed, interrupted), boxes in by_style.items():
        colour = STYLE_COLOURS.get(rank) or priority_colour(rank)
        _boxes(ax, boxes, facecolor=colour, edgecolor="black" if is_followed or interrupted else colour,
               linewidth=1.8 if is_followed else 0.3, hatch="///" if interrupted else None, zorder=2)
    if followed["scan"] and followed["reads"]:
        (x0, y0), (x1, y1) = followed["scan"], min(followed["reads"])
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=3,
                    arrowprops=dict(arrowstyle="->", color="black", linestyle="--", linewidth=1.2))
    ax.set_yticks(range(len(lanes)), [f"{name}" for _, _, name in lanes], fontsize="small")
    margin = min(0.05 * (len(lanes) - 0.2), 0.3)  # a little air above and below, never many empty lanes
    ax.set_ylim(len(lanes) - 0.6 + margin, -0.4 - margin)  # the first lane at the top
    ax.set_xlim(0, hours(end))
    ticks = np.arange(0, hours(end) + 1e-9, 1 if end - start <= 1440 else 6)
    ax.set_xticks(ticks, [describe_time(start + 60 * t).split(" ", 2)[-1] for t in ticks], fontsize="small")
    ax.set_xlabel(f"clock time from {describe_time(start)} (hours)")
    for row in range(1, len(lanes)):  # a line between technologists, scanners, radiologists and others
        if lanes[row][0] != lanes[row - 1][0]:
            ax.axhline(row - 0.5, color="black", linewidth=0.8)
    handles = [plt.Rectangle((0, 0), 1, 1, color=priority_colour(r)) for r in range(len(result.scenario.priorities))]
    tasks = {CALL: "critical call", INTERRUPTION: "interruption", PROTOCOL: "protocol", BREAK: "break"}
    if any(g.non_interpretive for g in result.scenario.radiologists.values()):
        tasks[NON_INTERPRETIVE] = "meeting, teaching, QA"
    if any(lane[0] == "porter" for lane in lanes):
        tasks[TRANSPORT] = "patient transport"
    if any(lane[0] == "anaesthetist" for lane in lanes):
        tasks[SEDATION] = "sedation"
    handles += [plt.Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="black", hatch="///"),
                *(plt.Rectangle((0, 0), 1, 1, color=TASK_COLOURS[kind]) for kind in tasks),
                plt.Rectangle((0, 0), 1, 1, color=DOWN_COLOUR), plt.Rectangle((0, 0), 1, 1, color="#dddddd")]
    names = list(result.scenario.priorities) + ["interrupted read", *tasks.values(), "scanner down", "off duty"]
    columns = min(len(names), 9)  # wrap onto a second row rather than run off the figure's edges
    rows = -(-len(names) // columns)
    fig.legend(handles, names, loc="lower center", ncol=columns, fontsize="small", frameon=False)
    followed_text = f"; following exam #{follow} (outlined)" if follow is not None else ""
    # Placed where matplotlib would place it anyway (nothing sits above the axes), and no axis label beside the lane
    # names: left to itself, matplotlib measures every lane name again to place both, at each draw (a third of the
    # figure's time with 150 lanes).
    ax.set_title(f"{result.scenario.name}: who did what, {describe_time(start)} to {describe_time(end)}{followed_text}",
                 y=1.0)
    ax.yaxis.set_label_coords(0.0, 0.5)
    fig.tight_layout(rect=(0, (0.15 + 0.25 * rows) / fig.get_figheight(), 1, 1))
    return fig


def _duty_spans(log, rows: np.ndarray, horizon: float) -> dict[int, list[tuple[float, float]]]:
    """Each person's stretches of duty (start, end) among these rows."""
    spans: dict[int, list[tuple[float, float]]] = {}
    for k in rows[log["kind"][rows] == DUTY].tolist():
        spans.setdefault(int(log["person"][k]), []).append((float(log["start"][k]), _end(log, k, horizon)))
    return spans


def _end(log, k: int, horizon: float) -> float:
    """A row's end; one still under way at the horizon ends there."""
    end = float(log["end"][k])
    return horizon if end != end else end


def _rows_within(log, start: float, end: float, horizon: float) -> np.ndarray:
    """Rows of a log that overlap [start, end), a chunk of rows at a time: no whole-log temporaries."""
    found = [np.zeros(0, dtype=np.int64)]
    for first in range(0, len(log["end"]), CUT_ROWS):
        starts, ends = log["start"][first:first + CUT_ROWS], log["end"][first:first + CUT_ROWS]
        found.append(first + np.flatnonzero((starts < end) & ((ends > start) | (np.isnan(ends) & (horizon > start)))))
    return np.concatenate(found)


def _boxes(ax, boxes, **style) -> None:
    """Rectangles (x, width, y, height) of one style as one path of many closed parts: thousands of bars draw as
    fast as one, and an SVG holds one element for them instead of one each."""
    if not boxes:
        return
    x, width, y, height = np.asarray(boxes, dtype=float).T
    corners = [(x, y), (x, y + height), (x + width, y + height), (x + width, y), (x, y)]
    vertices = np.stack([np.column_stack(c) for c in corners], axis=1).reshape(-1, 2)
    codes = np.tile([Outline.MOVETO, Outline.LINETO, Outline.LINETO, Outline.LINETO, Outline.CLOSEPOLY], len(x))
    # added as an artist: the axes' limits are set by the caller, and `add_patch` would walk every corner in Python
    ax.add_artist(PathPatch(Outline(vertices, codes), **style))


FIGURES = {"report_tat": report_tat_ecdf, "queues": queues_over_time, "hourly_flow": arrivals_and_reports,
           "utilisation_by_hour": utilisation_heatmap, "timeline": timeline}


def write_plots(result: Result, folder: Path) -> list[Path]:
    """Every figure of a run saved in `folder`; the files in the order the report shows them."""
    for draw in figure_jobs(result, folder):
        draw()
    return figure_paths(result, folder)


def figure_names(result: Result) -> list[str]:
    """The figures of a run, in the order the report shows them."""
    waiting = any(book.referrals for book in result.scenario.appointments.values())
    return [*FIGURES, *(["waiting_list"] if waiting else [])]


def figure_paths(result: Result, folder: Path) -> list[Path]:
    return [folder / f"{name}.{suffix}" for name in figure_names(result) for suffix in ("png", "svg")]


def figure_jobs(result: Result, folder: Path) -> list:
    """One call per figure that draws and saves it, for any process sharing the result to make, in any order.
    The timeline comes first: it takes longest (so two processes sharing the jobs end closest together), and its
    raster is the largest (28 MB for 140 lanes), drawn while the heap is at its leanest, before the other figures
    leave matplotlib's caches and a few partly used pages behind (about 10 MB a year)."""
    draw = {**FIGURES, "waiting_list": waiting_lists}
    return [partial(_draw_and_save, draw[name], result, folder, name)
            for name in sorted(figure_names(result), key=lambda name: name != "timeline")]


def _draw_and_save(figure, result: Result, folder: Path, name: str) -> None:
    # laid out at the resolution they are saved at, so the renderer tight_layout makes is the one savefig reuses: a
    # second raster of a tall timeline would cost another 25 MB
    with plt.rc_context({"figure.dpi": DPI}):
        save_figure(figure(result), folder, name)
    give_back_memory()  # what the figure left behind, before the next one or the report


# ------------------------------------------------------------- experiments


def save_figure(fig, folder: Path, name: str) -> list[Path]:
    paths = [folder / f"{name}.png", folder / f"{name}.svg"]
    fig.savefig(paths[0], dpi=DPI)
    # an SVG's ids are hashed with a salt that is random unless set: a fixed one (and no date) makes the same run's
    # SVGs byte-identical, like its tables and PNGs
    with plt.rc_context({"svg.hashsalt": "radsim"}):
        fig.savefig(paths[1], dpi=DPI, metadata={"Date": None})
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
            paths += save_figure(comparison_figure(variants, name, priority.target_minutes, title), folder,
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
    ax.legend(lines + more, labels + more_labels, loc="upper left", bbox_to_anchor=(1.1, 1), fontsize="small",
              frameon=False)  # outside the axes: it never covers a point
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
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def write_sweep_plots(points, scenario, folder: Path, title: str, keys=(), required=None) -> list[Path]:
    return (save_figure(sweep_measures_figure(points, keys, title, scenario.costs.currency, required or {}), folder,
                  "sweep_measures")
            + save_figure(sweep_figure(points, scenario, title), folder, "sweep")
            + save_figure(frontier_figure(points, scenario, title), folder, "sweep_frontier"))


def sweep_measures_figure(points, keys, title: str, currency: str, required: dict[str, float]):
    """The chosen measures across the sweep (mean and 95% CI), a panel per unit; a target's required share is a
    dotted line of its colour, so the smallest setting that meets it can be read off. By default it shows the
    targets and the staff cost."""
    from .measures import label, unit

    shown = [k for k in keys if k.startswith("target.") or k == "cost.per_week"] \
        if len(keys) > 12 else list(keys)
    panels: dict[str, list[str]] = {}
    for key in shown:
        panels.setdefault(unit(key, currency), []).append(key)
    fig, axes = plt.subplots(max(1, len(panels)), 1, figsize=(11, 1.5 + 3.2 * max(1, len(panels))), squeeze=False)
    xs = [p["value"] for p in points]
    for ax, (u, chosen) in zip(axes[:, 0], panels.items()):
        scale = 100.0 if u == "share" else 1.0
        for i, key in enumerate(chosen):
            colour = plt.get_cmap("tab10")(i % 10)
            estimates = [p["estimates"].get(key) for p in points]
            ys = np.array([scale * e.mean if e is not None else np.nan for e in estimates])
            err = np.array([0 if e is None or e.half_width != e.half_width else scale * e.half_width
                            for e in estimates])
            low, high = ys - err, ys + err
            if u == "share":  # a share's interval stops at 0 and 100 %
                low, high = np.clip(low, 0, 100), np.clip(high, 0, 100)
            ax.errorbar(xs, ys, yerr=[ys - low, high - ys], fmt="o-", color=colour, capsize=4, label=label(key))
            if key in required:
                ax.axhline(scale * required[key], color=colour, linestyle=":", linewidth=1)
        ax.set_ylabel("per cent (dotted: required)" if u == "share" else u)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
        if points and points[0].get("categorical"):
            ax.set_xticks(xs, [p["label"] for p in points], rotation=20, fontsize="small")
        else:
            ax.set_xticks(xs)
    axes[-1, 0].set_xlabel(points[0]["axis"] if points else "setting")
    fig.suptitle(f"{title}: measures across the sweep, mean and 95% CI")
    fig.tight_layout()
    return fig


# ------------------------------------------------------------- forest plot of paired differences


def forest_figure(differences: list[tuple[str, dict]], keys: list[str], title: str, currency: str = "staff-hours"):
    """Variant minus baseline for every measure, with 95% CIs and a zero line: one panel per unit, so that each
    axis carries its own unit. Filled points: the interval excludes zero."""
    from .measures import label, unit

    panels: dict[str, list[str]] = {}
    for key in keys:
        if any(d.get(key) is not None and d[key].n for _, d in differences):
            panels.setdefault(unit(key, currency), []).append(key)
    if not panels:
        fig, ax = plt.subplots(figsize=(9, 2))
        ax.text(0.5, 0.5, "no measure to compare", ha="center", va="center")
        ax.axis("off")
        return fig
    heights = [len(k) + 1.5 for k in panels.values()]
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 1.2 + 0.3 * sum(heights)),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, (u, chosen) in zip(axes[:, 0], panels.items()):
        scale = 100.0 if u == "share" else 1.0
        for i, (name, d) in enumerate(differences):
            colour = VARIANT_COLOURS[(i + 1) % len(VARIANT_COLOURS)]
            offset = (i - (len(differences) - 1) / 2) * 0.6 / max(1, len(differences))
            for row, key in enumerate(chosen):
                e = d.get(key)
                if e is None or not e.n:
                    continue
                y = len(chosen) - 1 - row + offset
                significant = e.n > 1 and e.low == e.low and (e.low > 0 or e.high < 0)
                if e.n > 1 and e.low == e.low:
                    ax.plot([scale * e.low, scale * e.high], [y, y], color=colour, linewidth=2)
                ax.plot(scale * e.mean, y, "o", color=colour, markerfacecolor=colour if significant else "white",
                        label=name if row == 0 else None)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(range(len(chosen)), [label(k) for k in reversed(chosen)], fontsize="small")
        ax.set_ylim(-0.7, len(chosen) - 0.3)
        ax.set_xlabel("difference, percentage points" if u == "share" else f"difference, {u}")
        ax.grid(axis="x", alpha=0.3)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.suptitle(f"{title}\nvariant minus baseline, paired over replications: mean and 95% CI "
                 "(filled: the interval excludes 0)", fontsize="medium")
    fig.legend(handles, names, loc="lower center", ncol=min(4, len(names)), frameon=False, fontsize="small")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def write_forest_plot(differences, keys, folder: Path, title: str, currency: str) -> list[Path]:
    return save_figure(forest_figure(differences, keys, title, currency), folder, "differences")


# ------------------------------------------------------------- replicated runs: mean and band


def _band(ax, runs, name: str, colour: str, label: str, scale: float = 1.0) -> None:
    """The mean over replications of a 24-hour curve, with the band of its 95% confidence interval."""
    from .experiment import estimate

    rows = [r["profiles"][name] for r in runs if "profiles" in r]
    if not rows:
        return
    hours = np.arange(24)
    estimates = [estimate(row[h] for row in rows) for h in hours]
    mean = np.array([e.mean for e in estimates]) * scale
    low = np.array([e.low if e.low == e.low else e.mean for e in estimates]) * scale
    high = np.array([e.high if e.high == e.high else e.mean for e in estimates]) * scale
    ax.plot(hours, mean, "o-", color=colour, label=f"{label} (mean)", markersize=3)
    ax.fill_between(hours, low, high, color=colour, alpha=0.2, linewidth=0, label=f"{label} (95% CI)")


def replication_profiles_figure(variant, title: str):
    """Queues and flow by hour of day over replications (mean and 95% CI band), and mean utilisation by hour."""
    runs = variant.runs
    fig, (queues, flow, heat) = plt.subplots(3, 1, figsize=(11, 13), gridspec_kw={"height_ratios": [1, 1, 1.3]})
    _band(queues, runs, "worklist", "#2c3e50", "worklist")
    _band(queues, runs, "scan_queue", "#e67e22", "orders awaiting a scan")
    queues.set(ylabel="studies waiting (time average)", title="queues by hour of day")
    _band(flow, runs, "orders", "#e67e22", "orders placed")
    _band(flow, runs, "reports", "#2c3e50", "reports signed")
    flow.set(ylabel="exams per hour", title="orders and reports by hour of day")
    for ax in (queues, flow):
        ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
        ax.set_xlabel("hour of day")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    labels = list(runs[0]["profiles"]["utilisation"]) if runs and "profiles" in runs[0] else []
    matrix = np.array([[np.nanmean([np.nan if r["profiles"]["utilisation"][label][h] is None
                                    else r["profiles"]["utilisation"][label][h] for r in runs])
                        if any(r["profiles"]["utilisation"][label][h] is not None for r in runs) else np.nan
                        for h in range(24)] for label in labels]) if labels else np.zeros((0, 24))
    cmap = plt.get_cmap("viridis").with_extremes(bad="#eeeeee")
    image = heat.imshow(np.ma.masked_invalid(matrix), aspect="auto", cmap=cmap, vmin=0, vmax=1)
    heat.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    heat.set_yticks(range(len(labels)), labels, fontsize="small")
    heat.set(xlabel="hour of day (grey: nobody scheduled / closed)", title="busy share by hour of day, mean of replications")
    fig.colorbar(image, ax=heat, label="busy share of scheduled duty or opening time")
    fig.suptitle(f"{title}: {len(runs)} replications")
    fig.tight_layout()
    return fig


def optimise_frontier_figure(spec, screened: dict, confirmed: dict, chosen: str | None, baseline, name: str,
                             currency: str = "staff-hours"):
    """The objective against each constrained measure for every screened candidate: the feasible set filled,
    the rest hollow, the required bound dashed, the choice starred (its fresh replications) and the scenario as
    given as a diamond. Error bars: the objective's 95% CI across; up or down from the mean to the one-sided
    confidence bound that must clear the requirement."""
    import textwrap

    from .measures import label, unit

    constraints = spec.constraints or [None]
    fig, axes = plt.subplots(1, len(constraints), figsize=(5.2 * len(constraints) + 1, 4.8), squeeze=False)
    names = list(screened)
    x = np.array([screened[n].objective for n in names])
    x_err = np.array([[screened[n].objective - screened[n].objective_low for n in names],
                      [screened[n].objective_high - screened[n].objective for n in names]])
    x_err = np.nan_to_num(x_err)
    for i, (ax, constraint) in enumerate(zip(axes[0], constraints)):
        if constraint is None:
            ax.errorbar(x, np.arange(len(names)), xerr=x_err, fmt="o", color="#2c3e50")
            ax.set_yticks(range(len(names)), names, fontsize="x-small")
        else:
            y = np.array([screened[n].means[i] for n in names])
            reach = np.nan_to_num(np.abs(np.array([screened[n].bounds[i] for n in names]) - y))
            # one-sided: the bar runs from the mean to the confidence bound that must clear the requirement
            y_err = np.array([np.zeros_like(reach), reach] if constraint.at_most is not None else
                             [reach, np.zeros_like(reach)])
            feasible = np.array([screened[n].feasible for n in names])
            for mask, style in ((feasible, dict(color="#16a085", label="meets every constraint (screening)")),
                                (~feasible, dict(color="#7f8c8d", mfc="white", label="misses one or more"))):
                if mask.any():
                    ax.errorbar(x[mask], y[mask], xerr=x_err[:, mask], yerr=y_err[:, mask], fmt="o",
                                markersize=5, elinewidth=0.8, capsize=2, **style)
            ax.axhline(constraint.bound, color="#c0392b", linestyle="--", linewidth=1, label="required bound")
            ax.set_title(f"{'at most' if constraint.at_most is not None else 'at least'} {constraint.bound:g}, "
                         f"{constraint.confidence:.0%} sure", fontsize="medium")
            if chosen is not None:
                fresh = confirmed[chosen]
                ax.plot([fresh.objective], [fresh.means[i]], marker="*", markersize=16, color="#e67e22",
                        linestyle="none", label="chosen (its fresh replications)")
            ax.plot([baseline.objective], [baseline.means[i]], marker="D", markersize=8, color="black",
                    mfc="none", linestyle="none", label="scenario as given")
            ax.set_ylabel(f"{label(constraint.measure)} ({unit(constraint.measure, currency)})")
        ax.set_xlabel(f"{label(spec.objective)} ({unit(spec.objective, currency)}; "
                      f"{'lower' if spec.minimise else 'higher'} is better)")
        ax.grid(alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=min(3, len(handles)), fontsize="small", frameon=False)
    fig.suptitle(f"{name}: every candidate of the search ({len(names)}), {spec.replications} replications each"
                 + ("\n" + textwrap.fill(f"chosen: {chosen}", 130) if chosen else "\nno candidate meets every constraint"),
                 fontsize="medium")
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig
