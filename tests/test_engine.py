"""The clock's end-of-instant hand-out: one dispatch per instant, after everything else that happens then."""
from __future__ import annotations

import pytest

from sim.timers import Environment, after


def _recording_env():
    env, seen = Environment(), []
    env.settle(lambda: seen.append(("settle", env.now)))
    return env, seen


def test_many_requests_at_one_instant_give_one_hand_out_after_every_event_of_that_instant():
    env, seen = _recording_env()

    def change(label):
        seen.append((label, env.now))
        env.unsettled()

    for label in ("shift ends", "shift starts", "order arrives"):
        after(env, 60.0, change, label)
    after(env, 61.0, change, "later")
    env.run()
    assert seen == [("shift ends", 60.0), ("shift starts", 60.0), ("order arrives", 60.0), ("settle", 60.0),
                    ("later", 61.0), ("settle", 61.0)]


def test_a_zero_minute_step_started_at_an_instant_ends_before_that_instant_is_handed_out():
    env, seen = _recording_env()

    def start():
        seen.append(("start", env.now))
        env.unsettled()
        after(env, 0.0, lambda: seen.append(("zero-minute step done", env.now)))

    after(env, 5.0, start)
    env.run()
    assert seen == [("start", 5.0), ("zero-minute step done", 5.0), ("settle", 5.0)]


def test_a_hand_out_that_asks_for_another_gets_it_at_the_same_instant():
    env, seen, rounds = Environment(), [], [2]

    def hand_out():
        seen.append(env.now)
        rounds[0] -= 1
        if rounds[0]:
            env.unsettled()  # it started something that freed something else

    env.settle(hand_out)
    after(env, 10.0, env.unsettled)
    after(env, 20.0, lambda: seen.append("next event"))
    env.run()
    assert seen == [10.0, 10.0, "next event"]


def test_no_hand_out_without_a_request_and_none_past_the_end_of_the_run():
    env, seen = _recording_env()
    after(env, 1.0, lambda: None)
    after(env, 100.0, env.unsettled)
    env.run(until=50.0)
    assert seen == []
    env.run(until=200.0)
    assert seen == [("settle", 100.0)]


def test_a_timer_is_never_set_in_the_past_and_fires_in_the_order_set_at_one_moment():
    env, fired = Environment(), []
    with pytest.raises(ValueError):
        after(env, -0.5, fired.append, "too late")
    for label in ("first", "second", "third"):
        after(env, 3.0, fired.append, label)
    env.run()
    assert fired == ["first", "second", "third"] and env.now == 3.0


def test_a_timed_sequence_acts_at_each_time_in_turn_and_passes_over_skipped_entries_without_a_timer():
    from sim.timers import TimedSequence, at_start

    env, acted, armed, stops = Environment(), [], [], []
    env.settle(lambda: stops.append(env.now))  # once per instant the clock stops at
    times = [0.0, 2.0, 2.0, 5.0, 7.0, 9.0]
    skipped = {4}  # the entry at 7.0: passed over when its turn comes
    sequence = TimedSequence(env, times, lambda k: (acted.append((k, env.now)), env.unsettled()),
                             lambda k, t: k in skipped, armed.append)
    env.process(at_start(sequence.start))
    env.run()
    assert acted == [(0, 0.0), (1, 2.0), (2, 2.0), (3, 5.0), (5, 9.0)]
    assert armed == [0.0, 2.0, 2.0, 5.0, 9.0]
    assert stops == [0.0, 2.0, 5.0, 9.0] and 7.0 not in stops  # nothing happened at 7.0: no timer was set for it
