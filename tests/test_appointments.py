"""Booked outpatients: slots through sessions, punctuality, no-shows, add-ons fitting in between."""
from __future__ import annotations

import numpy as np
from conftest import build, minutes

from sim import run
from sim.scenario import deep_merge
from sim.acquisition_metrics import appointments, scanner_time
from sim.streams import BOOKED

BOOK = {"appointments": {"ct_list": {"modality": "CT", "sessions": [{"start": "08:00", "end": "12:00",
                                                                     "days": ["mon", "tue", "wed", "thu", "fri"]}],
                                     "slot_minutes": 20, "exam_mix": {"ct_abdomen": 1}}}}


def test_slots_fill_the_sessions_on_their_days():
    result = run(build({**BOOK, "days": 7}))
    slots = result.exams.orders.slots
    assert len(slots) == 5 * 12  # 12 slots of 20 min in 4 h, weekdays only
    assert np.all(np.diff(slots.time[:12]) == 20) and slots.time[0] == minutes(0, "08:00")


def test_booked_patients_arrive_within_their_punctuality_and_queue_by_slot():
    result = run(build(deep_merge(BOOK, {"days": 5, "appointments": {"ct_list": {"punctuality": {"earliest": -10, "latest": 15}}}})))
    o = result.exams.orders
    booked = np.flatnonzero(o.origin == BOOKED)
    slot_of = {int(x): t for x, t in zip(o.slots.exam, o.slots.time) if x >= 0}
    offsets = np.array([o.ordered_at[x] - slot_of[int(x)] for x in booked])
    assert offsets.min() >= -10 and offsets.max() <= 15 and offsets.std() > 3
    assert np.all(o.queue_time[booked] == [slot_of[int(x)] for x in booked])


def test_a_no_show_leaves_its_slot_idle():
    result = run(build(deep_merge(BOOK, {"days": 5, "appointments": {"ct_list": {"no_show": 1.0}}})))
    assert not np.any(result.exams.orders.origin == BOOKED)
    figures = appointments(result)["ct_list"]
    assert figures["no_shows"] == figures["booked"] == figures["idle_slots"] == 60
    assert scanner_time(result)["CT"]["idle"] == 1.0


def test_no_shows_and_idle_slots_are_counted():
    result = run(build(deep_merge(BOOK, {"days": 30, "appointments": {"ct_list": {"no_show": 0.1, "booked_share": 0.8}}})))
    figures = appointments(result)["ct_list"]
    assert figures["attended"] + figures["no_shows"] == figures["booked"]
    assert figures["idle_slots"] == figures["slots"] - figures["attended"]
    assert 0.05 < figures["no_show_share"] < 0.15 and 0.7 < figures["booked"] / figures["slots"] < 0.9


def test_add_ons_fit_in_between_and_urgent_ones_go_first():
    result = run(build(deep_merge(BOOK, {"appointments": {"ct_list": {"punctuality": {"earliest": 0, "latest": 0}}}}),
                       orders=[(0, "08:05", "ct_head", "stat"), (0, "08:25", "ct_head", "outpatient")]))
    o, e = result.exams.orders, result.exams
    stat = np.flatnonzero((o.origin != BOOKED) & (o.priority == 2))[0]
    walk_in = np.flatnonzero((o.origin != BOOKED) & (o.priority == 4))[0]
    assert e.scan_start[stat] == minutes(0, "08:10")  # after the 08:00 patient, before the 08:20 one
    # the walk-in arrives at 08:25, after the 08:20 slot: it waits behind that patient only
    booked_0820 = np.flatnonzero((o.origin == BOOKED) & (o.queue_time == minutes(0, "08:20")))[0]
    assert e.scan_start[walk_in] >= e.scan_end[booked_0820]
    booked_0840 = np.flatnonzero((o.origin == BOOKED) & (o.queue_time == minutes(0, "08:40")))[0]
    assert e.scan_start[booked_0840] >= e.scan_end[walk_in]


def test_appointments_do_not_change_the_random_demand():
    demand = {"days": 5, "demand": {"ED": {"exams_per_day": 30, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 1}}}}
    a, b = run(build({**demand, **BOOK})), run(build(demand))
    ed = a.exams.orders.origin != BOOKED
    assert np.array_equal(a.exams.orders.ordered_at[ed], b.exams.orders.ordered_at)
    assert np.array_equal(a.exams.orders.read[ed], b.exams.orders.read)


def test_protected_slots_put_booked_patients_before_stat_add_ons_but_not_before_a_stroke():
    def run_with(queue_after):
        book = {"punctuality": {"earliest": 0, "latest": 0}, **({"queue_after": queue_after} if queue_after else {})}
        return run(build(deep_merge(BOOK, {"appointments": {"ct_list": book}}),
                         orders=[(0, "08:15", "ct_head", "stat"), (0, "08:15", "ct_head", "stroke")]))

    def times(result):
        o, e = result.exams.orders, result.exams
        stat = np.flatnonzero((o.origin != BOOKED) & (o.priority == 2))[0]
        stroke = np.flatnonzero((o.origin != BOOKED) & (o.priority == 0))[0]
        booked_0820 = np.flatnonzero((o.origin == BOOKED) & (o.queue_time == minutes(0, "08:20")))[0]
        return e.scan_start[stroke], e.scan_start[stat], e.scan_start[booked_0820]

    # the 08:00 patient leaves the scanner at 08:10; the stroke takes it at 08:15 until 08:25
    stroke, stat, booked = times(run_with(None))
    assert stroke == minutes(0, "08:15") and stat == minutes(0, "08:25") and booked == minutes(0, "08:35")
    stroke, stat, booked = times(run_with("trauma"))
    assert stroke == minutes(0, "08:15") and booked == minutes(0, "08:25") and stat == minutes(0, "08:35")


def test_protected_booked_patients_do_not_take_scanners_kept_for_urgent_work():
    reserved = {"modalities": {"CT": {"scanners": ["CT-1", "CT-2"], "reserved": [
        {"scanners": ["CT-2"], "hours": ["00:00-24:00"], "priorities": ["stroke", "trauma", "stat"]}]}},
        "technologists": {"ct": {"count": 2}}}
    book = {"appointments": {"ct_list": {"queue_after": "trauma", "parallel": 2}}}
    result = run(build(deep_merge(deep_merge(BOOK, book), {**reserved, "days": 3})))
    o, e = result.exams.orders, result.exams
    booked = np.flatnonzero((o.origin == BOOKED) & ~np.isnan(e.scan_start))
    assert len(booked) > 10 and np.all(e.scanner[booked] == 0)  # only CT-1
