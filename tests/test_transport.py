"""Porters: patients fetched from the ward once ready, scanned once they arrive, taken back after the scan."""
import numpy as np
import pytest

import sim
from conftest import build, minutes
from sim.records import TRANSPORT
from sim.scenario import ScenarioError, deep_merge

CARRIED = {"demand": {"ward": {"exams_per_day": 0, "exam_mix": {"ct_head": 1}, "priority_mix": {"inpatient": 1},
                               "transport": {"minutes": 5}}},
           "porters": {"porters": {"count": 1, "shifts": ["00:00-24:00"]}},
           "technologists": {"ct": {"count": 2}}, "modalities": {"CT": {"scanners": 2}}}


def _ward_orders(*times):
    return [{"day": 0, "time": t, "source": "ward", "exam_type": "ct_head", "priority": "inpatient"} for t in times]


def _run(extra, orders):
    scenario = build(extra)
    return sim.run(scenario.model_copy(update={"orders": [sim.schema.ScriptedOrder(**o) for o in orders]}))


def _trips(result):
    log = result.staff_log.columns()
    rows = log["kind"] == TRANSPORT
    return sorted(zip(log["exam"][rows].tolist(), log["start"][rows].tolist(), log["end"][rows].tolist()))


def test_a_patient_is_scanned_only_once_the_porter_has_brought_them_and_is_taken_back_after():
    result = _run(CARRIED, _ward_orders("10:00"))
    e = result.exams
    # the porter walks to the ward (5 min) and back with the patient (5 min): the scan starts at 10:10
    assert e.scan_start[0] == minutes(0, "10:10")
    fetch, back = _trips(result)
    assert fetch == (0, minutes(0, "10:00"), minutes(0, "10:10"))
    assert back[1] == e.scan_end[0] and back[2] == e.scan_end[0] + 10  # taken back once the images are complete
    assert e.read_start[0] == e.scan_end[0]  # the report does not wait for the porter


def test_one_porter_takes_one_patient_at_a_time_and_the_second_waits():
    result = _run(CARRIED, _ward_orders("10:00", "10:00"))
    e = result.exams
    assert sorted(e.scan_start.tolist()) == [minutes(0, "10:10"), minutes(0, "10:20")]
    two_porters = deep_merge(CARRIED, {"porters": {"porters": {"count": 2}}})
    result = _run(two_porters, _ward_orders("10:00", "10:00"))
    assert result.exams.scan_start.tolist() == [minutes(0, "10:10")] * 2


def test_nobody_fetches_a_patient_while_no_porter_is_on_duty():
    days = deep_merge(CARRIED, {"porters": {"porters": {"shifts": ["08:00-20:00"]}}})
    result = _run(days, _ward_orders("02:00"))
    assert result.exams.scan_start[0] == minutes(0, "08:10")
    assert _trips(result)[0][1] == minutes(0, "08:00")


def test_codes_left_out_of_transport_come_at_once():
    codes = deep_merge(CARRIED, {"demand": {"ward": {"transport": {"priorities": ["inpatient"]}}}})
    orders = _ward_orders("10:00") + [{"day": 0, "time": "10:00", "source": "ward", "exam_type": "ct_head",
                                       "priority": "stroke"}]
    result = _run(codes, orders)
    assert result.exams.scan_start[1] == minutes(0, "10:00") and result.exams.scan_start[0] == minutes(0, "10:10")


def test_fewer_porters_mean_longer_waits_for_the_same_patients_and_the_summary_says_so():
    busy = deep_merge(CARRIED, {"days": 5, "demand": {"ward": {"exams_per_day": 60,
                                                               "transport": {"minutes": {"dist": "exponential",
                                                                                         "mean": 8}}}},
                                "technologists": {"ct": {"count": 4}}, "modalities": {"CT": {"scanners": 4}},
                                "radiologists": {"rad": {"count": 3}}})
    waits, arrivals = [], []
    for count in (1, 3):
        result = sim.run(build(deep_merge(busy, {"porters": {"porters": {"count": count}}})))
        summary = sim.summarise(result)
        row = summary["transport"]["ward"]
        waits.append(row["wait_for_porter"]["mean"])
        arrivals.append(result.exams.orders.ordered_at)
        assert row["fetched"] <= row["patients"] and row["patients"] > 200
        assert 0 < summary["utilisation"]["porters"]["porters"] <= 1
    assert np.array_equal(*arrivals)  # the porters never change who comes when
    assert waits[0] > 2 * waits[1]


def test_transport_without_porters_is_refused_in_one_line():
    no_porters = deep_merge(CARRIED, {"porters": {"porters": {"count": 0}}})
    with pytest.raises(ScenarioError, match="demand.ward.transport: patients fetched by porters, but the scenario "
                                            "has no porters"):
        build(no_porters)


def test_too_few_porters_for_the_patients_to_carry_is_an_overload_warning():
    from sim.capacity import offered_load_warnings
    busy = deep_merge(CARRIED, {"demand": {"ward": {"exams_per_day": 200, "transport": {"minutes": 10}}}})
    warnings = [w for w in offered_load_warnings(build(busy)) if "porters" in w]
    # 200 patients a day, four legs of 10 min each: 8,000 min of carrying for one porter's 1,440
    assert len(warnings) == 1 and "8,000 min/day of work for 1,440 min/day available" in warnings[0]
    assert not [w for w in offered_load_warnings(build(deep_merge(busy, {"porters": {"porters": {"count": 6}}})))
                if "porters" in w]
