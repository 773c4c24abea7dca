"""The terminal summary: turnaround by priority, utilisation, worklist and warnings."""
from __future__ import annotations


def _minutes(value) -> str:
    """Minutes, always: a line that says "min" never shows hours."""
    return "-" if value is None else f"{value:.1f}"


def share_text(value) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _in(value, hours: bool, width: int = 6) -> str:
    """A duration in the column's one unit: minutes, or hours where the column needs them."""
    if value is None:
        return f"{'-':>{width}}"
    return f"{value / 60 if hours else value:>{width}.1f}"


def _bound(stats: dict, key: str, hours: bool) -> str:
    """A statistic, marked ≥ where exams still waiting at the end make it a lower bound."""
    text = _in(stats[key], hours).strip()
    return f"{('≥' if stats.get('lower_bound') and stats[key] is not None else '') + text:>6}"


def _needs_hours(values) -> bool:
    """Minutes unless they would not fit the column (a week and more): then the whole column is in hours."""
    return any(v is not None and v >= 10_000 for v in values)


def format_summary(summary: dict) -> str:
    lines = [
        f"radsim: {summary['scenario']}  (seed {summary['seed']}, {summary['days']} days, "
        f"warm-up {summary['warmup_days']:g} days)",
        "",
        "Turnaround by priority; exams ordered after the warm-up. ≥: some were still waiting at the end and count "
        "at their wait so far, so the figure is a lower bound",
    ]
    rows = {n: r for n, r in summary["turnaround"]["priority"].items() if r["count"]}
    measures = ("wait_to_scan", "report_tat", "order_to_report")
    stats = ("mean", "median", "p90", "p95")
    hours = {m: _needs_hours(r[m][k] for r in rows.values() for k in stats) for m in measures}
    target_hours = _needs_hours(r["target_minutes"] for r in rows.values())
    titles = [f"{m} ({'hours' if hours[m] else 'minutes'})" for m in measures]
    w = _name_width(rows)
    header = f"{'priority':<{w}}{'count':>7}  " + "  ".join(f"{t:^27}" for t in titles) + \
        f"  {'report target':>13} {'within':>7}"
    sub = f"{'':<{w}}{'':>7}  " + "  ".join(f"{'mean':>6} {'med':>6} {'p90':>6} {'p95':>6}" for _ in measures) + \
        f"  {'(hours)' if target_hours else '(minutes)':>13}"
    lines += [header, sub]
    for name, row in rows.items():
        cells = [" ".join(_bound(row[m], k, hours[m]) for k in stats) for m in measures]
        lines.append(f"{name:<{w}}{row['count']:>7}  " + "  ".join(cells)
                     + f"  {_in(row['target_minutes'], target_hours, 13)} {share_text(row['within_target']):>7}")
    lines += _targets(summary)
    lines += ["", "Utilisation (busy share of scheduled duty or opening time)"]
    for section, groups in summary["utilisation"].items():
        cells = ", ".join(f"{g} {share_text(v)}" for g, v in groups.items())
        lines.append(f"  {section:<14}{cells}")
    overtime = [f"{g} {h:.1f} h" for groups in summary.get("overtime_hours", {}).values() for g, h in groups.items()
                if h >= 0.05]
    after_hours = [f"{g} {h:.1f} h" for g, h in summary.get("scanner_after_hours", {}).items() if h >= 0.05]
    if overtime:
        lines.append(f"  overtime      {', '.join(overtime)} (work finished past the shift's end; not in the shares)")
    if after_hours:
        lines.append(f"  after hours   {', '.join(after_hours)} (scanning past closing; not in the shares)")
    worklist = summary["worklist"]
    lines += ["", f"Worklist: peak {worklist['peak']} studies"
              + (f" at {worklist['peak_at_clock']}" if worklist["peak_at_clock"] else "")]
    backlog = worklist["morning_backlog"]
    if backlog:
        shown = ", ".join(f"day {b['day']}: {b['studies']}" for b in backlog[:14])
        more = f" ... ({len(backlog)} mornings)" if len(backlog) > 14 else ""
        lines.append(f"  morning backlog at {backlog[0]['at'].split()[-1]}: {shown}{more}")
    prelim = summary.get("preliminary_reports")
    if prelim:
        lines.append(f"Preliminary reports: {prelim['count']} ({prelim['finalised']} finalised); images to prelim: "
                     f"mean {_minutes(prelim['prelim_tat']['mean'])} min; prelim to final: mean "
                     f"{_minutes(prelim['prelim_to_final']['mean'])} min")
    critical = summary.get("critical_results")
    if critical:
        tat = critical["images_to_communicated"]
        lines.append(f"Critical results: {critical['count']} (communicated {critical['communicated']}); images to "
                     f"call completed: mean {_minutes(tat['mean'])}, p90 {_minutes(tat['p90'])} min")
    lines += technologist_side_lines(summary)
    exams = summary["exams"]
    lines.append(f"Exams: {exams['ordered']} ordered, {exams['reported']} reported; at the end "
                 f"{exams['awaiting_scan']} awaiting scan, {exams['being_scanned']} being scanned, "
                 f"{exams['awaiting_read']} awaiting read, {exams['being_read']} being read"
                 + (f", {exams['awaiting_protocol']} awaiting a protocol" if exams.get("awaiting_protocol") else "")
                 + (f", {exams['getting_ready']} patients getting ready" if exams.get("getting_ready") else "")
                 + (f", {exams['awaiting_porter']} waiting for or with a porter" if exams.get("awaiting_porter") else "")
                 + (f"; {exams['cancelled']} cancelled" if exams.get("cancelled") else ""))
    lines += _published(summary)
    for warning in summary["warnings"]:
        lines.append(f"WARNING: {warning}")
    return "\n".join(lines)


