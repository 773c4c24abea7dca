"""AI triage: which studies an AI flags, and the priority each study is read at.

Per screened exam type, each study truly has the AI's target finding with the
type's prevalence; the AI flags it with its sensitivity (finding present) or
fails to clear it with 1 - specificity (finding absent). Both are drawn before
the run from the exam type's own stream, so switching AI on or off, or between
modes, changes nothing else (common random numbers).

With `ai_triage.mode: reprioritise`, a flagged study is read at the priority
`raise_to` (never lower than its own); with `flag_only` the flag is recorded
but the reading order is exactly as without AI. The scanner queue always uses
the order's own priority: the AI reads images, so it acts only once they exist.
"""
from __future__ import annotations

import numpy as np

from .schema import Scenario
from .streams import Streams, per_exam_type


def ai_screening(scenario: Scenario, exam_codes: np.ndarray, origin: np.ndarray, streams: Streams):
    """(finding, flagged) per exam: 1 yes, 0 no, -1 not screened."""
    finding = np.full(len(exam_codes), -1, dtype=np.int8)
    flagged = np.full(len(exam_codes), -1, dtype=np.int8)
    for exam, chosen, rng in per_exam_type(scenario, exam_codes, origin, streams, "ai"):
        if exam.ai is not None:
            truth = rng.random(len(chosen)) < exam.ai.prevalence
            u = rng.random(len(chosen))
            flagged[chosen] = np.where(truth, u < exam.ai.sensitivity, u >= exam.ai.specificity)
            finding[chosen] = truth
    return finding, flagged


def reading_priority(scenario: Scenario, orders) -> np.ndarray:
    """The priority rank each study is read at (who may read it, and its place under the strict policy)."""
    ranks = orders.priority.copy()
    if scenario.ai_triage.mode == "reprioritise" and np.any(orders.flagged == 1):
        raised = scenario.priority_names.index(scenario.ai_triage.raise_to)
        flagged = orders.flagged == 1
        ranks[flagged] = np.minimum(ranks[flagged], raised)
    return ranks
