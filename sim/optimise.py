"""The cheapest roster that meets the targets: the search file, the candidates and the statistics of the choice.

A search file names decision variables (dotted scenario paths, each with its allowed values), constraints
(a measure of the summary at most or at least a bound, each with a confidence) and an objective (by default
the staff cost per week). Every combination of the values is a candidate: up to 200 of them every one is
screened (rosters have few head counts and shift patterns, and every candidate's answer is then known); a
larger space is sampled by optuna's TPE sampler within a budget, and the answer is the best of those screened.

The choice is made in two stages, as in the simulation-optimisation literature's screen-then-confirm
procedures: every candidate is screened on the same replications (common random numbers, so differences
between candidates are not noise between patient streams); the screened-feasible ones, cheapest first, are
then confirmed on fresh replications (other seeds), and the first whose fresh replications alone show every
constraint met is the answer. Using fresh replications removes the optimism of picking the best of many
noisy screens. "Met" means the one-sided t bound of the replication means clears the bound, at a confidence
Bonferroni-adjusted across the constraints, so the statement "meets every constraint with confidence c"
holds jointly.

The command that runs it is `run_sim.py optimise` (`sim.experiments_cli.run_optimise`).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .scenario import ScenarioError, read_yaml

MAX_CANDIDATES = 2_000  # combinations an exhaustive search runs at most
EXHAUSTIVE_UP_TO = 200  # with `search: auto`, larger spaces are sampled


class Constraint(BaseModel):
    """A measure of the summary (a figure key, e.g. `target.report_tat.stroke`) at most or at least a bound."""

    model_config = ConfigDict(extra="forbid")
    measure: str = Field(description="A figure of a replication, as `--measure` names them.")
    at_most: float | None = Field(None, description="The measure must be at most this (e.g. a p90 in minutes).")
    at_least: float | None = Field(None, description="The measure must be at least this (e.g. a share within target).")
    confidence: float = Field(0.95, gt=0.5, lt=1.0, description="How sure the answer must be that it holds.")

    @model_validator(mode="after")
    def _one_bound(self):
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("give exactly one of at_most and at_least")
        return self

    @property
    def bound(self) -> float:
        return self.at_most if self.at_most is not None else self.at_least

    def describe(self) -> str:
        from .measures import label, unit

        shown = f"{100 * self.bound:g}%" if unit(self.measure) == "share" else f"{self.bound:g} {unit(self.measure)}"
        return f"{label(self.measure)} {'≤' if self.at_most is not None else '≥'} {shown}"


class SearchSpec(BaseModel):
    """What `run_sim.py optimise --spec FILE` searches over, what must hold, and what is minimised."""

    model_config = ConfigDict(extra="forbid")
    variables: dict[str, list[Any]] = Field(
        min_length=1, description="Dotted scenario paths, each with its allowed values (YAML values, as --set).")
    constraints: list[Constraint] = Field(default_factory=list, description="Every one must hold.")
    minimise: str | None = Field(None, description="The measure to minimise (default cost.per_week).")
    maximise: str | None = Field(None, description="Or the measure to maximise.")
    replications: int = Field(10, ge=2, le=1000, description="Replications per candidate while screening.")
    confirm_replications: int = Field(20, ge=2, le=1000, description="Fresh replications confirming a choice.")
    finalists: int = Field(3, ge=1, le=100, description="Screened-feasible candidates confirmed at a time.")
    search: Literal["auto", "exhaustive", "sampled"] = Field(
        "auto", description="exhaustive: every combination; sampled: `budget` candidates chosen by optuna's TPE "
                            "sampler with the constraints; auto: exhaustive up to 200 combinations, else sampled.")
    budget: int = Field(100, ge=2, le=MAX_CANDIDATES, description="Candidates a sampled search evaluates at most.")

    @model_validator(mode="after")
    def _objective(self):
        if self.minimise is not None and self.maximise is not None:
            raise ValueError("give minimise or maximise, not both")
        if self.minimise is None and self.maximise is None:
            self.minimise = "cost.per_week"
        for path, values in self.variables.items():
            if not values:
                raise ValueError(f"variables.{path}: give at least one value")
        return self

    @property
    def objective(self) -> str:
        return self.minimise or self.maximise

    @property
    def combinations(self) -> int:
        return math.prod(len(v) for v in self.variables.values())

    @property
    def sampled(self) -> bool:
        return self.search == "sampled" or (self.search == "auto" and self.combinations > EXHAUSTIVE_UP_TO)

    @property
    def sign(self) -> float:
        """+1 to minimise the objective, -1 to maximise it."""
        return 1.0 if self.minimise else -1.0


def load_spec(path: str | Path) -> SearchSpec:
    """Read and check a search file; a bad one raises ScenarioError naming the file and the field."""
    data = read_yaml(Path(path))
    if not isinstance(data, dict):
        raise ScenarioError(str(path), "", "expected a mapping with variables, constraints and an objective")
    try:
        spec = SearchSpec.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScenarioError(str(path), where, first["msg"].removeprefix("Value error, ")) from None
    if not spec.sampled and spec.combinations > MAX_CANDIDATES:
        raise ScenarioError(str(path), "variables", f"{spec.combinations:,} combinations; an exhaustive search runs "
                            f"at most {MAX_CANDIDATES:,} (use search: sampled, or narrow the values)")
    if spec.sampled:
        from importlib.util import find_spec

        if find_spec("optuna") is None:
            raise ScenarioError(str(path), "search", f"{spec.combinations:,} combinations are searched by sampling, "
                                "which needs optuna: pip install -e '.[optimise]'")
    return spec


def check_values(spec: SearchSpec, scenario_path, overrides: list[str], source: str) -> None:
    """Every value of every variable, alone on the scenario: a bad path or value is named before anything runs."""
    from .scenario import load_scenario

    for path, values in spec.variables.items():
        for value in values:
            try:
                load_scenario(scenario_path, [*overrides, f"{path}={as_text(value)}"])
            except ScenarioError as error:
                raise ScenarioError(source, f"variables.{path}",
                                    f"value {as_text(value)}: {error.field}: {error.problem}") from None


def check_measures(spec: SearchSpec, scenario, source: str) -> None:
    """Every measure the search file names must be one a replication of the scenario can produce."""
    import difflib

    from .measures import is_possible, possible

    for i, measure in enumerate([*(c.measure for c in spec.constraints), spec.objective]):
        if not is_possible(measure, scenario):
            near = difflib.get_close_matches(measure, sorted(possible(scenario)), n=1, cutoff=0.6)
            where = f"constraints.{i}.measure" if i < len(spec.constraints) else \
                ("minimise" if spec.minimise else "maximise")
            raise ScenarioError(source, where, f"unknown measure {measure!r}" + (
                f" (did you mean {near[0]!r}?)" if near else " (e.g. 'priority.stat.report_tat.p90'; the "
                "measures are listed in docs/scenario-format.md)"))


def as_text(value: Any) -> str:
    """A value as `--set` reads it (YAML flow style: 2, 07:00-19:00, [a, b])."""
    return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip().removesuffix("\n...").strip()


def violations(spec: SearchSpec, verdict: Verdict) -> list[float]:
    """How far each constraint's confidence bound is from meeting it, relative to the bound (<= 0: met), as a
    constrained sampler wants them."""
    out = []
    for c, bound in zip(spec.constraints, verdict.bounds):
        gap = (bound - c.at_most) if c.at_most is not None else (c.at_least - bound)
        out.append(1.0 if gap != gap else gap / (abs(c.bound) or 1.0))
    return out


def candidates(spec: SearchSpec) -> list[dict[str, Any]]:
    """Every combination of the variables' values, in the order of the file (first variable slowest)."""
    paths = list(spec.variables)
    return [dict(zip(paths, combo)) for combo in itertools.product(*spec.variables.values())]


