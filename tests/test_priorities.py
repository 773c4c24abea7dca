"""Stroke and trauma go first, at the scanner and on the worklist; preemption resumes reads."""
import numpy as np

import sim
from conftest import build, minutes


def test_stroke_is_scanned_before_an_earlier_routine_order():
    # One technologist, one scanner busy until 08:10; routine ordered 08:01, stroke 08:05.
    result = sim.run(build(orders=[(0, "08:00", "ct_abdomen", "outpatient"),
                                   (0, "08:01", "ct_abdomen", "outpatient"),
                                   (0, "08:05", "ct_head", "stroke")]))
    e = result.exams
    assert e.scan_start[2] == minutes(0, "08:10")
    assert e.scan_start[1] == minutes(0, "08:20")


def test_trauma_is_scanned_before_stat_and_stat_before_inpatient():
    result = sim.run(build(orders=[(0, "08:00", "ct_abdomen", "outpatient"),
                                   (0, "08:01", "ct_abdomen", "inpatient"),
                                   (0, "08:02", "ct_abdomen", "stat"),
                                   (0, "08:03", "ct_abdomen", "trauma")]))
    order_of_scanning = list(np.argsort(result.exams.scan_start))
    assert order_of_scanning == [0, 3, 2, 1]


def test_stroke_is_read_before_an_earlier_routine_study():
    # Two scanners and techs so that images arrive on the worklist while the single reader is busy.
    extra = {"modalities": {"CT": {"scanners": 3}}, "technologists": {"ct": {"count": 3}},
             "priorities": {"stroke": {"target_minutes": 20, "preempts": False}}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_abdomen", "outpatient"),
                                          (0, "08:01", "ct_abdomen", "outpatient"),
                                          (0, "08:02", "ct_head", "stroke")]))
    e = result.exams
    # Reader busy with exam 0 from 08:10 to 08:30; exam 1 is ready 08:11, the stroke 08:12.
    assert e.read_start[2] == minutes(0, "08:30")
    assert e.read_start[1] == minutes(0, "08:40")


def test_a_preempting_stroke_interrupts_a_routine_read_which_later_resumes_its_remaining_time():
    extra = {"modalities": {"CT": {"scanners": 2}}, "technologists": {"ct": {"count": 2}}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_abdomen", "outpatient"),
                                          (0, "08:15", "ct_head", "stroke")]))
    e = result.exams
    # Routine read 08:10-..., stroke images at 08:25 interrupt it after 15 of its 20 minutes.
    assert e.interrupted[0] == 1 and e.interrupted[1] == 0
    assert e.read_start[1] == minutes(0, "08:25")
    assert e.report_at[1] == minutes(0, "08:35")
    assert e.report_at[0] == minutes(0, "08:40")  # 5 minutes left, resumed at 08:35
    segments = [(s, t) for k, s, t, x in zip(*(result.staff_log.columns()[c] for c in ("kind", "start", "end", "exam")))
                if k == 2 and x == 0]
    assert sum(t - s for s, t in segments) == 20.0


def test_a_priority_that_does_not_preempt_waits_for_the_read_in_progress():
    extra = {"modalities": {"CT": {"scanners": 2}}, "technologists": {"ct": {"count": 2}}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_abdomen", "outpatient"),
                                          (0, "08:15", "ct_head", "trauma")]))
    e = result.exams
    assert e.interrupted.sum() == 0
    assert e.read_start[1] == minutes(0, "08:30")


def test_an_interrupted_study_goes_back_to_the_head_of_its_class():
    # A routine read is interrupted; a later routine study is already waiting. The interrupted one resumes first.
    extra = {"modalities": {"CT": {"scanners": 3}}, "technologists": {"ct": {"count": 3}}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_abdomen", "outpatient"),
                                          (0, "08:05", "ct_abdomen", "outpatient"),
                                          (0, "08:15", "ct_head", "stroke")]))
    e = result.exams
    assert e.interrupted[0] == 1
    # 08:10-08:25 read, stroke 08:25-08:35, resumed 08:35-08:40; only then the later study.
    assert e.report_at[0] == minutes(0, "08:40")
    assert e.read_start[1] == minutes(0, "08:40")


def test_preemption_never_interrupts_a_reader_finishing_after_their_shift():
    extra = {"modalities": {"CT": {"scanners": 2}}, "technologists": {"ct": {"count": 2}},
             "radiologists": {"rad": {"shifts": ["00:00-08:20"]},
                              "late": {"count": 1, "modalities": ["CT"], "shifts": ["09:00-17:00"]}}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_abdomen", "outpatient"),
                                          (0, "08:15", "ct_head", "stroke")]))
    e = result.exams
    # The only reader's shift ended at 08:20 while reading; the stroke (08:25) waits for 09:00.
    assert e.interrupted[0] == 0
    assert e.report_at[0] == minutes(0, "08:30")
    assert e.read_start[1] == minutes(0, "09:00")
