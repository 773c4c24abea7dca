"""The experiment commands: `--reps` on a run, `compare` and `sweep`.

Each turns its arguments into variants, runs their replications through an
executor with results saved as they finish (so the same command resumes), and
writes the experiment folder, the terminal tables and the plots.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from .console import format_measures, format_replications, format_sweep
from .measures import label, select, target_key
from .targets import targets_of
from .experiment import (
    ExperimentError, Store, Variant, make_executor, paired_differences, parse_vary, progress_bar, replicate,
    staff_hours_per_week, sweep_points, window_for, worst_precision,
)
from .experiment_output import write_differences, write_replications, write_scenarios, write_summary, write_sweep
from .scenario import ScenarioError, load_scenario, to_yaml


def _overrides(args) -> list[str]:
    return [*args.overrides, *([f"days={args.days}"] if args.days is not None else [])]


def _folder(args, kind: str, variants: list[Variant], default: str, also: str = "") -> Path:
    """The experiment's folder: --out, or a default name that says which experiment it holds. A folder holds one
    experiment (its variants as they will run, the seed and `also`), and resumes only into the same one."""
    seed = _seed(args, variants)
    identity = "\n".join([kind, str(seed), *(f"{v.label}\n{to_yaml(v.scenario)}" for v in variants), also])
    key = hashlib.sha256(identity.encode()).hexdigest()[:12]
    folder = args.out or Path("results") / f"{default}-{key[:8]}"
    marker = folder / "experiment.json"
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        try:
            held = json.loads(marker.read_text())
        except (OSError, ValueError):
            raise ExperimentError(f"{folder}: holds other files, not this experiment; choose another --out") from None
        if held.get("key") != key:
            raise ExperimentError(f"{folder}: holds another experiment ({held.get('kind')} of "
                                  f"{', '.join(held.get('variants', []))}); choose another --out")
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    staging = marker.with_suffix(".part")
    staging.write_text(json.dumps({"kind": kind, "key": key, "seed": seed, "variants": [v.label for v in variants]}))
    os.replace(staging, marker)
    return folder


def _measures(args, variants: list[Variant]) -> list[str]:
    keys = list(dict.fromkeys(k for v in variants for r in v.runs for k in r["figures"]))  # the summary's order
    chosen = select(keys, args.measures)
    if args.measures and not chosen:
        raise ExperimentError(f"--measure: nothing matches {', '.join(args.measures)} (for example "
                              f"{', '.join(keys[:3])})")
    return chosen


def _seed(args, variants: list[Variant]) -> int:
    return args.seed if args.seed is not None else variants[0].scenario.seed


def _replicate(args, variants: list[Variant], folder: Path) -> int:
    seed = _seed(args, variants)
    store = Store(folder, say=None if args.quiet else lambda text: print(text, file=sys.stderr))
    with make_executor(args.workers, args.scheduler) as executor:
        return replicate(variants, args.reps or 2, seed, executor, store, precision=args.precision,
                         max_replications=args.max_reps, window=window_for(args.workers, args.scheduler),
                         progress=None if args.quiet else progress_bar())


EXPERIMENT_WARNINGS = ("overload", "coverage", "target missed")


def _warnings(variants: list[Variant]) -> list[str]:
    """Each variant's overload, coverage and missed-target warnings, once each. Overload and coverage come from
    the scenario, so every replication has them; a missed target says in how many replications it was missed."""
    lines = []
    for v in variants:
        counts: dict[str, int] = {}
        for run in v.runs:
            # a missed target's numbers differ by replication: keep what was missed, drop by how much
            for warning in dict.fromkeys(w.split(" for ")[0] if w.startswith("target missed") else w
                                         for w in run["warnings"] if w.startswith(EXPERIMENT_WARNINGS)):
                counts[warning] = counts.get(warning, 0) + 1
        for warning, n in counts.items():
            share = f" (in {n} of {len(v.runs)} replications)" if warning.startswith("target missed") else ""
            lines.append(f"{v.label}: {warning}{share}")
    return lines


def _page(args, folder: Path, question: str, variants: list[Variant], keys: list[str], differences=(),
          figures=()) -> None:
    """The experiment's report.html, unless --no-plots."""
    if args.no_plots:
        return
    from .experiment_report import write_experiment_report

    write_experiment_report(folder / "report.html", question, variants, keys, differences, list(figures),
                            _warnings(variants), variants[0].scenario.costs.currency)


