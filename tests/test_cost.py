"""Staff cost: paid scheduled hours at each group's rate, night and weekend premiums, overtime and per-report fees."""
import pytest

import sim
from conftest import build
from sim.cost import staff_cost

DAY = {"technologists": {"ct": {"count": 1, "shifts": ["08:00-20:00"]}},
       "radiologists": {"rad": {"count": 1, "shifts": ["00:00-24:00"]}}}


def test_without_rates_the_cost_is_paid_staff_hours():
    result = sim.run(build(DAY, orders=[(0, "10:00", "ct_head", "stat")]))
    cost = staff_cost(result)
    assert cost["currency"] == "staff-hours"
    assert cost["total"] == pytest.approx(2 * (12 + 24))  # two days of one 12-hour and one 24-hour person
    assert cost["per_week"] == pytest.approx(cost["total"] * 7 / 2)


def test_rates_night_and_weekend_premiums():
    costs = {"costs": {"currency": "EUR", "hourly": {"ct": 40}, "radiologist_hourly": 150, "night_premium": 0.5,
                       "weekend_premium": 1.0}, "start_weekday": "sat"}
    result = sim.run(build({**DAY, **costs}, orders=[(0, "10:00", "ct_head", "stat")]))
    cost = staff_cost(result)
    # ct: 08:00-20:00 has one night hour (19-20) a day; both days are a weekend
    ct = 2 * 40 * (12 + 0.5 * 1 + 1.0 * 12)
    # rad: 24 h a day, of which 12 at night (19:00-07:00 within the day); all weekend
    rad = 2 * 150 * (24 + 0.5 * 12 + 1.0 * 24)
    assert cost["by_group"]["technologists.ct"] == pytest.approx(ct)
    assert cost["by_group"]["radiologists.rad"] == pytest.approx(rad)


def test_overtime_at_its_premium_and_fees_per_report():
    costs = {"costs": {"technologist_hourly": 0, "radiologist_hourly": 60, "overtime_premium": 0.5,
                       "per_report": {"rad": 25}}}
    spec = {"radiologists": {"rad": {"count": 1, "shifts": ["08:00-09:00"]}}, **costs}
    result = sim.run(build(spec, orders=[(0, "08:40", "ct_abdomen", "stat")]))  # read 08:50-09:10
    cost = staff_cost(result)
    assert cost["by_group"]["radiologists.rad"] == pytest.approx(60 * (2 * 1 + (10 / 60) * 1.5) + 25)


def test_costs_name_declared_groups():
    with pytest.raises(sim.ScenarioError, match="costs.hourly.ct_nite"):
        build({"costs": {"hourly": {"ct_nite": 40}}}, orders=[(0, "10:00", "ct_head", "stat")])
