"""What-if questions from the web app: the settings a manager changes, the changed scenario, and the comparison.

A change is a `--set` override (`radiologists.evening.count=3`), so the web page and the command line change
scenarios the same way and a bad value gets the same one-line message, naming the setting. `settings` lists
what the page offers for a scenario: head counts and shifts per staff group, scanners and opening hours per
modality, demand (orders a day per source, and a multiplier for all), AI triage, reading remits and
breaks. `Comparison` runs the baseline and the changed scenario with common random numbers in a worker process
of its own (so the page stays responsive, two users' runs never share one, and a long run can be cancelled),
writing its progress and results into a folder the page reads. Each browser session's folder (`SessionFolder`)
lies in one temporary folder of the server's own: it is removed once the session is gone, and whatever is left when
the server stops.
"""
from __future__ import annotations

import io
import json
import multiprocessing
import shutil
import tempfile
import weakref
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .experiment import SerialExecutor, Store, Variant, paired_differences, replicate
from .scenario import ScenarioError, load_scenario, scenario_from_dict, to_yaml
from .schema import Scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
MULTIPLIER = "demand.multiplier"  # the page's own setting: scales every source's orders a day
UPLOAD_LIMIT = 1_000_000  # bytes: a scenario file is a few kB; anything larger is refused before it is parsed


_server_folder: tempfile.TemporaryDirectory | None = None


def server_folder() -> Path:
    """This process's own temporary folder for the sessions it serves, removed when it exits (a stopped server leaves
    nothing behind, whatever its sessions did)."""
    global _server_folder
    if _server_folder is None:
        _server_folder = tempfile.TemporaryDirectory(prefix="radsim-app-", ignore_cleanup_errors=True)
    return Path(_server_folder.name)


class SessionFolder:
    """One browser session's folder (its upload and its comparison) in the server's folder, removed with its files
    once nothing refers to it: the page keeps it in the session's state, which Streamlit drops a little after the
    browser closes."""

    def __init__(self):
        self.path = Path(tempfile.mkdtemp(prefix="session-", dir=server_folder()))
        weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)


def ready_made() -> dict[str, Path]:
    """The scenarios shipped with radsim, by a readable name (teaching scenarios after the departments)."""
    files = sorted(SCENARIOS.glob("*.yaml")) + sorted((SCENARIOS / "teaching").glob("*.yaml"))
    return {(f"teaching: {path.stem}" if path.parent.name == "teaching" else path.stem): path for path in files}


def header(path: Path) -> str:
    """The comment header of a scenario file: what it shows, in its author's words."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return "\n".join(lines).strip()


def save_upload(data: bytes, folder: Path) -> Path:
    """An uploaded scenario, checked as the command line checks a file, saved where the page can load it. It may
    extend only a ready-made scenario (by its file name): an upload never makes the server read other files."""
    if len(data) > UPLOAD_LIMIT:
        raise ScenarioError("upload", "file", f"is {len(data):,} bytes; a scenario is at most {UPLOAD_LIMIT:,}")
    try:
        text = data.decode("utf-8")
        parsed = yaml.safe_load(text)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ScenarioError("upload", "file", f"is not a YAML scenario ({str(exc).splitlines()[0]})") from None
    if not isinstance(parsed, dict):
        raise ScenarioError("upload", "file", "is not a YAML mapping of scenario settings")
    base = parsed.get("extends")
    if base is not None:
        known = {path.name: path for path in ready_made().values()}
        if not isinstance(base, str) or Path(base).name not in known:
            raise ScenarioError("upload", "extends", "an uploaded scenario may extend only a ready-made one, by its "
                                                     f"file name ({', '.join(sorted(known))})")
        parsed["extends"] = str(known[Path(base).name])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "uploaded.yaml"
    path.write_text(yaml.safe_dump(parsed, sort_keys=False), encoding="utf-8")
    load_scenario(path)  # refused here, with the same message as the command line, if it cannot run
    return path


@dataclass(frozen=True)
class Setting:
    """One thing the page lets a manager change: the override key, a label, its kind and its present value."""

    key: str
    label: str
    kind: str  # "count", "number", "text", "choice" or "priorities"
    value: object
    section: str
    options: tuple = ()

    def override(self, value) -> str:
        """The `--set` assignment for a new value."""
        if self.kind == "priorities":
            return f"{self.key}=[{', '.join(value)}]"
        if self.kind == "text" and self.key.endswith((".shifts", ".hours")):
            return f'{self.key}=["{value}"]'
        return f"{self.key}={value}"


def settings(path: Path) -> list[Setting]:
    """What the page offers to change in the scenario at `path`, with the scenario's own values."""
    s = load_scenario(path)
    out: list[Setting] = []
    for section, groups in (("technologists", s.technologists), ("radiologists", s.radiologists),
                            ("porters", s.porters)):
        for name, group in groups.items():
            out.append(Setting(f"{section}.{name}.count", f"{name}: people", "count", group.count, section))
            windows = _simple_shift(group.shifts)
            if windows is not None:
                out.append(Setting(f"{section}.{name}.shifts", f"{name}: shift (HH:MM-HH:MM, every day)", "text",
                                   windows, section))
            if group.breaks:
                out.append(Setting(f"{section}.{name}.breaks.0.minutes", f"{name}: break minutes", "number",
                                   group.breaks[0].minutes, section))
            if section == "radiologists":  # the reading remit: every priority ("all"), or some
                remit = tuple(s.priority_names) if group.priorities == "all" else tuple(group.priorities)
                out.append(Setting(f"{section}.{name}.priorities", f"{name}: reads these priorities",
                                   "priorities", remit, section, tuple(s.priority_names)))
    for name, modality in s.modalities.items():
        out.append(Setting(f"modalities.{name}.scanners", f"{name}: scanners", "count", modality.scanner_count,
                           "scanners"))
        hours = _simple_shift(modality.hours)
        if hours is not None:
            out.append(Setting(f"modalities.{name}.hours", f"{name}: open (HH:MM-HH:MM, every day)", "text", hours,
                               "scanners"))
    if s.demand:
        out.append(Setting(MULTIPLIER, "every source: orders × (1 = as now)", "number", 1.0, "demand"))
    for source, demand in s.demand.items():
        out.append(Setting(f"demand.{source}.exams_per_day", f"{source}: orders a day", "number",
                           demand.exams_per_day, "demand"))
    if any(kind.ai is not None for kind in s.exam_types.values()):
        out.append(Setting("ai_triage.mode", "AI triage", "choice", s.ai_triage.mode, "demand",
                           ("reprioritise", "flag_only")))
    return out