def _report(args, text: str, variants: list[Variant], folder: Path) -> None:
    warnings = _warnings(variants)
    if args.quiet:
        for w in warnings:
            print(f"WARNING: {w}", file=sys.stderr)
        return
    print(text)
    for w in warnings:
        print(f"WARNING: {w}")
    print(f"\nExperiment written to {folder}/ (run the same command again to resume or extend it)")


def run_replications(args) -> int:
    scenario = load_scenario(args.scenario, _overrides(args))
    variant = Variant(Path(args.scenario).stem, scenario)
    folder = _folder(args, "replications", [variant], f"{Path(args.scenario).stem}-replications")
    n = _replicate(args, [variant], folder)
    precision = {"replications": n, "worst_relative_half_width": worst_precision(variant)}
    if args.precision:
        precision["target_relative_half_width"] = args.precision
    write_scenarios(folder, [variant])
    write_replications(folder, [variant])
    write_summary(folder, [variant], {"precision": precision})
    keys = _measures(args, [variant])
    if not args.no_plots:
        from .plots import write_comparison_plots

        from .plots import save_figure, replication_profiles_figure

        figures = save_figure(replication_profiles_figure(variant, scenario.name), folder, "profiles")
        figures += write_comparison_plots([variant], scenario, folder, scenario.name)
        _page(args, folder, f"{scenario.name}, {n} replications", [variant], keys, figures=figures)
    text = format_replications(variant, scenario) + "\n\nMeasures (mean ±95% CI half-width)\n" + \
        format_measures([(variant.label, variant.estimates)], keys, currency=scenario.costs.currency)
    if args.precision:
        reached = precision["worst_relative_half_width"] <= args.precision
        text += (f"\n\n--precision {args.precision:g}: {n} replications; worst relative half-width "
                 f"{precision['worst_relative_half_width']:.3f}"
                 + ("" if reached else f" (cap of {args.max_reps} reached before the target)"))
    _report(args, text, [variant], folder)
    return 0


def _labels(paths: list[str]) -> list[str]:
    labels = []
    for path in paths:
        label, n = Path(path).stem, 2
        while label in labels:
            label, n = f"{Path(path).stem}-{n}", n + 1
        labels.append(label)
    return labels


def run_compare(args, parser) -> int:
    if len(args.scenarios) < 2:
        parser.error("compare needs at least two scenario files")
    labels = _labels(args.scenarios)
    variants = [Variant(label, load_scenario(path, _overrides(args))) for label, path in zip(labels, args.scenarios)]
    folder = _folder(args, "compare", variants, "compare-" + "-vs-".join(labels))
    n = _replicate(args, variants, folder)
    base = variants[0]
    differences = {v.label: paired_differences(base.runs, v.runs) for v in variants[1:]}
    write_scenarios(folder, variants)
    write_replications(folder, variants)
    write_summary(folder, variants, {"baseline": base.label, "replications": n,
                                     "differences": {label: {k: e.as_dict() for k, e in d.items()}
                                                     for label, d in differences.items()}})
    write_differences(folder, base.label, differences)
    keys = _measures(args, variants)
    currency = base.scenario.costs.currency
    if not args.no_plots:
        from .plots import write_comparison_plots, write_forest_plot

        figures = write_forest_plot(list(differences.items()), keys, folder, " vs ".join(labels), currency)
        figures += write_comparison_plots(variants, base.scenario, folder, " vs ".join(labels))
        _page(args, folder, f"what changes from {base.label} to {', '.join(labels[1:])}?", variants, keys,
              list(differences.items()), figures)
    text = (f"radsim compare: {n} replications each, the same patients in every variant (common random numbers); "
            f"Δ = variant minus '{base.label}', paired by replication, mean [95% CI]; * the interval excludes 0\n\n"
            + format_measures([(v.label, v.estimates) for v in variants], keys, list(differences.items()), currency))
    _report(args, text, variants, folder)
    return 0


