"""The web app: what-if questions for managers, and the animated department for teachers.

Started by `run_sim.py serve [SCENARIO]` (Streamlit, bound to this computer only). The page is presentation
only: the settings, the changed scenario and the comparison are `sim.whatif`'s, the animation `sim.animation`'s.
A comparison runs in a worker process of its own, so the page stays responsive and can cancel it; each browser
session has its own runs and folder.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from sim import whatif
from sim.animation import animation_page
from sim.clock import describe
from sim.scenario import ScenarioError, load_scenario
from sim.schema import parse_moment



def _session_folder() -> Path:
    if "folder" not in st.session_state:
        st.session_state.folder = whatif.SessionFolder()  # removed with its files once the session is gone
    return st.session_state.folder.path


def _choices() -> dict[str, Path]:
    """The ready-made scenarios, after the one `serve` was started with (if any)."""
    choices = whatif.ready_made()
    given = Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].endswith((".yaml", ".yml")) else None
    if given is not None and given.is_file():
        choices = {f"your scenario: {given.name}": given.resolve(), **choices}
    return choices


def _pick_scenario() -> Path | None:
    choices = _choices()
    first = next(iter(choices))
    name = st.selectbox("Scenario", list(choices), key="scenario_name",
                        index=0 if first.startswith("your scenario") else list(choices).index("community_hospital"))
    upload = st.file_uploader("…or upload a scenario (YAML)", type=["yaml", "yml"], key="upload")
    if upload is not None:
        try:
            return whatif.save_upload(upload.getvalue(), _session_folder() / "upload")
        except ScenarioError as exc:
            st.error(str(exc))
            return None
    return choices[name]


def _widget_key(path: Path, setting: whatif.Setting) -> str:
    """A widget per scenario and setting: a value changed in one scenario never carries over to another."""
    return f"{path.stem}:{setting.key}"


def _value_widget(path: Path, setting: whatif.Setting, error_key: str | None, message: str):
    key = _widget_key(path, setting)
    if setting.kind == "count":
        value = st.number_input(setting.label, value=int(setting.value), step=1, key=key)
    elif setting.kind == "number":
        value = st.number_input(setting.label, value=float(setting.value), step=1.0, key=key)
    elif setting.kind == "choice":
        value = st.selectbox(setting.label, setting.options, index=setting.options.index(setting.value), key=key)
    elif setting.kind == "priorities":
        value = tuple(st.multiselect(setting.label, setting.options, default=list(setting.value), key=key))
    else:
        value = st.text_input(setting.label, value=str(setting.value), key=key)
    if error_key == setting.key:
        st.error(message)
    return value


def _current_values(path: Path, settings: list[whatif.Setting]) -> dict[str, object]:
    """What the widgets hold now (before they are drawn on this run of the page), the scenario's values else."""
    values = {}
    for s in settings:
        value = st.session_state.get(_widget_key(path, s), s.value)
        values[s.key] = tuple(value) if s.kind == "priorities" else value
    return values


def what_if() -> None:
    st.header("What if?")
    st.caption("Change staffing, scanners, opening hours, demand, reading remits or breaks, run both with the same "
               "patients, and see the difference with its 95% confidence interval.")
    path = _pick_scenario()
    if path is None:
        return
    try:
        settings = whatif.settings(path)
        base = load_scenario(path)
    except ScenarioError as exc:
        st.error(str(exc))
        return
    controls, results = st.columns([2, 3], gap="large")
    with controls:
        _controls(path, settings, base)
    with results:
        if st.session_state.get("job") is not None:
            _comparison()
        else:
            st.info("Change a setting on the left and run: the difference it makes appears here.")


def _controls(path: Path, settings: list[whatif.Setting], base) -> None:
    left, right = st.columns(2)
    days = left.number_input("Days to simulate", min_value=1, max_value=365, value=min(base.days, 28), key="days")
    reps = right.number_input("Replications", min_value=2, max_value=50, value=5, key="reps")
    try:
        baseline = whatif.changed(path, [], days)
    except ScenarioError as exc:  # too few days for the scenario's warm-up, say
        st.error(str(exc))
        return
    overrides = whatif.overrides(settings, _current_values(path, settings), baseline)
    error_key, message, variant = None, "", None
    try:
        variant = whatif.changed(path, overrides, days)
    except ScenarioError as exc:
        error_key, message = whatif.field_of(exc, settings), str(exc)
        if error_key is None:
            st.error(message)
    for section in ("radiologists", "technologists", "porters", "scanners", "demand"):
        mine = [s for s in settings if s.section == section]
        if mine:
            with st.expander(section.capitalize(), expanded=section == "radiologists"):
                for setting in mine:
                    _value_widget(path, setting, error_key, message)
    st.write("Changes: " + (", ".join(f"`{o}`" for o in overrides) if overrides else "none yet"))
    job: whatif.Comparison | None = st.session_state.get("job")
    if st.button("Run baseline and variant", type="primary", disabled=variant is None or (job is not None and
                                                                                         job.running)):
        if job is not None:
            job.remove()
        st.session_state.job = whatif.Comparison.start(baseline, variant, int(reps),
                                                       _session_folder() / f"run-{len(overrides)}-{id(variant)}")
        st.session_state.question = ", ".join(overrides) or "no change"
        st.rerun()  # draw the new run's progress beside the controls


