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


def weekday_and_clock(times, start_weekday: str):
    """Weekday names and "HH:MM" clock times of simulation times (numpy array; NaN gives empty strings),
    so that tables can be read and pivoted without converting minutes."""
    import numpy as np

    weekday, minute = weekday_and_minute(times, start_weekday)
    # fixed-width text, not objects; index -1 is the empty string at the end
    return np.array(WEEKDAYS + ("",))[weekday], np.array(CLOCK_LABELS + ("",))[minute]
