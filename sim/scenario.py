"""Loading scenarios: YAML, `extends:` inheritance, `--set` overrides, checks.

Everything that can be wrong with a scenario becomes a `ScenarioError` whose
text is one line naming the file, the field and the problem, so the command
line can print it and exit with status 2.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from .distributions import FAMILY_NAMES
from .schema import Scenario


class ScenarioError(Exception):
    """A scenario that cannot be run, with the file and field at fault."""

    def __init__(self, source: str, field: str, problem: str):
        self.source, self.field, self.problem = source, field, problem
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {problem}")


# ----------------------------------------------------------------- loading


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Read, merge (`extends:`), override (`key=value`) and validate a scenario file."""
    path = Path(path)
    data = _read_with_extends(path, chain=())
    for assignment in overrides:
        apply_override(data, assignment, source=str(path))
    return validate(data, source=str(path))


def scenario_from_dict(data: dict, source: str = "<scenario>") -> Scenario:
    return validate(copy.deepcopy(data), source=source)


def _read_yaml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), "", "file not found") from None
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot be read ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(str(path), where, f"malformed YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(str(path), "", "a scenario must be a YAML mapping of fields")
    return data


def _read_with_extends(path: Path, chain: tuple[Path, ...]) -> dict:
    resolved = path.resolve()
    if resolved in chain:
        loop = " -> ".join(p.name for p in (*chain, resolved))
        raise ScenarioError(str(path), "extends", f"extends loops back on itself ({loop})")
    data = _read_yaml(path)
    parent_name = data.pop("extends", None)
    if parent_name is None:
        return data
    if not isinstance(parent_name, str):
        raise ScenarioError(str(path), "extends", "must be the path of another scenario file")
    parent_path = (path.parent / parent_name)
    if not parent_path.is_file():
        raise ScenarioError(str(path), "extends", f"file {parent_name!r} not found")
    parent = _read_with_extends(parent_path, chain + (resolved,))
    return deep_merge(parent, data)


def deep_merge(base: dict, override: dict) -> dict:
    """Mappings merge key by key; anything else replaces; null deletes the key."""
    merged = dict(base)
    for key, value in override.items():
        if value is None and key in merged and isinstance(merged[key], dict):
            del merged[key]
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def apply_override(data: dict, assignment: str, source: str = "--set") -> None:
    """Apply `dotted.key=value` in place; the value is read as YAML (3, 0.5, true, [a, b])."""
    key, sep, raw = assignment.partition("=")
    if not sep or not key.strip():
        raise ScenarioError("--set", assignment, "expected dotted.key=value")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    parts = key.strip().split(".")
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        node = _step_into(node, part, ".".join(parts[: depth + 1]))
    last = parts[-1]
    if isinstance(node, list):
        index = _list_index(node, last, key)
        node[index] = value
    elif value is None and isinstance(node, dict):
        node.pop(last, None)
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ScenarioError("--set", key, f"{'.'.join(parts[:-1])} is not a mapping")


def _step_into(node: Any, part: str, path: str) -> Any:
    if isinstance(node, list):
        return node[_list_index(node, part, path)]
    if not isinstance(node, dict):
        raise ScenarioError("--set", path, "is not a mapping")
    if node.get(part) is None:
        node[part] = {}
    return node[part]


def _list_index(node: list, part: str, path: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise ScenarioError("--set", path, f"{part!r} is not an index of a list of {len(node)}")
    return int(part)


# -------------------------------------------------------------- validation


def validate(data: dict, source: str) -> Scenario:
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, source) from None
    check_references(scenario, source)
    return scenario


def _first_error(exc: ValidationError, source: str) -> ScenarioError:
    errors = exc.errors()
    first = errors[0]
    # Discriminated unions put the variant name in the location; drop it.
    loc = [str(p) for p in first["loc"] if not _is_union_tag(p)]
    problem = _explain(first)
    if len(errors) > 1:
        problem += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ScenarioError(source, ".".join(loc), problem)


def _is_union_tag(part) -> bool:
    return isinstance(part, str) and (part in FAMILY_NAMES or part.startswith("function-"))


def _explain(error: dict) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see docs/scenario-format.md)"
    if kind == "missing":
        return "required field is missing"
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    shown = error.get("input")
    if "input" in error and not isinstance(shown, (dict, list)) and repr(shown) not in message:
        message += f" (got {error['input']!r})"
    return message


