"""radsim: a discrete-event simulation of a hospital radiology department.

    import sim
    scenario = sim.load_scenario("scenarios/community_hospital.yaml")
    result = sim.run(scenario, seed=1)
    summary = sim.summarise(result)

Data flows one way: scenario -> model -> records -> metrics -> plots and reports.
"""
from .metrics import summarise
from .model import run
from .output import exam_table, staff_table, write_result_folder
from .records import Result
from .scenario import ScenarioError, load_scenario, scenario_from_dict
from .schema import Scenario

__all__ = ["Result", "Scenario", "ScenarioError", "exam_table", "load_scenario", "run", "scenario_from_dict",
           "staff_table", "summarise", "write_result_folder"]
__version__ = "0.1.0"
