"""Domain rules that must hold in every run: shifts, credentials, one thing at a time, timestamps."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

import sim
from conftest import build, minutes
from sim.metrics import accounting
from sim.records import CALL, DUTY, INTERRUPTION, READ, QueueTrace, one_of
from sim.scenario import can_read


def _rows(result):
    log = result.staff_log.columns()
    horizon = result.horizon
    return [(int(p), int(k), float(s), horizon if np.isnan(t) else float(t), int(x))
            for p, k, s, t, x in zip(log["person"], log["kind"], log["start"], log["end"], log["exam"])]


RESULTS = ["community_result", "academic_result"]


@pytest.mark.parametrize("name", RESULTS)
def test_nobody_starts_a_task_off_shift(name, request):
    result = request.getfixturevalue(name)
    paused_until = {}  # (person, exam) -> when an interruption of that read ended
    for person, kind, start, end, exam in sorted(_rows(result), key=lambda row: (row[2], row[1] != INTERRUPTION)):
        if kind == DUTY:
            continue
        if kind == INTERRUPTION:
            paused_until[person, exam] = end
        if kind == CALL:
            # phoning a critical result finishes the report it belongs to: it starts as that report is signed
            e = result.exams
            assert start == (e.prelim_at[exam] if not np.isnan(e.prelim_at[exam]) else e.report_at[exam])
            continue
        if kind == READ and paused_until.get((person, exam)) == start:
            continue  # the read in hand resumes after a call that came just before the shift's end: not a new task
        plan = result.duty_plan[person]
        assert any(a <= start < b for a, b in plan), f"{result.staff[person].name} started exam {exam} off shift"


@pytest.mark.parametrize("name", RESULTS)
def test_tasks_lie_within_the_persons_recorded_duty(name, request):
    result = request.getfixturevalue(name)
    duty = {}
    for person, kind, start, end, _ in _rows(result):
        if kind == DUTY:
            duty.setdefault(person, []).append((start, end))
    for person, kind, start, end, exam in _rows(result):
        if kind != DUTY:
            assert any(a <= start and end <= b for a, b in duty[person]), exam


@pytest.mark.parametrize("name", RESULTS)
def test_each_person_and_each_scanner_does_one_thing_at_a_time(name, request):
    result = request.getfixturevalue(name)
    by_person, by_scanner = {}, {}
    for person, kind, start, end, exam in _rows(result):
        if kind != DUTY:
            by_person.setdefault(person, []).append((start, end))
    rooms = result.room_log.columns()  # a scanner's scans, prep, turnover, warm-up, maintenance and breakdowns
    for room, start, end in zip(rooms["room"].tolist(), rooms["start"].tolist(), rooms["end"].tolist()):
        by_scanner.setdefault(room, []).append((start, end if end == end else result.horizon))
    for spans in [*by_person.values(), *by_scanner.values()]:
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert start >= end - 1e-9


@pytest.mark.parametrize("name", RESULTS)
def test_staff_work_only_within_their_credentials(name, request):
    result = request.getfixturevalue(name)
    s = result.scenario
    exam_types = list(s.exam_types.values())
    for exam in np.flatnonzero(result.exams.technologist >= 0):
        tech = result.staff[result.exams.technologist[exam]]
        exam_type = exam_types[result.exams.orders.exam_type[exam]]
        assert exam_type.modality in s.technologists[tech.group].modalities
        if result.exams.scanner[exam] >= 0:  # an NM patient injected but not yet imaged has no scanner
            assert result.scanners[result.exams.scanner[exam]].modality == exam_type.modality
    fallback = s.reading.subspecialty_fallback_minutes
    log = result.staff_log.columns()
    took_it = {}  # (reader, exam) -> when that reader first took the study (a preempted read may pass to another)
    for k in np.flatnonzero(log["kind"] == READ)[::-1]:
        took_it[int(log["person"][k]), int(log["exam"][k])] = log["start"][k]
    for exam in np.flatnonzero(result.exams.radiologist >= 0):
        reader = result.staff[result.exams.radiologist[exam]]
        exam_type = exam_types[result.exams.orders.exam_type[exam]]
        priority = s.priority_names[result.exams.orders.priority[exam]]
        waited = took_it[int(result.exams.radiologist[exam]), int(exam)] - result.exams.scan_end[exam]
        any_subspecialty = "*" if fallback is not None and waited >= fallback - 1e-9 else None
        assert can_read(s.radiologists[reader.group], exam_type.modality,
                        "*" if any_subspecialty else exam_type.subspecialty, priority, any_subspecialty=any_subspecialty)


@pytest.mark.parametrize("name", RESULTS)
def test_every_exams_timestamps_are_in_order(name, request):
    e = request.getfixturevalue(name).exams
    stamps = np.vstack([e.ordered_at, e.scan_start, e.scan_end, e.read_start, e.report_at])
    for earlier, later in zip(stamps, stamps[1:]):
        both = ~np.isnan(earlier) & ~np.isnan(later)
        assert np.all(earlier[both] <= later[both])
        # a later milestone never exists without the earlier one
        assert not np.any(np.isnan(earlier) & ~np.isnan(later))


@pytest.mark.parametrize("name", RESULTS)
def test_every_exam_is_accounted_for_at_the_end(name, request):
    result = request.getfixturevalue(name)
    counts = accounting(result)
    assert counts["ordered"] == len(result.exams) > 0
    assert counts["ordered"] == sum(v for k, v in counts.items() if k != "ordered")
    # and the end-of-run queue lengths agree with the exam table (the worklist also holds orders awaiting a protocol)
    trace = result.queues.columns()
    assert trace["worklist"][-1] == counts["awaiting_read"] + counts["awaiting_protocol"]
    # the scanner queue also holds NM patients injected and past their uptake (acquisition has begun for them)
    e, steps = result.exams, result.exams.orders.steps
    taken_up = (steps.uptake > 0) & (e.scanner < 0) & (e.scan_start + steps.injection + steps.uptake < result.horizon)
    assert trace["scan_queue"][-1] == counts["awaiting_scan"] + int(taken_up.sum())


def test_scans_start_only_while_the_modality_is_open():
    scenario = sim.load_scenario("scenarios/community_hospital.yaml", ["days=5"])
    result = sim.run(scenario)
    modality_of = {i: sc.modality for i, sc in enumerate(result.scanners)}
    e = result.exams
    for exam in np.flatnonzero(~np.isnan(e.scan_start)):
        opening = result.opening[modality_of[int(e.scanner[exam])]]
        assert any(a <= e.scan_start[exam] < b for a, b in opening)


def test_whoever_is_mid_task_at_shift_end_finishes_it_as_overtime_and_leaves():
    extra = {"technologists": {"ct": {"shifts": ["00:00-08:05"]}}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_abdomen", "outpatient"),
                                          (0, "08:01", "ct_abdomen", "outpatient")]))
    e = result.exams
    assert e.scan_end[0] == minutes(0, "08:10")  # finished after the 08:05 shift end
    duty = [(s, t, o) for p, k, s, t, x, o in zip(*result.staff_log.columns().values()) if k == DUTY and p == 0]
    assert duty[0][1] == minutes(0, "08:10") and duty[0][2] == pytest.approx(5.0)
    # nobody starts it off shift: the next day's shift picks it up at midnight
    assert e.scan_start[1] == minutes(1, "00:00")


def test_a_shift_whose_scans_add_up_to_its_end_goes_home_at_its_end_despite_rounding():
    # fifty 1.2-minute scans from 07:00 add up to a rounding step short of 08:00 in floating point; in exact
    # arithmetic the last one ends with the shift, so nobody starts a fifty-first one and nobody works overtime
    extra = {"technologists": {"ct": {"shifts": ["07:00-08:00"]}}, "exam_types": {"ct_head": {"acquisition": 1.2}}}
    result = sim.run(build(extra, orders=[(0, "06:00", "ct_head", "outpatient")] * 60))
    starts = result.exams.scan_start
    assert np.count_nonzero(starts < minutes(0, "08:00")) == 50
    assert 479.99 < np.sort(starts)[49] + 1.2 < minutes(0, "08:00")  # the rounding this test is about
    duty = [(end, over) for p, k, s, end, x, over in zip(*result.staff_log.columns().values())
            if k == DUTY and s == minutes(0, "07:00")]
    assert duty == [(minutes(0, "08:00"), 0.0)]


def test_an_order_at_the_moment_of_a_shift_change_goes_to_the_incoming_shift():
    extra = {"technologists": {"ct": {"shifts": ["07:00-19:00"]},
                               "night": {"count": 1, "modalities": ["CT"], "names": ["Nina"],
                                         "shifts": ["19:00-07:00"]}}}
    result = sim.run(build(extra, orders=[(0, "18:50", "ct_head", "stat"), (0, "19:00", "ct_head", "stat")]))
    e = result.exams
    day_tech = result.staff[e.technologist[0]]
    assert day_tech.group == "ct"
    assert e.scan_end[0] == minutes(0, "19:00")
    assert result.staff[e.technologist[1]].name == "Nina"
    assert e.scan_start[1] == minutes(0, "19:00")
    day_duty = [o for p, k, s, t, x, o in zip(*result.staff_log.columns().values())
                if k == DUTY and result.staff[p].group == "ct" and t == minutes(0, "19:00")]
    assert day_duty == [0.0]  # a task ending exactly at shift end is not overtime


def test_a_night_shift_starting_on_sunday_covers_monday_morning():
    extra = {"technologists": {"ct": {"shifts": [{"start": "19:00", "end": "07:00", "days": ["sun"]}]}}}
    result = sim.run(build(extra, orders=[(0, "03:00", "ct_head", "stat")]))
    assert result.exams.scan_start[0] == minutes(0, "03:00")


def test_teleradiologists_read_only_the_priorities_they_cover():
    extra = {"radiologists": {"rad": {"priorities": ["stroke", "stat"], "shifts": ["00:00-24:00"]},
                              "day": {"count": 1, "modalities": ["CT"], "shifts": ["08:00-17:00"]}}}
    result = sim.run(build(extra, orders=[(0, "02:00", "ct_head", "outpatient"),
                                          (0, "02:01", "ct_head", "stat")]))
    e = result.exams
    assert result.staff[e.radiologist[1]].group == "rad" and e.read_start[1] < minutes(0, "03:00")
    assert result.staff[e.radiologist[0]].group == "day"
    assert e.read_start[0] == minutes(0, "08:00")


def test_a_radiologist_reads_only_their_subspecialties():
    extra = {"radiologists": {"rad": {"subspecialties": ["neuro"]},
                              "body": {"count": 1, "modalities": ["CT"], "subspecialties": ["body"],
                                       "shifts": ["12:00-20:00"]}}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_abdomen", "stat")]))
    assert result.exams.read_start[0] == minutes(0, "12:00")


def test_the_specialist_gets_first_pick_when_readers_are_free_together():
    # At 08:00 a neuro reader and a general reader come on duty; a neuro and a body study wait.
    extra = {"modalities": {"CT": {"scanners": 2}}, "technologists": {"ct": {"count": 2}},
             "radiologists": {"rad": {"subspecialties": ["neuro"], "shifts": ["08:00-17:00"]},
                              "general": {"count": 1, "modalities": ["CT"], "shifts": ["08:00-17:00"]}}}
    result = sim.run(build(extra, orders=[(0, "06:00", "ct_head", "stat"), (0, "06:00", "ct_abdomen", "stat")]))
    e = result.exams
    assert e.read_start[0] == e.read_start[1] == minutes(0, "08:00")


def test_counts_of_zero_switch_a_group_off():
    extra = {"technologists": {"spare": {"count": 0, "modalities": ["CT"], "shifts": ["00:00-24:00"]}}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_head", "stat")]))
    assert all(m.group != "spare" for m in result.staff)
    assert not np.isnan(result.exams.report_at[0])


def test_count_decides_how_many_people_even_when_names_are_given():
    named = sim.load_scenario("scenarios/teaching.yaml", ["technologists.ct.count=3"])
    assert [m.name for m in sim.run(named).staff if m.group == "ct"] == ["Tess", "Tom", "ct-3"]
    fewer = sim.load_scenario("scenarios/teaching.yaml", ["technologists.ct.count=1"])
    assert [m.name for m in sim.run(fewer).staff if m.group == "ct"] == ["Tess"]


def test_generated_names_are_unique_even_when_a_group_name_is_used_for_both_roles():
    extra = {"technologists": {"ct": {"count": 0}, "day": {"count": 2, "modalities": ["CT"], "shifts": ["00:00-24:00"]}},
             "radiologists": {"rad": {"count": 0}, "day": {"count": 2, "modalities": ["CT"], "shifts": ["00:00-24:00"]}}}
    result = sim.run(build(extra, orders=[(0, "08:00", "ct_head", "stat")]))
    names = [m.name for m in result.staff]
    assert len(names) == len(set(names)) == 4
    assert "day technologist-1" in names and "day radiologist-2" in names


def test_the_queue_trace_holds_the_lengths_as_each_instant_ends():
    # a study that joins the worklist and is taken by a free reader at the same moment never waited
    trace = QueueTrace()
    trace.record(10.0, 1, 0)
    trace.record(10.0, 0, 0)
    assert len(trace.time) == 0
    trace.record(20.0, 1, 0)
    trace.record(20.0, 2, 1)  # two changes at one moment: one point, the lengths the moment ends with
    trace.record(30.0, 2, 1)  # nothing changed
    trace.record(40.0, 3, 1)
    trace.record(40.0, 2, 1)  # back where the moment started: no point
    assert list(trace.time) == [20.0] and list(trace.worklist) == [2] and list(trace.scan_queue) == [1]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 2)), max_size=40))
def test_the_queue_trace_is_the_step_function_of_the_lengths_each_instant_ends_with(changes):
    # changes as (time step, worklist, scan queue); several at one time, coming back, going away again
    trace, time, ends = QueueTrace(), 0.0, {}
    for step, worklist, scan_queue in changes:
        time += step
        trace.record(time, worklist, scan_queue)
        ends[time] = (worklist, scan_queue)  # the lengths the instant ends with (so far)
    expected, last = [], (0, 0)  # both queues are empty at the start
    for at, lengths in ends.items():
        if lengths != last:
            expected.append((at, *lengths))
            last = lengths
    assert list(zip(trace.time, trace.worklist, trace.scan_queue)) == expected


@pytest.mark.parametrize("name", RESULTS)
def test_every_point_of_the_queue_trace_is_a_change_at_a_later_moment(name, request):
    trace = request.getfixturevalue(name).queues.columns()
    assert np.all(np.diff(trace["time"]) > 0)
    changed = (np.diff(trace["worklist"]) != 0) | (np.diff(trace["scan_queue"]) != 0)
    assert np.all(changed) and (trace["worklist"][0], trace["scan_queue"][0]) != (0, 0)


def test_a_study_read_the_moment_its_images_are_done_never_counts_as_waiting():
    result = sim.run(build(orders=[(0, "10:00", "ct_abdomen", "outpatient")]))
    e = result.exams
    assert e.read_start[0] == e.scan_end[0]  # a reader was free
    assert sim.summarise(result)["worklist"]["peak"] == 0


@given(st.lists(st.integers(-2, 40), max_size=60), st.lists(st.integers(-2, 40), max_size=24),
       st.sampled_from([np.int8, np.int16, np.int64]))
def test_choosing_log_rows_by_code_is_set_membership(column, codes, dtype):
    values = np.array(column, dtype=dtype)
    assert one_of(values, codes).tolist() == [v in set(codes) for v in column]
    grid = np.resize(values, (3, len(column)))  # also a table of codes, person by moment
    assert one_of(grid, codes).tolist() == [[v in set(codes) for v in column]] * 3
