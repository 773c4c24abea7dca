"""Who is on duty, and when scanners are open: daily windows turned into intervals.

A window such as a 19:00-07:00 night shift on Sundays starts on Sunday and
ends on Monday, so windows starting the day before day 0 are included.
Overlapping or touching windows of one person merge into one interval, so a
07:00-19:00 and a 19:00-07:00 shift worked back to back are one stretch of
duty with no hand-over gap.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Iterable

from .clock import MINUTES_PER_DAY, weekday_of
from .schema import Window


def window_length(window: Window) -> float:
    """Minutes in one occurrence of a window; an end at or before the start crosses midnight."""
    length = window.end - window.start
    return length if length > 0 else length + MINUTES_PER_DAY


def intervals(windows: Iterable[Window], days: int, start_weekday: str) -> list[tuple[float, float]]:
    """Merged, sorted (start, end) minutes covered by `windows` within [0, days)."""
    horizon = days * MINUTES_PER_DAY
    raw: list[tuple[float, float]] = []
    for window in windows:
        length = window_length(window)
        for day in range(-1, days):
            if weekday_of(day, start_weekday) not in window.days:
                continue
            start = day * MINUTES_PER_DAY + window.start
            end = min(start + length, horizon)
            start = max(start, 0.0)
            if end > start:
                raw.append((start, end))
    return merge(raw)


def merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def covers(spans: list[tuple[float, float]], t: float) -> bool:
    """Whether sorted, disjoint `spans` (as `intervals` returns them) cover the time `t`: a span holds its start,
    not its end. A bisection, so a year of days asked about a year of shifts stays quick."""
    i = bisect_right(spans, (t, float("inf"))) - 1  # the last span starting at or before t
    return i >= 0 and t < spans[i][1]


def covered_minutes(spans: list[tuple[float, float]], lo: float, hi: float) -> float:
    """Total minutes of `spans` that fall within [lo, hi)."""
    return sum(max(0.0, min(end, hi) - max(start, lo)) for start, end in spans)


def overlap_minutes(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    """Minutes covered by both sorted, disjoint span lists (a two-pointer walk)."""
    total, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        total += max(0.0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def clip(spans: list[tuple[float, float]], lo: float, hi: float) -> list[tuple[float, float]]:
    return [(max(s, lo), min(e, hi)) for s, e in spans if min(e, hi) > max(s, lo)]
