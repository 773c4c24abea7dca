"""extends:, --set overrides, defaults and the JSON Schema."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest

import sim
from conftest import ROOT, SCENARIOS
from sim.distributions import Empirical, Exponential, Fixed, Gamma, LogLogistic, Lognormal, Triangular, Uniform, Weibull
from sim.scenario import ScenarioError, load_scenario, to_yaml


def test_extends_inherits_and_overrides_and_null_removes(tmp_path):
    (tmp_path / "night.yaml").write_text(
        f"extends: {SCENARIOS / 'community_hospital.yaml'}\n"
        "name: Community hospital with a second night CT technologist\n"
        "technologists:\n  ct_night: {count: 2}\n"
        "radiologists:\n  teleradiology: null\n  night_onsite: {count: 1, modalities: [CT, MR, XR, US], shifts: ['23:00-08:00']}\n")
    scenario = load_scenario(tmp_path / "night.yaml")
    base = load_scenario(SCENARIOS / "community_hospital.yaml")
    assert scenario.technologists["ct_night"].count == 2
    assert scenario.technologists["ct_night"].shifts == base.technologists["ct_night"].shifts
    assert "teleradiology" not in scenario.radiologists and "night_onsite" in scenario.radiologists
    assert scenario.exam_types == base.exam_types


def test_a_variant_naming_every_priority_slots_a_new_one_in_between(tmp_path):
    (tmp_path / "cancer.yaml").write_text(
        f"extends: {SCENARIOS / 'community_hospital.yaml'}\n"
        "priorities:\n  stroke: {}\n  trauma: {}\n  stat: {}\n  suspected_cancer: {target_minutes: 2880}\n"
        "  inpatient: {target_minutes: 600}\n  outpatient: {}\n"
        "technologists:\n  ct_night: {count: 2}\n")
    scenario = load_scenario(tmp_path / "cancer.yaml")
    base = load_scenario(SCENARIOS / "community_hospital.yaml")
    assert scenario.priority_names == ["stroke", "trauma", "stat", "suspected_cancer", "inpatient", "outpatient"]
    assert scenario.priorities["stroke"] == base.priorities["stroke"]  # an empty entry inherits
    assert scenario.priorities["inpatient"].target_minutes == 600
    # a mapping that names only some inherited entries keeps the base's order
    assert list(scenario.technologists) == list(base.technologists)


def test_set_overrides_parse_values_as_yaml():
    scenario = load_scenario(SCENARIOS / "community_hospital.yaml",
                             ["technologists.ct_night.count=3", "days=7", "priorities.stat.target_minutes=45",
                              "radiologists.teleradiology.priorities=[stroke, trauma]"])
    assert scenario.technologists["ct_night"].count == 3 and scenario.days == 7
    assert scenario.priorities["stat"].target_minutes == 45
    assert scenario.radiologists["teleradiology"].priorities == ["stroke", "trauma"]


def test_resolved_scenario_round_trips(tmp_path):
    scenario = load_scenario(SCENARIOS / "academic_centre.yaml", ["days=4"])
    path = tmp_path / "resolved.yaml"
    path.write_text(to_yaml(scenario))
    assert load_scenario(path) == scenario


def test_every_ready_made_scenario_is_valid_and_has_a_comment_header():
    files = sorted(SCENARIOS.rglob("*.yaml"))
    assert len(files) >= 3
    for path in files:
        text = path.read_text()
        assert text.startswith("#"), f"{path.name} needs a comment header saying what it shows"
        if path.parent.name != "searches":
            load_scenario(path)


def test_every_ready_made_search_file_is_valid_for_the_scenario_its_header_names():
    import re

    from sim.optimise import check_measures, check_values, load_spec

    files = sorted((SCENARIOS / "searches").glob("*.yaml"))
    assert files
    for path in files:
        scenario = re.search(r"run_sim.py optimise (\S+\.yaml)", path.read_text()).group(1)
        spec = load_spec(path)
        check_values(spec, ROOT / scenario, [], str(path))
        check_measures(spec, load_scenario(ROOT / scenario), str(path))


def test_schema_command_prints_the_json_schema():
    proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "schema"], capture_output=True, text=True)
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    assert {"days", "modalities", "exam_types", "demand", "technologists", "radiologists"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_priorities_default_in_reading_order():
    data = {"days": 1, "modalities": {"CT": {"scanners": 1}},
            "exam_types": {"ct": {"modality": "CT", "acquisition": 5, "read": 5}},
            "orders": [{"day": 0, "time": "08:00", "source": "ED", "exam_type": "ct", "priority": "stroke"}],
            "technologists": {"t": {"count": 1, "modalities": ["CT"], "shifts": ["00:00-24:00"]}},
            "radiologists": {"r": {"count": 1, "modalities": ["CT"], "shifts": ["00:00-24:00"]}}}
    scenario = sim.scenario_from_dict(data)
    assert scenario.priority_names == ["stroke", "trauma", "stat", "inpatient", "outpatient"]
    assert scenario.priorities["stroke"].preempts and not scenario.priorities["stat"].preempts


DISTRIBUTIONS = [
    (Fixed(value=7), 7.0, 0.0),
    (Exponential(dist="exponential", mean=10), 10.0, 1.0),
    (Lognormal(dist="lognormal", mean=12, cv=0.5), 12.0, 0.5),
    (Gamma(dist="gamma", mean=40, cv=0.25), 40.0, 0.25),
    (Triangular(dist="triangular", min=15, mode=25, max=45), 85 / 3, None),
    (Uniform(dist="uniform", min=2, max=6), 4.0, None),
    (LogLogistic(dist="loglogistic", scale=10, shape=5), None, None),
    (Weibull(dist="weibull", scale=10, shape=1), 10.0, 1.0),  # shape 1 is the exponential
    (Weibull(dist="weibull", scale=20, shape=2), 20 * math.sqrt(math.pi) / 2, math.sqrt(4 / math.pi - 1)),
    (Empirical(dist="empirical", values=[1, 2, 3, 10]), 4.0, None),
]


@pytest.mark.parametrize("dist,mean,cv", DISTRIBUTIONS, ids=lambda d: getattr(d, "dist", ""))
def test_duration_samples_match_the_stated_mean_and_cv(dist, mean, cv):
    values = dist.sample(np.random.default_rng(3), 400_000)
    assert np.all(values >= 0)
    expected = dist.mean() if mean is None else mean
    assert dist.mean() == pytest.approx(expected)
    assert values.mean() == pytest.approx(expected, rel=0.01)
    if cv:
        assert values.std() / values.mean() == pytest.approx(cv, rel=0.02)


def test_loglogistic_median_is_its_scale():
    values = LogLogistic(dist="loglogistic", scale=10, shape=5).sample(np.random.default_rng(1), 200_000)
    assert np.median(values) == pytest.approx(10, rel=0.01)


def test_a_number_is_a_fixed_duration():
    scenario = load_scenario(SCENARIOS / "teaching.yaml", ["exam_types.ct_head.read=9"])
    assert scenario.exam_types["ct_head"].read == Fixed(value=9)


def test_scenario_error_is_one_line():
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCENARIOS / "teaching.yaml", ["modalities.CT.hours=[\"7-19\"]"])
    assert "\n" not in str(err.value) and "modalities.CT.hours.0" in str(err.value)
