"""The terminal summary: turnaround by priority, utilisation, worklist and warnings."""
from __future__ import annotations


def _minutes(value) -> str:
    if value is None:
        return "-"
    if value >= 600:
        return f"{value / 60:.1f}h"
    return f"{value:.1f}"


def _share(value) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def format_summary(summary: dict) -> str:
    lines = [
        f"radsim: {summary['scenario']}  (seed {summary['seed']}, {summary['days']} days, "
        f"warm-up {summary['warmup_days']:g} days)",
        "",
        "Turnaround by priority, minutes (h = hours); exams ordered after the warm-up",
    ]
    header = f"{'priority':<12}{'count':>7}  {'wait_to_scan':^23}  {'report_tat':^23}  {'order_to_report':^23}  {'target':>7} {'within':>7}"
    sub = f"{'':<12}{'':>7}  " + "  ".join(f"{'mean':>5} {'med':>5} {'p90':>5} {'p95':>5}" for _ in range(3))
    lines += [header, sub]
    for name, row in summary["turnaround"]["priority"].items():
        if not row["count"]:
            continue
        cells = []
        for measure in ("wait_to_scan", "report_tat", "order_to_report"):
            stats = row[measure]
            cells.append(" ".join(f"{_minutes(stats[k]):>5}" for k in ("mean", "median", "p90", "p95")))
        lines.append(f"{name:<12}{row['count']:>7}  " + "  ".join(cells)
                     + f"  {_minutes(row['target_minutes']):>7} {_share(row['within_target']):>7}")
    lines += ["", "Utilisation (busy share of on-duty or opening time)"]
    for section, groups in summary["utilisation"].items():
        cells = ", ".join(f"{g} {_share(v)}" for g, v in groups.items())
        lines.append(f"  {section:<14}{cells}")
    worklist = summary["worklist"]
    lines += ["", f"Worklist: peak {worklist['peak']} studies"
              + (f" at {worklist['peak_at_clock']}" if worklist["peak_at_clock"] else "")]
    backlog = worklist["morning_backlog"]
    if backlog:
        shown = ", ".join(f"day {b['day']}: {b['studies']}" for b in backlog[:14])
        more = f" ... ({len(backlog)} mornings)" if len(backlog) > 14 else ""
        lines.append(f"  morning backlog at {backlog[0]['at'].split()[-1]}: {shown}{more}")
    exams = summary["exams"]
    lines.append(f"Exams: {exams['ordered']} ordered, {exams['reported']} reported; at the end "
                 f"{exams['awaiting_scan']} awaiting scan, {exams['being_scanned']} being scanned, "
                 f"{exams['awaiting_read']} awaiting read, {exams['being_read']} being read")
    for warning in summary["warnings"]:
        lines.append(f"WARNING: {warning}")
    return "\n".join(lines)