def check_references(scenario: Scenario, source: str) -> None:
    """Names must refer to declared things, and all demand must be servable."""

    def fail(field: str, problem: str):
        raise ScenarioError(source, field, problem)

    if scenario.warmup_days >= scenario.days:
        fail("warmup_days", f"{scenario.warmup_days:g} days must be shorter than the horizon ({scenario.days} days)")
    modalities, exam_types, priorities = scenario.modalities, scenario.exam_types, scenario.priorities
    for name, exam in exam_types.items():
        if exam.modality not in modalities:
            fail(f"exam_types.{name}.modality", f"unknown modality {exam.modality!r} (declared: {_list(modalities)})")
    for section in ("technologists", "radiologists"):
        for name, group in getattr(scenario, section).items():
            for i, modality in enumerate(group.modalities):
                if modality not in modalities:
                    fail(f"{section}.{name}.modalities.{i}", f"unknown modality {modality!r} (declared: {_list(modalities)})")
    for name, group in scenario.radiologists.items():
        if group.priorities != "all":
            for i, priority in enumerate(group.priorities):
                if priority not in priorities:
                    fail(f"radiologists.{name}.priorities.{i}", f"unknown priority {priority!r} (declared: {_list(priorities)})")
    _check_unique_staff_names(scenario, fail)
    preliminary = [n for n, g in scenario.radiologists.items() if g.reports == "preliminary" and g.count]
    if preliminary and not any(g.reports == "final" and g.count for g in scenario.radiologists.values()):
        fail(f"radiologists.{preliminary[0]}.reports", "preliminary reports need a radiologist group that finalises")
    if scenario.reading.policy == "aging" and scenario.reading.aging_cap_minutes is None:
        fail("reading.aging_cap_minutes", "policy aging needs an aging cap in minutes")
    if scenario.ai_triage.raise_to not in priorities and any(e.ai for e in exam_types.values()):
        fail("ai_triage.raise_to", f"unknown priority {scenario.ai_triage.raise_to!r} (declared: {_list(priorities)})")
    for source_name, src in scenario.demand.items():
        where = f"demand.{source_name}"
        for priority in src.priority_mix:
            if priority not in priorities:
                fail(f"{where}.priority_mix.{priority}", f"unknown priority (declared: {_list(priorities)})")
        for exam_name, share in src.exam_mix.items():
            if exam_name not in exam_types:
                fail(f"{where}.exam_mix.{exam_name}", f"unknown exam type (declared: {_list(exam_types)})")
            for priority in share.priority_mix or {}:
                if priority not in priorities:
                    fail(f"{where}.exam_mix.{exam_name}.priority_mix.{priority}", f"unknown priority (declared: {_list(priorities)})")
        if src.exams_per_day > 0:
            for exam_name, share in src.exam_mix.items():
                if share.share > 0:
                    mix = src.priority_mix_for(exam_name)
                    _check_servable(scenario, exam_name, [p for p, w in mix.items() if w > 0],
                                    f"{where}.exam_mix.{exam_name}", fail)
    if not scenario.demand and not scenario.orders and not scenario.appointments:
        fail("demand", "the scenario has neither demand, scripted orders nor appointments")
    _check_equipment(scenario, fail)
    _check_exam_steps(scenario, fail)
    _check_appointments(scenario, fail)
    for i, order in enumerate(scenario.orders):
        where = f"orders.{i}"
        if order.day >= scenario.days:
            fail(f"{where}.day", f"day {order.day} is beyond the horizon of {scenario.days} days")
        if order.exam_type not in exam_types:
            fail(f"{where}.exam_type", f"unknown exam type {order.exam_type!r} (declared: {_list(exam_types)})")
        if order.priority not in priorities:
            fail(f"{where}.priority", f"unknown priority {order.priority!r} (declared: {_list(priorities)})")
        _check_servable(scenario, order.exam_type, [order.priority], where, fail)


def _check_equipment(scenario: Scenario, fail) -> None:
    for name, spec in scenario.modalities.items():
        names = spec.scanner_names(name)
        for i, window in enumerate(spec.maintenance):
            for scanner in window.scanners or []:
                if scanner not in names:
                    fail(f"modalities.{name}.maintenance.{i}.scanners",
                         f"unknown scanner {scanner!r} (declared: {_list(names)})")
        for i, reservation in enumerate(spec.reserved):
            for scanner in reservation.scanners:
                if scanner not in names:
                    fail(f"modalities.{name}.reserved.{i}.scanners",
                         f"unknown scanner {scanner!r} (declared: {_list(names)})")
            for priority in reservation.priorities:
                if priority not in scenario.priorities:
                    fail(f"modalities.{name}.reserved.{i}.priorities",
                         f"unknown priority {priority!r} (declared: {_list(scenario.priorities)})")
        if spec.procedures and not any(name in g.modalities and g.count for g in scenario.radiologists.values()):
            fail(f"modalities.{name}.procedures", f"no radiologist is credentialed for {name} procedures")


