"""Acquisition in steps: preparation, contrast, screening, scan, image check, turnover; prep rooms;
bedside exams with portable units; nuclear medicine uptake."""
from __future__ import annotations

import numpy as np
import pytest

from sim import run
from sim.scenario import deep_merge
from sim.records import PREP, ROOM_PREP, ROOM_SCAN, ROOM_TRAVEL, ROOM_TURNOVER, SCAN

from conftest import build, minutes

STEPS = {"prep": 5, "check": 2, "turnover": 3}


def _rooms(result):
    log = result.room_log.columns()
    return [(int(r), int(k), float(s), float(e), int(x)) for r, k, s, e, x in
            zip(log["room"], log["kind"], log["start"], log["end"], log["exam"])]


def test_steps_run_in_order_and_images_complete_after_the_check():
    result = run(build({"exam_types": {"ct_head": {"steps": STEPS}}}, orders=[(0, "10:00", "ct_head", "stat")]))
    e, t0 = result.exams, minutes(0, "10:00")
    assert e.scan_start[0] == t0  # acquisition starts with preparation
    assert e.imaging_start[0] == t0 + 5  # the scan itself after 5 min of preparation
    assert e.scan_end[0] == t0 + 5 + 10 + 2  # images complete after the scan and the check
    assert e.read_start[0] == e.scan_end[0]  # reading need not wait for turnover
    assert _rooms(result) == [(0, ROOM_PREP, t0, t0 + 5, 0), (0, ROOM_SCAN, t0 + 5, t0 + 17, 0),
                              (0, ROOM_TURNOVER, t0 + 17, t0 + 20, 0)]
    scan_rows = result.staff_log.columns()
    tech = (scan_rows["kind"] == SCAN)
    assert scan_rows["start"][tech][0] == t0 and scan_rows["end"][tech][0] == t0 + 20  # turnover is tech time


def test_turnover_keeps_the_scanner_from_the_next_patient():
    result = run(build({"exam_types": {"ct_head": {"steps": STEPS}},
                        "technologists": {"ct": {"count": 2}}},
                       orders=[(0, "10:00", "ct_head", "stat"), (0, "10:00", "ct_head", "stat")]))
    assert result.exams.scan_start[1] == minutes(0, "10:00") + 20


def test_contrast_goes_to_its_share_and_adds_preparation():
    scenario = build({"days": 20, "exam_types": {"ct_head": {"steps": {"contrast": {"share": 0.4, "minutes": 7}}}},
                      "demand": {"ED": {"exams_per_day": 30, "exam_mix": {"ct_head": 1}, "priority_mix": {"stat": 1}}},
                      "technologists": {"ct": {"count": 3}}, "modalities": {"CT": {"scanners": 3}}})
    result = run(scenario)
    steps = result.exams.orders.steps
    assert 0.35 < steps.contrast.mean() < 0.45
    assert np.all(steps.prep[steps.contrast] == 7) and np.all(steps.prep[~steps.contrast] == 0)


def test_a_prep_room_lets_a_scan_start_as_soon_as_the_scanner_frees():
    extra = {"exam_types": {"ct_head": {"steps": {"prep": 8, "turnover": 0}}},
             "technologists": {"ct": {"count": 2}}}
    orders = [(0, "10:00", "ct_head", "stat"), (0, "10:00", "ct_head", "stat")]
    without = run(build(extra, orders))
    with_room = run(build({**extra, "modalities": {"CT": {"scanners": 1, "prep_rooms": 1}}}, orders))
    t0 = minutes(0, "10:00")
    # first patient prepared on the table (the scanner was free); the second in the prep room meanwhile
    assert with_room.exams.imaging_start[0] == t0 + 8
    assert with_room.exams.imaging_start[1] == with_room.exams.scan_end[0]  # no preparation on the scanner
    assert without.exams.imaging_start[1] == without.exams.scan_end[0] + 8
    preps = with_room.staff_log.columns()
    assert np.sum(preps["kind"] == PREP) == 1
    assert preps["start"][preps["kind"] == PREP][0] == t0  # the second technologist starts at once