def label_of(settings: dict[str, Any]) -> str:
    return ",".join(f"{path}={as_text(value)}" for path, value in settings.items())


def changes(settings: dict[str, Any], scenario, candidate) -> str:
    """What a candidate changes, in words: "radiologists.evening.count 1 → 2; ..." (settings as given are left out)."""
    given, chosen = scenario.model_dump(by_alias=True), candidate.model_dump(by_alias=True)
    words = []
    for path, value in settings.items():
        was, now = given, chosen
        for part in path.split("."):
            was = was.get(part) if isinstance(was, dict) else None
            now = now.get(part) if isinstance(now, dict) else None
        if was == now:
            continue
        if isinstance(was, (int, float, str)):
            words.append(f"{path} {as_text(was)} → {as_text(value)}")
        else:
            words.append(f"{path} → {as_text(value)}")
    return "; ".join(words) or "the scenario as given"


# ----------------------------------------------------------------- statistics of the choice


@dataclass
class Verdict:
    """Whether one candidate meets each constraint on a set of replications, and its objective."""

    objective: float  # mean over the replications
    objective_low: float  # its 95% CI
    objective_high: float
    means: list[float]  # per constraint
    bounds: list[float]  # per constraint: the one-sided confidence bound on the side that must clear it
    met: list[bool]
    replications: int
    shortfall: float = field(default=0.0)  # how far the worst constraint's mean is from its bound, relative
    ruled_out: list[bool] = field(default_factory=list)  # per constraint: missed with the same confidence

    @property
    def feasible(self) -> bool:
        return all(self.met)

    @property
    def infeasible(self) -> bool:
        """Shown to miss a constraint with confidence: not merely not shown to meet it."""
        return any(self.ruled_out)