def _check_exam_steps(scenario: Scenario, fail) -> None:
    for name, exam in scenario.exam_types.items():
        where = f"exam_types.{name}"
        modality = scenario.modalities.get(exam.modality)
        if exam.portable is not None:
            if exam.uptake is not None:
                fail(f"{where}.portable", "a bedside exam cannot also have an uptake period")
            if modality.procedures:
                fail(f"{where}.portable", f"{exam.modality} rooms are IR suites; a procedure is not portable")
            if modality.portable_units < 1:
                fail(f"{where}.portable", f"modality {exam.modality} has no portable_units")
        follow = exam.leads_to
        if follow is not None:
            if follow.exam_type not in scenario.exam_types:
                fail(f"{where}.leads_to.exam_type",
                     f"unknown exam type {follow.exam_type!r} (declared: {_list(scenario.exam_types)})")
            if scenario.exam_types[follow.exam_type].leads_to is not None:
                fail(f"{where}.leads_to.exam_type", f"{follow.exam_type!r} leads to another order itself; "
                                                    "follow-ups go one step only")
            for priority in follow.priorities or []:
                if priority not in scenario.priorities:
                    fail(f"{where}.leads_to.priorities",
                         f"unknown priority {priority!r} (declared: {_list(scenario.priorities)})")


def _check_appointments(scenario: Scenario, fail) -> None:
    for name, book in scenario.appointments.items():
        where = f"appointments.{name}"
        if book.modality not in scenario.modalities:
            fail(f"{where}.modality", f"unknown modality {book.modality!r} (declared: {_list(scenario.modalities)})")
        if book.priority not in scenario.priorities:
            fail(f"{where}.priority", f"unknown priority {book.priority!r} (declared: {_list(scenario.priorities)})")
        for exam_name in book.exam_mix:
            if exam_name not in scenario.exam_types:
                fail(f"{where}.exam_mix.{exam_name}", f"unknown exam type (declared: {_list(scenario.exam_types)})")
            if scenario.exam_types[exam_name].modality != book.modality:
                fail(f"{where}.exam_mix.{exam_name}", f"is a {scenario.exam_types[exam_name].modality} exam, "
                                                      f"not {book.modality}")
            _check_servable(scenario, exam_name, [book.priority], f"{where}.exam_mix.{exam_name}", fail)


def _check_unique_staff_names(scenario: Scenario, fail) -> None:
    seen: dict[str, str] = {}
    for section in ("technologists", "radiologists"):
        for group_name, group in getattr(scenario, section).items():
            for i, person in enumerate(group.given_names()):
                if person in seen:
                    fail(f"{section}.{group_name}.names.{i}", f"{person!r} is also in {seen[person]}")
                seen[person] = f"{section}.{group_name}"


def _check_servable(scenario: Scenario, exam_name: str, priorities: list[str], field: str, fail) -> None:
    """Someone on the staff must be able to scan, and someone to read, this exam at these priorities."""
    exam = scenario.exam_types[exam_name]
    if not any(exam.modality in g.modalities for g in scenario.technologists.values() if g.count > 0):
        fail(field, f"no technologist is credentialed for {exam.modality}")
    readers = [g for g in scenario.radiologists.values() if g.count > 0]
    for priority in priorities:
        if not any(can_read(g, exam.modality, exam.subspecialty, priority) for g in readers):
            fail(field, f"no radiologist reads {exam.modality} {exam.subspecialty} studies of priority {priority!r}")


def can_read(group, modality: str, subspecialty: str, priority: str, any_subspecialty: str | None = None) -> bool:
    """Whether a radiologist group may read studies of this modality, subspecialty and priority.

    A study whose subspecialty is `any_subspecialty` (after the fallback wait) may be read by any subspecialty.
    """
    return (
        modality in group.modalities
        and (group.subspecialties == "any" or subspecialty == any_subspecialty or subspecialty in group.subspecialties)
        and (group.priorities == "all" or priority in group.priorities)
    )


def _list(names) -> str:
    return ", ".join(names)


# ---------------------------------------------------------------- writing


def to_yaml(scenario: Scenario) -> str:
    """The scenario exactly as it will run, after `extends` and overrides."""
    data = scenario.model_dump(mode="json", by_alias=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
