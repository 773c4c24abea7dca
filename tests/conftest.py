"""Shared helpers: small scenarios built in code, so each test states its own department."""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.scenario import deep_merge
from sim.schema import DEFAULT_PRIORITIES

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

BASE = {
    "name": "test department",
    "days": 2,
    "priorities": {name: p.model_dump() for name, p in DEFAULT_PRIORITIES.items()},
    "modalities": {"CT": {"scanners": 1}},
    "exam_types": {
        "ct_head": {"modality": "CT", "subspecialty": "neuro", "acquisition": 10, "read": 10},
        "ct_abdomen": {"modality": "CT", "subspecialty": "body", "acquisition": 10, "read": 20},
    },
    "technologists": {"ct": {"count": 1, "modalities": ["CT"], "shifts": ["00:00-24:00"]}},
    "radiologists": {"rad": {"count": 1, "modalities": ["CT"], "shifts": ["00:00-24:00"]}},
}


def build(extra: dict | None = None, orders: list[tuple] = ()) -> sim.Scenario:
    """A scenario from BASE merged with `extra`; `orders` are (day, "HH:MM", exam_type, priority)."""
    data = deep_merge(copy.deepcopy(BASE), extra or {})
    if orders:
        data["orders"] = [{"day": d, "time": t, "source": "ED", "exam_type": e, "priority": p}
                          for d, t, e, p in orders]
    return sim.scenario_from_dict(data)


def minutes(day: int, clock: str) -> float:
    h, m = clock.split(":")
    return day * 1440.0 + int(h) * 60 + int(m)


@pytest.fixture(scope="session")
def community_result():
    scenario = sim.load_scenario(SCENARIOS / "community_hospital.yaml", ["days=10", "warmup_days=1"])
    return sim.run(scenario)


@pytest.fixture(scope="session")
def academic_result():
    scenario = sim.load_scenario(SCENARIOS / "academic_centre.yaml", ["days=7", "warmup_days=1"])
    return sim.run(scenario)


def exam_times(result, exam: int) -> tuple[float, ...]:
    e = result.exams
    return (e.ordered_at[exam], e.scan_start[exam], e.scan_end[exam], e.read_start[exam], e.report_at[exam])


def close(a, b, tol=1e-6) -> bool:
    return bool(np.isclose(a, b, atol=tol))
