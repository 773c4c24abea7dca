"""Equipment over time: warm-up at opening, planned maintenance, breakdowns and reserved capacity.

This module says *when* things happen to scanners; `sim.acquisition` says
what they do to the work:
- warm-up: each scanner of a modality with opening hours warms up for
  `warm_up_minutes` at every opening (not at the start of the run, when the
  department is taken to be running already);
- maintenance and QA windows start at their time, or as soon as the scanner
  is free after it, and last their full length;
- breakdowns follow a renewal process per scanner, drawn from that
  scanner's own stream as the run goes: time between failures counts from
  the end of the last repair; a failure due during maintenance happens
  when the maintenance ends;
- reservations keep named scanners for chosen priorities during their hours.
"""
from __future__ import annotations

from .acquisition import Acquisition
from .rooms import Room
from .roster import intervals
from .schema import Scenario
from .streams import Streams


def start_equipment(env, scenario: Scenario, acquisition: Acquisition, rooms_by_modality: dict[str, list[Room]],
                    streams: Streams) -> None:
    days, weekday = scenario.days, scenario.start_weekday
    for modality, spec in scenario.modalities.items():
        rooms = rooms_by_modality[modality]
        by_name = {room.name: room for room in rooms}
        if spec.warm_up_minutes > 0:
            openings = [start for start, _ in intervals(spec.hours, days, weekday) if start > 0]
            env.process(_at_times(env, openings, lambda rooms=rooms, minutes=spec.warm_up_minutes: [
                acquisition.warm_up(r, minutes) for r in rooms]))
        for window in spec.maintenance:
            chosen = [by_name[n] for n in window.scanners] if window.scanners else rooms
            for start, end in intervals([window], days, weekday):
                env.process(_at_times(env, [start], lambda chosen=chosen, minutes=end - start: [
                    acquisition.maintenance_window(r, minutes) for r in chosen]))
        if spec.breakdowns is not None:
            for room in rooms:
                env.process(_breakdowns(env, acquisition, room, spec.breakdowns, streams.get(f"breakdowns.{room.name}")))
        for reservation in spec.reserved:
            ranks = frozenset(scenario.priority_names.index(p) for p in reservation.priorities)
            chosen = [by_name[n] for n in reservation.scanners]
            for start, end in intervals(reservation.hours, days, weekday):
                env.process(_at_times(env, [start], lambda chosen=chosen, ranks=ranks: [
                    acquisition.reserve(r, ranks) for r in chosen]))
                env.process(_at_times(env, [end], lambda chosen=chosen: [acquisition.reserve(r, None) for r in chosen]))


def _at_times(env, times, action):
    for t in times:
        if t > env.now:
            yield env.timeout(t - env.now)
        action()


def _breakdowns(env, acquisition: Acquisition, room: Room, spec, rng):
    while True:
        yield env.timeout(float(spec.hours_between.sample(rng, 1)[0]) * 60.0)
        while room.maintenance:
            yield room.maintenance_over
        repair = float(spec.repair_minutes.sample(rng, 1)[0])
        start = env.now
        acquisition.fail(room)
        yield env.timeout(repair)
        acquisition.repair(room, start)
