"""Coverage gaps: stretches of the week when work can arrive that nobody on duty may do.

Over one week of the roster (the first seven days of the run):
- a modality that is open while none of its technologists is on duty: its
  patients wait for the next technologist;
- a priority, modality and subspecialty with demand that no radiologist on
  duty may read for longer than the priority's report target: a study
  arriving at the start of the gap misses its target whatever the workload.
Each gap is a warning worded for a manager. Gaps shorter than 15 minutes
(hand-overs) are not reported.
"""
from __future__ import annotations

from .clock import MINUTES_PER_DAY, describe, weekday_of
from .roster import intervals, merge
from .schema import Scenario, can_read, demanded

WEEK = 7 * MINUTES_PER_DAY
SHORTEST_GAP = 15.0


def coverage_warnings(scenario: Scenario) -> list[str]:
    warnings = []
    wanted = demanded(scenario)
    modalities = {scenario.exam_types[e].modality for e in wanted}
    for modality in sorted(modalities):
        opening = _clip_week(intervals(scenario.modalities[modality].hours, DAYS, scenario.start_weekday))
        staffed = _on_duty(scenario.technologists.values(), lambda g: modality in g.modalities, scenario)
        gaps = [g for g in _gaps(opening, staffed) if g[1] - g[0] >= SHORTEST_GAP]
        if gaps:
            warnings.append(f"coverage: {modality} is open with no {modality} technologist on duty "
                            f"{_spans(gaps, scenario)}; patients wait for the next one")
    for exam_name, priorities in wanted.items():
        exam = scenario.exam_types[exam_name]
        for priority in sorted(priorities, key=scenario.priority_names.index):
            target = scenario.priorities[priority].target_minutes
            readers = _on_duty(scenario.radiologists.values(),
                               lambda g: can_read(g, exam.modality, exam.subspecialty, priority), scenario)
            gaps = [g for g in _gaps([(START, END)], readers) if g[1] - g[0] > max(target, SHORTEST_GAP)]
            if gaps:
                warnings.append(f"coverage: nobody on duty may read {priority} {exam.modality} {exam.subspecialty} "
                                f"studies {_spans(gaps, scenario)}, longer than their {target:g}-minute target")
    return list(dict.fromkeys(warnings))


# One week of the roster, from the second day: the first day's morning would show night shifts that began before
# the run as gaps. A gap running over the end of the week joins the one at its start (the roster repeats weekly).
DAYS, START, END = 10, MINUTES_PER_DAY, MINUTES_PER_DAY + WEEK


def _clip_week(spans):
    return [(max(a, START), min(b, END)) for a, b in spans if b > START and a < END]


def _on_duty(groups, chosen, scenario: Scenario) -> list[tuple[float, float]]:
    return merge([span for g in groups if g.count > 0 and chosen(g)
                  for span in intervals(g.shifts, DAYS, scenario.start_weekday)])


def _gaps(needed: list[tuple[float, float]], covered: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Parts of `needed` that `covered` leaves open (both sorted and disjoint), joined across the week's end."""
    gaps = _open_parts(needed, covered)
    if len(gaps) > 1 and gaps[0][0] <= START and gaps[-1][1] >= END:
        gaps = gaps[1:-1] + [(gaps[-1][0], gaps[0][1] + WEEK)]
    return gaps


def _open_parts(needed, covered):
    gaps = []
    for start, end in needed:
        t = start
        for a, b in covered:
            if b <= t:
                continue
            if a >= end:
                break
            if a > t:
                gaps.append((t, a))
            t = max(t, b)
        if t < end:
            gaps.append((t, end))
    return gaps


def _spans(gaps: list[tuple[float, float]], scenario: Scenario) -> str:
    """"23:00-07:00 every day" when the gap repeats daily, else the first few with their weekdays."""
    clock = [(describe(a).split()[-1], describe(b).split()[-1]) for a, b in gaps]
    if len(gaps) == 7 and len(set(clock)) == 1:
        return f"{clock[0][0]}-{clock[0][1]} every day"
    shown = [f"{weekday_of(int(a // MINUTES_PER_DAY), scenario.start_weekday)} {c[0]}-{c[1]}"
             for (a, _), c in zip(gaps, clock)]
    return ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")
