"""Loading scenarios: YAML, `extends:` inheritance, `--set` overrides, checks.

Everything that can be wrong with a scenario becomes a `ScenarioError` whose
text is one line naming the file, the field and the problem, so the command
line can print it and exit with status 2.
"""
from __future__ import annotations

import copy
import difflib
import types
import typing
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import BaseModel, ValidationError

from .distributions import FAMILY_NAMES
from .schema import Scenario, can_read, demanded


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
    created: dict[str, tuple[str, list[str]]] = {}
    for assignment in overrides:
        created.update(apply_override(data, assignment, source=str(path)))
    try:
        return validate(data, source=str(path))
    except ScenarioError as error:
        raise _blame_override(error, created, overrides, str(path)) from None


def _blame_override(error: ScenarioError, created: dict, overrides: Iterable[str], source: str) -> ScenarioError:
    """An error in what a --set made names the --set, not the file."""
    for assignment in overrides:
        key = assignment.partition("=")[0].strip()
        if error.field == key or error.field.startswith(key + "."):
            where = "" if error.field == key else f"{error.field}: "
            return ScenarioError("--set", assignment, where + error.problem)
    incomplete = error.problem.startswith(("required field is missing", "unknown field"))
    for made, (assignment, siblings) in created.items():
        if incomplete and (error.field == made or error.field.startswith(made + ".")):
            guess = difflib.get_close_matches(made.rsplit(".", 1)[-1], siblings, n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            return ScenarioError("--set", assignment, f"{made} is not in {source}{hint}")
    return error


def scenario_from_dict(data: dict, source: str = "<scenario>") -> Scenario:
    return validate(copy.deepcopy(data), source=source)


MAX_VALUES = 1_000_000  # values in a scenario once YAML aliases are expanded


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise _DuplicateKey(key, key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _UniqueKeyLoader.construct_mapping)


class _DuplicateKey(Exception):
    """A key given twice in one YAML mapping (reported with its line)."""

    def __init__(self, key, mark):
        self.key, self.mark = key, mark


def _expanded_size(data, limit: int) -> int:
    """How many values the document holds with every alias expanded (stops counting past `limit`)."""
    sizes: dict[int, int] = {}

    def size(node) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        total = 1
        for child in children:
            total += size(child)
            if total > limit:
                break
        sizes[id(node)] = total
        return total

    return size(data)


def read_yaml(path: Path) -> dict:
    """A YAML file (a scenario, a search file) read with the safe loader and the checks every input gets."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(str(path), "", "file not found") from None
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot be read ({exc.strerror})") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError(str(path), "", "is UTF-16 text (save the file as UTF-8)")
    if b"\0" in raw:
        raise ScenarioError(str(path), "", "is not a text file (a scenario is YAML text in UTF-8)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(str(path), f"line {line}", "is not UTF-8 text (save the file as UTF-8)") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except _DuplicateKey as dup:
        raise ScenarioError(str(path), f"line {dup.mark.line + 1}",
                            f"key {dup.key!r} appears twice in the same mapping (YAML would keep only the last)") from None
    except RecursionError:
        raise ScenarioError(str(path), "YAML", "nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(str(path), where, f"malformed YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(str(path), "", "a scenario must be a YAML mapping of fields")
    if _expanded_size(data, MAX_VALUES) > MAX_VALUES:
        raise ScenarioError(str(path), "YAML", f"expands to more than {MAX_VALUES:,} values through aliases")
    return copy.deepcopy(data)  # aliases become independent copies, so an override changes one place only


def _read_with_extends(path: Path, chain: tuple[Path, ...]) -> dict:
    resolved = path.resolve()
    if resolved in chain:
        loop = " -> ".join(p.name for p in (*chain, resolved))
        raise ScenarioError(str(path), "extends", f"extends loops back on itself ({loop})")
    data = read_yaml(path)
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
    """Mappings merge key by key; anything else replaces, and so does a distribution (a mapping naming its
    `dist`: a gamma's mean and cv never mix with a log-logistic's scale); null deletes the key.

    The merged mapping keeps the base's order with new keys after it, unless the override names every key of the
    base: then it keeps the override's order. Order matters where a mapping ranks (priorities are read in the
    order listed), and restating them all is how a variant slots a new priority in between."""
    restated = bool(base) and set(base) <= set(override)
    merged = {key: base.get(key) for key in override} | base if restated else dict(base)
    for key, value in override.items():
        if value is None and key in merged and isinstance(merged[key], dict):
            del merged[key]
        elif isinstance(value, dict) and isinstance(merged.get(key), dict) and "dist" not in value:
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def apply_override(data: dict, assignment: str, source: str = "--set") -> dict[str, tuple[str, list[str]]]:
    """Apply `dotted.key=value` in place; the value is read as YAML (3, 0.5, true, [a, b], 1e9).

    Returns the mappings it had to create, each with the assignment and the names that were there, so that
    an error inside one can name the --set (usually a misspelt group or section)."""
    key, sep, raw = assignment.partition("=")
    if not sep or not key.strip():
        raise ScenarioError("--set", assignment, "expected dotted.key=value")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    if isinstance(value, str):
        try:
            value = float(value)  # YAML 1.1 reads 1e9 as text
        except ValueError:
            pass
    parts = key.strip().split(".")
    node: Any = data
    created = {}
    for depth, part in enumerate(parts[:-1]):
        path = ".".join(parts[: depth + 1])
        if isinstance(node, dict) and node.get(part) is None and not created:
            created[path] = (assignment, [str(k) for k in node])
        node = _step_into(node, part, path)
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
    return created


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
    # An unknown key is usually a typo, and the "missing field" errors it causes say nothing of it: show it first.
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    first = errors[0]
    # Discriminated unions put the variant name in the location; drop it.
    loc = [str(p) for p in first["loc"] if not _is_union_tag(p)]
    problem = _explain(first)
    if first["type"] == "extra_forbidden":
        guess = difflib.get_close_matches(loc[-1], _field_names(first["loc"][:-1]), n=1)
        problem = f"unknown field (did you mean {guess[0]!r}?)" if guess else problem
    if len(errors) > 1:
        problem += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ScenarioError(source, ".".join(loc), problem)


def _field_names(loc) -> list[str]:
    """The field names allowed at a location of the scenario (for "did you mean")."""
    annotation = Scenario
    for part in loc:
        annotation = _strip(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            annotation = field.annotation if field is not None else None
        elif typing.get_origin(annotation) in (dict, list):
            annotation = typing.get_args(annotation)[-1]  # the value of a mapping, the item of a list
        else:
            return []
    annotation = _strip(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [field.alias or name for name, field in annotation.model_fields.items()]
    return []


def _strip(annotation):
    """Annotated[X, ...] -> X; X | None -> X."""
    while typing.get_origin(annotation) in (typing.Annotated, typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


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

    _check_size(scenario, fail)
    for name in ("timeline", "narrative"):
        window = getattr(scenario.report, name)
        if window is not None and window.start >= scenario.days * 1440.0:
            fail(f"report.{name}.from", f"{window.from_} is after the end of the horizon ({scenario.days} days)")
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
        for i, priority in enumerate(group.interruptions.spared if group.interruptions else ()):
            if priority not in priorities:
                fail(f"radiologists.{name}.interruptions.spared.{i}",
                     f"unknown priority {priority!r} (declared: {_list(priorities)})")
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
        for section in ("priority_mix", "readiness", "door_to_order", "cancellation"):
            for priority in getattr(src, section):
                if priority not in priorities:
                    fail(f"{where}.{section}.{priority}", f"unknown priority (declared: {_list(priorities)})")
        if src.transport is not None:
            for i, priority in enumerate(src.transport.priorities or ()):
                if priority not in priorities:
                    fail(f"{where}.transport.priorities.{i}", f"unknown priority {priority!r} (declared: "
                                                              f"{_list(priorities)})")
            if not any(g.count > 0 for g in scenario.porters.values()):
                fail(f"{where}.transport", "patients fetched by porters, but the scenario has no porters")
        for exam_name, share in src.exam_mix.items():
            if exam_name not in exam_types:
                fail(f"{where}.exam_mix.{exam_name}", f"unknown exam type (declared: {_list(exam_types)})")
            for section in ("priority_mix", "readiness"):
                for priority in getattr(share, section) or {}:
                    if priority not in priorities:
                        fail(f"{where}.exam_mix.{exam_name}.{section}.{priority}",
                             f"unknown priority (declared: {_list(priorities)})")
        if src.exams_per_day > 0:
            for exam_name, share in src.exam_mix.items():
                if share.share > 0:
                    mix = src.priority_mix_for(exam_name)
                    _check_servable(scenario, exam_name, [p for p, w in mix.items() if w > 0],
                                    f"{where}.exam_mix.{exam_name}", fail)
    if not scenario.demand and not scenario.orders and not scenario.appointments:
        fail("demand", "the scenario has neither demand, scripted orders nor appointments")
    # scripted orders' names are checked before anything looks their exam type up
    horizon = scenario.days * 1440.0
    for i, order in enumerate(scenario.orders):
        where = f"orders.{i}"
        if order.day * 1440.0 + order.time >= horizon:
            fail(f"{where}.day", f"day {order.day} {order.time // 60:02d}:{order.time % 60:02d} is not before "
                                 f"the end of the horizon of {scenario.days} days")
        if order.exam_type not in exam_types:
            fail(f"{where}.exam_type", f"unknown exam type {order.exam_type!r} (declared: {_list(exam_types)})")
        if order.priority not in priorities:
            fail(f"{where}.priority", f"unknown priority {order.priority!r} (declared: {_list(priorities)})")
        _check_servable(scenario, order.exam_type, [order.priority], where, fail)
    _check_equipment(scenario, fail)
    _check_exam_steps(scenario, fail)
    _check_appointments(scenario, fail)
    _check_workable(scenario, fail)
    groups = set(scenario.technologists) | set(scenario.radiologists)
    for section, names in (("hourly", groups), ("per_report", set(scenario.radiologists))):
        for name in getattr(scenario.costs, section):
            if name not in names:
                fail(f"costs.{section}.{name}", f"unknown staff group (declared: {_list(sorted(names))})")
    for i, target in enumerate(scenario.targets):
        for name, value, declared in (("priority", target.priority, scenario.priorities),
                                      ("modality", target.modality, scenario.modalities),
                                      ("source", target.source, scenario.source_names)):
            if value is not None and value not in declared:
                fail(f"targets.{i}.{name}", f"unknown {name} {value!r} (declared: {_list(declared)})")


MAX_ORDERS = 20_000_000  # about fifty years of a large academic centre: a few GB of records
MAX_INTERRUPTIONS = 50_000_000


def _check_size(scenario: Scenario, fail) -> None:
    """Refuse, before any memory is spent, a run too large for one machine, saying how large it would be."""
    from .roster import window_length

    days = scenario.days
    demand = sum(src.exams_per_day * max([1.0, *src.weekday_factors.values()]) for src in scenario.demand.values())
    slots = sum(sum(window_length(w) for w in book.sessions) / book.slot_minutes * book.parallel
                for book in scenario.appointments.values())
    orders = (demand + slots) * days + len(scenario.orders)
    if orders > MAX_ORDERS:
        fail("demand" if demand >= slots else "appointments",
             f"the run would place about {orders:,.0f} orders over {days} days (at most {MAX_ORDERS:,}); "
             "shorten days or lower the demand")
    for name, group in scenario.radiologists.items():
        if group.interruptions is not None:
            count = group.count * sum(group.interruptions.per_hour) * days
            if count > MAX_INTERRUPTIONS:
                fail(f"radiologists.{name}.interruptions.per_hour",
                     f"about {count:,.0f} interruptions over the run (at most {MAX_INTERRUPTIONS:,})")


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
        for priority in exam.read_by_priority:
            if priority not in scenario.priorities:
                fail(f"{where}.read_by_priority.{priority}", f"unknown priority (declared: {_list(scenario.priorities)})")
        modality = scenario.modalities.get(exam.modality)
        if exam.sedation is not None and exam.sedation.share > 0:
            if exam.portable is not None:
                fail(f"{where}.sedation", "a bedside exam cannot be done under sedation here; give it a scanner")
            if not any(g.count > 0 for g in scenario.anaesthesia.values()):
                fail(f"{where}.sedation", "patients sedated, but the scenario has no anaesthetists")
        if exam.portable is not None:
            if exam.uptake is not None:
                fail(f"{where}.portable", "a bedside exam cannot also have an uptake period")
            if modality.procedures:
                fail(f"{where}.portable", f"{exam.modality} rooms are IR suites; a procedure is not portable")
            if modality.portable_units < 1:
                fail(f"{where}.portable", f"modality {exam.modality} has no portable_units")
        _check_protocol_changes(scenario, name, exam, where, fail)
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
            if follow.priority is not None and follow.priority not in scenario.priorities:
                fail(f"{where}.leads_to.priority",
                     f"unknown priority {follow.priority!r} (declared: {_list(scenario.priorities)})")


def _check_protocol_changes(scenario: Scenario, exam_name: str, exam, where: str, fail) -> None:
    for target in exam.protocol_changes:
        if target not in scenario.exam_types:
            fail(f"{where}.protocol_changes.{target}", f"unknown exam type (declared: {_list(scenario.exam_types)})")
        if target == exam_name:
            fail(f"{where}.protocol_changes.{target}", "an order cannot be changed into its own exam type")
        if scenario.exam_types[target].protocol_changes:
            fail(f"{where}.protocol_changes.{target}", f"{target!r} can be changed itself; changes go one step only")
    if exam.protocol_changes and exam.protocol is None:
        fail(f"{where}.protocol_changes", "orders are changed at their protocol, and this exam type has no protocol")
    if exam.protocol_cancels + sum(exam.protocol_changes.values()) > 1 + 1e-9:
        fail(f"{where}.protocol_changes", "the shares changed and cancelled at the protocol add up to more than 1")


def _check_appointments(scenario: Scenario, fail) -> None:
    for name, book in scenario.appointments.items():
        where = f"appointments.{name}"
        if book.modality not in scenario.modalities:
            fail(f"{where}.modality", f"unknown modality {book.modality!r} (declared: {_list(scenario.modalities)})")
        for category, referral in book.referrals.items():
            if referral.priority is not None and referral.priority not in scenario.priorities:
                fail(f"{where}.referrals.{category}.priority",
                     f"unknown priority {referral.priority!r} (declared: {_list(scenario.priorities)})")
        if book.queue_after is not None and book.queue_after not in scenario.priorities:
            fail(f"{where}.queue_after", f"unknown priority {book.queue_after!r} (declared: {_list(scenario.priorities)})")
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
    for section in ("technologists", "radiologists", "porters", "anaesthesia"):
        for group_name, group in getattr(scenario, section).items():
            for i, person in enumerate(group.given_names()):
                if person in seen:
                    fail(f"{section}.{group_name}.names.{i}", f"{person!r} is also in {seen[person]}")
                seen[person] = f"{section}.{group_name}"
    from .model import staff_names  # the generated names, as the model gives them

    generated: dict[str, str] = {}
    for member in staff_names(scenario):
        section = f"{member.role}s.{member.group}"
        if member.name in generated and generated[member.name] != section or \
                member.name in seen and seen[member.name] != section:
            fail(f"{section}.names", f"{member.name!r} names two people (given in one group, generated in "
                                     "another); choose another name")
        generated[member.name] = section


def _check_workable(scenario: Scenario, fail) -> None:
    """Configurations that are valid one field at a time but could never do their work."""
    owner: dict[str, str] = {}
    for name, spec in scenario.modalities.items():
        for scanner in spec.scanner_names(name):
            if scanner in owner:
                fail(f"modalities.{name}.scanners", f"scanner {scanner!r} is also a {owner[scanner]} scanner")
            owner[scanner] = name
    used = {e.subspecialty for e in scenario.exam_types.values()}
    for name, group in scenario.radiologists.items():
        if group.subspecialties != "any":
            for i, sub in enumerate(group.subspecialties):
                if sub not in used:
                    fail(f"radiologists.{name}.subspecialties.{i}",
                         f"no exam type has subspecialty {sub!r} (exam types have: {_list(sorted(used))})")
        if group.interruptions is not None and "resumption_penalty" in group.interruptions.model_fields_set:
            for modality in group.interruptions.resumption_penalty:
                if modality not in scenario.modalities:
                    fail(f"radiologists.{name}.interruptions.resumption_penalty.{modality}",
                         f"unknown modality (declared: {_list(scenario.modalities)})")
    for exam_name, priorities in demanded(scenario).items():
        exam = scenario.exam_types[exam_name]
        where = f"exam_types.{exam_name}"
        if exam.ai is not None and scenario.ai_triage.mode == "reprioritise":
            raised = scenario.ai_triage.raise_to
            readers = [g for g in scenario.radiologists.values() if g.count > 0]
            if not any(can_read(g, exam.modality, exam.subspecialty, raised) for g in readers):
                fail("ai_triage.raise_to", f"no radiologist reads {exam.modality} {exam.subspecialty} studies of "
                                           f"priority {raised!r}, which AI-flagged {exam_name} studies are raised to")
        _check_finalised(scenario, exam_name, priorities, where, fail)
        _check_scanner_time(scenario, exam_name, priorities, where, fail)
        follow = exam.leads_to
        if follow is not None and follow.share > 0:
            chosen = [p for p in priorities if follow.priorities is None or p in follow.priorities]
            if follow.priority is not None and chosen:
                chosen = [follow.priority]
            _check_servable(scenario, follow.exam_type, chosen, f"{where}.leads_to.exam_type", fail)


def _check_finalised(scenario: Scenario, exam_name: str, priorities, where: str, fail) -> None:
    """A study that a preliminary reader may read must have someone to finalise it."""
    exam = scenario.exam_types[exam_name]
    groups = [g for g in scenario.radiologists.values() if g.count > 0]
    for priority in sorted(priorities):
        prelim = [n for n, g in scenario.radiologists.items() if g.count > 0 and g.reports == "preliminary"
                  and can_read(g, exam.modality, exam.subspecialty, priority)]
        if prelim and not any(g.reports == "final" and can_read(g, exam.modality, exam.subspecialty, priority)
                              for g in groups):
            fail(f"radiologists.{prelim[0]}.reports", f"nobody finalises the preliminary reports of {priority} "
                                                      f"{exam_name} studies")


def _check_scanner_time(scenario: Scenario, exam_name: str, priorities, where: str, fail) -> None:
    """Some scanner of the modality must take these priorities at some open hour, with a technologist on duty."""
    from .roster import intervals, merge

    exam = scenario.exam_types[exam_name]
    spec = scenario.modalities[exam.modality]
    week = 8  # the weekly pattern, and a night shift crossing into the next week
    opening = intervals(spec.hours, week, scenario.start_weekday)
    staffed = merge([span for g in scenario.technologists.values() if g.count > 0 and exam.modality in g.modalities
                     for span in intervals(g.shifts, week, scenario.start_weekday)])
    if not _overlap(opening, staffed):
        fail(f"modalities.{exam.modality}.hours", f"{exam.modality} is never open while one of its technologists "
                                                  "is on duty")
    if exam.portable is not None:
        return
    for priority in sorted(priorities):
        if all(_reserved_against(spec, scanner, priority, week, scenario.start_weekday)
               for scanner in spec.scanner_names(exam.modality)):
            fail(f"modalities.{exam.modality}.reserved", f"every {exam.modality} scanner is reserved around the "
                                                         f"clock for other priorities than {priority!r}")


def _reserved_against(spec, scanner: str, priority: str, days: int, weekday: str) -> bool:
    from .roster import intervals, merge

    spans = merge([span for r in spec.reserved if scanner in r.scanners and priority not in r.priorities
                   for span in intervals(r.hours, days, weekday)])
    return bool(spans) and spans[0][0] <= 0 and spans[0][1] >= days * 1440.0


def _overlap(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> bool:
    return any(min(e1, e2) > max(s1, s2) for s1, e1 in a for s2, e2 in b)


def _check_servable(scenario: Scenario, exam_name: str, priorities: list[str], field: str, fail) -> None:
    """Someone on the staff must be able to scan, and someone to read, this exam at these priorities."""
    exam = scenario.exam_types[exam_name]
    if not any(exam.modality in g.modalities for g in scenario.technologists.values() if g.count > 0):
        fail(field, f"no technologist is credentialed for {exam.modality}")
    readers = [g for g in scenario.radiologists.values() if g.count > 0]
    for priority in priorities:
        if not any(can_read(g, exam.modality, exam.subspecialty, priority) for g in readers):
            fail(field, f"no radiologist reads {exam.modality} {exam.subspecialty} studies of priority {priority!r}")


def _list(names) -> str:
    return ", ".join(names)


# ---------------------------------------------------------------- writing


def to_yaml(scenario: Scenario) -> str:
    """The scenario exactly as it will run, after `extends` and overrides."""
    data = scenario.model_dump(mode="json", by_alias=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