def _published(summary: dict) -> list[str]:
    """Where the run stands against published figures: a count, then each figure outside its range."""
    from .published import range_text, value_text

    rows = [r for r in summary.get("published", []) if r["value"] is not None]
    if not rows:
        return []
    outside = [r for r in rows if r["verdict"] in ("below", "above")]
    lines = [f"Compared with published figures: {len(rows) - len(outside)} of {len(rows)} inside the published "
             "range (sources in report.html and summary.json)"]
    lines += [f"  {r['verdict']:<6} {r['label']}: {value_text(r)} (published {range_text(r)})" for r in outside]
    return lines


def _targets(summary: dict) -> list[str]:
    """Every target with its share met, counting unfinished exams (missed once overdue, else unknown)."""
    rows = [r for r in summary.get("targets", []) if r["exams"]]
    if not rows:
        return []
    lines = ["", "Targets (every exam ordered after the warm-up; unfinished ones count as missed once overdue)"]
    for row in rows:
        verdict = "" if row["meets_requirement"] is None else "  ok" if row["meets_requirement"] else "  MISSED"
        unknown = f", {row['unknown']} not yet known" if row["unknown"] else ""
        lines.append(f"  {row['label']:<52} {share_text(row['within_target']):>5} of {row['met'] + row['missed']}"
                     f" (need {share_text(row['required_share'])}{unknown}){verdict}")
    return lines


def _median_p90(stats: dict) -> str:
    """"a median 5.7 min (p90 14.4)", each marked ≥ where it is a lower bound."""
    return f"a median {_bound(stats, 'median', False).strip()} min (p90 {_bound(stats, 'p90', False).strip()})"