def _simple_shift(windows) -> str | None:
    """"07:00-19:00" for one window every day (what the page edits as text); None for anything richer."""
    from .clock import WEEKDAYS, format_clock

    if len(windows) != 1 or set(windows[0].days) != set(WEEKDAYS):
        return None
    return f"{format_clock(windows[0].start)}-{format_clock(windows[0].end)}"


def overrides(settings_: list[Setting], values: dict, scenario: Scenario) -> list[str]:
    """Every override the page's values ask for. The demand multiplier scales each source's orders a day (as
    given on the page, so a source changed by hand is scaled too)."""
    factor = float(values.get(MULTIPLIER, 1.0))
    out = []
    for setting in settings_:
        value = values.get(setting.key, setting.value)
        if setting.key == MULTIPLIER:
            continue
        if setting.key.startswith("demand.") and setting.key.endswith(".exams_per_day") and factor != 1.0:
            value = round(float(value) * factor, 6)
        out += overrides_for(setting, value, scenario)
    return out


def overrides_for(setting: Setting, value, scenario: Scenario) -> list[str]:
    """The overrides that give `setting` the new `value` (unchanged: none). Scanner counts become lists of names:
    the scenario's own, then new ones numbered after them."""
    if value == setting.value:
        return []
    if setting.key.startswith("modalities.") and setting.key.endswith(".scanners"):
        modality = setting.key.split(".")[1]
        names = scenario.modalities[modality].scanners
        if isinstance(names, int):  # given as a count: it stays one
            return [f"{setting.key}={int(value)}"]
        count = int(value)
        names = names[:count] + [f"{modality}-new-{i + 1}" for i in range(max(0, count - len(names)))]
        return [f"{setting.key}=[{', '.join(names)}]"]
    return [setting.override(value)]


def changed(path: Path, overrides: list[str], days: int | None = None) -> Scenario:
    """The scenario with the changes; a ScenarioError names the setting that is wrong."""
    extra = [f"days={days}"] if days else []
    return load_scenario(path, [*extra, *overrides])


def field_of(error: ScenarioError, settings_: list[Setting]) -> str | None:
    """The key of the setting an error is about, so the page can show it next to that field."""
    text = f"{error.source} {error.field}"
    return next((s.key for s in sorted(settings_, key=lambda s: -len(s.key)) if s.key in text), None)


# ---------------------------------------------------------------- the animation, in a worker process


