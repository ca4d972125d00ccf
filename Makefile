# nn-tricks: every set-up step and check, on a fresh machine, in two commands:
#   make lab    start the course in JupyterLab (LAB_ARGS=--no-browser for a server)
#   make test   run the whole test suite
# Both create .venv first if it is missing (`make setup`, idempotent). While editing,
#   make test-fast   the test suite without its slow end-to-end tests (grading, packaging)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Every recipe finds the venv's tools (jupyter, nbgrader, pre-commit, ruff) first.
export PATH := $(CURDIR)/$(BIN):$(PATH)
LAB_ARGS ?=
PYTEST_ARGS ?=
# The TA commands take the assignment and options through variables, e.g.
#   make autograde ASSIGNMENT=practice-1a-l1-vs-l2
ASSIGNMENT ?=
ZIP ?=
GRADE_ARGS ?=
# make bench BENCH_ARGS=--with-test-suite also times `make test` (about 25 more minutes);
# BENCH_ARGS=--resume continues a run that stopped, keeping what it measured
BENCH_ARGS ?=

# A timed stage, as .ci/run times its stages (tools/stage): $(call timed,name,command)
timed = @tools/stage '$(1)' $(2)

.PHONY: setup lab test test-fast test-browser lint pytest release check collect autograde feedback \
        export db-upgrade formgrader bench bench-notebooks bench-quick clean

$(BIN)/.installed: pyproject.toml
	@echo "== First run (or pyproject.toml changed): installing the course into $(VENV):"
	@echo "   TensorFlow, Keras, JupyterLab, nbgrader and the test tools, about 2 GB from PyPI."
	@echo "   This takes 2-7 minutes on a 2-core machine; later runs start at once."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name nn-tricks --display-name "Python (nn-tricks)" >/dev/null
	@touch $@

setup: $(BIN)/.installed

# Containers often run as root, which JupyterLab refuses unless told.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# The student lab: jupyter/student on JUPYTER_CONFIG_PATH hides nbgrader's UI (its lab extension
# and server extensions are TA tools; `make formgrader` has them).
lab: setup
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter/student" \
		$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ALLOW_ROOT) $(LAB_ARGS)

test: setup
	$(call timed,lint,$(MAKE) --no-print-directory lint)
	$(call timed,pytest,$(MAKE) --no-print-directory pytest)

lint: setup
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

# The PostgreSQL variants of the gradebook and grading tests run against this database unless
# the variable is already set (set it empty to skip them); they skip, with the reason, when the
# server does not answer. .ci/run starts the local server.
NN_TRICKS_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

# Unit tests, release and grading checks, and every solution notebook under nbval (fast
# mode), two at a time; loadscope keeps each notebook's cells on one worker.
RUN_PYTEST = NN_TRICKS_FAST=1 NN_TRICKS_TEST_POSTGRES_URL="$(NN_TRICKS_TEST_POSTGRES_URL)" \
	$(PY) -m pytest -n 2 --dist loadscope --ignore=tests/browser --durations=15
pytest: setup
	$(RUN_PYTEST) $(PYTEST_ARGS)

# The edit-test loop: the same, without the end-to-end grading runs and the Colab wheel test
# (marks grading and packaging, several minutes each); `make test` still runs them.
test-fast: setup
	$(RUN_PYTEST) -m "not grading and not packaging" $(PYTEST_ARGS)

# The student's path in a real browser (Debian's chromium; skipped with a reason without it).
test-browser: setup
	NN_TRICKS_FAST=1 $(PY) -m pytest -p no:xdist tests/browser --durations=10 $(PYTEST_ARGS)

# Course maintainers: regenerate notebooks/ from solutions/ (commit the result).
release: setup
	$(PY) -m grader release

# TAs: see README, "Grading the practices (TAs)"; GRADE_ARGS passes further options, e.g.
#   make autograde ASSIGNMENT=practice-1a-l1-vs-l2 GRADE_ARGS="--workers 2 --student s1234567"
check: setup
	$(PY) -m grader check $(ASSIGNMENT) $(GRADE_ARGS)
collect: setup
	$(PY) -m grader collect $(ZIP) $(GRADE_ARGS)
autograde: setup
	$(PY) -m grader autograde $(ASSIGNMENT) $(GRADE_ARGS)
feedback: setup
	$(PY) -m grader feedback $(ASSIGNMENT)
export: setup
	$(PY) -m grader export $(GRADE_ARGS)
db-upgrade: setup
	$(PY) -m grader db upgrade
# The TA's JupyterLab at the course root, with nbgrader's formgrader (Nbgrader -> Formgrader)
formgrader: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) $(ALLOW_ROOT) $(LAB_ARGS)

bench: setup
	$(PY) -m benchmarks --with-speed --sections accuracy,speed $(BENCH_ARGS)
# Every solution notebook in default mode on the benchmark data, added to benchmarks/results.*
bench-notebooks: setup
	$(PY) -m benchmarks --sections notebooks --resume $(BENCH_ARGS)
bench-quick: setup
	$(PY) -m benchmarks --quick

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