@st.fragment(run_every=1.0)
def _comparison() -> None:
    job: whatif.Comparison = st.session_state.job
    if job.running:
        done, total = job.progress()
        st.progress(min(1.0, done / max(total, 1)), text=f"running: {done} of {total} runs")
        if st.button("Cancel", key="cancel"):
            job.cancel()
        return
    if job.error():
        st.warning(f"The run stopped: {job.error()}")
        return
    result = job.result()
    if result is None:
        st.progress(0.0, text="starting…")
        return
    if st.session_state.get("drawn") is not job:  # the first time: the whole page again, so Run is enabled
        st.session_state.drawn = job
        st.rerun(scope="app")
    st.subheader(f"Variant ({st.session_state.get('question', '')}) minus baseline")
    st.caption(f"{result['reps']} replications each, the same patients in both"
               f"{'' if result['same_patients'] else ' (NOT the same patients: check the scenario)'}; a difference "
               "whose interval excludes 0 is not chance.")
    rows = _difference_rows(result["rows"])
    measures = [r["measure"] for r in rows]
    chosen = st.multiselect("Measures", measures, default=[m for m in measures if "utilisation" not in m],
                            key="measures")
    st.dataframe([r for r in rows if r["measure"] in chosen], hide_index=True, width="stretch", key="differences")
    for warning in result["warnings"]:
        st.warning(warning)
    figures = sorted((job.folder / "figures").glob("*.png"), key=lambda f: f.name != "differences.png")
    for figure in figures:
        st.image(str(figure))
    a, b = st.columns(2)
    a.download_button("Download the changed scenario (YAML)", (job.folder / "variant.yaml").read_bytes(),
                      file_name="variant.yaml", mime="application/x-yaml")
    b.download_button("Download the variant's results (zip)", job.zipped(), file_name="radsim-variant.zip",
                      mime="application/zip")


def _difference_rows(rows: list[dict]) -> list[dict]:
    def number(value, unit: str):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return round(100 * value, 1) if unit == "share" else round(value, 1)

    return [{"measure": r["figure"], "unit": "%" if r["unit"] == "share" else r["unit"],
             "baseline": number(r["baseline"], r["unit"]), "variant": number(r["variant"], r["unit"]),
             "difference": number(r["difference"], r["unit"]),
             "95% CI": f"{number(r['ci_low'], r['unit'])} to {number(r['ci_high'], r['unit'])}",
             "real?": "yes" if r["ci_low"] == r["ci_low"] and (r["ci_low"] > 0 or r["ci_high"] < 0) else ""}
            for r in rows]


# ---------------------------------------------------------------- the animated department


@st.cache_data(max_entries=16, show_spinner="simulating (in a worker process)…")
def _frames(path: str, start: float, end: float, exam: int | None) -> dict:
    return whatif.animation_frames(Path(path), start, end, exam)


def watch() -> None:
    st.header("Watch the department")
    choices = whatif.ready_made()
    names = list(choices)
    name = st.selectbox("Scenario", names, index=names.index("teaching: 02_stroke_jumps_the_queue"), key="watch_name")
    path = choices[name]
    about = whatif.header(path)
    if about:
        with st.expander("What this scenario shows, and its questions", expanded=name.startswith("teaching")):
            st.text(about)
    window = load_scenario(path).report.narrative
    a, b, c = st.columns([2, 2, 1])
    start_text = a.text_input("From", describe(window.start) if window else "day 1 07:00", key="watch_from")
    end_text = b.text_input("To", describe(window.end) if window else "day 1 10:00", key="watch_to")
    exam_text = c.text_input("Follow exam number", "", key="watch_exam",
                             help="Empty: the first of the most urgent priority ordered in the window")
    try:
        start, end = parse_moment(start_text), parse_moment(end_text)
        exam = int(exam_text) if exam_text.strip() else None
        data = _frames(str(path), start, end, exam)
    except (ValueError, ScenarioError) as exc:
        st.error(str(exc) or f"exam: {exam_text!r} is not a number")
        return
    page = animation_page(data)
    if hasattr(st, "iframe"):  # our own page, from the records: never anything a user typed unescaped
        st.iframe(page, height=1000)
    else:
        components.html(page, height=1000, scrolling=True)


def main() -> None:
    st.set_page_config(page_title="radsim", layout="wide")
    st.title("radsim: a radiology department")
    what_tab, watch_tab = st.tabs(["What if?", "Watch the department"])
    with what_tab:
        what_if()
    with watch_tab:
        watch()


if __name__ == "__main__":  # not when a worker process re-imports the page's module
    main()