def test_a_patient_waits_in_the_prep_room_until_the_scanner_is_free():
    result = run(build({"exam_types": {"ct_head": {"steps": {"prep": 2}}},
                        "technologists": {"ct": {"count": 3}},
                        "modalities": {"CT": {"scanners": 1, "prep_rooms": 1}}},
                       orders=[(0, "10:00", "ct_head", "stat")] * 3))
    e = result.exams
    imaging = np.sort(e.imaging_start)
    assert np.all(np.diff(imaging) >= 10 - 1e-9)  # one scanner: one scan at a time
    prep_rows = result.staff_log.columns()
    # only one prep room: the third patient is prepared only when the second has left it for the scanner
    starts = np.sort(prep_rows["start"][prep_rows["kind"] == PREP])
    assert len(starts) == 1 or starts[1] >= e.imaging_start[np.argsort(e.imaging_start)[1]]


PORTABLE = {"modalities": {"XR": {"scanners": 1, "portable_units": 1}},
            "exam_types": {"xr_portable": {"modality": "XR", "acquisition": 6, "read": 3,
                                           "portable": {"travel_minutes": 10}}},
            "technologists": {"ct": {"modalities": ["CT", "XR"]}},
            "radiologists": {"rad": {"modalities": ["CT", "XR"]}}}


def test_a_bedside_exam_holds_no_room_and_its_travel_counts():
    result = run(build(PORTABLE, orders=[(0, "10:00", "xr_portable", "inpatient")]))
    e, t0 = result.exams, minutes(0, "10:00")
    unit = result.scanners[e.scanner[0]]
    assert unit.portable and unit.modality == "XR"
    assert e.imaging_start[0] == t0 + 10 and e.scan_end[0] == t0 + 16
    kinds = [k for _, k, *_ in _rooms(result)]
    assert kinds == [ROOM_TRAVEL, ROOM_SCAN, ROOM_TRAVEL]
    log = result.staff_log.columns()
    assert log["end"][log["kind"] == SCAN][0] == t0 + 26  # the technologist travels back


def test_a_bedside_exam_leaves_the_xr_room_free():
    result = run(build({**PORTABLE, "technologists": {"ct": {"count": 2, "modalities": ["CT", "XR"]}},
                        "exam_types": {**PORTABLE["exam_types"],
                                       "xr_chest": {"modality": "XR", "acquisition": 5, "read": 2}}},
                       orders=[(0, "10:00", "xr_portable", "inpatient"), (0, "10:01", "xr_chest", "outpatient")]))
    assert result.exams.scan_start[1] == minutes(0, "10:01")
    assert not result.scanners[result.exams.scanner[1]].portable


NM = {"modalities": {"NM": {"scanners": 1}},
      "exam_types": {"nm_bone": {"modality": "NM", "acquisition": 30, "read": 10,
                                 "uptake": {"injection": 5, "minutes": 180}},
                     "nm_thyroid": {"modality": "NM", "acquisition": 20, "read": 10}},
      "technologists": {"ct": {"modalities": ["CT", "NM"]}},
      "radiologists": {"rad": {"modalities": ["CT", "NM"]}}}


def test_nm_patient_is_imaged_after_the_uptake_and_the_scanner_serves_others_meanwhile():
    result = run(build(NM, orders=[(0, "08:00", "nm_bone", "outpatient"), (0, "08:30", "nm_thyroid", "outpatient")]))
    e, t0 = result.exams, minutes(0, "08:00")
    assert e.scan_start[0] == t0  # injection
    assert e.imaging_start[0] == t0 + 5 + 180
    assert e.scan_start[1] == minutes(0, "08:30") and e.scan_end[1] < e.imaging_start[0]
    log = result.staff_log.columns()
    injection = log["kind"] == PREP
    assert log["start"][injection][0] == t0 and log["end"][injection][0] == t0 + 5


