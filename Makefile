# Two entry points for a fresh machine with Python 3.11+ and pip:
#   make run   - set up .venv and run the default scenario
#   make test  - set up .venv and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup bench fuzz clean app watch

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

# the web app on http://127.0.0.1:8501/ : what-if page, and the animated department (Ctrl-C stops it)
app: $(STAMP)
	$(BIN)/python run_sim.py serve $(ARGS)

# teaching scenario 2 animated, the stroke followed: results/02_stroke_jumps_the_queue-animation.html
watch: $(STAMP)
	$(BIN)/python run_sim.py animate scenarios/teaching/02_stroke_jumps_the_queue.yaml $(ARGS)

# 10,000 generated scenarios: counts of crashes, hangs and broken rules; failures shrunk into tests/fuzzing/found/
fuzz: $(STAMP)
	$(BIN)/python tests/fuzzing/fuzz.py --count $(or $(COUNT),10000)

bench: $(STAMP)
	$(BIN)/python bench/year.py
	$(BIN)/python bench/instructions.py
	$(BIN)/python bench/worklist.py
	$(BIN)/python bench/parallel.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/animation.py
	$(BIN)/python bench/replication_memory.py

clean:
	rm -rf $(VENV) results .pytest_cache
