"""The overload check counts all of a radiologist's work and only the time they can give it."""
from __future__ import annotations

import numpy as np
import pytest

import sim
from conftest import build
from sim.records import INTERRUPTION
from sim.capacity import offered_load_warnings, offered_loads, radiologist_minutes_per_order, working_minutes


def _reading_department(per_hour: float = 0.0, days: int = 10) -> sim.Scenario:
    """One always-on reader for 60 ten-minute CT reads a day: 600 of 1,440 minutes, plus interruptions."""
    extra = {"days": days, "demand": {"ED": {"exams_per_day": 60, "exam_mix": {"ct_head": 1},
                                             "priority_mix": {"outpatient": 1}}},
             "exam_types": {"ct_head": {"acquisition": 1}},
             "technologists": {"ct": {"count": 3}}, "modalities": {"CT": {"scanners": 3}}}
    if per_hour:
        extra["radiologists"] = {"rad": {"interruptions": {"per_hour": per_hour, "duration": 2.0,
                                                           "resumption_penalty": {}}}}
    return build(extra)


def _reader_load(scenario) -> float:
    return next(load for label, load, _, _ in offered_loads(scenario) if label == "CT radiologists")


def test_interruptions_take_the_readers_time_and_the_check_says_so_before_the_worklist_does():
    # one a minute, two minutes each: one arriving during another is absorbed, so they take 2/3 of the time
    calm, interrupted = _reading_department(), _reading_department(per_hour=60)
    assert _reader_load(calm) == pytest.approx(600 / 1440)
    assert _reader_load(interrupted) == pytest.approx(600 / (1440 * (1 - 2 / 3)))
    assert not [w for w in offered_load_warnings(calm) if "CT radiologists" in w]
    assert [w for w in offered_load_warnings(interrupted) if "CT radiologists" in w]
    results = [sim.run(s) for s in (calm, interrupted)]
    unread = [int(np.isnan(r.exams.report_at).sum()) for r in results]
    # 120 minutes a day short: about 12 reads a day pile up
    assert unread[0] < 10 and unread[1] > 60
    log = results[1].staff_log.columns()
    interrupted_minutes = float(np.sum((log["end"] - log["start"])[log["kind"] == INTERRUPTION]))
    assert interrupted_minutes / (10 * 1440) == pytest.approx(2 / 3, abs=0.03)  # what the check assumed


def test_a_radiologists_work_per_order_is_the_read_priors_critical_call_and_protocol():
    scenario = build({
        "exam_types": {"ct_head": {"read": 10, "critical_share": 0.2, "protocol": 4, "priors": {"extra": 5}}},
        "reading": {"critical_call": 3},
        "demand": {"ED": {"exams_per_day": 10, "exam_mix": {"ct_head": 1}, "priors_share": 0.5,
                          "priority_mix": {"stroke": 1, "outpatient": 3}}}})
    stroke_standing = scenario.priorities["stroke"].standing_protocol
    needing = 0.75 + (0 if stroke_standing else 0.25)
    expected = 10 + 0.5 * 5 + 0.2 * 3 + needing * 4
    mix = {"stroke": 1.0, "outpatient": 3.0}
    assert radiologist_minutes_per_order(scenario, "ED", "ct_head", mix) == pytest.approx(expected)


def test_breaks_and_speed_reduce_the_time_on_offer():
    scenario = build({"days": 3, "radiologists": {"rad": {"count": 2, "speed": 1.5, "breaks": [
        {"start": "12:00", "minutes": 30, "waves": 2}]}},
        "demand": {"ED": {"exams_per_day": 10, "exam_mix": {"ct_head": 1}, "priority_mix": {"outpatient": 1}}}})
    group = scenario.radiologists["rad"]
    assert working_minutes(scenario, group) == pytest.approx((2 * 3 * 1440 - 2 * 3 * 30) / 1.5)


