"""The measures experiments report: what each figure of a run is, in words and units, and the default set.

A replication's figures are flat keys (`priority.stat.order_to_report.p90`,
`utilisation.technologists.ct_night`, `target.door_to_scan.stroke`,
`worklist.morning_backlog.mean`, `cost.per_week`...). `--measure PATTERN`
(repeatable, shell-style wildcards) chooses which of them an experiment shows;
the default set covers the scan side, the reading side, what the referring
doctor feels, door-to-scan, every target, utilisation, the morning backlog
and staff cost.
"""
from __future__ import annotations

from fnmatch import fnmatch

DEFAULT_MEASURES = (
    "priority.*.wait_to_scan.mean",
    "priority.*.report_tat.p90",
    "priority.*.order_to_report.p90",
    "door_to_scan.*.p90",
    "target.*",
    "utilisation.*",
    "worklist.morning_backlog.mean",
    "cost.per_week",
)

WORDS = {"wait_to_scan": "order to scan", "acquisition": "acquisition", "report_tat": "images to report",
         "order_to_report": "order to report", "order_to_images": "order to images", "door_to_scan": "door to scan"}


def target_key(row: dict) -> str:
    scope = "".join(f".{row[k]}" for k in ("modality", "source") if row.get(k))
    return f"target.{row['measure']}.{row['priority']}{scope}"


def select(keys, patterns=None) -> list[str]:
    """The keys matching any pattern, in the patterns' order (then the keys' own order)."""
    chosen: list[str] = []
    for pattern in patterns or DEFAULT_MEASURES:
        chosen += [k for k in keys if fnmatch(k, pattern) and k not in chosen]
    return chosen


def _published(key: str):
    from .published import FIGURES

    return next((f for f in FIGURES if f"published.{f.key}" == key), None)


def unit(key: str, currency: str = "staff-hours") -> str:
    """"minutes", "share", "studies", "hours", "exams", "days", "referrals" or the cost currency."""
    parts = key.split(".")
    if parts[0] == "published" and _published(key) is not None:
        return {"min": "minutes", "h": "hours"}.get(_published(key).unit, _published(key).unit)
    if parts[0] == "waiting_list":
        return "days" if "wait_days" in parts else "referrals" if "list_size" in parts else "share"
    if parts[0] == "cost":
        return f"{currency}/week"
    if parts[0] == "overtime":
        return "hours"
    if parts[0] == "worklist":
        return "studies"
    if parts[0] in ("utilisation", "target") or parts[-1] == "within_target":
        return "share"
    if parts[-1] == "count":
        return "exams"
    return "minutes"


def label(key: str) -> str:
    """Words for a figure, e.g. "stat order to report p90", "CT night technologists' utilisation"."""
    parts = key.split(".")
    head = parts[0]
    if head == "priority":
        return " ".join([parts[1], *(WORDS.get(p, p.replace("_", " ")) for p in parts[2:])])
    if head == "door_to_scan":
        return f"{parts[1]} door to scan {parts[2].replace('_', ' ')}"
    if head == "target":
        scope = " ".join(parts[3:])
        return f"{parts[2]}{' ' + scope if scope else ''} {WORDS.get(parts[1], parts[1])} within target"
    if head == "utilisation":
        return f"{parts[2]} {parts[1]} busy"
    if head == "overtime":
        return f"{parts[2]} {parts[1]} overtime"
    if key == "worklist.morning_backlog.mean":
        return "morning backlog (studies on the worklist)"
    if key == "worklist.peak":
        return "worklist peak"
    if key == "cost.per_week":
        return "staff cost per week"
    if head == "published" and _published(key) is not None:
        return _published(key).label
    if head == "waiting_list":  # short: the statistic must survive a table's column width
        if parts[2] == "list_size":
            return f"{parts[1]} waiting list, mean"
        if parts[3] == "wait_days":
            return f"{parts[1]} {parts[2]} {parts[4]} wait"
        return f"{parts[1]} {parts[2]} within target"
    return key


def possible(scenario) -> set[str]:
    """Every figure key a replication of `scenario` can have (a figure is left out of a run that had no exams
    for it), so a measure named in a search file can be checked before anything runs. Scanner utilisation keys
    are matched by their prefix."""
    from .experiment import MEASURES, TURNAROUND_STATISTICS
    from .targets import targets_of

    keys = {"cost.per_week", "worklist.peak", "worklist.morning_backlog.mean"}
    for name in scenario.priorities:
        keys |= {f"priority.{name}.count", f"priority.{name}.within_target"}
        keys |= {f"priority.{name}.{m}.{s}" for m in MEASURES for s in TURNAROUND_STATISTICS}
        keys |= {f"door_to_scan.{name}.{s}" for s in ("mean", "p90", "within_target")}
    for section, groups in (("technologists", scenario.technologists), ("radiologists", scenario.radiologists)):
        keys |= {f"{head}.{section}.{group}" for head in ("utilisation", "overtime") for group in groups}
    keys |= {target_key(vars(t)) for t in targets_of(scenario)}
    from .published import FIGURES

    keys |= {f"published.{f.key}" for f in FIGURES}
    for name, book in scenario.appointments.items():
        if book.referrals:
            keys.add(f"waiting_list.{name}.list_size.mean")
            for category, referral in book.referrals.items():
                keys |= {f"waiting_list.{name}.{category}.wait_days.{s}" for s in ("median", "p90")}
                if referral.target_days is not None:
                    keys.add(f"waiting_list.{name}.{category}.within_target")
    return keys


def is_possible(key: str, scenario) -> bool:
    return key in possible(scenario) or key.startswith("utilisation.scanners.")
