"""The minimal simpy model of a department's flow: the yardstick radsim's speed is measured against.

One simpy process per exam, started at its order time by a source process (as in simpy's examples): take a scanner of the exam's modality
(a priority resource per modality, as many as the scenario has scanners), hold it for the scan,
take a radiologist (one priority resource for all readers, as many as the scenario's head count),
hold them for the read. It uses the same pre-drawn orders as radsim, so it moves the same exams,
but has none of radsim's rules: no shifts, credentials, breaks, worklist classes, records or
breakdowns. It is what "a simpy model of this department" costs at the least; the benchmarks
print radsim's time as a multiple of it, measured in the same run on the same machine.
"""
from __future__ import annotations

import time

import numpy as np
import simpy

from sim.arrivals import generate_orders
from sim.streams import Streams


def minimal_model_seconds(scenario) -> tuple[float, int]:
    """Seconds to simulate `scenario`'s orders through the minimal flow, and the exams it completed."""
    orders = generate_orders(scenario, Streams(scenario.seed, 0))
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
    readers = simpy.PriorityResource(env, capacity=max(1, sum(g.count for g in scenario.radiologists.values())))
    done = [0]

    def exam(i):
        with scanners[modality[i]].request(priority=priority[i]) as room:
            yield room
            yield env.timeout(scan[i])
        with readers.request(priority=priority[i]) as reader:
            yield reader
            yield env.timeout(read[i])
        done[0] += 1

    def arrivals():  # the source process of simpy's examples: each exam's process starts when it is ordered
        for i, t in enumerate(ordered_at):
            if t > env.now:
                yield env.timeout(t - env.now)
            env.process(exam(i))

    start = time.perf_counter()
    env.process(arrivals())
    env.run(until=scenario.days * 1440.0)
    return time.perf_counter() - start, done[0]
