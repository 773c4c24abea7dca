"""report.html: one self-contained page per run (figures embedded, no server needed).

It holds the scenario in brief (staff, shifts, scanners, demand), the summary
table, every figure, the warnings, the assumptions behind the numbers and,
where the scenario asks for it, the narrative of a window of time.
"""
from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from .clock import format_clock
from .console import share_text
from .records import ROLES, Result

ASSUMPTIONS = [
    "Times are minutes; turnaround statistics cover exams ordered after the warm-up.",
    "report_tat runs from images complete to report signed; order_to_report from order to report signed.",
    "A study still unreported at the end counts as missing its target once the target has passed, "
    "and is left out of means and percentiles.",
    "A scan needs a free, open scanner and an on-duty technologist credentialed for the modality at the same time.",
    "Radiologists read the best priority they are eligible for, oldest first; preempting priorities interrupt "
    "lower-priority reads, which later resume their remaining time.",
    "Staff finish the task in hand at the end of a shift (overtime) and start nothing off shift.",
    "Utilisation is busy time within scheduled duty over scheduled duty (staff; work past the shift's end is "
    "overtime, shown on its own) or within opening hours over opening hours (scanners; scanning past closing "
    "is after-hours work).",
    "A turnaround statistic marked ≥ includes exams still waiting at the end, at their wait so far: a lower bound.",
]

# What each figure shows, as a caption a manager can read without the legend.
CAPTIONS = {
    "report_tat": "Report turnaround (images complete to signed report) by priority: the share of studies signed "
                  "within each time, on a log scale; dotted lines are the targets. A curve that stops below 1 has "
                  "studies still unreported at the end.",
    "queues": "Orders waiting for a scan and studies waiting on the worklist over the whole run, with the "
              "radiologists on duty shaded: the overnight backlog builds when few are on duty.",
    "hourly_flow": "Orders placed and reports signed per hour of day, averaged over the days after the warm-up: "
                   "where reports lag orders, the worklist grows.",
    "utilisation_by_hour": "Busy share of each staff group's scheduled duty and each modality's opening hours, by "
                           "hour of day (blank: nobody scheduled, or closed). Overtime is not in these shares.",
    "timeline": "Who did what over one stretch of time, one lane per person and scanner; the followed exam is "
                "outlined.",
    "waiting_list": "Referrals on each waiting list at the start of every day, by urgency category (most urgent at "
                    "the bottom), with each category's share booked within its target: a list that keeps growing "
                    "books fewer slots than it receives referrals.",
    "profiles": "Over replications, by hour of day: both queues and the flow of orders and reports (mean, with the "
                "band of its 95% confidence interval), and the mean busy share of every group.",
    "differences": "Each measure's change from the baseline, paired over replications, with its 95% confidence "
                   "interval; filled points are changes whose interval excludes zero.",
}


def _window_text(windows) -> str:
    return "; ".join(f"{format_clock(w.start)}-{format_clock(w.end)}"
                     + ("" if len(w.days) == 7 else f" ({', '.join(w.days)})") for w in windows)


