"""Protocoling: chosen CT and MR orders need a radiologist's protocol before they can be scanned."""
import numpy as np
import pytest

import sim
from conftest import build, minutes
from sim.records import PROTOCOL

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
