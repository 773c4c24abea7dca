# Two entry points for a fresh machine with Python 3.11+ and pip:
#   make run   - set up .venv and run the default scenario
#   make test  - set up .venv and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python run_sim.py $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/year.py
	$(BIN)/python bench/worklist.py
	$(BIN)/python bench/parallel.py
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) results .pytest_cache
