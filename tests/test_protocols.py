"""Protocoling: chosen CT and MR orders need a radiologist's protocol before they can be scanned."""
import numpy as np
import pytest

import sim
from conftest import build, minutes
from sim.records import PROTOCOL
from sim.scenario import deep_merge

PROTOCOLLED = {"exam_types": {"ct_abdomen": {"protocol": 3}}}


def test_a_protocol_comes_before_the_scan():
    result = sim.run(build(PROTOCOLLED, orders=[(0, "08:00", "ct_abdomen", "inpatient")]))
    e = result.exams
    assert e.protocol_at[0] == minutes(0, "08:03")
    assert e.scan_start[0] == minutes(0, "08:03")


def test_a_stroke_protocol_is_standing_and_needs_no_radiologist():
    extra = {"exam_types": {"ct_head": {"protocol": 3}}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_head", "stroke"), (0, "08:00", "ct_head", "stat")]))
    e = result.exams
    assert np.isnan(e.protocol_at[0]) and e.scan_start[0] == minutes(0, "08:00")
    assert e.protocol_at[1] == minutes(0, "08:03")


def test_protocols_are_taken_in_priority_order_and_compete_with_reading():
    # 07:50 a routine head CT's images are on the worklist; a STAT abdomen order arrives at 07:55 needing a
    # protocol; the reader comes on duty at 08:00 and protocols the STAT order first, then reads.
    extra = {**PROTOCOLLED, "radiologists": {"rad": {"shifts": ["08:00-17:00"]}}}
    result = sim.run(build(extra, orders=[(0, "07:40", "ct_head", "outpatient"), (0, "07:55", "ct_abdomen", "stat")]))
    e = result.exams
    assert e.protocol_at[1] == minutes(0, "08:03")
    assert e.read_start[0] == minutes(0, "08:03")


def test_without_a_reader_on_duty_an_order_waits_for_its_protocol():
    extra = {**PROTOCOLLED, "radiologists": {"rad": {"shifts": ["08:00-17:00"]}}}
    result = sim.run(build(extra, orders=[(0, "02:00", "ct_abdomen", "inpatient")]))
    assert result.exams.scan_start[0] == minutes(0, "08:03")


def test_protocoling_shows_in_the_reader_time_split_and_every_protocol_precedes_its_scan(academic_result):
    e = academic_result.exams
    needs = e.orders.protocol > 0
    assert needs.sum() > 100
    done = needs & ~np.isnan(e.scan_start)
    assert np.all(e.protocol_at[done] <= e.scan_start[done])
    assert not np.any(~needs & ~np.isnan(e.protocol_at))
    split = sim.summarise(academic_result)["reader_time"]["body"]
    assert 0 < split["protocoling"] < split["reading"]
    log = academic_result.staff_log.columns()
    assert np.all(np.isin(log["exam"][log["kind"] == PROTOCOL], np.flatnonzero(needs)))


CHANGED = {"days": 10,
           "modalities": {"MR": {"scanners": 1}},
           "exam_types": {"ct_head": {"protocol": 3, "protocol_changes": {"mr_brain": 0.25}},
                          "mr_brain": {"modality": "MR", "subspecialty": "neuro", "acquisition": 30, "read": 15}},
           "technologists": {"mr": {"count": 1, "modalities": ["MR"], "shifts": ["00:00-24:00"]}},
           "radiologists": {"neuro_mr": {"count": 1, "modalities": ["MR"], "shifts": ["00:00-24:00"]}},
           "demand": {"ED": {"exams_per_day": 30, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 1}}}}


def test_a_consult_at_the_protocol_changes_a_share_of_orders_which_are_then_scanned_and_read_as_the_new_type():
    result = sim.run(build(CHANGED))
    o, e, s = result.exams.orders, result.exams, result.scenario
    ct_head, mr_brain = list(s.exam_types).index("ct_head"), list(s.exam_types).index("mr_brain")
    assert np.all(o.ordered_as == ct_head)
    changed = o.exam_type == mr_brain
    assert 0.18 < changed.mean() < 0.32
    staff = {i: m.group for i, m in enumerate(result.staff)}
    done = np.flatnonzero(~np.isnan(e.report_at))
    for exam in done:
        scanner = result.scanners[e.scanner[exam]].name
        assert scanner.startswith("MR") == changed[exam]  # scanned on the new type's modality
        assert (staff[e.radiologist[exam]] == "neuro_mr") == changed[exam]  # and read by its readers
        assert e.protocol_at[exam] <= e.scan_start[exam]
    log = result.staff_log.columns()
    protocolled_by = {exam: staff[p] for p, k, exam in zip(log["person"], log["kind"], log["exam"]) if k == PROTOCOL}
    assert set(protocolled_by.values()) == {"rad"}  # protocolled by a reader of what was ordered
    row = sim.summarise(result)["protocol_changes"]["ct_head"]
    assert row["changed"]["mr_brain"] == int((changed & (e.ordered_at >= result.warmup)
                                             & ~np.isnan(e.protocol_at)).sum())


def test_changing_orders_moves_work_between_modalities_and_never_moves_an_arrival():
    plain = deep_merge(CHANGED, {"exam_types": {"ct_head": {"protocol_changes": {"mr_brain": 0}}}})
    runs = [sim.run(build(extra)) for extra in (plain, CHANGED)]
    assert np.array_equal(runs[0].exams.orders.ordered_at, runs[1].exams.orders.ordered_at)
    assert np.array_equal(runs[0].exams.orders.ordered_as, runs[1].exams.orders.ordered_as)
    scanned = [{m: sum(1 for k in np.flatnonzero(~np.isnan(r.exams.scan_end))
                       if r.scanners[r.exams.scanner[k]].name.startswith(m)) for m in ("CT", "MR")} for r in runs]
    assert scanned[1]["MR"] > 0 == scanned[0]["MR"] and scanned[1]["CT"] < scanned[0]["CT"]


def test_the_overload_check_counts_changed_orders_as_the_type_they_become():
    from sim.capacity import demand_minutes
    minutes_ = demand_minutes(build(CHANGED), "technologist")
    assert minutes_["MR"] == pytest.approx(30 * 10 * 0.25 * 30, rel=1e-6)
    assert minutes_["CT"] == pytest.approx(30 * 10 * 0.75 * 10, rel=1e-6)