def run_sweep(args) -> int:
    vary = [parse_vary(v) for v in args.vary]
    points = sweep_points(vary)
    base_overrides = _overrides(args)
    variants = []
    for point in points:
        label = ",".join(f"{k}={v}" for k, v in point)
        variants.append(Variant(label, load_scenario(args.scenario, [*base_overrides, *(f"{k}={v}" for k, v in point)])))
    stem = Path(args.scenario).stem
    folder = _folder(args, "sweep", variants, f"sweep-{stem}-" + "-".join(k.replace(".", "_") for k, _ in vary))
    _replicate(args, variants, folder)
    keys = _measures(args, variants)
    rows, plot_points = _sweep_rows(vary, points, variants, keys)
    write_scenarios(folder, variants)
    write_replications(folder, variants)
    write_summary(folder, variants, {"vary": {k: v for k, v in vary}})
    write_sweep(folder, rows)
    # every point against the first, paired by replication (the same patients at every point)
    write_differences(folder, variants[0].label,
                      {v.label: paired_differences(variants[0].runs, v.runs) for v in variants[1:]})
    scenario = variants[0].scenario
    required = {target_key(vars(t)): t.required_share
                for t in targets_of(scenario)}
    if not args.no_plots:
        from .plots import write_sweep_plots

        figures = write_sweep_plots(plot_points, scenario, folder, scenario.name, keys, required)
        _page(args, folder, f"{scenario.name}: sweep over {', '.join(k for k, _ in vary)}", variants, keys,
              figures=figures)
    text = format_sweep(rows, scenario) + "\n\n" + "\n".join(_cheapest_meeting(variants, required)) + \
        f"\n\nMeasures at each point of {', '.join(k for k, _ in vary)} (mean ±95% CI half-width)\n" + \
        format_measures([(",".join(v for _, v in point), variant.estimates) for point, variant in zip(points, variants)],
                        keys, currency=scenario.costs.currency)
    _report(args, text, variants, folder)
    return 0


def _cheapest_meeting(variants: list[Variant], required: dict[str, float]) -> list[str]:
    """For every target: the cheapest point whose whole 95% CI of the share within target is at the required
    share or above (so it meets the target with that confidence), or a plain statement that none does."""
    lines = ["Cheapest setting that meets each target (the 95% CI of its share within target at or above "
             "the required share):"]
    by_cost = sorted(variants, key=lambda v: v.estimates["cost.per_week"].mean if "cost.per_week" in v.estimates
                     else 0.0)
    for key, share in required.items():
        if not any(key in v.estimates for v in variants):
            continue
        meeting = [v for v in by_cost if key in v.estimates and v.estimates[key].n > 1
                   and v.estimates[key].low == v.estimates[key].low and v.estimates[key].low >= share]
        what = f"  {label(key)} ({share:.0%} required): "
        lines.append(what + (f"{meeting[0].label}" if meeting else "none of these settings, with 95% confidence"))
    return lines


def _sweep_rows(vary, points, variants, keys):
    numeric = len(vary) == 1 and all(_is_number(v) for v in vary[0][1])
    rows, plot_points = [], []
    for index, (point, variant) in enumerate(zip(points, variants)):
        estimates = variant.estimates
        cost = staff_hours_per_week(variant.scenario)
        row = {f"set:{k}": v for k, v in point}
        row["staff_hours_per_week"] = cost
        row["replications"] = len(variant.runs)
        for name in variant.scenario.priority_names:
            for statistic, key in (("p90", "report_tat.p90"), ("within_target", "within_target")):
                e = estimates.get(f"priority.{name}.{key}")
                if e is not None:
                    row[f"{name}.{statistic}"] = e.mean
                    row[f"{name}.{statistic}.ci_low"] = e.low
                    row[f"{name}.{statistic}.ci_high"] = e.high
        for key in keys:
            e = estimates.get(key)
            if e is not None:
                row[key], row[f"{key}.ci_low"], row[f"{key}.ci_high"] = e.mean, e.low, e.high
        rows.append(row)
        plot_points.append({"label": variant.label if not numeric else point[0][1],
                            "value": float(point[0][1]) if numeric else index,
                            "categorical": not numeric, "axis": vary[0][0] if numeric else "setting",
                            "estimates": estimates, "staff_hours": cost})
    return rows, plot_points


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False




# ----------------------------------------------------------------- optimise


def run_optimise(args) -> int:
    import json as json_text

    from .optimise import candidates as combinations
    from .optimise import check_measures, check_values, load_spec

    spec = load_spec(args.spec)
    if args.reps:
        spec = spec.model_copy(update={"replications": args.reps})
    overrides = _overrides(args)
    baseline = Variant("baseline", load_scenario(args.scenario, overrides))
    check_values(spec, args.scenario, overrides, str(args.spec))
    check_measures(spec, baseline.scenario, str(args.spec))
    candidates = Candidates(args.scenario, overrides)
    if not spec.sampled:  # every combination is known up front: refuse a search that has none to run
        for settings in combinations(spec):
            candidates.build(settings)
        if not candidates.variants:
            example = next(iter(candidates.refused.values()))
            raise ExperimentError(f"{args.spec}: every combination is refused by the scenario checks, e.g. {example}")
    folder = _folder(args, "optimise", [baseline], f"optimise-{Path(args.scenario).stem}",
                     also=json_text.dumps(spec.model_dump(), sort_keys=True, default=str))
    search = _search(args, spec, baseline, candidates, folder)
    if not candidates.variants:
        raise ExperimentError(f"{args.spec}: every combination the sampler proposed is refused by the scenario checks")
    _write_optimise(args, spec, baseline, candidates, search, folder)
    return 0


