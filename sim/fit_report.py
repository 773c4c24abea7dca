"""The fit report: what `fit` read, what it set aside, what it fitted and what it assumed, as one HTML page.

Every fitted room-time distribution is drawn over its data (histogram and density, with a Q-Q plot of the
chosen family), the arrival profiles of each source beside their fitted shares, and what the export shows of
rooms and people at work; every assumption the fitted scenario rests on is listed. Figures are embedded, so the
page is one file that opens in any browser.
"""
from __future__ import annotations

import base64
import io
from html import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .clock import WEEKDAYS  # noqa: E402
from .fitting import FAMILIES, Export, inferred_roster, parameters_text, people_seen, rooms_seen  # noqa: E402
from .report import STYLE, table_html  # noqa: E402


def _embedded(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" onload="this.dataset.loaded=1">'


def arrivals_figure(demand: dict) -> str:
    """Per source: the share of each hour's orders (×24: 1 is an average hour) and each weekday's factor."""
    fig, axes = plt.subplots(len(demand), 2, figsize=(12, 2.6 * len(demand)), squeeze=False,
                             gridspec_kw={"width_ratios": [3, 1]})
    for row, (source, d) in zip(axes, demand.items()):
        row[0].bar(range(24), d["hourly_profile"], color="#2980b9")
        row[0].set(xlim=(-0.5, 23.5), xticks=range(0, 24, 2), ylabel="orders vs an average hour",
                   title=f"{source}: {d['exams_per_day']:.1f} orders a day, by hour of day")
        factors = [d["weekday_factors"].get(w, np.nan) for w in WEEKDAYS]
        row[1].bar(WEEKDAYS, factors, color="#27ae60")
        row[1].axhline(1, color="black", linewidth=0.8)
        row[1].set(title="weekday factor", ylim=(0, max(1.5, np.nanmax(factors) * 1.1)))
    axes[-1][0].set_xlabel("hour of day")
    fig.tight_layout()
    return _embedded(fig)


def durations_figure(name: str, fit: dict, what: str = "room time", span: str = "begun to ended") -> str:
    """Histogram of the times with every family's fitted density (the chosen one bold), and a Q-Q plot."""
    values = fit["values"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.2), gridspec_kw={"width_ratios": [2, 1]})
    top = np.percentile(values, 99.5)
    left.hist(values, bins=60, range=(0, top), density=True, color="#dddddd", edgecolor="#bbbbbb")
    grid = np.linspace(top / 400, top, 400)
    if fit["best"]["dist"] == "fixed":
        left.axvline(fit["best"]["value"], linewidth=2.2, label=f"fixed at {fit['best']['value']:g} min")
        left.set(title=f"{name}: {what} of {fit['n']} exams", xlabel=f"minutes ({span})")
        left.legend(fontsize="small")
        right.set_axis_off()
        fig.tight_layout()
        return _embedded(fig)
    for f in fit["all"]:
        if f["dist"] not in fit["params"]:  # the empirical percentiles: the histogram is their density
            continue
        family, params = FAMILIES[f["dist"]][0], fit["params"][f["dist"]]  # as fitted: not fitted again
        best = f is fit["best"]
        left.plot(grid, family.pdf(grid, *params), linewidth=2.2 if best else 1, linestyle="-" if best else "--",
                  label=f"{f['dist']} (AIC {f['aic']:.0f}{', chosen' if best else ''})")
    left.set(title=f"{name}: {what} of {fit['n']} exams", xlabel=f"minutes ({span})", ylabel="density")
    left.legend(fontsize="small", loc="upper right", title="all rejected: percentiles chosen"
                if fit["best"]["dist"] == "empirical" else None)
    probabilities = (np.arange(1, len(values) + 1) - 0.5) / len(values)
    if fit["best"]["dist"] == "empirical":
        theoretical = np.quantile(fit["best"]["values"], probabilities)
    else:
        family, params = FAMILIES[fit["best"]["dist"]][0], fit["params"][fit["best"]["dist"]]
        theoretical = family.ppf(probabilities, *params)
    right.scatter(theoretical, np.sort(values), s=4, color="#2980b9")
    limit = max(theoretical[-1], values.max())
    right.plot([0, limit], [0, limit], color="black", linewidth=0.8)
    right.set(title=f"Q-Q, {fit['best']['dist']} (KS p {fit['best']['ks_p']:.2f})", xlabel="fitted quantile (min)",
              ylabel="observed (min)")
    fig.tight_layout()
    return _embedded(fig)


