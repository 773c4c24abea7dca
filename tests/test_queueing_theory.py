"""The model configured as textbook queues agrees with queueing theory within 95% confidence intervals.

See sim/validation.py for the set-up (constant-rate Poisson arrivals, instant
acquisition, exponential reads, three readers always on duty, load 0.75).
Seeds are fixed, so each test gives the same verdict every time it runs.
"""
import numpy as np
import pytest

from sim import validation
from sim.queueing import cobham_waits, confidence_interval, erlang_c, mmc_wait, preemptive_sojourns


def test_formulas_agree_with_known_values():
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert mmc_wait(1, 0.5, 1.0) == pytest.approx(1.0)  # M/M/1: rho / (mu - lambda)
    # M/M/1 non-preemptive: W_k = W0 / ((1 - s_{k-1})(1 - s_k)), W0 = rho / mu
    assert cobham_waits(1, [0.25, 0.25], 1.0) == pytest.approx([0.5 / 0.75, 0.5 / (0.75 * 0.5)])
    # M/M/1 preemptive, class 1 sees M/M/1 alone: 1 / (mu - lambda_1)
    assert preemptive_sojourns(1, [0.25, 0.25], 1.0)[0] == pytest.approx(1 / 0.75)
    # one class: preemptive sojourn is the M/M/c sojourn
    assert preemptive_sojourns(3, [0.2], 0.1) == pytest.approx([mmc_wait(3, 0.2, 0.1) + 10])


def test_confidence_interval_matches_scipy():
    from scipy import stats

    data = [3.1, 2.7, 3.5, 2.9, 3.3, 3.0]
    mean, low, high = confidence_interval(data)
    ref_low, ref_high = stats.t.interval(0.95, len(data) - 1, loc=np.mean(data), scale=stats.sem(data))
    assert (low, high) == pytest.approx((ref_low, ref_high))


@pytest.mark.parametrize("case", [validation.erlang_c_case, validation.cobham_case, validation.preemptive_case,
                                  validation.ai_triage_case],
                         ids=["erlang_c", "cobham", "preemptive_resume", "ai_triage_two_classes"])
def test_simulated_mean_matches_theory_within_its_95_percent_ci(case):
    for row in case():
        assert row.agrees, row


def test_priority_makes_a_difference_the_theory_predicts():
    # Guard against a model that ignores priority yet passes by wide intervals:
    # urgent and routine waits must differ as Cobham says, with non-overlapping intervals.
    urgent, routine = validation.cobham_case()
    assert urgent.high < routine.low
    assert urgent.theory < routine.theory