class Candidates:
    """The candidates a search has built: each combination's scenario, or why the scenario checks refuse it."""

    def __init__(self, scenario: str, overrides: list[str]):
        self.scenario, self.overrides = scenario, overrides
        self.variants: dict[str, Variant] = {}
        self.refused: dict[str, str] = {}
        self.settings_of: dict[str, dict] = {}

    def build(self, settings: dict) -> Variant | None:
        """The variant of these settings (built once), or None if the scenario checks refuse the combination."""
        from .optimise import as_text, label_of

        label = label_of(settings)
        if label not in self.settings_of:
            self.settings_of[label] = settings
            try:
                changes = [f"{path}={as_text(value)}" for path, value in settings.items()]
                self.variants[label] = Variant(label, load_scenario(self.scenario, [*self.overrides, *changes]))
            except ScenarioError as error:  # each value works alone, but not in this combination
                self.refused[label] = error.problem
        return self.variants.get(label)


class Search:
    """What the search found: each candidate's screening verdict, the confirmed finalists, the choice."""

    def __init__(self):
        self.screened, self.confirmed, self.chosen = {}, {}, None


def _search(args, spec, baseline: Variant, candidates: Candidates, folder: Path) -> Search:
    from .optimise import cheapest_first, judge

    seed = _seed(args, [baseline])
    store = Store(folder, say=None if args.quiet else lambda text: print(text, file=sys.stderr))
    search, say = Search(), (lambda text: None) if args.quiet else (lambda text: print(text, file=sys.stderr))
    with make_executor(args.workers, args.scheduler) as executor:
        window = window_for(args.workers, args.scheduler)
        batch = max(2, 2 * (args.workers or os.cpu_count() or 1))

        def screen(variants: list[Variant]) -> None:
            replicate(variants, spec.replications, seed, executor, store, window=window)
            search.screened.update((v.label, judge(spec, v.runs)) for v in variants)

        replicate([baseline], spec.replications, seed, executor, store, window=window)
        (_sample if spec.sampled else _every)(spec, candidates, search, screen, batch, seed, say)
        feasible = [n for n in cheapest_first(spec, search.screened) if search.screened[n].feasible]
        total = spec.replications + spec.confirm_replications
        for first in range(0, len(feasible), spec.finalists):
            finalists = feasible[first:first + spec.finalists]
            say(f"optimise: confirming {', '.join(finalists)} on {spec.confirm_replications} fresh replications")
            replicate([candidates.variants[n] for n in finalists], total, seed, executor, store, window=window)
            for name in finalists:
                fresh = [r for r in candidates.variants[name].runs if r["replication"] >= spec.replications]
                search.confirmed[name] = judge(spec, fresh)
            search.chosen = next((n for n in finalists if search.confirmed[n].feasible), None)
            if search.chosen:
                break
    return search


def _progress(spec, search: Search, done: int, total: int, started: float, say) -> None:
    import time

    from .optimise import cheapest_first

    left = (time.monotonic() - started) * (total - done) / max(done, 1)
    best = next((n for n in cheapest_first(spec, search.screened) if search.screened[n].feasible), None)
    say(f"optimise: {done}/{total} candidates screened, about {left:.0f} s left; best so far: "
        + (f"{best} ({spec.objective} {search.screened[best].objective:.6g})" if best else "none feasible yet"))


def _every(spec, candidates: Candidates, search: Search, screen, batch: int, seed: int, say) -> None:
    """Exhaustive: every combination, in batches that keep every worker busy."""
    import time

    from .optimise import candidates as combinations

    variants = [v for v in (candidates.build(s) for s in combinations(spec)) if v is not None]
    started = time.monotonic()
    for first in range(0, len(variants), batch):
        screen(variants[first:first + batch])
        _progress(spec, search, min(first + batch, len(variants)), len(variants), started, say)


