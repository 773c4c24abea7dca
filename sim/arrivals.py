"""Orders: when they arrive, from which source, for which exam and priority.

Each source is a non-homogeneous Poisson process whose rate is constant within
each hour: exams_per_day x weekday factor x the hour's share of the hourly
profile. For a piecewise-constant rate, drawing a Poisson count per hour and
placing that many orders uniformly within the hour is exact, and it vectorises:
a year of orders is drawn in a handful of numpy calls.

Every order and every duration is drawn before the simulation starts, each
source and exam type from its own named stream, so the patients who arrive do
not depend on staffing (common random numbers).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .clock import MINUTES_PER_HOUR, hour_pieces, weekday_of
from .schema import Scenario
from .appointments import Slots, draw_appointments
from .streams import BOOKED, DEMAND, FOLLOW_UP, ORIGIN_SUFFIX, SCRIPTED, Streams, per_exam_type
from .triage import ai_screening


@dataclass(frozen=True)
class StepTimes:
    """Per order, minutes of each acquisition step besides the scan itself (0 where the exam type has none)."""

    prep: np.ndarray  # preparation, IV contrast, MR and pregnancy screening: in a prep room, or on the scanner
    contrast: np.ndarray  # bool: given IV contrast
    check: np.ndarray  # image check after the scan, on the scanner
    turnover: np.ndarray  # room turnover after the patient
    travel: np.ndarray  # bedside exams: each way between the department and the patient
    injection: np.ndarray  # NM: the technologist injects...
    uptake: np.ndarray  # ...and the patient waits this long before imaging
    pregnancy_checked: np.ndarray  # bool: screened for pregnancy (its minutes are in `prep`)
    sedated: np.ndarray  # bool: under sedation or anaesthesia (the induction is in `prep`, on the scanner)


@dataclass(frozen=True)
class Orders:
    """All orders of one replication, sorted by time, then follow-ups. Codes index the scenario's names.

    A follow-up order (e.g. a thrombectomy after a stroke CT) is drawn up front with everything else, but
    its `ordered_at` and `queue_time` are NaN: it is placed when the report that leads to it is signed, which
    the exam log records (`ExamLog.ordered_at`). Orders are never written to, so the same demand can be run
    against any staffing.
    """

    ordered_at: np.ndarray  # float64 minutes (NaN: a follow-up, placed during the run)
    source: np.ndarray  # int16 index into scenario.source_names
    exam_type: np.ndarray  # int16 index into scenario.exam_types
    priority: np.ndarray  # int16 rank: index into scenario.priorities
    acquisition: np.ndarray  # float64 minutes of the scan (or procedure) itself
    read: np.ndarray  # float64 minutes of radiologist time
    finding: np.ndarray  # int8: 1 the study truly has the AI's target finding, 0 not, -1 not screened
    flagged: np.ndarray  # int8: 1 the AI flagged it, 0 not, -1 not screened
    critical: np.ndarray  # bool: the report has a critical result to phone
    call: np.ndarray  # float64 minutes of that call (0 where not critical)
    priors: np.ndarray  # bool: the patient has prior imaging to compare (its extra time is in `read`)
    final_read: np.ndarray  # float64 minutes to finalise a preliminary report, if the study gets one
    protocol: np.ndarray  # float64 radiologist minutes to protocol the order; 0 where none is needed
    origin: np.ndarray  # int8: streams.DEMAND, SCRIPTED, FOLLOW_UP or BOOKED
    queue_time: np.ndarray  # float64 place in the scanner queue: the slot time if booked, else when ready
    readiness: np.ndarray  # float64 minutes from the order to the patient being ready for the scanner
    patience: np.ndarray  # float64 minutes from the order to its cancellation if the scan has not begun; inf never
    door_lead: np.ndarray  # float64 minutes from the patient's arrival (the door) to the order
    cancelled_at_protocol: np.ndarray  # bool: the protocoling radiologist cancels the order after a consult
    follow_up: np.ndarray  # int32 row of the follow-up order this one leads to; -1 none
    steps: StepTimes
    slots: Slots
    dose: np.ndarray  # float64 dose of the exam in its type's unit; NaN where the type has no dose
    ordered_as: np.ndarray  # int16 exam type as ordered; `exam_type` differs where the protocol changed it
    transport: np.ndarray  # float64 porter minutes each leg (to the ward, back with the patient); 0: no porter

    def __post_init__(self):
        # read-only, so that a run cannot change the demand the next one (another staffing) is given
        for column in vars(self).values():
            if isinstance(column, np.ndarray):
                column.flags.writeable = False

    def __len__(self) -> int:
        return len(self.ordered_at)


def hourly_rates(scenario: Scenario, source_name: str) -> np.ndarray:
    """Expected orders in each hour of the horizon (length days x 24)."""
    source = scenario.demand[source_name]
    profile = np.asarray(source.hourly_profile, dtype=float)
    profile = profile / profile.sum()
    day_factors = np.array(
        [source.weekday_factors.get(weekday_of(d, scenario.start_weekday), 1.0) for d in range(scenario.days)]
    )
    return (source.exams_per_day * day_factors[:, None] * profile[None, :]).ravel()


def _source_orders(scenario: Scenario, source_index: int, source_name: str, streams: Streams):
    rng = streams.get(f"arrivals.{source_name}")
    counts = rng.poisson(hourly_rates(scenario, source_name))
    hour_starts = np.arange(len(counts)) * MINUTES_PER_HOUR
    times = np.repeat(hour_starts, counts) + rng.random(counts.sum()) * MINUTES_PER_HOUR
    times.sort()
    exam_names = list(scenario.exam_types)
    source = scenario.demand[source_name]
    mix_names = list(source.exam_mix)
    exam_weights = np.array([source.exam_mix[n].share for n in mix_names], dtype=float)
    picked = rng.choice(len(mix_names), size=len(times), p=exam_weights / exam_weights.sum())
    exam_codes = np.array([exam_names.index(n) for n in mix_names], dtype=np.int16)[picked]
    priority_u = rng.random(len(times))
    priorities = np.empty(len(times), dtype=np.int16)
    for j, name in enumerate(mix_names):
        chosen = picked == j
        priorities[chosen] = _draw_priority(scenario, source.priority_mix_for(name), priority_u[chosen])
    return times, np.full(len(times), source_index, dtype=np.int16), exam_codes, priorities


def _draw_priority(scenario: Scenario, mix: dict[str, float], u: np.ndarray) -> np.ndarray:
    ranks = np.array([scenario.priority_names.index(p) for p in mix], dtype=np.int16)
    cumulative = np.cumsum(np.array(list(mix.values()), dtype=float))
    cumulative /= cumulative[-1]
    return ranks[np.searchsorted(cumulative, u, side="right").clip(max=len(ranks) - 1)]


def _scripted_orders(scenario: Scenario):
    sources, exams, priorities = scenario.source_names, list(scenario.exam_types), scenario.priority_names
    rows = [(o.day * 1440.0 + o.time, sources.index(o.source), exams.index(o.exam_type), priorities.index(o.priority))
            for o in scenario.orders]
    times, source, exam, priority = (np.array(col) for col in zip(*rows)) if rows else ([],) * 4
    return (np.asarray(times, dtype=float), np.asarray(source, dtype=np.int16),
            np.asarray(exam, dtype=np.int16), np.asarray(priority, dtype=np.int16))


def generate_orders(scenario: Scenario, streams: Streams) -> Orders:
    random_parts = [_source_orders(scenario, i, name, streams) for i, name in enumerate(scenario.demand)]
    slots, booked = draw_appointments(scenario, streams)
    parts = random_parts + [_scripted_orders(scenario), (booked.arrive_at, booked.source, booked.exam_type,
                                                         booked.priority)]
    origin = np.concatenate([np.full(len(p[0]), kind, dtype=np.int8) for p, kind in
                             zip(parts, [DEMAND] * len(random_parts) + [SCRIPTED, BOOKED])])
    queue_time = np.concatenate([p[0] for p in parts[:-1]] + [booked.slot_time])
    times, sources, exams, priorities = (np.concatenate(column) for column in zip(*parts))
    order = np.argsort(times, kind="stable")
    times, sources, exams, priorities, origin, queue_time = (
        a[order] for a in (times, sources, exams, priorities, origin, queue_time))
    booked_rows = np.flatnonzero(origin == BOOKED)
    slots.exam[booked.slot[order[booked_rows] - (len(order) - len(booked.arrive_at))]] = booked_rows
    parents, follow_types, follow_priorities = _follow_ups(scenario, exams, priorities, origin, streams)
    follow_up = np.full(len(times) + len(parents), -1, dtype=np.int32)
    follow_up[parents] = np.arange(len(times), len(follow_up))
    times = np.concatenate([times, np.full(len(parents), np.nan)])
    queue_time = np.concatenate([queue_time, np.full(len(parents), np.nan)])
    sources = np.concatenate([sources, sources[parents]])
    priorities = np.concatenate([priorities, np.where(follow_priorities >= 0, follow_priorities, priorities[parents])])
    exams = np.concatenate([exams, follow_types])
    origin = np.concatenate([origin, np.full(len(parents), FOLLOW_UP, dtype=np.int8)])
    readiness = _readiness(scenario, sources, exams, priorities, origin, streams)
    queue_time = np.where(origin == BOOKED, queue_time, queue_time + readiness)
    patience = _patience(scenario, sources, priorities, origin, streams)
    door_lead = _door_leads(scenario, sources, priorities, origin, streams)
    protocol = _protocols(scenario, exams, priorities, origin, streams)
    cancelled_at_protocol = _protocol_cancels(scenario, exams, origin, protocol, streams)
    ordered_as, exams = exams, _protocol_changes(scenario, exams, origin, protocol, cancelled_at_protocol, streams)
    acquisition, read = _durations(scenario, exams, priorities, origin, streams)
    priors = _prior_comparisons(scenario, sources, exams, origin, read, streams)
    dose = _doses(scenario, exams, origin, read, streams)
    finding, flagged = ai_screening(scenario, exams, origin, streams)
    critical, call = _critical_results(scenario, exams, origin, streams)
    final_read = _final_reads(scenario, exams, origin, streams)
    return Orders(times, sources, exams, priorities, acquisition, read, finding, flagged, critical, call, priors,
                  final_read, protocol, origin, queue_time, readiness, patience, door_lead, cancelled_at_protocol,
                  follow_up,
                  step_times(scenario, exams, origin, streams), slots, dose, ordered_as,
                  _transport(scenario, sources, exams, priorities, origin, streams))


def per_source_priority(scenario: Scenario, sources: np.ndarray, priorities: np.ndarray, origin: np.ndarray,
                        streams: Streams, purpose: str, tables, kinds=(DEMAND, SCRIPTED, FOLLOW_UP)):
    """(value, rows, stream) for every entry of a per-source, per-priority table, as `per_exam_type` does for exam
    types: `tables(source)` gives (scope, table, rows it covers or None) per source; each (source, scope, priority,
    origin) draws from its own stream `<purpose>.<source><scope>.<priority><origin suffix>`, so changing one entry
    leaves every other order's draw as it was."""
    for code, name in enumerate(scenario.source_names):
        source = scenario.demand.get(name)
        for scope, table, covered in (tables(source) if source is not None else ()):
            for priority, value in table.items():
                mine = (sources == code) & (priorities == scenario.priority_names.index(priority))
                if covered is not None:
                    mine &= covered
                for kind in kinds:
                    chosen = np.flatnonzero(mine & (origin == kind))
                    if len(chosen):
                        yield value, chosen, streams.get(f"{purpose}.{name}{scope}.{priority}{ORIGIN_SUFFIX[kind]}")


