"""Radiation dose: drawn per exam, flagged above the reference level, reviewed by the reader, summarised by exam
type, source and scanner."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from sim import run
from sim.arrivals import above_reference
from sim.capacity import radiologist_minutes_per_order
from sim.metrics import summarise
from sim.output import write_exams

from conftest import build

DEMAND = {"ED": {"exams_per_day": 60, "exam_mix": {"ct_head": 1, "ct_abdomen": 1}, "priority_mix": {"stat": 1}}}
DOSE = {"unit": "mGy·cm", "value": {"dist": "lognormal", "mean": 900, "cv": 0.3}, "reference_level": 1000,
        "review_minutes": 4}
EXTRA = {"days": 10, "warmup_days": 1, "demand": DEMAND, "modalities": {"CT": {"scanners": 2}},
         "technologists": {"ct": {"count": 2}}, "radiologists": {"rad": {"count": 2}}}


def test_an_exam_above_its_reference_level_is_flagged_and_its_dose_reviewed_in_its_read():
    plain = run(build(EXTRA)).exams.orders
    with_dose = run(build({**EXTRA, "exam_types": {"ct_head": {"dose": DOSE}}})).exams.orders
    head = with_dose.exam_type == 0
    assert np.all(np.isnan(with_dose.dose[~head])) and np.all(with_dose.dose[head] > 0)
    flags = above_reference(build({**EXTRA, "exam_types": {"ct_head": {"dose": DOSE}}}), with_dose.exam_type,
                            with_dose.dose)
    assert np.array_equal(flags[head] == 1, with_dose.dose[head] > 1000) and np.all(flags[~head] == -1)
    assert 0.2 < np.mean(flags[head] == 1) < 0.5  # lognormal, mean 900, cv 0.3: about a third above 1000
    # the review is added to the flagged reads only, and no other draw moves
    assert np.allclose(with_dose.read - plain.read, np.where(flags == 1, 4.0, 0.0))
    assert np.array_equal(with_dose.ordered_at, plain.ordered_at)


def test_the_summary_gives_dose_by_exam_type_source_and_scanner_and_the_tables_record_it(tmp_path):
    result = run(build({**EXTRA, "exam_types": {"ct_head": {"dose": DOSE}}}))
    table = summarise(result)["dose"]["mGy·cm"]
    total = table["all"]
    assert total["exams"] == table["exam_type"]["ct_head"]["exams"] == table["source"]["ED"]["exams"]
    assert sum(r["exams"] for r in table["scanner"].values()) == total["exams"]
    assert sum(r["total"] for r in table["scanner"].values()) == pytest.approx(total["total"])
    assert total["above_reference"] == sum(r["above_reference"] for r in table["scanner"].values())
    write_exams(result, tmp_path / "exams.csv")
    rows = list(csv.DictReader(open(tmp_path / "exams.csv")))
    head = [r for r in rows if r["exam_type"] == "ct_head"]
    assert all(r["dose"] and r["dose_above_reference"] in ("0", "1") for r in head)
    assert all(r["dose"] == "" and r["dose_above_reference"] == "" for r in rows if r["exam_type"] == "ct_abdomen")


def test_the_overload_check_counts_the_dose_reviews():
    scenario = build({**EXTRA, "exam_types": {"ct_head": {"dose": {**DOSE, "review_minutes": 30}}}})
    plain = build(EXTRA)
    extra = radiologist_minutes_per_order(scenario, "ED", "ct_head", {"stat": 1}) - \
        radiologist_minutes_per_order(plain, "ED", "ct_head", {"stat": 1})
    assert 0.2 * 30 < extra < 0.5 * 30


def test_the_academic_centre_sets_its_ct_doses_so_a_quarter_exceed_the_national_reference_level(academic_result):
    # a national DRL is the 75th percentile of the national distribution: a typical centre has a quarter above it
    table = summarise(academic_result)["dose"]["mGy·cm"]
    assert set(table["exam_type"]) == {"ct_head", "ct_chest", "ct_abdomen"}
    for row in table["exam_type"].values():
        assert row["exams"] > 100 and 0.18 < row["above_reference"] / row["exams"] < 0.32