def test_staff_shared_between_modalities_are_counted_once_against_all_their_work():
    scenario = build({"modalities": {"MR": {"scanners": 1}},
                      "exam_types": {"mr_brain": {"modality": "MR", "subspecialty": "neuro", "acquisition": 10,
                                                  "read": 10}},
                      "radiologists": {"rad": {"modalities": ["CT", "MR"]}},
                      "technologists": {"ct": {"modalities": ["CT", "MR"]}},
                      "demand": {"ED": {"exams_per_day": 80, "exam_mix": {"ct_head": 1, "mr_brain": 1},
                                        "priority_mix": {"outpatient": 1}}}})
    loads = {label: load for label, load, _, _ in offered_loads(scenario)}
    assert loads["CT radiologists"] < 1 and loads["MR radiologists"] < 1  # each alone looks fine
    assert loads["radiologists, all modalities"] == pytest.approx(800 / 1440)


def test_calls_take_time_only_in_the_hours_of_the_clock_when_they_come_and_the_reader_works():
    # calls come only 10:00-11:00 (one a minute, two minutes each: 2/3 of that hour); the shifts start and end
    # off the hour, and one crosses midnight, so an hour wrongly placed or cut would show
    per_hour = [0.0] * 10 + [60.0] + [0.0] * 13
    days = 4
    demand = {"ED": {"exams_per_day": 10, "exam_mix": {"ct_head": 1}, "priority_mix": {"outpatient": 1}}}
    for shifts, minutes_in_the_call_hour in ((["08:30-16:45"], 60), (["10:20-18:00"], 40), (["22:15-10:45"], 45),
                                            (["11:00-23:00"], 0)):
        rad = {"count": 2, "shifts": shifts}
        calls = {"per_hour": per_hour, "duration": 2.0, "resumption_penalty": {}}
        calm = build({"days": days, "demand": demand, "radiologists": {"rad": rad}})
        scenario = build({"days": days, "demand": demand, "radiologists": {"rad": {**rad, "interruptions": calls}}})
        lost = working_minutes(calm, calm.radiologists["rad"]) - working_minutes(scenario, scenario.radiologists["rad"])
        assert lost == pytest.approx(2 * days * minutes_in_the_call_hour * 2 / 3), shifts


def test_a_span_cut_at_the_hours_of_the_clock_keeps_every_minute_and_each_piece_in_one_hour():
    """What depends on the hour of the day (the calls' rate, the time they take in the overload check) is worked
    out on pieces of duty that tile it and never cross an hour of the clock."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from sim.clock import hour_pieces

    minute = st.one_of(st.integers(0, 20_000).map(float), st.floats(0, 20_000, allow_nan=False))

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.tuples(minute, minute), max_size=12))
    def pieces_tile_the_spans(spans):
        starts, widths, hours, per_span = hour_pieces(spans)
        assert len(per_span) == len(spans) and per_span.sum() == len(starts)
        first = 0
        for (start, end), n in zip(spans, per_span):
            mine = slice(first, first + n)
            first += n
            if end <= start:
                assert n == 0
                continue
            s, w = starts[mine], widths[mine]
            ends = np.append(s[1:], end)  # each piece starts where the last ended ...
            assert s[0] == start and np.array_equal(w, ends - s) and np.all(w > 0)
            assert np.all(s[1:] % 60 == 0)  # ... and only at an hour of the clock
            assert np.all(ends <= (np.floor(s / 60) + 1) * 60 + 1e-9)  # no piece crosses one
            assert np.array_equal(hours[mine], (s // 60 % 24).astype(int))

    pieces_tile_the_spans()
    starts, widths, hours, per_span = hour_pieces([(1410.0, 1530.0), (60.0, 60.0), (450.0, 480.0)])
    assert starts.tolist() == [1410.0, 1440.0, 1500.0, 450.0] and widths.tolist() == [30.0, 60.0, 30.0, 30.0]
    assert hours.tolist() == [23, 0, 1, 7] and per_span.tolist() == [3, 0, 1]
