"""Simulation time: minutes as floats, t = 0 is 00:00 on day 0.

Owns the conversion between clock times written in scenario files ("HH:MM"),
weekday names and simulation minutes.
"""
from __future__ import annotations

import re

MINUTES_PER_HOUR = 60.0
MINUTES_PER_DAY = 1440.0
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_clock(text: str) -> int:
    """Minutes after midnight for "HH:MM" (00:00 to 24:00 inclusive)."""
    match = _CLOCK.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a clock time (expected HH:MM)")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"{text!r} is not a clock time between 00:00 and 24:00")
    return hours * 60 + minutes


def format_clock(minutes_after_midnight: float) -> str:
    total = int(round(minutes_after_midnight))
    return f"{total // 60:02d}:{total % 60:02d}"


def weekday_of(day: int, start_weekday: str) -> str:
    """Weekday name of simulation day `day` when day 0 is `start_weekday`."""
    return WEEKDAYS[(WEEKDAYS.index(start_weekday) + day) % 7]


def describe(t: float) -> str:
    """Human form of a simulation time, e.g. "day 1 07:30"."""
    day = int(t // MINUTES_PER_DAY)
    return f"day {day} {format_clock(t - day * MINUTES_PER_DAY)}"


CLOCK_LABELS = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(int(MINUTES_PER_DAY)))  # "HH:MM" of each minute


def weekday_and_minute(times, start_weekday: str):
    """Each simulation time's weekday (an index into WEEKDAYS) and whole minute of the day (an index into
    CLOCK_LABELS); -1 for NaN."""
    import numpy as np

    times = np.asarray(times, dtype=float)
    known = ~np.isnan(times)
    whole = np.where(known, np.floor(np.nan_to_num(times) + 1e-9), 0).astype(np.int64)  # whole minutes
    days, minutes = np.divmod(whole, int(MINUTES_PER_DAY))
    weekday = (WEEKDAYS.index(start_weekday) + days) % 7
    return np.where(known, weekday, -1), np.where(known, minutes, -1)


def hour_pieces(spans):
    """Each span of time (start, end) cut at the hours of the clock it crosses: the pieces' starts, widths
    (minutes), hours of the day (0-23) and the number of pieces of each span, in span order. A span that
    ends where it starts, or before, has no pieces. Whatever depends on the hour of the day (a rate of
    calls, a share of time) is constant within a piece."""
    import numpy as np

    spans = np.asarray(spans, dtype=float).reshape(-1, 2)
    start, end = spans[:, 0], spans[:, 1]
    # the hours of the clock strictly inside each span: from the first after its start to the last before its end
    first = np.ceil(start / MINUTES_PER_HOUR)
    first += first * MINUTES_PER_HOUR <= start
    inside = np.where(end > start, np.maximum(np.ceil(end / MINUTES_PER_HOUR) - first, 0), -1).astype(np.int64)
    per_span = inside + 1
    of_piece = np.repeat(np.arange(len(spans)), per_span)
    k = np.arange(len(of_piece)) - np.repeat(np.cumsum(per_span) - per_span, per_span)  # piece number in its span
    edge = (first[of_piece] + k - 1) * MINUTES_PER_HOUR  # the hour each piece starts at (but the first)
    starts = np.where(k == 0, start[of_piece], edge)
    ends = np.where(k == per_span[of_piece] - 1, end[of_piece], edge + MINUTES_PER_HOUR)
    return starts, ends - starts, ((starts // MINUTES_PER_HOUR) % 24).astype(np.int64), per_span


def weekday_and_clock(times, start_weekday: str):
    """Weekday names and "HH:MM" clock times of simulation times (numpy array; NaN gives empty strings),
    so that tables can be read and pivoted without converting minutes."""
    import numpy as np

    weekday, minute = weekday_and_minute(times, start_weekday)
    # fixed-width text, not objects; index -1 is the empty string at the end
    return np.array(WEEKDAYS + ("",))[weekday], np.array(CLOCK_LABELS + ("",))[minute]
