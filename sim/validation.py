"""The model configured as textbook queues, compared with queueing theory.

Constant-rate Poisson arrivals, instant acquisition (plenty of technologists
and scanners, zero scan time), exponential reads and readers always on duty
turn the reading side into an M/M/c queue. Each replication's mean is one
observation; the analytic value should lie within the t-based 95%
confidence interval of those means.

    python -m sim.validation        # prints the table in docs/validation.md
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from .model import run
from .queueing import cobham_waits, confidence_interval, mmc_wait, preemptive_sojourns
from .scenario import scenario_from_dict

READ_MEAN = 10.0  # minutes, so mu = 0.1 per minute
READERS = 3
LOAD = 0.75  # per reader
DAYS, WARMUP_DAYS, REPLICATIONS = 60, 3, 10


@dataclass(frozen=True)
class Comparison:
    """A simulated mean with its 95% CI beside the queueing-theory value."""

    case: str
    priority: str
    measure: str
    theory: float
    mean: float
    low: float
    high: float

    @property
    def agrees(self) -> bool:
        return self.low <= self.theory <= self.high


def textbook_scenario(rates_per_day: dict[str, float], preempting: frozenset[str] = frozenset(), **extra):
    priorities = {name: {"target_minutes": 60, "preempts": name in preempting} for name in rates_per_day}
    return scenario_from_dict({**extra, **{
        "name": "M/M/c validation",
        "days": DAYS, "warmup_days": WARMUP_DAYS, "seed": 12345,
        "priorities": priorities,
        "modalities": {"CT": {"scanners": 20}},
        "exam_types": {"study": {"modality": "CT", "acquisition": 0,
                                 "read": {"dist": "exponential", "mean": READ_MEAN}}},
        "demand": {name: {"exams_per_day": rate, "exam_mix": {"study": 1}, "priority_mix": {name: 1}}
                   for name, rate in rates_per_day.items()},
        "technologists": {"t": {"count": 20, "modalities": ["CT"], "shifts": ["00:00-24:00"]}},
        "radiologists": {"r": {"count": READERS, "modalities": ["CT"], "shifts": ["00:00-24:00"]}},
    }})


def replication_means(scenario, measure: str, replications: int = REPLICATIONS) -> list[list[float]]:
    """Per priority, the mean worklist wait ("wait") or time at the reader ("sojourn") of each replication."""
    means: list[list[float]] = [[] for _ in scenario.priorities]
    for rep in range(replications):
        result = run(scenario, replication=rep)
        e = result.exams
        window = e.ordered_at >= result.warmup
        values = (e.read_start - e.scan_end) if measure == "wait" else (e.report_at - e.scan_end)
        for rank, bucket in enumerate(means):
            chosen = window & (e.orders.priority == rank) & ~np.isnan(values)
            bucket.append(float(values[chosen].mean()))
    return means


def _total_rate_per_day() -> float:
    return LOAD * READERS / READ_MEAN * 1440


def _compare(case: str, rates: dict[str, float], measure: str, theory: list[float],
             preempting: frozenset[str] = frozenset()) -> tuple[Comparison, ...]:
    observed = replication_means(textbook_scenario(rates, preempting), measure)
    rows = []
    for name, value, values in zip(rates, theory, observed):
        mean, low, high = confidence_interval(values)
        rows.append(Comparison(case, name, measure, value, mean, low, high))
    return tuple(rows)


@cache
def erlang_c_case() -> tuple[Comparison, ...]:
    rate = _total_rate_per_day()
    return _compare("FCFS M/M/c (Erlang C)", {"routine": rate}, "wait",
                    [mmc_wait(READERS, rate / 1440, 1 / READ_MEAN)])


@cache
def cobham_case() -> tuple[Comparison, ...]:
    total = _total_rate_per_day()
    rates = {"urgent": 0.3 * total, "routine": 0.7 * total}
    return _compare("non-preemptive priority M/M/c (Cobham)", rates, "wait",
                    cobham_waits(READERS, [r / 1440 for r in rates.values()], 1 / READ_MEAN))


@cache
def preemptive_case() -> tuple[Comparison, ...]:
    total = _total_rate_per_day()
    rates = {"stroke": 0.3 * total, "routine": 0.7 * total}
    return _compare("preemptive-resume priority M/M/c", rates, "sojourn",
                    preemptive_sojourns(READERS, [r / 1440 for r in rates.values()], 1 / READ_MEAN),
                    preempting=frozenset({"stroke"}))


AI_POSITIVE_SHARE = 0.3


@cache
def ai_triage_case() -> tuple[Comparison, ...]:
    """AI triage as two classes: every study is routine; a perfect AI flags 30% of them and raises them to a
    preempting priority. Flagged and unflagged studies then form a preemptive-resume M/M/c queue."""
    total = _total_rate_per_day()
    rates = {"flagged": 0.0, "routine": total}
    scenario = textbook_scenario(rates, preempting=frozenset({"flagged"}),
                                 ai_triage={"mode": "reprioritise", "raise_to": "flagged"})
    scenario = scenario_from_dict({
        **scenario.model_dump(mode="json", by_alias=True),
        "demand": {"routine": {"exams_per_day": total, "exam_mix": {"study": 1}, "priority_mix": {"routine": 1}}},
        "exam_types": {"study": {"modality": "CT", "acquisition": 0,
                                 "read": {"dist": "exponential", "mean": READ_MEAN},
                                 "ai": {"prevalence": AI_POSITIVE_SHARE, "sensitivity": 1.0, "specificity": 1.0}}},
    })
    theory = preemptive_sojourns(READERS, [AI_POSITIVE_SHARE * total / 1440, (1 - AI_POSITIVE_SHARE) * total / 1440],
                                 1 / READ_MEAN)
    observed: list[list[float]] = [[], []]
    for rep in range(REPLICATIONS):
        result = run(scenario, replication=rep)
        e = result.exams
        window = (e.ordered_at >= result.warmup) & ~np.isnan(e.report_at)
        tat = e.report_at - e.scan_end
        for k, flagged in enumerate((1, 0)):
            observed[k].append(float(tat[window & (e.orders.flagged == flagged)].mean()))
    rows = []
    for name, value, values in zip(("AI-positive", "AI-negative"), theory, observed):
        mean, low, high = confidence_interval(values)
        rows.append(Comparison("AI triage as preemptive-resume M/M/c", name, "sojourn", value, mean, low, high))
    return tuple(rows)


def markdown_table(rows) -> str:
    lines = ["| case | class | measure | theory (min) | simulated mean | 95% CI | agrees |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.case} | {r.priority} | {r.measure} | {r.theory:.3f} | {r.mean:.3f} | "
                     f"{r.low:.3f} - {r.high:.3f} | {'yes' if r.agrees else 'NO'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table(erlang_c_case() + cobham_case() + preemptive_case() + ai_triage_case()))