def one_sided_bound(values: list[float], confidence: float, upper: bool) -> float:
    """The one-sided t confidence bound of the mean of independent replication values (NaN if fewer than 2)."""
    from scipy import stats

    values = [v for v in values if v == v]
    n = len(values)
    if n < 2:
        return math.nan
    mean = math.fsum(values) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = stats.t.ppf(confidence, n - 1) * sd / math.sqrt(n)
    return mean + half if upper else mean - half


def judge(spec: SearchSpec, runs: list[dict]) -> Verdict:
    """A candidate's verdict on these replications' figures (a measure a run lacks counts as not met)."""
    from .experiment import estimate

    k = max(1, len(spec.constraints))
    means, bounds, met, gaps, ruled_out = [], [], [], [0.0], []
    for c in spec.constraints:
        values = [r["figures"].get(c.measure, math.nan) for r in runs]
        present = [v for v in values if v == v]
        mean = math.fsum(present) / len(present) if present else math.nan
        # Bonferroni: each constraint at 1 - (1 - c) / k, so all of them hold together with confidence c
        bound = one_sided_bound(values, 1 - (1 - c.confidence) / k, upper=c.at_most is not None)
        ok = len(present) == len(values) and bound == bound and \
            (bound <= c.at_most if c.at_most is not None else bound >= c.at_least)
        # the bound on the other side: beyond the requirement, the constraint is missed with that confidence
        other = one_sided_bound(values, 1 - (1 - c.confidence) / k, upper=c.at_most is None)
        ruled_out.append(bool(other == other and (other > c.at_most if c.at_most is not None else other < c.at_least)))
        means.append(mean)
        bounds.append(bound)
        met.append(bool(ok))
        scale = abs(c.bound) or 1.0
        gaps.append(math.inf if mean != mean else max(0.0, (mean - c.bound if c.at_most is not None
                                                           else c.bound - mean) / scale))
    objective = estimate(r["figures"].get(spec.objective, math.nan) for r in runs)
    return Verdict(objective.mean, objective.low, objective.high, means, bounds, met, len(runs), max(gaps),
                   ruled_out)


def cheapest_first(spec: SearchSpec, verdicts: dict[str, Verdict]) -> list[str]:
    """Labels ordered by the objective (the better first); candidates without it last."""
    return sorted(verdicts, key=lambda name: (verdicts[name].objective != verdicts[name].objective,
                                              spec.sign * verdicts[name].objective if verdicts[name].objective
                                              == verdicts[name].objective else 0.0))


def closest(verdicts: dict[str, Verdict]) -> str | None:
    """The candidate nearest to meeting every constraint: the smallest relative shortfall of its worst one."""
    return min(verdicts, key=lambda name: (verdicts[name].shortfall, -sum(verdicts[name].met)), default=None)


# ----------------------------------------------------------------- the answer in words and tables


def _fmt(value: float) -> str:
    return "n/a" if value != value else f"{value:,.4g}" if abs(value) < 1_000 else f"{value:,.0f}"


def _shown(key: str, value: float) -> str:
    from .measures import unit

    return f"{100 * value:.1f}%" if unit(key) == "share" and value == value else _fmt(value)


def missed(spec: SearchSpec, verdict: Verdict) -> str:
    """The constraints a verdict misses, with the mean and the confidence bound that failed them."""
    return "; ".join(f"{c.describe()} (mean {_shown(c.measure, m)}, bound {_shown(c.measure, b)})"
                     for c, m, b, ok in zip(spec.constraints, verdict.means, verdict.bounds, verdict.met) if not ok)