def technologist_side_lines(summary: dict) -> list[str]:
    """The summary's lines for readiness, cancellations, dose, door to scan, scanner time, IR, appointments, the
    waiting list and breaks (also in report.html)."""
    lines = []
    for source, rows in summary.get("readiness", {}).items():
        lines.append(f"Patient readiness, {source} (order to ready; then ready to scan start), median min: " + "; ".join(
            f"{p} {_minutes(r['order_to_ready']['median'])}, then {_bound(r['ready_to_scan'], 'median', False).strip()}"
            for p, r in rows.items()))
    for source, rows in summary.get("cancellations", {}).items():
        lines.append(f"Cancelled before the scan, {source}: " + "; ".join(
            f"{p} {r['cancelled']} of {r['ordered']} ({share_text(r['share'])}"
            + (f", {r['at_protocol']} at the protocol" if r.get("at_protocol") else "") + ")" for p, r in rows.items()))
    for source, row in summary.get("transport", {}).items():
        lines.append(f"Porters, {source}: {row['fetched']} of {row['patients']} ready patients fetched; waited for a "
                     f"porter {_median_p90(row['wait_for_porter'])}; round trip a median "
                     f"{_minutes(row['round_trip']['median'])} min")
    for name, row in summary.get("sedation", {}).items():
        lines.append(f"Sedation, {name}: {row['begun']} of {row['sedated']} sedated patients begun; ready to scan "
                     f"{_median_p90(row['ready_to_scan'])}")
    for name, row in summary.get("protocol_changes", {}).items():
        lines.append(f"Changed at the protocol, {name}: {sum(row['changed'].values())} of {row['protocolled']} "
                     f"protocolled ({share_text(row['share'])}): "
                     + ", ".join(f"{n} to {target}" for target, n in row["changed"].items()))
    for unit, table in summary.get("dose", {}).items():
        total = table["all"]
        lines.append(f"Dose ({unit}): {total['exams']} exams, mean {total['mean']:.2f}, total {total['total']:,.0f}; "
                     f"{total['above_reference']} above their reference level "
                     f"({share_text(total['above_reference_share'])})")
    for name, row in summary.get("door_to_scan", {}).items():
        if row["count"]:
            lines.append(f"Door to scan, {name}: mean {_minutes(row['mean'])}, p90 {_minutes(row['p90'])} min; "
                         f"{share_text(row['within_target'])} within {_minutes(row['target_minutes'])} min")
    split = summary.get("scanner_time", {})
    if any(row["prep"] or row["turnover"] or row["travel"] or row["down"] for row in split.values()):
        lines.append("Scanner time (share of opening hours): " + "; ".join(
            f"{label} scan {share_text(row['scanning'])} prep {share_text(row['prep'] + row['travel'])} "
            f"turnover {share_text(row['turnover'])} down {share_text(row['down'])} idle {share_text(row['idle'])}"
            for label, row in split.items()))
    procedures = summary.get("procedures")
    if procedures:
        done = ", ".join(f"{name} {row['done']}" for name, row in procedures["by_type"].items())
        lines.append(f"IR procedures: {done}; {procedures['radiologist_hours']:.0f} radiologist hours "
                     f"({share_text(procedures['share_of_radiologist_time'])} of their time)")
    for name, book in (summary.get("appointments") or {}).items():
        late = book.get("start_after_slot") or {}
        after_slot = (f"; started a median {_minutes(late['median'])} min after the slot (p90 "
                      f"{_minutes(late['p90'])}), {share_text(book['started_within_tolerance'])} within "
                      f"{book['start_tolerance_minutes']:g} min" if late.get("median") is not None else "")
        lines.append(f"Appointments {name}: {book['slots']} slots, {book['attended']} attended, {book['no_shows']} "
                     f"no-shows, {book['idle_slots']} idle slots{after_slot}")
    for name, book in (summary.get("waiting_list") or {}).items():
        cells = []
        for category, row in book["categories"].items():
            wait = row["wait_days"]
            target = (f", {share_text(row['within_target'])} within {row['target_days']:g} days"
                      if row.get("target_days") is not None else "")
            cells.append(f"{category} {row['referrals']} referrals, wait median "
                         f"{_bound(wait, 'median', False).strip()} days (p90 {_bound(wait, 'p90', False).strip()})"
                         + target)
        size = book["list_size"]
        daily = f"mean {size['mean']:.0f}, largest {size['max']}, " if size["mean"] is not None else ""
        lines.append(f"Waiting list {name}: " + "; ".join(cells) + f"; on the list each morning: {daily}"
                     f"at the end {size['at_end']}")
    for group, row in (summary.get("breaks") or {}).items():
        lines.append(f"Breaks, {group}: {row['breaks']}, mean deferral {_minutes(row['mean_deferral_minutes'])} min")
    return lines


# ------------------------------------------------------------- experiments


def _ci(estimate) -> str:
    if estimate is None or estimate.n == 0:
        return "-"
    if estimate.n < 2 or estimate.half_width != estimate.half_width:  # NaN: one replication
        return f"{_minutes(estimate.mean)}"
    return f"{estimate.mean:.1f} ±{estimate.half_width:.1f}"


def _share_ci(estimate) -> str:
    if estimate is None or estimate.n == 0:
        return "-"
    if estimate.n < 2 or estimate.half_width != estimate.half_width:
        return share_text(estimate.mean)
    return f"{100 * estimate.mean:.0f}% ±{100 * estimate.half_width:.0f}"


def _name_width(names) -> int:
    """The priority column fits the longest name (suspected_cancer), and is never narrower than the header."""
    return max(12, 1 + max(map(len, names), default=0))