def animation_frames(path: Path, start: float, end: float, exam: int | None = None) -> dict:
    """The animation of a window of the scenario at `path` (`sim.animation.frames`), run in a worker process for
    only as many days as the window needs; `exam` to follow, default the first of the most urgent priority
    ordered in the window. A ValueError says what is wrong with the window or the exam."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_animation_frames, str(path), start, end, exam).result()


def _animation_frames(path: str, start: float, end: float, exam: int | None) -> dict:
    import math

    from .animation import default_highlight, frames
    from .model import run

    scenario = load_scenario(path)
    if end <= start or start >= scenario.days * 1440:
        raise ValueError(f"the window must end after it starts and start within the {scenario.days} days")
    days = min(scenario.days, int(math.ceil(end / 1440)) + 1)
    # the warm-up only sets what the statistics leave out: it must fit in the shorter run, and changes nothing shown
    result = run(load_scenario(path, [f"days={days}", f"warmup_days={min(scenario.warmup_days, days - 1)}"]))
    if exam is not None and not 0 <= exam < len(result.exams):
        raise ValueError(f"exam {exam} is not an exam of this run (0 to {len(result.exams) - 1})")
    return frames(result, start, end, highlight=default_highlight(result, start, end) if exam is None else exam)


# ---------------------------------------------------------------- the comparison, in a worker process


class Comparison:
    """Baseline against the changed scenario, `reps` replications each with common random numbers, in a process
    of its own; progress, results, figures and the changed scenario are written into `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.process: multiprocessing.Process | None = None

    @classmethod
    def start(cls, baseline: Scenario, variant: Scenario, reps: int, folder: Path | None = None) -> "Comparison":
        job = cls(Path(folder or tempfile.mkdtemp(prefix="radsim-whatif-")))
        job.folder.mkdir(parents=True, exist_ok=True)
        (job.folder / "variant.yaml").write_text(to_yaml(variant), encoding="utf-8")
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of the page's state
        job.process = context.Process(target=_compare, args=(to_yaml(baseline), to_yaml(variant), reps,
                                                             str(job.folder)), daemon=True)
        job.process.start()
        weakref.finalize(job, _stop, job.process)  # a run nobody can see any more (the session is gone) stops
        return job

    def progress(self) -> tuple[int, int]:
        try:
            done, total = json.loads((self.folder / "progress.json").read_text())
            return done, total
        except (FileNotFoundError, json.JSONDecodeError, ValueError):
            return 0, 1

    @property
    def finished(self) -> bool:
        return (self.folder / "result.json").exists() or (self.folder / "error.txt").exists()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.is_alive() and not self.finished

    def result(self) -> dict | None:
        try:
            return json.loads((self.folder / "result.json").read_text())
        except FileNotFoundError:
            return None

    def error(self) -> str | None:
        path = self.folder / "error.txt"
        return path.read_text() if path.exists() else None

    def cancel(self) -> None:
        if self.process is not None:
            _stop(self.process)
        (self.folder / "error.txt").write_text("cancelled")

    def zipped(self) -> bytes:
        """The changed scenario's results folder (tables, figures, report) and the scenario, as a zip."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted((self.folder / "variant").rglob("*")):
                if path.is_file():
                    archive.write(path, Path("results") / path.relative_to(self.folder / "variant"))
            archive.write(self.folder / "variant.yaml", "variant.yaml")
        return buffer.getvalue()

    def remove(self) -> None:
        if self.running:
            self.cancel()
        shutil.rmtree(self.folder, ignore_errors=True)


def _stop(process: multiprocessing.Process) -> None:
    if process.is_alive():
        process.terminate()
        process.join(5)


def _compare(baseline_text: str, variant_text: str, reps: int, folder: str) -> None:
    """The worker: replications of both (the store keeps each finished run), paired differences on the default
    measures, the compare command's figures (differences with their intervals; each priority's turnaround in both,
    on one scale) and one full run of the variant (its tables, figures and report, for the zip)."""
    from .measures import label, select, unit
    from .plots import write_comparison_plots, write_forest_plot

    folder_ = Path(folder)
    try:
        baseline, variant = (scenario_from_dict(yaml.safe_load(t)) for t in (baseline_text, variant_text))
        variants = [Variant("baseline", baseline), Variant("variant", variant)]

        def progress(done: int, total: int) -> None:
            (folder_ / "progress.json").write_text(json.dumps([done, total + 1]))

        replicate(variants, reps, baseline.seed, SerialExecutor(), Store(folder_ / "store"), progress=progress)
        differences = paired_differences(variants[0].runs, variants[1].runs)
        keys = select(list(dict.fromkeys(k for v in variants for r in v.runs for k in r["figures"])))
        currency = baseline.costs.currency
        estimates = [v.estimates for v in variants]
        rows = [{"figure": label(key), "unit": unit(key, currency), "baseline": estimates[0][key].mean,
                 "variant": estimates[1][key].mean, "difference": differences[key].mean,
                 "ci_low": differences[key].low, "ci_high": differences[key].high}
                for key in keys if key in differences]
        figures = folder_ / "figures"
        figures.mkdir(exist_ok=True)
        write_forest_plot([("variant", differences)], keys, figures, "variant minus baseline", currency)
        write_comparison_plots(variants, baseline, figures, "baseline and variant")
        _full_run(variant, folder_ / "variant")
        progress(reps * 2 + 1, reps * 2)
        same = variants[0].runs[0]["arrivals"] == variants[1].runs[0]["arrivals"]
        (folder_ / "result.json").write_text(json.dumps({"rows": rows, "reps": reps, "same_patients": same,
                                                         "warnings": variants[1].runs[0]["warnings"]}))
    except Exception as exc:  # the page shows it; nothing else can
        (folder_ / "error.txt").write_text(f"{type(exc).__name__}: {exc}")


def _full_run(scenario: Scenario, folder: Path) -> None:
    from .model import run
    from .output import write_result_folder

    folder.mkdir(parents=True, exist_ok=True)
    write_result_folder(run(scenario), folder)