def staff_figure(export: Export) -> str | None:
    """People seen at work by weekday and hour, technologists and radiologists."""
    grids = {role: people_seen(export, role) for role in ("technologist", "radiologist")}
    if not any(g.any() for g in grids.values()):
        return None
    fig, axes = plt.subplots(1, 2, figsize=(13, 3.4))
    for ax, (role, grid) in zip(axes, grids.items()):
        image = ax.imshow(grid, aspect="auto", cmap="Blues", vmin=0)
        ax.set(title=f"{role}s seen at work (mean over weeks)", xlabel="hour of day", yticks=range(7),
               yticklabels=WEEKDAYS, xticks=range(0, 24, 2))
        fig.colorbar(image, ax=ax, label="people")
    fig.tight_layout()
    return _embedded(fig)


def _readiness_section(readiness: dict, cancellations: dict) -> str:
    ready = [[source, exam or "all types", priority, f["n"], f["best"]["dist"],
              parameters_text(f["best"]), f["best"]["ks_p"]]
             for source, by_exam in readiness.items() for exam, by_priority in
             sorted(by_exam.items(), key=lambda kv: kv[0] or "") for priority, f in by_priority.items()]
    gone = [[source, priority, c["cancelled"], c["placed"], f"{c['share']:.1%}",
             "too few times to fit" if c["after"] is None else
             f"{c['after']['best']['dist']} ({c['after']['n']} times)"]
            for source, by_priority in cancellations.items() for priority, c in by_priority.items()]
    return ("<h2>Patients getting ready, and cancellations</h2><p>Order to patient ready (the export's arrival "
            "times), pooled per source and priority and per exam type where it has enough; orders without an "
            "arrival time were ready when ordered, or the export does not say. A cancelled share is of every order "
            "placed: a lower bound of the share that would be cancelled if still waiting.</p>"
            + (table_html(["source", "exam type", "priority", "orders", "family", "parameters", "KS p"], ready)
               if ready else "<p>No arrival times in the export.</p>")
            + (table_html(["source", "priority", "cancelled", "placed", "share", "order to cancelled"], gone)
               if gone else "<p>No cancelled orders in the export.</p>"))


def _booked_section(books: dict) -> str:
    if not books:
        return ""
    rows = [[name, b["attended"], b["no_shows"],
             f"{b['no_show']:.1%} ({b['no_show_ci'][0]:.1%}–{b['no_show_ci'][1]:.1%})" if "no_show" in b else
             "the export marks none", "from {earliest:+g} to {latest:+g} min ({n} patients)".format(**b["punctuality"])
             if "punctuality" in b else "no slot and arrival times"] for name, b in books.items()]
    return ("<h2>Booked lists</h2><p>Per appointment book of the base: booked patients who came and who did not "
            "(the no-show share with its 95% interval), and arrival against the slot time (0.5th to 99.5th "
            "percentile, the uniform the fitted scenario draws from).</p>"
            + table_html(["book", "came", "no-shows", "no-show share", "arrived against the slot"], rows))


def _fits_table(fits: dict) -> str:
    return table_html(
        ["exam type", "exams", "family", "parameters", "AIC", "KS distance", "KS p", "Anderson-Darling A²"],
        [[name, f["n"], ("✔ " if o is f["best"] else "") + o["dist"], parameters_text(o),
          _number(o["aic"]), o["ks_distance"], o["ks_p"], _number(o["ad"])] for name, f in fits.items() for o in f["all"]])