def _readiness(scenario: Scenario, sources: np.ndarray, exam_codes: np.ndarray, priorities: np.ndarray,
               origin: np.ndarray, streams: Streams) -> np.ndarray:
    """Minutes from order to patient ready (booked patients arrive ready for their slot): the source's delay for
    the order's priority, or the exam type's own where the source's exam mix gives one."""
    exam_names = list(scenario.exam_types)

    def tables(source):
        own = {exam_names.index(t): share.readiness for t, share in source.exam_mix.items()
               if share.readiness is not None}
        return [("", source.readiness, np.isin(exam_codes, list(own), invert=True))] + \
               [(f".{exam_names[t]}", table, exam_codes == t) for t, table in own.items()]

    readiness = np.zeros(len(sources))
    for delay, chosen, rng in per_source_priority(scenario, sources, priorities, origin, streams, "readiness",
                                                  tables):
        readiness[chosen] = delay.sample(rng, len(chosen))
    return readiness


def _door_leads(scenario: Scenario, sources: np.ndarray, priorities: np.ndarray, origin: np.ndarray,
                streams: Streams) -> np.ndarray:
    """Minutes from each patient's arrival to the order, per source and priority; follow-ups and booked patients
    are ordered where they are."""
    if not any(src.door_to_order for src in scenario.demand.values()):
        return np.broadcast_to(0.0, len(sources))  # read-only and without memory of its own
    lead = np.zeros(len(sources))
    for delay, chosen, rng in per_source_priority(scenario, sources, priorities, origin, streams, "door",
                                                  lambda source: [("", source.door_to_order, None)],
                                                  kinds=(DEMAND, SCRIPTED)):
        lead[chosen] = delay.sample(rng, len(chosen))
    return lead


