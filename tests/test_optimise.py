"""optimise: the cheapest settings that meet every constraint, with the confidence the search file asks for."""
from __future__ import annotations

import json
import math

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.optimise import SearchSpec, judge
from sim.queueing import erlang_c

READ_MEAN, RATE_PER_MINUTE, TARGET = 10.0, 0.225, 20.0  # a = lambda / mu = 2.25 readers' worth of work


def textbook(tmp_path, readers: int = 3):
    """Reading as an M/M/c queue: Poisson orders, instant scans, exponential reads, readers always on duty."""
    scenario = {
        "name": "M/M/c", "days": 12, "warmup_days": 2, "seed": 4321,
        "priorities": {"routine": {"target_minutes": TARGET}},
        "modalities": {"CT": {"scanners": 20}},
        "exam_types": {"study": {"modality": "CT", "acquisition": 0,
                                 "read": {"dist": "exponential", "mean": READ_MEAN}}},
        "demand": {"routine": {"exams_per_day": RATE_PER_MINUTE * 1440, "exam_mix": {"study": 1},
                               "priority_mix": {"routine": 1}}},
        "technologists": {"t": {"count": 20, "modalities": ["CT"], "shifts": ["00:00-24:00"]}},
        "radiologists": {"r": {"count": readers, "modalities": ["CT"], "shifts": ["00:00-24:00"]}},
    }
    path = tmp_path / "mmc.yaml"
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    return path


def within_target_theory(c: int) -> float:
    """P(time at the reader <= TARGET) in M/M/c: a wait (none with probability 1 - C, else exponential at
    c*mu - lambda) plus an exponential read (Erlang C)."""
    mu, lam = 1 / READ_MEAN, RATE_PER_MINUTE
    waits, theta = erlang_c(c, lam / mu), c * mu - lam
    both = (theta * math.exp(-mu * TARGET) - mu * math.exp(-theta * TARGET)) / (theta - mu)
    return 1 - ((1 - waits) * math.exp(-mu * TARGET) + waits * both)


def optimise(tmp_path, scenario, spec: dict, *extra: str) -> dict:
    search = tmp_path / "search.yaml"
    search.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["optimise", str(scenario), "--spec", str(search), "--out", str(out), "--quiet", "--workers", "1",
                 *extra]) == 0
    return json.loads((out / "summary.json").read_text())


SHARE = "priority.routine.within_target"


def test_it_returns_the_smallest_reader_count_that_erlang_c_says_meets_a_percentile(tmp_path):
    required = 0.78
    smallest = min(c for c in range(3, 7) if within_target_theory(c) >= required)
    assert within_target_theory(smallest - 1) < required - 0.1  # a clear answer, not a coin toss at the margin
    summary = optimise(tmp_path, textbook(tmp_path), {
        "variables": {"radiologists.r.count": [3, 4, 5, 6]},
        "constraints": [{"measure": SHARE, "at_least": required}],
        "replications": 4, "confirm_replications": 5}, "--no-plots")
    assert summary["chosen"] == f"radiologists.r.count={smallest}"
    assert not any("lower bounds" in line for line in summary["answer"])  # a share within target is not censored
    chosen = yaml.safe_load((tmp_path / "out" / "chosen.yaml").read_text())
    assert chosen["radiologists"]["r"]["count"] == smallest and "extends" in chosen


def test_the_choice_is_the_cheapest_that_meets_the_constraint_when_every_candidate_is_run_out_in_full(tmp_path):
    """Two variables, one of which only costs money: exhaustive evaluation with many replications (independent
    of the optimiser) knows the answer, and the optimiser, with few, finds it."""
    from sim.experiment import run_task
    from sim.scenario import load_scenario

    scenario = textbook(tmp_path)
    spec = {"variables": {"technologists.t.count": [20, 24], "radiologists.r.count": [3, 4, 5]},
            "constraints": [{"measure": SHARE, "at_least": 0.78}], "replications": 3, "confirm_replications": 4}
    truth = {}
    for techs in (20, 24):
        for readers in (3, 4, 5):
            s = load_scenario(scenario, [f"technologists.t.count={techs}", f"radiologists.r.count={readers}"])
            runs = [run_task(s, s.seed, 100 + k) for k in range(8)]  # other replications than the search's
            verdict = judge(SearchSpec.model_validate(spec), runs)
            truth[(techs, readers)] = (verdict.objective, verdict.feasible)
    cheapest = min((cost, key) for key, (cost, ok) in truth.items() if ok)[1]
    summary = optimise(tmp_path, scenario, spec, "--no-plots")
    assert summary["chosen"] == f"technologists.t.count={cheapest[0]},radiologists.r.count={cheapest[1]}"
    assert cheapest == (20, min(c for c in (3, 4, 5) if within_target_theory(c) >= 0.78))