def format_replications(variant, scenario) -> str:
    """Headline figures across replications: mean ± 95% CI half-width (relative half-width)."""
    e = variant.estimates
    w = _name_width(scenario.priority_names)
    lines = [f"radsim: {scenario.name}, {len(variant.runs)} replications (mean ± 95% CI half-width; minutes)", "",
             f"{'priority':<{w}}{'wait_to_scan mean':>20}{'report_tat mean':>20}{'rel':>6}"
             f"{'report_tat p90':>20}{'rel':>6}{'order_to_report p90':>22}{'within target':>16}"]
    for name in scenario.priority_names:
        mean = e.get(f"priority.{name}.report_tat.mean")
        if mean is None:
            continue
        p90 = e.get(f"priority.{name}.report_tat.p90")
        lines.append(
            f"{name:<{w}}{_ci(e.get(f'priority.{name}.wait_to_scan.mean')):>20}{_ci(mean):>20}"
            f"{_rel(mean):>6}{_ci(p90):>20}{_rel(p90):>6}"
            f"{_ci(e.get(f'priority.{name}.order_to_report.p90')):>22}"
            f"{_share_ci(e.get(f'priority.{name}.within_target')):>16}")
    lines += ["", "Utilisation"]
    for section in ("technologists", "scanners", "radiologists"):
        cells = [f"{k.split('.')[-1]} {_share_ci(v)}" for k, v in e.items() if k.startswith(f"utilisation.{section}.")]
        lines.append(f"  {section:<14}{', '.join(cells)}")
    return "\n".join(lines)


def _rel(estimate) -> str:
    if estimate is None or estimate.n < 2 or estimate.relative_half_width != estimate.relative_half_width:
        return ""
    return f"{100 * estimate.relative_half_width:.0f}%"


def format_sweep(rows: list[dict], scenario) -> str:
    lines = ["radsim sweep: p90 images-to-report turnaround per priority (mean of replications), paid staff-hours"]
    settings = [k for k in rows[0] if k.startswith("set:")] if rows else []
    header = "  ".join(f"{k[4:]:>20}" for k in settings) + f"{'staff h/week':>14}"
    names = [n for n in scenario.priority_names if any(f"{n}.p90" in r for r in rows)]
    hours = {n: _needs_hours(r.get(f"{n}.p90") for r in rows) for n in names}
    header += "".join(f"{n + ' p90 (' + ('h' if hours[n] else 'min') + ')':>22}" for n in names)
    lines.append(header)
    for r in rows:
        line = "  ".join(f"{str(r[k]):>20}" for k in settings) + f"{r['staff_hours_per_week']:>14.0f}"
        line += "".join(_in(r.get(f"{n}.p90"), hours[n], 22) for n in names)
        lines.append(line)
    return "\n".join(lines)


# ------------------------------------------------------------- experiment measures


def format_value(estimate, unit: str, difference: bool = False) -> str:
    """mean ±half-width (or, for a difference, mean [low, high]) in the measure's own unit, one unit a column."""
    if estimate is None or estimate.n == 0 or estimate.mean != estimate.mean:
        return "-"
    scale = 100.0 if unit == "share" else 1.0
    suffix = ("pp" if difference else "%") if unit == "share" else ""
    sign = "+" if difference else ""
    mean = f"{scale * estimate.mean:{sign}.1f}{suffix}"
    if estimate.n < 2 or estimate.low != estimate.low:
        return mean
    if difference:
        return f"{mean} [{scale * estimate.low:+.1f}, {scale * estimate.high:+.1f}]"
    return f"{mean} ±{scale * estimate.half_width:.1f}"


def significance_mark(estimate) -> str:
    if estimate is None or estimate.n < 2 or estimate.low != estimate.low:
        return " "
    return "*" if estimate.low > 0 or estimate.high < 0 else " "


def format_measures(columns: list[tuple[str, dict]], keys: list[str], differences: list[tuple[str, dict]] = (),
                    currency: str = "staff-hours") -> str:
    """A table of measures (rows) by variant (columns: mean ±95% CI half-width), then paired differences from
    the baseline (mean [95% CI], * where the interval excludes 0). Minutes stay minutes; shares are per cent and
    their differences percentage points."""
    from .measures import label, unit

    head = f"{'measure':<46}{'unit':<14}" + "".join(f"{t[:22]:>24}" for t, _ in columns) + \
        "".join(f"{('Δ ' + t)[:26]:>30}" for t, _ in differences)
    lines = [head]
    for key in keys:
        u = unit(key, currency)
        shown = "%" if u == "share" else u
        row = f"{label(key)[:45]:<46}{shown[:13]:<14}" + "".join(f"{format_value(e.get(key), u):>24}" for _, e in columns)
        row += "".join(f"{format_value(d.get(key), u, True):>29}{significance_mark(d.get(key))}" for _, d in differences)
        lines.append(row)
    return "\n".join(lines)
