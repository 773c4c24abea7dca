"""report.html for an experiment (replications, compare, sweep): one self-contained page.

It states the question, shows the variants side by side on the chosen
measures with 95% CIs, the paired differences from the baseline, every
figure, and the warnings of every variant.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from .console import significance_mark, format_value
from .measures import label, unit
from .report import STYLE, figure_html, table_html


def write_experiment_report(path: Path, question: str, variants, keys: list[str], differences=(),
                            figures: list[Path] = (), warnings: list[str] = (), currency: str = "staff-hours",
                            answer: list[str] = ()) -> None:
    header = ["measure", "unit", *(v.label for v in variants), *(f"Δ {name} [95% CI]" for name, _ in differences)]
    rows = []
    for key in keys:
        u = unit(key, currency)
        rows.append([label(key), "%" if u == "share" else u, *(format_value(v.estimates.get(key), u) for v in variants),
                     *(format_value(d.get(key), u, True) + significance_mark(d.get(key)).strip() for _, d in differences)])
    runs = ", ".join(f"{escape(v.label)}: {len(v.runs)}" for v in variants)
    described = "".join(f"<li><b>{escape(v.label)}</b>: {escape(v.scenario.name)}"
                        + (f" – {escape(v.scenario.description)}" if v.scenario.description else "") + "</li>"
                        for v in variants)
    notes = ("<p>Means over replications ± the half-width of their 95% confidence interval. Differences are "
             "paired: replication k of every variant sees the same patients (common random numbers), so a "
             "difference whose interval excludes 0 (marked *) is a real effect, even where the variants' own "
             "intervals overlap. Shares are per cent; their differences percentage points.</p>")
    warning_html = "".join(f'<div class="warning">{escape(w)}</div>' for w in warnings) or "<p>None.</p>"
    pngs = [p for p in figures if p.suffix == ".png"]
    html = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>radsim: {escape(question)}"
            f"</title><style>{STYLE}</style></head><body><h1>radsim: {escape(question)}</h1>"
            + (f"<h2>Answer</h2><div id=\"answer\">{''.join(f'<p>{escape(line)}</p>' for line in answer)}</div>"
               if answer else "")
            + f"<h2>Warnings</h2>{warning_html}"
            f"<h2>Variants</h2><ul>{described}</ul><p>Replications: {runs}.</p>"
            f"<h2>Measures</h2>{notes}<div id=\"measures\">{table_html(header, rows, 'measures')}</div>"
            "<h2>Figures</h2>" + "".join(figure_html(p) for p in pngs) + "</body></html>\n")
    path.write_text(html, encoding="utf-8")