def _number(value: float):
    return "–" if not np.isfinite(value) else value


def write_fit_report(path, export: Export, fitted: dict, assumptions: list[str], scenario_path: str) -> None:
    cleaning = table_html(["what", "rows"], [[k.replace("_", " "), v] for k, v in export.cleaning.items()])
    demand = table_html(
        ["source", "orders", "orders a day", "95% CI", "priority mix"],
        [[s, d["orders"], f"{d['exams_per_day']:.1f}", f"{d['exams_per_day_ci'][0]:.1f}–{d['exams_per_day_ci'][1]:.1f}",
          ", ".join(f"{k} {v:.0%}" for k, v in d["priority_mix"].items())] for s, d in fitted["demand"].items()])
    fits = _fits_table(fitted["acquisition"])
    rooms = table_html(["modality", "rooms seen"], [[m, f"{len(r)}: {', '.join(r)}"] for m, r in
                                                     rooms_seen(export).items()])
    cover = [[role + "s", g["name"], ", ".join(g["modalities"]),
              "—" if role == "technologist" else "all" if g["priorities"] is None else ", ".join(g["priorities"]),
              f"{g['start']}–{g['end']}",
              ", ".join(g["days"]), g["count"]] for role in ("technologist", "radiologist")
             for g in inferred_roster(export, role)]
    cover_table = ("<p>The shifts the export shows: per group of people who worked the same modalities (and, for "
                   "radiologists, priorities), a shift per run of hours in which they were seen at work, weekdays "
                   "and weekends pooled. A lower bound of who was on duty; <code>fit --staffing</code> writes these "
                   "into the fitted scenario, otherwise they are there commented out.</p>"
                   + table_html(["role", "group", "modalities", "priorities", "hours", "days", "people"], cover)) \
        if cover else ""
    staff = staff_figure(export)
    html = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>radsim fit: "
            f"{escape(export.source)}</title><style>{STYLE}</style></head><body>"
            f"<h1>radsim fit: {escape(export.source)}</h1>"
            f"<p>{export.cleaning['exams_kept']} exams over {export.days} days from {export.first_day:%Y-%m-%d}; "
            f"the fitted scenario is <code>{escape(scenario_path)}</code>.</p>"
            "<h2>Assumptions</h2><ul>" + "".join(f"<li>{escape(a)}</li>" for a in assumptions) + "</ul>"
            + f"<h2>Cleaning</h2>{cleaning}"
            + f"<h2>Demand</h2>{demand}<figure>{arrivals_figure(fitted['demand'])}<figcaption>Orders by hour of "
              "day (1: an average hour) and weekday factors, per source, as fitted.</figcaption></figure>"
            + "<h2>Room times</h2><p>Exam begun to ended, per exam type; every family fitted by maximum likelihood, "
              "the lowest AIC chosen (✔). A small KS p-value says even the chosen family misses the shape.</p>"
            + fits + "".join(f"<figure>{durations_figure(name, f)}</figure>"
                             for name, f in fitted["acquisition"].items())
            + (("<h2>Read times</h2><p>Read started to report signed, where the export has read starts. Calls "
                "and urgent studies that broke into a read are inside it: an upper bound of reading time.</p>"
                + _fits_table(fitted["read"]) + "".join(
                    f"<figure>{durations_figure(name, f, 'read time', 'read started to signed')}</figure>"
                    for name, f in fitted["read"].items())) if fitted.get("read") else "")
            + _readiness_section(fitted.get("readiness", {}), fitted.get("cancellation", {}))
            + _booked_section(fitted.get("appointments", {}))
            + f"<h2>Rooms and people the export shows</h2>{rooms}{cover_table}"
            + (f"<figure>{staff}<figcaption>People seen at work: a technologist who began an exam, a radiologist "
               "who signed a report in that hour. A lower bound of who was on duty (breaks and idle time are "
               "invisible): compare with the base scenario's shifts.</figcaption></figure>" if staff else "")
            + "</body></html>\n")
    path.write_text(html, encoding="utf-8")
