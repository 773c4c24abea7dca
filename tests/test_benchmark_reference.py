"""The yardstick of bench/: the minimal simpy model moves radsim's own orders, and its variant with calls takes the
calls radsim draws, so a ratio against it compares like with like."""
from __future__ import annotations

import sys

import numpy as np
from conftest import ROOT

from sim.arrivals import generate_orders
from sim.records import INTERRUPTION
from sim.streams import Streams

sys.path.insert(0, str(ROOT / "bench"))
from reference import minimal_model_seconds, radiologist_calls  # noqa: E402


def test_the_reference_with_calls_takes_the_calls_radsim_takes_and_completes_as_many_exams(academic_result):
    scenario = academic_result.scenario
    times, lengths = radiologist_calls(scenario, generate_orders(scenario, Streams(scenario.seed, 0)))
    drawn = dict(zip(times, lengths))
    log = academic_result.staff_log.columns()
    calls = log["kind"] == INTERRUPTION
    starts, ends = log["start"][calls].tolist(), log["end"][calls].tolist()
    taken = [t for t in starts if t in drawn]
    # every call radsim's readers take is one of the reference's, with its length (unless the run ended first);
    # the odd other interruption row is radsim's own (a radiologist called in for a procedure)
    assert len(taken) > 0.999 * len(starts) and len(times) > len(starts)
    assert all(e != e or np.isclose(e - t, drawn[t]) for t, e in zip(starts, ends) if t in drawn)
    assert all(np.diff(times) >= 0)
    (_, plain, _), (_, with_calls, _) = (minimal_model_seconds(scenario),
                                         minimal_model_seconds(scenario, with_calls=True))
    # both move the same orders; calls can only delay a read past the end of the run
    assert plain >= with_calls > 0.95 * int(np.sum(~np.isnan(academic_result.exams.orders.ordered_at)))


def test_the_reference_counts_every_event_an_exam_needs_in_it(academic_result):
    """Events per exam are compared with the reference's: in it an exam is at least its order's timeout, its
    process starting, a scanner asked for, the scan, a radiologist asked for, the read and its process ending."""
    scenario = academic_result.scenario
    _, plain, events = minimal_model_seconds(scenario)
    _, with_calls, events_with_calls = minimal_model_seconds(scenario, with_calls=True)
    calls = len(radiologist_calls(scenario, generate_orders(scenario, Streams(scenario.seed, 0)))[0])
    assert events >= 7 * plain
    # each call is at least its arrival's timeout, its process starting, a radiologist asked for and the call
    assert events_with_calls >= 7 * with_calls + 4 * calls
