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


def _waiting_list(referrals, days=28, **book):
    scenario = build(deep_merge(BOOK, {"days": days, "appointments": {"ct_list": {"referrals": referrals, **book}}}))
    return scenario, run(scenario)


def test_referrals_are_booked_into_the_first_free_slot_the_most_urgent_first():
    scenario, result = _waiting_list({"urgent": {"per_week": 20, "target_days": 7, "lead_days": 1},
                                      "routine": {"per_week": 40, "target_days": 42, "lead_days": 1}})
    slots = result.exams.orders.slots
    booked = ~np.isnan(slots.referred_at)
    assert np.all(slots.booked == booked)  # the list books the slots, not booked_share
    assert np.all(slots.time[booked] >= slots.referred_at[booked] + 1440 - 1e-9)  # never before the lead time
    # 60 referrals a week for 60 slots a week: every slot a referral could take was taken
    wait = (slots.time[booked] - slots.referred_at[booked]) / 1440
    urgent = slots.category[booked] == 0
    assert np.median(wait[urgent]) <= np.median(wait[~urgent])
    # first free slot: a slot left free all along would have been taken by anyone who could have had it and was
    # booked into a later one
    for t in slots.time[~booked]:
        assert not np.any((slots.referred_at[booked] + 1440 <= t) & (slots.time[booked] > t))
    figures = summarise_waiting(result)
    assert figures["categories"]["urgent"]["referrals"] == int(urgent.sum() + np.sum(slots.waiting.category == 0))


def summarise_waiting(result):
    from sim.acquisition_metrics import waiting_list
    return waiting_list(result)["ct_list"]


def test_a_list_with_more_referrals_than_slots_grows_and_its_waits_count_those_still_waiting():
    _, result = _waiting_list({"routine": {"per_week": 120, "target_days": 7}}, days=42)
    figures = summarise_waiting(result)
    row, size = figures["categories"]["routine"], figures["list_size"]
    assert row["no_slot_yet"] > 0 and row["wait_days"]["lower_bound"]
    assert row["missed"] > 0 and size["at_end"] > size["mean"]
    assert row["met"] + row["missed"] + row["not_yet_known"] == row["referrals"]


def test_a_referral_category_can_be_done_at_its_own_priority():
    _, result = _waiting_list({"two_week_wait": {"per_week": 10, "priority": "inpatient"},
                               "routine": {"per_week": 10}})
    o, slots = result.exams.orders, result.exams.orders.slots
    came = slots.exam >= 0
    assert np.all(o.priority[slots.exam[came & (slots.category == 0)]] == 3)  # inpatient
    assert np.all(o.priority[slots.exam[came & (slots.category == 1)]] == 4)  # the book's: outpatient


def test_suspected_cancer_as_its_own_priority_is_read_ahead_of_routine_work():
    from sim.scenario import load_scenario
    from conftest import SCENARIOS
    scenario = load_scenario(SCENARIOS / "community_mr_waiting_list.yaml", ["days=42"])
    names = scenario.priority_names
    assert names.index("stat") < names.index("suspected_cancer") < names.index("inpatient")
    book = scenario.appointments["mr_outpatients"]
    assert book.referrals["two_week_wait"].priority == "suspected_cancer"
    as_routine = load_scenario(SCENARIOS / "community_mr_waiting_list.yaml",
                               ["days=42", "appointments.mr_outpatients.referrals.two_week_wait.priority=outpatient"])
    tat = {}
    for label, s in (("own", scenario), ("routine", as_routine)):
        result = run(s)
        o, e = result.exams.orders, result.exams
        cancer = o.slots.exam[(o.slots.exam >= 0) & (o.slots.category == 0)]
        done = cancer[~np.isnan(e.report_at[cancer])]
        assert len(done) > 10
        tat[label] = np.mean(e.report_at[done] - e.scan_end[done])
    assert tat["own"] < tat["routine"]  # bumped up the worklist, not read among the routine studies


def test_the_summary_says_how_many_booked_patients_started_within_the_tolerance_and_protection_raises_it():
    from sim.scenario import load_scenario
    from sim.metrics import summarise
    from conftest import SCENARIOS
    shares = []
    for overrides in ([], ["appointments.mr_outpatients.queue_after=null"]):
        scenario = load_scenario(SCENARIOS / "community_hospital.yaml", ["days=14", *overrides])
        result = run(scenario)
        book = summarise(result)["appointments"]["mr_outpatients"]
        slots, e = result.exams.orders.slots, result.exams
        mine = (slots.time >= result.warmup) & (slots.exam >= 0)
        late = e.scan_start[slots.exam[mine]] - slots.time[mine]
        late = late[~np.isnan(late)]
        assert book["start_tolerance_minutes"] == 30
        assert book["started_within_tolerance"] == np.mean(late <= 30)
        shares.append(book["started_within_tolerance"])
    assert shares[0] > shares[1] + 0.3  # protected slots start near their time; unprotected ones queue behind add-ons
