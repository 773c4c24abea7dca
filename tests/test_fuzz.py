"""Generated scenarios across the whole format run without a crash and keep every rule of the model.

The long run is `make fuzz` (10,000 scenarios); here a fixed subset runs in every test run, with the
shrunk scenarios that once broke a rule kept as regression tests.
"""
import gc
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

FUZZING = Path(__file__).resolve().parent / "fuzzing"
sys.path.insert(0, str(FUZZING))

from fuzz import check  # noqa: E402
from generator import generate  # noqa: E402

FAST_SUBSET = range(400)
REGRESSIONS = sorted((FUZZING / "regressions").glob("*.yaml"))


@contextmanager
def _earlier_objects_left_out_of_collections():
    """Python's full garbage collections walk every live object. Those already alive when the loop starts (the
    libraries, what earlier tests left in this process) are not its garbage, yet were walked again and again over
    its 400 runs: after the fitting tests, 138 s for the loop against 58 s with them left out."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def test_a_fixed_subset_of_generated_scenarios_keeps_every_rule():
    broken = {}
    with _earlier_objects_left_out_of_collections():
        for seed in FAST_SUBSET:
            found = check(generate(seed), deep=seed % 5 == 0)
            if found:
                broken[seed] = found[:2]
    assert not broken, f"{len(broken)} scenarios broke a rule, e.g. {next(iter(broken.items()))}"


def test_the_generator_reaches_every_part_of_the_format():
    """Coverage of the generator itself: each feature appears in the fast subset."""
    seen = Counter()
    for seed in FAST_SUBSET:
        data = generate(seed)
        text = yaml.safe_dump(data)
        for feature in ("breaks", "prep_rooms", "appointments", "reserved", "maintenance", "breakdowns",
                        "warm_up_minutes", "portable", "uptake", "leads_to", "protocol", "subspecialty_fallback",
                        "priors", "preliminary", "transmission_minutes", "interruptions", "critical_share",
                        "flag_only", "reprioritise", "fifo", "aging", "strict", "count: 0", "orders", "targets",
                        "spared", "non_interpretive", "protocol_cancels", "protocol_changes", "pregnancy_check",
                        "sedation", "anaesthesia", "transport", "porters", "start_tolerance_minutes", "cancellation",
                        "readiness", "door_to_order", "dose", "referrals", "queue_after"):
            seen[feature] += feature in text
        seen["a modality with zero capacity"] += "PET" in data["modalities"]
        seen["split shifts"] += any(len(g["shifts"]) > 1 for g in data["technologists"].values())
        seen["multi-credentialed"] += any(len(g["modalities"]) > 1 for g in data["technologists"].values())
        seen["overnight shifts"] += "19:00-07:00" in text
        seen["warm-up longer than most of the run"] += any(
            m.get("warm_up_minutes", 0) > data["days"] * 1440 / 2 for m in data["modalities"].values())
    missing = [feature for feature, n in seen.items() if n == 0]
    assert not missing, f"never generated: {missing}"


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.stem for p in REGRESSIONS])
def test_scenarios_that_once_broke_a_rule_keep_it_now(path):
    assert check(yaml.safe_load(path.read_text()), deep=True) == []