def table_html(header: list[str], rows: list[list[str]], css: str = "", row_classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    classes = [f' class="{c}"' if c else "" for c in row_classes] if row_classes else [""] * len(rows)
    body = "".join(f"<tr{cls}>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>"
                   for cls, row in zip(classes, rows))
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _scenario_section(result: Result) -> str:
    s = result.scenario
    staff = [[role.name, name, g.count, ", ".join(getattr(g, "modalities", ["patient transport"])),
              _window_text(g.shifts),
              ("" if role.name != "radiologist" else
               f"{'any' if g.subspecialties == 'any' else ', '.join(g.subspecialties)}; "
               f"{'all' if g.priorities == 'all' else ', '.join(g.priorities)}")]
             for role in ROLES for name, g in role.groups(s).items()]
    scanners = [[m, spec.scanner_count, _window_text(spec.hours)] for m, spec in s.modalities.items()]
    demand = [[name, f"{src.exams_per_day:g}", ", ".join(f"{k} {v.share:g}" for k, v in src.exam_mix.items()),
               ", ".join(f"{k} {v:g}" for k, v in src.priority_mix.items())] for name, src in s.demand.items()]
    priorities = [[name, f"{p.target_minutes:g}", "yes" if p.preempts else "no"] for name, p in s.priorities.items()]
    return (f"<h2>The department</h2><p>{escape(s.description)}</p>"
            f"<p>{s.days} days from a {s.start_weekday}, warm-up {s.warmup_days:g} days, seed {result.seed}.</p>"
            + table_html(["role", "group", "count", "modalities", "shifts", "reads (subspecialties; priorities)"], staff)
            + table_html(["modality", "scanners", "opening hours"], scanners)
            + table_html(["source", "exams/day", "exam mix (weights)", "priority mix (weights)"], demand)
            + table_html(["priority (reading order)", "report target (min)", "preempts"], priorities))


def _summary_section(summary: dict) -> str:
    rows = []
    for name, row in summary["turnaround"]["priority"].items():
        if not row["count"]:
            continue
        rows.append([name, row["count"], *(_bounded(row["wait_to_scan"], k) for k in ("mean", "p90")),
                     *(_bounded(row["report_tat"], k) for k in ("mean", "median", "p90", "p95")),
                     _bounded(row["order_to_report"], "p90"), f"{row['target_minutes']:g}",
                     share_text(row["within_target"])])
    table = table_html(["priority", "count", "wait_to_scan mean", "wait_to_scan p90", "report_tat mean",
                    "report_tat median", "report_tat p90", "report_tat p95", "order_to_report p90", "target",
                    "within target"], rows, "summary")
    targets = [[row["label"], row["exams"], row["met"], row["missed"], row["unknown"], share_text(row["within_target"]),
                share_text(row["required_share"]),
                "-" if row["meets_requirement"] is None else "met" if row["meets_requirement"] else "MISSED"]
               for row in summary.get("targets", []) if row["exams"]]
    target_table = table_html(["target", "exams", "met", "missed", "not yet known", "within target", "required",
                           "verdict"], targets, "targets") if targets else ""
    breakdowns = "".join(
        f"<h2>Turnaround by {by} (minutes)</h2>" + table_html(
            [by, "count", "reported", "order to scan mean", "order to scan p90", "ready to scan mean",
             "ready to scan p90", "images to report mean", "images to report p90", "order to report p90"],
            [[name, row["count"], row["reported"], _bounded(row["wait_to_scan"], "mean"),
              _bounded(row["wait_to_scan"], "p90"), _bounded(row["ready_to_scan"], "mean"),
              _bounded(row["ready_to_scan"], "p90"), _bounded(row["report_tat"], "mean"),
              _bounded(row["report_tat"], "p90"), _bounded(row["order_to_report"], "p90")]
             for name, row in summary["turnaround"][by].items() if row["count"]], f"by-{by}")
        for by in ("modality", "source"))
    utilisation = [[section, group, share_text(v)] for section, groups in summary["utilisation"].items()
                   for group, v in groups.items()]
    backlog = summary["worklist"]["morning_backlog"]
    backlog_text = ", ".join(f"day {b['day']}: {b['studies']}" for b in backlog)
    return (f'<h2>Turnaround by priority (minutes; ≥: a lower bound, some were still waiting at the end)</h2>'
            f'<div id="summary-table">{table}</div>'
            + (f"<h2>Targets</h2><p>Every exam ordered after the warm-up counts: an unfinished one is a miss once "
               f"its target has passed, and not yet known before.</p>{target_table}" if target_table else "")
            + breakdowns
            + f"<h2>Utilisation</h2>{table_html(['', 'group', 'busy share'], utilisation)}"
            f"<h2>Worklist</h2><p>Peak {summary['worklist']['peak']} studies"
            f"{' at ' + summary['worklist']['peak_at_clock'] if summary['worklist']['peak_at_clock'] else ''}. "
            f"Morning backlog: {escape(backlog_text) or 'none'}.</p>")


def _department_section(summary: dict) -> str:
    """Readiness, cancellations, dose, door to scan, the scanners' time, IR, appointments, the waiting list and
    breaks: the terminal summary's lines for them, as a list."""
    from .console import technologist_side_lines

    lines = technologist_side_lines(summary)
    if not lines:
        return ""
    return ("<h2>Before, around and after the scan</h2><ul id=\"department\">"
            + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>")


def _published_section(summary: dict) -> str:
    """Each published figure beside this run's: inside, below or above the range, with the source."""
    from .published import range_text, value_text

    rows = [[r["label"], value_text(r) if r["value"] is not None else f"not measured: {r['why_not_measured']}",
             range_text(r), r["verdict"], r["published"], r["source"], r["basis"]]
            for r in summary.get("published", [])]
    if not rows:
        return ""
    return ("<h2>Compared with published figures</h2><p>Where this run's figures fall against ranges published for "
            "real departments. A range read from a single published figure is a judgement, said in the last "
            "column; ≥ marks a figure that counts exams still waiting at the end at their wait so far.</p>"
            + table_html(["measure", "this run", "published range", "verdict", "as published", "source",
                          "how the range was read"], rows, "published", [_verdict_class(r["verdict"])
                                                                      for r in summary.get("published", [])]))


def _verdict_class(verdict: str) -> str:
    return {"inside": "inside", "below": "outside", "above": "outside"}.get(verdict, "")


def _bounded(stats: dict, key: str) -> str:
    value = stats.get(key)
    if value is None:
        return "-"
    return ("≥" if stats.get("lower_bound") else "") + f"{value:.1f}"


def figure_html(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    caption = CAPTIONS.get(path.stem, path.stem.replace("_", " "))
    return (f'<figure><img alt="{escape(path.stem)}" src="data:image/png;base64,{data}" '
            f'onload="this.dataset.loaded=1" onerror="this.dataset.failed=1">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1300px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:0.8em 0;font-size:0.9em}
th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:left}
th{background:#f3f3f3}
figure{margin:1.5em 0} img{max-width:100%} figcaption{color:#666;font-size:0.85em}
.warning{background:#fff3cd;border-left:4px solid #e0a800;padding:0.4em 0.8em;margin:0.3em 0}
table.published td:nth-child(2),table.published td:nth-child(3){white-space:nowrap}
table.published tr.inside td:nth-child(4){background:#dff0d8}
table.published tr.outside td:nth-child(4){background:#fbe3c2;font-weight:bold}
pre{background:#f7f7f7;padding:1em;overflow-x:auto;font-size:0.85em;white-space:pre-wrap}
"""


def write_report(result: Result, summary: dict, figures: list[Path], path: Path, narrative: str | None = None) -> None:
    warnings = "".join(f'<div class="warning">{escape(w)}</div>' for w in summary["warnings"]) or "<p>None.</p>"
    window = result.scenario.report.narrative
    heading = f"{window.from_} to {window.to}" if window is not None else "the narrative window"
    story = (f"<h2>What happened, {escape(heading)}</h2>"
             f"<pre id=\"narrative\">{escape(narrative)}</pre>") if narrative else ""
    pngs = [p for p in figures if p.suffix == ".png"]
    html = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>radsim: {escape(result.scenario.name)}</title><style>{STYLE}</style></head><body>"
            f"<h1>radsim: {escape(result.scenario.name)}</h1>"
            + f"<h2>Warnings</h2>{warnings}"
            + _summary_section(summary)
            + _department_section(summary)
            + _published_section(summary)
            + "<h2>Figures</h2>" + "".join(figure_html(p) for p in pngs)
            + story
            + _scenario_section(result)
            + "<h2>Assumptions</h2><ul>" + "".join(f"<li>{escape(a)}</li>" for a in ASSUMPTIONS) + "</ul>"
            + "</body></html>\n")
    path.write_text(html, encoding="utf-8")
