"""Scenarios that are valid field by field but could never do their work are refused, naming what is missing."""
import pytest

from conftest import build
from sim import ScenarioError

IR = {"modalities": {"IR": {"scanners": 1, "procedures": True}},
      "exam_types": {"thrombectomy": {"modality": "IR", "acquisition": 60, "read": 10}}}

CASES = {
    "a follow-up nobody can scan": (
        {**IR, "exam_types": {**IR["exam_types"], "ct_head": {
            "modality": "CT", "acquisition": 10, "read": 10, "leads_to": {"exam_type": "thrombectomy", "share": 0.5}}},
         "radiologists": {"rad": {"modalities": ["CT", "IR"]}}},
        "exam_types.ct_head.leads_to.exam_type", "no technologist is credentialed for IR"),
    "AI raising studies to a priority nobody reads": (
        {"exam_types": {"ct_head": {"ai": {"prevalence": 0.1, "sensitivity": 0.9, "specificity": 0.9}}},
         "ai_triage": {"raise_to": "stroke"}, "radiologists": {"rad": {"priorities": ["outpatient"]}}},
        "ai_triage.raise_to", "no radiologist reads CT neuro studies of priority 'stroke'"),
    "preliminary reports nobody finalises": (
        {"radiologists": {"rad": {"subspecialties": ["body"]},
                          "resident": {"count": 1, "modalities": ["CT"], "shifts": ["00:00-24:00"],
                                       "reports": "preliminary"}}},
        "radiologists.resident.reports", "nobody finalises the preliminary reports of outpatient ct_head"),
    "the only scanner reserved around the clock for others": (
        {"modalities": {"CT": {"scanners": ["CT-1"], "reserved": [
            {"scanners": ["CT-1"], "hours": "00:00-24:00", "priorities": ["stroke"]}]}}},
        "modalities.CT.reserved", "reserved around the clock for other priorities than 'outpatient'"),
    "a modality never open while its technologists are on duty": (
        {"modalities": {"CT": {"scanners": 1, "hours": "08:00-16:00"}},
         "technologists": {"ct": {"shifts": ["18:00-06:00"]}}},
        "modalities.CT.hours", "never open while one of its technologists is on duty"),
    "a subspecialty no exam has": (
        {"radiologists": {"rad": {"subspecialties": ["neuro", "body", "nuero"]}}},
        "radiologists.rad.subspecialties.2", "no exam type has subspecialty 'nuero'"),
    "one scanner name in two modalities": (
        {"modalities": {"CT": {"scanners": ["R1"]}, "MR": {"scanners": ["R1"]}}},
        "modalities.MR.scanners", "'R1' is also a CT scanner"),
    "a resumption penalty for an unknown modality": (
        {"radiologists": {"rad": {"interruptions": {"resumption_penalty": {"CT": 6, "PET": 4}}}}},
        "radiologists.rad.interruptions.resumption_penalty.PET", "unknown modality"),
    "a given name equal to a generated one": (
        {"technologists": {"ct": {"count": 2, "names": ["rad-1"]}}},
        "names", "'rad-1' names two people"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_an_unworkable_scenario_is_refused_naming_the_field(case):
    extra, field, problem = CASES[case]
    with pytest.raises(ScenarioError) as error:
        build(extra, orders=[(0, "10:00", "ct_head", "outpatient")])
    assert error.value.field.startswith(field) or field in error.value.field, str(error.value)
    assert problem in error.value.problem, str(error.value)
