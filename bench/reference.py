"""The minimal simpy model of a department's flow: the yardstick radsim's speed is measured against.

One simpy process per exam, started at its order time by a source process (as in simpy's examples): take a scanner of the exam's modality
(a priority resource per modality, as many as the scenario has scanners), hold it for the scan,
take a radiologist (one priority resource for all readers, as many as the scenario's head count),
hold them for the read. It uses the same pre-drawn orders as radsim, so it moves the same exams,
but has none of radsim's rules: no shifts, credentials, breaks, worklist classes, records or
breakdowns. It is what "a simpy model of this department" costs at the least; the benchmarks
print radsim's time as a multiple of it, measured in the same run on the same machine.

`with_calls=True` adds the radiologists' calls and questions radsim draws for the scenario (the same times and
lengths, from the same streams), one process per call started by a source process, taking a radiologist ahead of
any read and breaking into one (a read broken into asks again for what is left of it). It is printed beside
the first for information: the targets are judged against the minimal model without them.
"""
from __future__ import annotations

import time

import numpy as np
import simpy

from sim.arrivals import generate_orders, poisson_times_within
from sim.model import Department
from sim.streams import Streams


def minimal_model_seconds(scenario, with_calls: bool = False) -> tuple[float, int, int]:
    """Seconds to simulate `scenario`'s orders (and, `with_calls`, its radiologists' calls) through the minimal flow,
    the exams it completed and the simpy events it scheduled (radsim's are counted the same way)."""
    env, horizon, done = minimal_model(scenario, with_calls)
    start = time.perf_counter()
    env.run(until=horizon)
    return time.perf_counter() - start, done[0], next(env._eid)  # simpy numbers every event it schedules


def minimal_model(scenario, with_calls: bool = False) -> tuple[simpy.Environment, float, list[int]]:
    """The minimal flow of `scenario`'s orders (and, `with_calls`, its radiologists' calls), ready to run: its
    environment, the horizon, and a one-item list counting the exams it completes."""
    orders = generate_orders(scenario, Streams(scenario.seed, 0))
    calls = radiologist_calls(scenario, orders) if with_calls else ([], [])
    modalities = list(scenario.modalities)
    modality_of_type = np.array([modalities.index(e.modality) for e in scenario.exam_types.values()])
    placed = ~np.isnan(orders.ordered_at)
    ordered_at = orders.ordered_at[placed].tolist()
    modality = modality_of_type[orders.exam_type[placed]].tolist()
    priority = orders.priority[placed].tolist()
    scan = orders.acquisition[placed].tolist()
    read = orders.read[placed].tolist()
    env = simpy.Environment()
    scanners = [simpy.PriorityResource(env, capacity=max(1, spec.scanner_count + spec.portable_units))
                for spec in scenario.modalities.values()]
    capacity = max(1, sum(g.count for g in scenario.radiologists.values()))
    readers = (simpy.PreemptiveResource if with_calls else simpy.PriorityResource)(env, capacity=capacity)
    done = [0]

    def exam(i):
        with scanners[modality[i]].request(priority=priority[i]) as room:
            yield room
            yield env.timeout(scan[i])
        left = read[i]
        while True:  # without calls, once
            with readers.request(priority=priority[i], preempt=False) as reader:  # reads wait their turn
                yield reader
                began = env.now
                try:
                    yield env.timeout(left)
                    break
                except simpy.Interrupt:  # a call broke into the read: ask again for what is left
                    left -= env.now - began
        done[0] += 1

    def call(minutes):
        with readers.request(priority=-1, preempt=True) as reader:
            yield reader
            yield env.timeout(minutes)

    def arrivals():  # the source process of simpy's examples: each exam's process starts when it is ordered
        for i, t in enumerate(ordered_at):
            if t > env.now:
                yield env.timeout(t - env.now)
            env.process(exam(i))

    def call_arrivals():
        for t, minutes in zip(*calls):
            if t > env.now:
                yield env.timeout(t - env.now)
            env.process(call(minutes))

    env.process(arrivals())
    if with_calls:
        env.process(call_arrivals())
    return env, scenario.days * 1440.0, done


def radiologist_calls(scenario, orders) -> tuple[list[float], list[float]]:
    """Every call radsim draws for the scenario's radiologists while on duty (times in order, and lengths), from the
    same streams as radsim, so the same calls."""
    department = Department(scenario, orders, Streams(scenario.seed, 0))  # for each reader's duty spans
    streams, times, lengths = Streams(scenario.seed, 0), [], []
    for reader in department.radiologists:
        options = scenario.radiologists[reader.group].interruptions
        if options is not None:
            rng = streams.get(f"interruptions.{reader.name}")
            drawn = poisson_times_within(department.duty_plan[reader.index], options.per_hour, rng)
            times.append(drawn)
            lengths.append(options.duration.sample(rng, len(drawn)))
    if not times:
        return [], []
    times, lengths = np.concatenate(times), np.concatenate(lengths)
    order = np.argsort(times, kind="stable")
    return times[order].tolist(), lengths[order].tolist()