def _sample(spec, candidates: Candidates, search: Search, screen, batch: int, seed: int, say) -> None:
    """Sampled: optuna's TPE sampler proposes candidates a batch at a time, told each one's objective and how far
    its constraints' confidence bounds are from being met, until `budget` distinct candidates are screened (or
    it keeps proposing ones already screened)."""
    import time
    import warnings

    import optuna

    from .optimise import violations

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constraints_func is marked experimental
        sampler = optuna.samplers.TPESampler(seed=seed, constraints_func=lambda trial: trial.user_attrs["violations"])
    study = optuna.create_study(direction="minimize" if spec.minimise else "maximize", sampler=sampler)
    budget, started, stale = min(spec.budget, spec.combinations), time.monotonic(), 0
    while len(search.screened) < budget and stale < 5:
        trials = [study.ask() for _ in range(min(batch, budget - len(search.screened)))]
        chosen = [{path: values[trial.suggest_categorical(path, list(range(len(values))))]
                   for path, values in spec.variables.items()} for trial in trials]
        variants = [candidates.build(settings) for settings in chosen]
        new = list({v.label: v for v in variants if v is not None and v.label not in search.screened}.values())
        stale = 0 if new else stale + 1
        screen(new)
        for trial, variant in zip(trials, variants):
            if variant is None:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                continue
            verdict = search.screened[variant.label]
            trial.set_user_attr("violations", violations(spec, verdict))
            objective = verdict.objective if verdict.objective == verdict.objective else None
            study.tell(trial, objective, state=None if objective is not None else optuna.trial.TrialState.FAIL)
        _progress(spec, search, len(search.screened), budget, started, say)


def _write_optimise(args, spec, baseline: Variant, candidates: Candidates, search: Search, folder: Path) -> None:
    from .measures import label
    from .optimise import candidate_rows, changes, explain, judge

    base_verdict = judge(spec, baseline.runs)
    refused, settings_of = candidates.refused, candidates.settings_of
    scenario_of = {label: v.scenario for label, v in candidates.variants.items()}
    answer = explain(spec, search.screened, search.confirmed, search.chosen, base_verdict, len(refused),
                     lambda name: changes(settings_of[name], baseline.scenario, scenario_of[name]),
                     baseline.scenario.costs.currency)
    write_sweep(folder, candidate_rows(spec, settings_of, search.screened, search.confirmed, search.chosen, refused),
                "candidates.csv")
    shown = [baseline]
    extra = {"search": spec.model_dump(), "answer": answer, "chosen": search.chosen}
    if search.chosen is not None:
        chosen = candidates.variants[search.chosen]
        shown.append(Variant("chosen", chosen.scenario, chosen.runs))  # a short name for tables and the page
        extra["chosen_file"] = _write_chosen(args, settings_of[search.chosen], chosen, answer, folder)
        differences = {"chosen": paired_differences(baseline.runs, chosen.runs)}
        write_differences(folder, baseline.label, differences)
    write_summary(folder, shown, extra)
    if not args.no_plots:
        from .plots import save_figure, optimise_frontier_figure

        figure = optimise_frontier_figure(spec, search.screened, search.confirmed, search.chosen, base_verdict,
                                          baseline.scenario.name, baseline.scenario.costs.currency)
        figures = save_figure(figure, folder, "frontier")
        from .experiment_report import write_experiment_report

        aim = f"the {'lowest' if spec.minimise else 'highest'} {label(spec.objective)} that meets every constraint"
        write_experiment_report(folder / "report.html", f"{baseline.scenario.name}: {aim}", shown,
                                _measures(args, shown),
                                list(differences.items()) if search.chosen else (), figures,
                                _warnings(shown), baseline.scenario.costs.currency, answer=answer)
    _report(args, "radsim optimise\n\n" + "\n".join(answer), shown, folder)


def _write_chosen(args, settings: dict, chosen: Variant, answer: list[str], folder: Path) -> str:
    """chosen.yaml: `extends:` the scenario searched, with the chosen values (and any --set), ready to run. If
    the changes cannot be written that way (a list position), the whole scenario as run is written instead."""
    import yaml

    from .optimise import as_text
    from .scenario import apply_override

    target = folder / "chosen.yaml"
    data = {"extends": os.path.relpath(Path(args.scenario).resolve(), folder.resolve())}
    header = "".join(f"# {line.strip()}\n" for line in ["Chosen by run_sim.py optimise " + " ".join(
        [str(args.scenario), "--spec", str(args.spec)]), *answer])
    try:
        for assignment in [*_overrides(args), *(f"{p}={as_text(v)}" for p, v in settings.items())]:
            apply_override(data, assignment)
        target.write_text(header + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        if to_yaml(load_scenario(target)) == to_yaml(chosen.scenario):
            return target.name
    except ScenarioError:
        pass
    target.write_text(header + to_yaml(chosen.scenario), encoding="utf-8")
    return target.name


__all__ = ["run_replications", "run_compare", "run_sweep", "run_optimise", "ExperimentError"]
