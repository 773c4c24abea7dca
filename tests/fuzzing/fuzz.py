"""Fuzz radsim with generated scenarios: crashes, hangs and broken rules, counted by rule.

    python tests/fuzzing/fuzz.py --count 10000            # or: make fuzz
    python tests/fuzzing/fuzz.py --count 200 --first 5000 --timeout 30 --workers 2

Every generated scenario is validated, run, and its records checked against
the rules in `invariants.py`; every fifth is also run again (the same seed
must give identical records) and with one more person in every staff group
(the patients who arrive must not change). A failing scenario is shrunk
(fields and entries removed while the same rule still breaks) and saved under
tests/fuzzing/found/ as YAML, ready to become a regression test in
tests/fuzzing/regressions/. Exit status 1 if anything failed.
"""
from __future__ import annotations

import argparse
import copy
import multiprocessing
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE)]

import numpy as np  # noqa: E402
import yaml  # noqa: E402

import sim  # noqa: E402
from generator import generate  # noqa: E402
from invariants import violations  # noqa: E402

FOUND = HERE / "found"


def check(data: dict, deep: bool = False) -> list[tuple[str, str]]:
    """(rule, detail) for each rule the scenario breaks; ("invalid", …) if it does not validate,
    ("crash", …) if the run raises."""
    try:
        scenario = sim.scenario_from_dict(data, source="generated")
    except sim.ScenarioError as exc:
        return [("invalid", str(exc))]
    try:
        result = sim.run(scenario)
        found = violations(result)
        if deep:
            found += _reproducible(scenario, result) + _common_random_numbers(data, result)
    except Exception as exc:  # the crash is the finding
        return [("crash", f"{type(exc).__name__}: {exc}")]
    return found


def _records(result):
    e = result.exams
    return [e.ordered_at, e.scan_start, e.scan_end, e.read_start, e.report_at, e.technologist,
            e.radiologist, *result.staff_log.columns().values(), *result.room_log.columns().values()]


def _reproducible(scenario, result) -> list[tuple[str, str]]:
    again = sim.run(scenario)
    same = all(np.array_equal(a, b, equal_nan=True) for a, b in zip(_records(result), _records(again)))
    return [] if same else [("reproducible", "the same seed gave different records")]


def _common_random_numbers(data: dict, result) -> list[tuple[str, str]]:
    more = copy.deepcopy(data)
    for section in ("technologists", "radiologists"):
        for group in more[section].values():
            group["count"] = group["count"] + 1
    bigger = sim.run(sim.scenario_from_dict(more, source="generated"))
    # the orders as drawn, follow-ups included (staffing moves when a follow-up is placed, in the exam log only)
    a, b = result.exams.orders, bigger.exams.orders
    same = len(a) == len(b) and all(np.array_equal(x, y, equal_nan=True) for x, y in (
        (a.ordered_at, b.ordered_at), (a.exam_type, b.exam_type), (a.priority, b.priority), (a.source, b.source)))
    return [] if same else [("common_random_numbers", "adding staff changed the arrivals")]


def _check_seed(seed: int) -> tuple[int, list[tuple[str, str]], float]:
    start = time.perf_counter()
    found = check(generate(seed), deep=seed % 5 == 0)
    return seed, found, time.perf_counter() - start


# ---------------------------------------------------------------- shrinking


def shrink(data: dict, rule: str, deep: bool = False, budget: float = 60.0) -> dict:
    """Remove fields and entries, one at a time, while the scenario still breaks `rule`."""
    deadline = time.perf_counter() + budget
    current = copy.deepcopy(data)
    progress = True
    while progress and time.perf_counter() < deadline:
        progress = False
        for candidate in _smaller(current):
            if time.perf_counter() > deadline:
                break
            if any(r == rule for r, _ in check(candidate, deep)):
                current, progress = candidate, True
                break
    return current


def _smaller(data):
    """Copies of `data` with one mapping key or one list entry removed, biggest cuts first."""
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                paths.append((path, key))
                walk(value, path + (key,))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                paths.append((path, i))
                walk(value, path + (i,))

    walk(data, ())
    for path, key in sorted(paths, key=lambda p: len(p[0])):
        candidate = copy.deepcopy(data)
        node = candidate
        for step in path:
            node = node[step]
        if isinstance(node, list) and len(node) <= 1:
            continue
        del node[key]
        yield candidate


# ---------------------------------------------------------------- the run


def fuzz(seeds: range, workers: int, timeout: float, progress=print) -> dict:
    """Check every seed; returns counts and the failing seeds by rule."""
    failures: dict[str, list[int]] = {}
    counts: Counter = Counter()
    pending = list(seeds)
    slowest = (0.0, None)
    while pending:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            jobs = [(seed, pool.apply_async(_check_seed, (seed,))) for seed in pending]
            pending = []
            for i, (seed, job) in enumerate(jobs):
                try:
                    _, found, seconds = job.get(timeout=timeout)
                except multiprocessing.TimeoutError:
                    found, seconds = [("hang", f"no answer within {timeout:g} s")], timeout
                    pending = [s for s, j in jobs[i + 1:]]  # a hung worker is lost: start a fresh pool
                    pool.terminate()
                counts["scenarios"] += 1
                slowest = max(slowest, (seconds, seed), key=lambda x: x[0])
                for rule in sorted({r for r, _ in found}):
                    counts[rule] += 1
                    failures.setdefault(rule, []).append(seed)
                    detail = next(d for r, d in found if r == rule)
                    progress(f"seed {seed}: {rule}: {detail}")
                if pending:
                    break
    return {"counts": counts, "failures": failures, "slowest": slowest}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10000, help="scenarios to generate (default 10000)")
    parser.add_argument("--first", type=int, default=0, help="first generator seed (default 0)")
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a scenario counts as a hang")
    parser.add_argument("--no-shrink", action="store_true", help="do not shrink and save failing scenarios")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = fuzz(range(args.first, args.first + args.count), args.workers, args.timeout)
    counts, failures = report["counts"], report["failures"]
    print(f"\n{counts['scenarios']} scenarios in {time.perf_counter() - started:.0f} s "
          f"(slowest {report['slowest'][0]:.1f} s, seed {report['slowest'][1]})")
    crashes, hangs = counts.get("crash", 0), counts.get("hang", 0)
    broken = {r: n for r, n in counts.items() if r not in ("scenarios", "crash", "hang")}
    print(f"crashes: {crashes}, hangs: {hangs}, invariant violations: {sum(broken.values())}")
    for rule, n in sorted(broken.items()):
        print(f"  {rule}: {n} (seeds {', '.join(map(str, failures[rule][:5]))}{' ...' if n > 5 else ''})")
    if not args.no_shrink and failures:
        FOUND.mkdir(exist_ok=True)
        for rule, seeds in failures.items():
            if rule == "hang":
                data = generate(seeds[0])
            else:
                data = shrink(generate(seeds[0]), rule, deep=seeds[0] % 5 == 0)
            path = FOUND / f"{rule}-{seeds[0]}.yaml"
            path.write_text(f"# fuzz: seed {seeds[0]} broke {rule!r}; shrunk\n"
                            + yaml.safe_dump(data, sort_keys=False))
            print(f"saved {path}")
    return 1 if crashes or hangs or broken else 0


if __name__ == "__main__":
    sys.exit(main())