def test_an_impossible_constraint_is_said_to_be_impossible_with_the_closest_candidate(tmp_path):
    # even with no wait at all, a 10-minute exponential read is over 20 minutes 13.5% of the time
    assert within_target_theory(50) < 0.9
    summary = optimise(tmp_path, textbook(tmp_path), {
        "variables": {"radiologists.r.count": [3, 4, 5]},
        "constraints": [{"measure": SHARE, "at_least": 0.95}], "replications": 3})
    assert summary["chosen"] is None
    answer = " ".join(summary["answer"])
    assert "No candidate meets every constraint" in answer and "Closest: radiologists.r.count=5" in answer
    assert not (tmp_path / "out" / "chosen.yaml").exists()
    assert (tmp_path / "out" / "frontier.png").exists() and (tmp_path / "out" / "report.html").exists()


def test_every_candidate_is_in_the_table_and_a_second_run_resumes_from_the_saved_replications(tmp_path):
    import csv

    scenario = textbook(tmp_path)
    spec = {"variables": {"radiologists.r.count": [3, 4]}, "constraints": [{"measure": SHARE, "at_least": 0.78}],
            "replications": 2, "confirm_replications": 2}
    first = optimise(tmp_path, scenario, spec, "--no-plots")
    saved = sorted(p.name for p in (tmp_path / "out" / "runs").glob("*.json"))
    again = optimise(tmp_path, scenario, spec, "--no-plots")
    assert again == first and sorted(p.name for p in (tmp_path / "out" / "runs").glob("*.json")) == saved
    with open(tmp_path / "out" / "candidates.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["set:radiologists.r.count"], r["status"]) for r in rows] == [("3", "infeasible"), ("4", "chosen")]


@pytest.mark.parametrize("spec, field, words", [
    ({"variables": {"radiologists.nobody.count": [1]}}, "variables.radiologists.nobody.count", "nobody"),
    ({"variables": {"radiologists.r.count": [-1]}}, "variables.radiologists.r.count", "value -1"),
    ({"variables": {"radiologists.r.count": [3]},
      "constraints": [{"measure": "priority.routine.wihtin_target", "at_least": 0.5}]},
     "constraints.0.measure", "did you mean 'priority.routine.within_target'"),
    ({"variables": {"radiologists.r.count": [3]},
      "constraints": [{"measure": SHARE, "at_least": 0.5, "at_most": 0.9}]}, "constraints.0", "exactly one"),
    ({"variables": {"radiologists.r.count": [3]}, "replications": 1}, "replications", "greater than or equal"),
    ({"variables": {"radiologists.r.count": list(range(1, 60)), "technologists.t.count": list(range(1, 60))},
      "search": "exhaustive"}, "variables", "combinations"),
    ({"variables": {"radiologists.r.count": [3]}, "minimise": "cost.per_weak"}, "minimise", "did you mean"),
])
def test_a_bad_search_file_gets_one_line_naming_the_file_and_field_and_exit_2(tmp_path, capsys, spec, field, words):
    scenario, search = textbook(tmp_path), tmp_path / "search.yaml"
    search.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["optimise", str(scenario), "--spec", str(search), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith(f"error: {search}: {field}") and words in err, err
    assert not out.exists()  # refused before anything ran or was written


def test_a_process_pool_gives_the_answer_and_table_of_one_process(tmp_path):
    scenario = textbook(tmp_path)
    spec = {"variables": {"radiologists.r.count": [3, 4]}, "constraints": [{"measure": SHARE, "at_least": 0.78}],
            "replications": 2, "confirm_replications": 2}
    tables = []
    for workers in ("1", "2"):
        search, out = tmp_path / "search.yaml", tmp_path / f"out{workers}"
        search.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        assert main(["optimise", str(scenario), "--spec", str(search), "--out", str(out), "--quiet", "--no-plots",
                     "--workers", workers]) == 0
        tables.append((out / "candidates.csv").read_text())
    assert tables[0] == tables[1]


@given(st.lists(st.floats(0, 1), min_size=2, max_size=12), st.floats(0.05, 0.95), st.sampled_from([0.8, 0.95]))
@settings(max_examples=200, deadline=None)
def test_a_constraint_is_never_both_met_and_missed_with_confidence(values, required, confidence):
    spec = SearchSpec.model_validate({"variables": {"x": [1]}, "constraints": [
        {"measure": "m", "at_least": required, "confidence": confidence},
        {"measure": "m", "at_most": required, "confidence": confidence}]})
    verdict = judge(spec, [{"figures": {"m": v, "cost.per_week": 1.0}} for v in values])
    for met, ruled_out, mean, bound, c in zip(verdict.met, verdict.ruled_out, verdict.means, verdict.bounds,
                                              spec.constraints):
        assert not (met and ruled_out)
        if met:  # the confidence bound, and so the mean, is on the required side
            assert (mean <= c.at_most and bound <= c.at_most) if c.at_most is not None else \
                (mean >= c.at_least and bound >= c.at_least)
    assert not (verdict.feasible and verdict.infeasible)


def test_a_large_space_is_sampled_within_its_budget_and_the_choice_still_meets_the_constraint(tmp_path):
    """240 combinations, 16 screened: optuna's TPE sampler proposes them; whatever it finds is confirmed on fresh
    replications like any other answer, and the answer says it is the best of those screened."""
    import csv

    summary = optimise(tmp_path, textbook(tmp_path), {
        "variables": {"radiologists.r.count": [3, 4, 5, 6, 7, 8], "technologists.t.count": list(range(20, 60))},
        "constraints": [{"measure": SHARE, "at_least": 0.78}], "replications": 2, "confirm_replications": 3,
        "budget": 16}, "--no-plots")
    assert summary["chosen"] is not None and "proposed by optuna's TPE sampler" in summary["answer"][0]
    readers = int(summary["chosen"].split("radiologists.r.count=")[1].split(",")[0])
    assert within_target_theory(readers) >= 0.78  # it meets the constraint in theory too
    with open(tmp_path / "out" / "candidates.csv", newline="") as f:
        assert len(list(csv.DictReader(f))) <= 16


def test_a_search_whose_every_combination_is_refused_says_so_before_anything_runs(tmp_path, capsys):
    """Each value works alone (the other group still reads), but not together: nobody would read."""
    scenario = textbook(tmp_path)
    data = yaml.safe_load(scenario.read_text())
    data["radiologists"]["s"] = {"count": 1, "modalities": ["CT"], "shifts": ["00:00-24:00"]}
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    search, out = tmp_path / "search.yaml", tmp_path / "out"
    search.write_text(yaml.safe_dump({"variables": {"radiologists.r.count": [0], "radiologists.s.count": [0]}}),
                      encoding="utf-8")
    code = main(["optimise", str(scenario), "--spec", str(search), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "every combination is refused" in err, err
    assert not out.exists()


def test_an_answer_on_a_turnaround_statistic_says_it_is_a_lower_bound_where_exams_were_still_waiting(tmp_path):
    summary = optimise(tmp_path, textbook(tmp_path), {
        "variables": {"radiologists.r.count": [3, 4]},
        "constraints": [{"measure": "priority.routine.report_tat.p90", "at_most": 40}],
        "replications": 2, "confirm_replications": 2}, "--no-plots")
    assert any("exams still waiting at the end" in line and "lower bounds" in line for line in summary["answer"])