def explain(spec: SearchSpec, screened: dict[str, Verdict], confirmed: dict[str, Verdict], chosen: str | None,
            baseline: Verdict, refused: int = 0, words=lambda name: name, currency: str = "staff-hours") -> list[str]:
    """The answer in plain words: what was chosen, how sure, at what objective, and the cheaper ones that fail.
    `words(label)` says a candidate's settings (by default its label)."""
    from .measures import label, unit

    units = unit(spec.objective, currency)
    joint = min((c.confidence for c in spec.constraints), default=0.95)
    verb = "cheapest" if spec.minimise else "best"
    how = (f"{len(screened)} of the {spec.combinations:,} combinations, proposed by optuna's TPE sampler (the "
           "answer is the best of these, not a proof over the rest),") if spec.sampled else \
        f"{len(screened)} candidates"
    lines = [f"{how} screened on {spec.replications} replications each (the same patients for every candidate)"
             + (f"; {refused} combinations refused by the scenario checks" if refused else "") + "."]
    if chosen is None:
        near = closest(screened)
        lines.append(f"No candidate meets every constraint with {joint:.0%} confidence: the constraints cannot be "
                     "met by these values.")
        if near is not None:
            lines.append(f"Closest: {near} ({words(near)}), which misses {missed(spec, screened[near])}.")
        return lines
    verdict = confirmed[chosen]
    lines.append(f"The {verb} candidate that meets every constraint with {joint:.0%} confidence, confirmed on "
                 f"{verdict.replications} fresh replications: {words(chosen)}.")
    change = verdict.objective - baseline.objective
    lines.append(f"{label(spec.objective)}: {_fmt(verdict.objective)} {units} [95% CI {_fmt(verdict.objective_low)} "
                 f"to {_fmt(verdict.objective_high)}], {'+' if change >= 0 else '−'}{_fmt(abs(change))} {units} "
                 f"against the scenario as given ({_fmt(baseline.objective)}).")
    for c, mean, bound in zip(spec.constraints, verdict.means, verdict.bounds):
        lines.append(f"  {c.describe()}: mean {_shown(c.measure, mean)}, "
                     f"{'upper' if c.at_most is not None else 'lower'} confidence bound {_shown(c.measure, bound)}.")
    order = sorted(screened, key=lambda n: spec.sign * screened[n].objective
                   if screened[n].objective == screened[n].objective else math.inf)
    better = order[:order.index(chosen)]
    kind = "cheaper" if spec.minimise else "better"
    for name in better[:3]:
        verdict = confirmed.get(name, screened[name])
        how = "on its fresh replications" if name in confirmed else "when screened"
        lines.append(f"A {kind} alternative that does not: {words(name)} ({label(spec.objective)} "
                     f"{_fmt(screened[name].objective)}) {'misses' if verdict.infeasible else 'is not shown to meet'} "
                     f"{missed(spec, verdict)} {how}.")
    censored = [c.measure for c in spec.constraints if c.measure.startswith("priority.")
                and c.measure.split(".")[2] in ("wait_to_scan", "report_tat", "order_to_report")]
    if censored:  # say what the statistic leaves out, as every other table does with its ≥
        lines.append(f"{', '.join(label(m) for m in censored)}: exams still waiting at the end of a replication "
                     "count at their wait so far, so these statistics are lower bounds where any were waiting.")
    undecided = [n for n in better if not screened[n].infeasible]
    if not better:
        lines.append(f"No candidate is {kind}.")
    elif undecided:
        lines.append(f"{len(undecided)} of the {len(better)} {kind} candidates were neither shown to meet nor to "
                     f"miss every constraint on {spec.replications} replications (e.g. {words(undecided[0])}); "
                     "more replications (--reps) would decide them.")
    else:
        lines.append(f"Every {kind} candidate ({len(better)}) misses a constraint with {joint:.0%} confidence.")
    return lines


def candidate_rows(spec: SearchSpec, settings_of: dict[str, dict], screened: dict[str, Verdict],
                   confirmed: dict[str, Verdict], chosen: str | None, refused: dict[str, str]) -> list[dict]:
    """candidates.csv: one row per combination, in the order of the search file."""
    rows = []
    for name, settings in settings_of.items():
        row = {f"set:{path}": as_text(value) for path, value in settings.items()}
        if name in refused:
            rows.append({**row, "status": f"refused: {refused[name]}"})
            continue
        verdict = screened.get(name)
        if verdict is None:
            continue
        status = "chosen" if name == chosen else "failed confirmation" if name in confirmed and not \
            confirmed[name].feasible else "feasible" if verdict.feasible else "infeasible" if verdict.infeasible \
            else "undecided"
        row.update({"status": status, "replications": verdict.replications, spec.objective: verdict.objective,
                    f"{spec.objective}.ci_low": verdict.objective_low,
                    f"{spec.objective}.ci_high": verdict.objective_high})
        for c, mean, bound, ok in zip(spec.constraints, verdict.means, verdict.bounds, verdict.met):
            row.update({f"{c.measure}.mean": mean, f"{c.measure}.bound": bound, f"{c.measure}.met": ok})
        if name in confirmed:
            fresh = confirmed[name]
            row["confirm.replications"] = fresh.replications
            for c, mean, bound, ok in zip(spec.constraints, fresh.means, fresh.bounds, fresh.met):
                row.update({f"confirm.{c.measure}.mean": mean, f"confirm.{c.measure}.bound": bound,
                            f"confirm.{c.measure}.met": ok})
        rows.append(row)
    return rows
