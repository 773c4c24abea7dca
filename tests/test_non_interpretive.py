"""The radiologist's whole day: meetings, teaching and QA at set times take radiologists off the worklist."""
from __future__ import annotations

import numpy as np

from sim import run
from sim.capacity import offered_load_warnings
from sim.metrics import summarise
from sim.records import NON_INTERPRETIVE, READ

from conftest import build, minutes

BOARD = {"name": "tumour board", "start": "12:00", "minutes": 60}
QUIET = {"ED": {"exams_per_day": 0, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 1}}}


def _rows(result, kind):
    log = result.staff_log.columns()
    mine = log["kind"] == kind
    return list(zip(log["person"][mine].tolist(), log["start"][mine].tolist(), log["end"][mine].tolist(),
                    log["overtime"][mine].tolist()))


def test_a_meeting_waits_for_the_read_in_hand_ends_on_time_and_studies_wait_for_it():
    scenario = build({"radiologists": {"rad": {"non_interpretive": [BOARD]}}},
                     orders=[(0, "11:30", "ct_abdomen", "outpatient"), (0, "12:10", "ct_head", "stat")])
    result = run(scenario)
    e = result.exams
    # the first study's images are complete at 11:40 and its read takes 20 min: the meeting is joined at 12:00
    # only after it, ends at 13:00 as set, and the stat study imaged at 12:20 waits for it
    assert e.report_at[0] == minutes(0, "12:00")
    assert _rows(result, NON_INTERPRETIVE)[0][1:3] == (minutes(0, "12:00"), minutes(0, "13:00"))
    assert e.read_start[1] == minutes(0, "13:00")


def test_a_meeting_joined_late_still_ends_at_its_set_time_and_records_the_delay():
    scenario = build({"radiologists": {"rad": {"non_interpretive": [BOARD]}}},
                     orders=[(0, "11:35", "ct_abdomen", "outpatient")])
    result = run(scenario)
    [(_, start, end, late)] = _rows(result, NON_INTERPRETIVE)[:1]
    assert start == minutes(0, "12:05") and end == minutes(0, "13:00") and late == 5


def test_members_take_turns_day_by_day_and_one_always_stays_on_the_worklist():
    scenario = build({"days": 4, "demand": QUIET, "radiologists": {"rad": {"count": 3, "non_interpretive": [{**BOARD, "members": 1}]}}})
    rows = _rows(run(scenario), NON_INTERPRETIVE)
    assert [person for person, *_ in rows] == [1, 2, 3, 1]  # the technologist is person 0
    whole = build({"demand": QUIET, "radiologists": {"rad": {"count": 2, "non_interpretive": [{**BOARD, "members": 2}]}}})
    rows = _rows(run(whole), NON_INTERPRETIVE)
    assert len([r for r in rows if r[1] < 1440]) == 1  # the second would leave nobody on the worklist


def test_nobody_is_called_away_off_shift_and_the_days_are_respected():
    scenario = build({"days": 7, "demand": QUIET, "radiologists": {"rad": {
        "shifts": ["08:00-17:00"], "non_interpretive": [{**BOARD, "days": ["wed"]},
                                                        {"name": "late QA", "start": "18:00", "minutes": 30}]}}})
    rows = _rows(run(scenario), NON_INTERPRETIVE)
    assert [start for _, start, _, _ in rows] == [minutes(2, "12:00")]


def test_the_reader_time_split_and_the_overload_check_count_it():
    demand = {"ED": {"exams_per_day": 60, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 1}}}
    plain = {"days": 14, "warmup_days": 1, "demand": demand, "technologists": {"ct": {"count": 2}},
             "modalities": {"CT": {"scanners": 2}}}
    meetings = {**plain, "radiologists": {"rad": {"non_interpretive": [
        {"name": "admin", "start": "08:00", "minutes": 480}, {"name": "teaching", "start": "16:00", "minutes": 480}]}}}
    assert not offered_load_warnings(build(plain))  # 600 reading minutes a day for one reader
    assert any("radiologists" in w for w in offered_load_warnings(build(meetings)))  # 960 of 1440 minutes away
    short = {**plain, "radiologists": {"rad": {"non_interpretive": [{"name": "QA", "start": "10:00", "minutes": 144}]}}}
    summary = summarise(run(build(short)))
    split = summary["reader_time"]["rad"]
    assert abs(split["non_interpretive"] - 0.1) < 0.01  # 144 of 1440 minutes a day
    row = next(r for r in summary["published"] if r["key"] == "radiologist_non_interpretive")
    # compared over weekdays 08:00-17:00, when the published study watched: 144 of those 540 minutes
    assert row["verdict"] == "below" and abs(row["value"] - 144 / 540) < 0.01
    log = run(build(short)).staff_log.columns()
    reads = (log["kind"] == READ)
    away = log["kind"] == NON_INTERPRETIVE
    for start, end in zip(log["start"][away], log["end"][away]):  # no read overlaps the person's time away
        assert not np.any(reads & (log["start"] < end) & (log["end"] > start))


def test_set_work_at_the_start_of_the_shift_happens_every_day():
    scenario = build({"days": 3, "demand": QUIET, "radiologists": {"rad": {
        "count": 2, "shifts": ["08:00-17:00"], "non_interpretive": [{"name": "teaching", "start": "08:00",
                                                                   "minutes": 30}]}}})
    rows = _rows(run(scenario), NON_INTERPRETIVE)
    assert [(start, end) for _, start, end, _ in rows] == [(minutes(d, "08:00"), minutes(d, "08:30")) for d in range(3)]