@pytest.mark.parametrize("extra", [{"exam_types": {"ct_head": {"steps": STEPS}}},
                                   {"modalities": {"CT": {"scanners": 1, "prep_rooms": 2}},
                                    "exam_types": {"ct_head": {"steps": STEPS}}}, NM, PORTABLE])
def test_every_exams_timestamps_are_in_order_with_steps(extra):
    types = list({**{"ct_head": 1}, **{k: 1 for k in extra.get("exam_types", {})}})
    scenario = build(deep_merge(extra, {"days": 4, "technologists": {"ct": {"count": 2}},
                      "demand": {"ED": {"exams_per_day": 40, "exam_mix": {t: 1 for t in types},
                                        "priority_mix": {"stat": 1, "inpatient": 2}}}}))
    e = run(scenario).exams
    done = ~np.isnan(e.report_at)
    assert done.sum() > 50
    for earlier, later in ((e.ordered_at, e.scan_start), (e.scan_start, e.imaging_start),
                           (e.imaging_start, e.scan_end), (e.scan_end, e.read_start), (e.read_start, e.report_at)):
        assert np.all(earlier[done] <= later[done])


def test_nobody_is_injected_whose_uptake_would_end_after_the_camera_closes():
    open_by_day = deep_merge(NM, {"days": 2, "modalities": {"NM": {"hours": ["08:00-17:00"]}}})
    result = run(build(open_by_day, orders=[(0, "13:00", "nm_bone", "outpatient"),
                                            (0, "15:00", "nm_bone", "outpatient")]))
    e = result.exams
    assert e.scan_start[0] == minutes(0, "13:00")  # 13:05 + 180 min ends at 16:05, before 17:00
    assert e.scan_start[1] == minutes(1, "08:00")  # at 15:00 the uptake would end at 18:05: injected next morning
    short = deep_merge(NM, {"days": 2, "modalities": {"NM": {"hours": ["08:00-10:00"]}}})
    result = run(build(short, orders=[(0, "09:00", "nm_bone", "outpatient")]))
    assert result.exams.scan_start[0] == minutes(0, "09:00")  # no uptake fits a 2-hour opening: injected anyway


def test_a_pregnancy_check_comes_before_the_scan_for_its_share_and_moves_nothing_else():
    demand = {"ED": {"exams_per_day": 40, "exam_mix": {"ct_abdomen": 1}, "priority_mix": {"stat": 1}}}
    steps = {"prep": 5, "contrast": {"share": 0.5, "minutes": 4}}
    plain = {"days": 10, "demand": demand, "technologists": {"ct": {"count": 3}}, "modalities": {"CT": {"scanners": 3}},
             "exam_types": {"ct_abdomen": {"steps": steps}}}
    checked = deep_merge(plain, {"exam_types": {"ct_abdomen": {"steps": {
        "pregnancy_check": {"share": 0.3, "minutes": {"dist": "uniform", "min": 1, "max": 3}}}}}})
    before, after = run(build(plain)), run(build(checked))
    o0, o1 = before.exams.orders, after.exams.orders
    assert np.array_equal(o0.ordered_at, o1.ordered_at)
    assert np.array_equal(o0.steps.contrast, o1.steps.contrast)  # the other steps' draws stay as they were
    screened = o1.steps.pregnancy_checked
    assert 0.22 < screened.mean() < 0.38 and not o0.steps.pregnancy_checked.any()
    extra = o1.steps.prep - o0.steps.prep
    assert np.all((extra[screened] >= 1) & (extra[screened] <= 3)) and np.all(extra[~screened] == 0)
    e = after.exams
    done = np.flatnonzero(~np.isnan(e.imaging_start))
    # the check is part of the preparation: the scan itself starts after it
    assert np.allclose(e.imaging_start[done] - e.scan_start[done], o1.steps.prep[done])
    from sim.capacity import demand_minutes
    assert demand_minutes(build(checked), "technologist")["CT"] > demand_minutes(build(plain), "technologist")["CT"]