def _patience(scenario: Scenario, sources: np.ndarray, priorities: np.ndarray, origin: np.ndarray,
              streams: Streams) -> np.ndarray:
    """Minutes after which each order is cancelled if its scan has not begun (inf: never), per source and
    priority; booked patients come for their slot."""
    if not any(src.cancellation for src in scenario.demand.values()):
        return np.broadcast_to(np.inf, len(sources))  # read-only and without memory of its own: a long run's lean
    patience = np.full(len(sources), np.inf)
    for cancel, chosen, rng in per_source_priority(scenario, sources, priorities, origin, streams, "cancellation",
                                                   lambda source: [("", source.cancellation, None)]):
        cancelled = rng.random(len(chosen)) < cancel.share
        patience[chosen] = np.where(cancelled, cancel.after.sample(rng, len(chosen)), np.inf)
    return patience


def _follow_ups(scenario: Scenario, exam_codes: np.ndarray, priorities: np.ndarray, origin: np.ndarray,
                streams: Streams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows whose report will lead to a follow-up order, the follow-up's exam type and its own priority (-1: the
    parent's), per exam type's stream."""
    parents, types, ranks = [], [], []
    exam_names = list(scenario.exam_types)
    for exam, chosen, rng in per_exam_type(scenario, exam_codes, origin, streams, "follow_up"):
        if exam.leads_to is None:
            continue
        allowed = [scenario.priority_names.index(p) for p in exam.leads_to.priorities or scenario.priority_names]
        leads = (rng.random(len(chosen)) < exam.leads_to.share) & np.isin(priorities[chosen], allowed)
        parents.append(chosen[leads])
        types.append(np.full(int(leads.sum()), exam_names.index(exam.leads_to.exam_type), dtype=np.int16))
        own = exam.leads_to.priority
        ranks.append(np.full(int(leads.sum()), -1 if own is None else scenario.priority_names.index(own),
                             dtype=np.int16))
    if not parents:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int16), np.zeros(0, dtype=np.int16)
    parents, types, ranks = np.concatenate(parents), np.concatenate(types), np.concatenate(ranks)
    order = np.argsort(parents, kind="stable")
    return parents[order], types[order], ranks[order]


def step_times(scenario: Scenario, exam_codes: np.ndarray, origin: np.ndarray, streams: Streams) -> StepTimes:
    n = len(exam_codes)
    prep, check, turnover, travel, injection, uptake = (np.zeros(n) for _ in range(6))
    contrast = np.zeros(n, dtype=bool)
    for exam, chosen, rng in per_exam_type(scenario, exam_codes, origin, streams, "steps"):
        k = len(chosen)
        if exam.steps is not None:
            steps = exam.steps
            prep[chosen] = steps.prep.sample(rng, k) + steps.screening.sample(rng, k)
            if steps.contrast is not None:
                contrast[chosen] = rng.random(k) < steps.contrast.share
                prep[chosen] += np.where(contrast[chosen], steps.contrast.minutes.sample(rng, k), 0.0)
            check[chosen] = steps.check.sample(rng, k)
            turnover[chosen] = steps.turnover.sample(rng, k)
        if exam.portable is not None:
            travel[chosen] = exam.portable.travel_minutes.sample(rng, k)
        if exam.uptake is not None:
            injection[chosen] = exam.uptake.injection.sample(rng, k)
            uptake[chosen] = exam.uptake.minutes.sample(rng, k)
    pregnancy = _share_step(scenario, exam_codes, origin, streams, "pregnancy_check",
                            lambda e: e.steps.pregnancy_check if e.steps is not None else None)
    sedation = _share_step(scenario, exam_codes, origin, streams, "sedation", lambda e: e.sedation, "induction")
    never = np.broadcast_to(False, n)  # read-only and without memory of its own
    for extra in (pregnancy, sedation):
        if extra is not None:
            prep = prep + extra
    return StepTimes(prep, contrast, check, turnover,
                     travel, injection, uptake, never if pregnancy is None else pregnancy > 0,
                     never if sedation is None else sedation > 0)


def _share_step(scenario: Scenario, exam_codes: np.ndarray, origin: np.ndarray, streams: Streams, purpose: str,
                spec_of, minutes_field: str = "minutes") -> np.ndarray | None:
    """Minutes per exam of a step done for a share of an exam type's patients (pregnancy screening, sedation): 0
    where not done, None if no exam type has it. From a stream of its own per exam type (`<purpose>.<type>`), so
    switching it on leaves every other draw as it was."""
    if not any(spec_of(e) for e in scenario.exam_types.values()):
        return None
    minutes = np.zeros(len(exam_codes))
    for exam, chosen, rng in per_exam_type(scenario, exam_codes, origin, streams, purpose):
        spec = spec_of(exam)
        if spec is not None:
            done = rng.random(len(chosen)) < spec.share
            minutes[chosen] = np.where(done, np.maximum(getattr(spec, minutes_field).sample(rng, len(chosen)), 1e-9),
                                       0.0)
    return minutes


def _protocols(scenario: Scenario, exam_codes: np.ndarray, priorities: np.ndarray, origin: np.ndarray,
               streams: Streams) -> np.ndarray:
    """Protocoling minutes for orders whose exam type needs a protocol and whose priority has no standing one."""
    protocol = np.zeros(len(exam_codes))
    standing = np.array([p.standing_protocol for p in scenario.priorities.values()])
    for exam, chosen, rng in per_exam_type(scenario, exam_codes, origin, streams, "protocol"):
        if exam.protocol is not None:
            minutes = exam.protocol.sample(rng, len(chosen))
            protocol[chosen] = np.where(standing[priorities[chosen]], 0.0, np.maximum(minutes, 1e-9))
    return protocol


def _protocol_cancels(scenario: Scenario, exam_codes: np.ndarray, origin: np.ndarray, protocol: np.ndarray,
                      streams: Streams) -> np.ndarray:
    """Which protocolled orders the radiologist cancels after a consult, per exam type's stream."""
    if not any(e.protocol_cancels > 0 for e in scenario.exam_types.values()):
        return np.broadcast_to(False, len(exam_codes))  # read-only and without memory of its own
    cancels = np.zeros(len(exam_codes), dtype=bool)
    for exam, chosen, rng in per_exam_type(scenario, exam_codes, origin, streams, "protocol_cancel"):
        if exam.protocol_cancels > 0:
            cancels[chosen] = (rng.random(len(chosen)) < exam.protocol_cancels) & (protocol[chosen] > 0)
    return cancels


def _transport(scenario: Scenario, sources: np.ndarray, exam_codes: np.ndarray, priorities: np.ndarray,
               origin: np.ndarray, streams: Streams) -> np.ndarray:
    """Porter minutes per leg for the patients of sources with transport (booked outpatients come by themselves,
    bedside exams need nobody carried), from a stream per source; a read-only zero without memory where no source
    has any."""
    if not any(src.transport is not None for src in scenario.demand.values()):
        return np.broadcast_to(0.0, len(sources))
    minutes = np.zeros(len(sources))
    bedside = np.array([e.portable is not None for e in scenario.exam_types.values()])  # the unit goes to them
    for code, name in enumerate(scenario.source_names):
        spec = scenario.demand.get(name)
        if spec is None or spec.transport is None:
            continue
        allowed = [scenario.priority_names.index(p) for p in spec.transport.priorities or scenario.priority_names]
        mine = np.flatnonzero((sources == code) & np.isin(priorities, allowed) & (origin != BOOKED)
                              & ~bedside[exam_codes])
        minutes[mine] = np.maximum(spec.transport.minutes.sample(streams.get(f"transport.{name}"), len(mine)), 1e-9)
    return minutes


def _protocol_changes(scenario: Scenario, exam_codes: np.ndarray, origin: np.ndarray, protocol: np.ndarray,
                      cancelled: np.ndarray, streams: Streams) -> np.ndarray:
    """The exam type each order is done as: another one where the protocoling radiologist changes it after a
    consult (per exam type's stream), else as ordered (the same array, without a copy). A share is of all the
    orders protocolled, so it is drawn among those not cancelled at the protocol."""
    if not any(e.protocol_changes for e in scenario.exam_types.values()):
        return exam_codes
    names, done_as = list(scenario.exam_types), exam_codes.copy()
    for exam, chosen, rng in per_exam_type(scenario, exam_codes, origin, streams, "protocol_change"):
        if not exam.protocol_changes:
            continue
        kept = 1.0 - exam.protocol_cancels
        bounds = np.cumsum(list(exam.protocol_changes.values())) / kept if kept > 0 else np.zeros(1)
        targets = np.array([names.index(t) for t in exam.protocol_changes] + [-1], dtype=np.int16)
        pick = targets[np.searchsorted(bounds, rng.random(len(chosen)), side="right")]
        change = (pick >= 0) & (protocol[chosen] > 0) & ~cancelled[chosen]
        done_as[chosen[change]] = pick[change]
    return done_as


def _final_reads(scenario: Scenario, exam_codes: np.ndarray, origin: np.ndarray, streams: Streams) -> np.ndarray:
    """Over-read minutes per exam (used only when a preliminary reader reads it first), per exam type's stream."""
    final = np.zeros(len(exam_codes))
    if not any(g.reports == "preliminary" for g in scenario.radiologists.values()):
        return final
    for _, chosen, rng in per_exam_type(scenario, exam_codes, origin, streams, "final_read"):
        final[chosen] = scenario.reading.final_read.sample(rng, len(chosen))
    return final


def _prior_comparisons(scenario: Scenario, sources: np.ndarray, exam_codes: np.ndarray, origin: np.ndarray,
                       read: np.ndarray, streams: Streams) -> np.ndarray:
    """Which patients have priors (per source), and the comparison time added to `read` (per exam type).

    Follow-ups and appointments draw from streams of their own; demand and scripted orders share one."""
    priors = np.zeros(len(sources), dtype=bool)
    groups = [(np.isin(origin, (DEMAND, SCRIPTED)), ""), (origin == FOLLOW_UP, ORIGIN_SUFFIX[FOLLOW_UP]),
              (origin == BOOKED, ORIGIN_SUFFIX[BOOKED])]
    for code, name in enumerate(scenario.source_names):
        source = scenario.demand.get(name)
        for group, suffix in groups:
            chosen = np.flatnonzero((sources == code) & group)
            if source is not None and source.priors_share > 0 and len(chosen):
                priors[chosen] = streams.get(f"priors.{name}{suffix}").random(len(chosen)) < source.priors_share
    for code, (name, exam) in enumerate(scenario.exam_types.items()):
        for group, suffix in groups:
            chosen = np.flatnonzero((exam_codes == code) & priors & group)
            if exam.priors is not None and len(chosen):
                read[chosen] += exam.priors.extra.sample(streams.get(f"priors.{name}{suffix}"), len(chosen))
    return priors


def _doses(scenario: Scenario, exam_codes: np.ndarray, origin: np.ndarray, read: np.ndarray,
           streams: Streams) -> np.ndarray:
    """Each exam's dose, per exam type's own stream; an exam above its type's reference level has the dose review
    added to its read."""
    if not any(e.dose is not None for e in scenario.exam_types.values()):
        return np.broadcast_to(np.nan, len(exam_codes))  # read-only and without memory of its own
    dose = np.full(len(exam_codes), np.nan)
    for exam, chosen, rng in per_exam_type(scenario, exam_codes, origin, streams, "dose"):
        if exam.dose is None:
            continue
        dose[chosen] = exam.dose.value.sample(rng, len(chosen))
        review = exam.dose.review_minutes.sample(rng, len(chosen))
        if exam.dose.reference_level is not None:
            read[chosen] += np.where(dose[chosen] > exam.dose.reference_level, review, 0.0)
    return dose


def above_reference(scenario: Scenario, exam_codes: np.ndarray, dose: np.ndarray) -> np.ndarray:
    """Per exam: 1 above its type's reference level, 0 at or below it, -1 where there is no dose or level."""
    levels = np.array([e.dose.reference_level if e.dose is not None and e.dose.reference_level else np.nan
                       for e in scenario.exam_types.values()])[exam_codes]
    known = ~np.isnan(dose) & ~np.isnan(levels)
    return np.where(known, (dose > np.where(known, levels, 0)).astype(np.int8), -1).astype(np.int8)


def _critical_results(scenario: Scenario, exam_codes: np.ndarray, origin: np.ndarray, streams: Streams):
    """Which reports carry a critical result, and how long each call takes, per exam type's own stream."""
    critical = np.zeros(len(exam_codes), dtype=bool)
    call = np.zeros(len(exam_codes))
    for exam, chosen, rng in per_exam_type(scenario, exam_codes, origin, streams, "critical"):
        if exam.critical_share > 0:
            critical[chosen] = rng.random(len(chosen)) < exam.critical_share
            call[chosen] = np.where(critical[chosen], scenario.reading.critical_call.sample(rng, len(chosen)), 0.0)
    return critical, call


def _durations(scenario: Scenario, exam_codes: np.ndarray, priorities: np.ndarray, origin: np.ndarray,
               streams: Streams):
    """Per exam type, one stream each for acquisition and read times; a priority with its own read time draws
    from a stream of its own (`read.<exam type>.<priority>`), so giving it one moves no other exam's read."""
    acquisition = np.zeros(len(exam_codes))
    read = np.zeros(len(exam_codes))
    for exam, chosen, rng in per_exam_type(scenario, exam_codes, origin, streams, "acquisition"):
        acquisition[chosen] = exam.acquisition.sample(rng, len(chosen))
    for exam, chosen, rng in per_exam_type(scenario, exam_codes, origin, streams, "read"):
        read[chosen] = exam.read.sample(rng, len(chosen))
    for code, (name, exam) in enumerate(scenario.exam_types.items()):
        for priority, minutes in exam.read_by_priority.items():
            rank = scenario.priority_names.index(priority)
            for kind, suffix in enumerate(ORIGIN_SUFFIX):
                chosen = np.flatnonzero((exam_codes == code) & (priorities == rank) & (origin == kind))
                if len(chosen):
                    read[chosen] = minutes.sample(streams.get(f"read.{name}.{priority}{suffix}"), len(chosen))
    return acquisition, read


def poisson_times_within(spans: list[tuple[float, float]], per_hour: list[float], rng: np.random.Generator) -> np.ndarray:
    """Sorted times of a Poisson process with an hour-of-day rate (`per_hour`, 24 values), only within `spans`."""
    starts, widths, hours, per_span = hour_pieces(spans)
    if not len(starts):
        return np.zeros(0)
    rate = [float(r) for r in per_hour]
    poisson, uniform = rng.poisson, rng.random
    counts: list[int] = []
    offsets: list[np.ndarray] = []
    pieces = iter(zip(widths.tolist(), hours.tolist()))
    for n in per_span[per_span > 0].tolist():
        drawn = 0
        for width, hour in itertools.islice(pieces, n):
            # one draw at a time takes the same numbers from the stream as one call for the span, without the
            # checks numpy makes of an array of rates (most of the time a year's calls took to draw)
            k = poisson(rate[hour] * width / 60)
            counts.append(k)
            drawn += k
        offsets.append(uniform(drawn))  # the offsets within the pieces come after each span's counts
    return np.sort(np.repeat(starts, counts) + np.concatenate(offsets) * np.repeat(widths, counts))
