"""The event loop's modules, and the department that wires them, say in their annotations what flows through them.

A reader relies on them, and so would a compiled build of the engine (mypyc trusts annotations: one that says a
queue's rank is a whole number, where booked patients queue half a rank after a priority, stops the run). mypy
checks the modules of the event loop and the department's wiring (model); the rest of the package is read for the
types it hands in, not checked.
"""
import subprocess
import sys
from pathlib import Path

ENGINE = ("model", "timers", "staff", "reading", "acquisition", "worklist", "rooms", "transport", "anaesthesia")
PACKAGE = Path(__file__).resolve().parent.parent / "sim"


def test_the_event_loops_annotations_agree_with_what_its_code_does(tmp_path):
    # in a process of its own: mypy's picture of numpy and the package would otherwise stay in the test run's memory
    # and slow every later garbage collection
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--ignore-missing-imports", "--follow-imports=silent", "--cache-dir",
         str(tmp_path), *(str(PACKAGE / f"{name}.py") for name in ENGINE)],
        capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
