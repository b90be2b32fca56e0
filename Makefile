# Two commands: `make tutorial` (set up, then open the notebook in JupyterLab) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The Pythons the pins install on (constraints.txt; tests/newcomer/test_pins_resolve.py).
SUPPORTED_PYTHONS := 3.10 3.11 3.12 3.13
# Which notebook `make tutorial` opens and `make run` runs: NB=02 picks notebooks/02-*.ipynb.
NB ?= 01
NOTEBOOK = $(firstword $(wildcard notebooks/$(NB)*.ipynb) notebooks/$(NB))
# JupyterLab refuses to start as root without --allow-root; Docker, WSL and cloud VMs often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# Extra JupyterLab options, e.g. LAB_ARGS="--no-browser --port=8889".
LAB_ARGS ?=

.PHONY: setup tutorial run test lint bench FORCE

# An interpreter's "VERSION (INSTALLATION)", in a form Python 2 can print too.
IDENTIFY := import os, platform, sys; sys.stdout.write("%s (%s)\n" % (platform.python_version(), os.path.realpath(getattr(sys, "base_prefix", sys.prefix))))
python_version = $(firstword $(shell $(PYTHON) -c '$(IDENTIFY)' 2>/dev/null))
# One line (make's own `*** ... Stop.`) when PYTHON cannot build the environment.
supported = this project supports Python $(firstword $(SUPPORTED_PYTHONS)) to $(lastword $(SUPPORTED_PYTHONS))
# The supported interpreters on this machine's PATH, to suggest one that exists.
found_pythons = $(strip $(foreach v,$(SUPPORTED_PYTHONS),$(if $(shell python$(v) -c "" 2>/dev/null && echo yes),python$(v))))
pick = $(if $(found_pythons),make setup PYTHON=$(lastword $(found_pythons)) (found here: $(found_pythons)),$\
	install one (python.org, or your system's packages), then make setup PYTHON=python3.12)
python_problem = $(if $(python_version),$\
	$(if $(filter $(SUPPORTED_PYTHONS),$(basename $(python_version))),,$\
	$(PYTHON) is Python $(python_version); $(supported). Pick another: $(pick)),$\
	$(if $(shell command -v $(PYTHON)),$(PYTHON) does not run,No $(PYTHON) found); $\
	$(supported). Pick one: $(pick))
# A PYTHON named on the command line or in the environment that did not build $(VENV) rebuilds it.
asked_for_python := $(filter command line environment%,$(origin PYTHON))
other_python = $(shell [ -d $(VENV) ] && [ "$$($(BIN)/python -c '$(IDENTIFY)' 2>/dev/null)" != "$$($(PYTHON) -c '$(IDENTIFY)' 2>/dev/null)" ] && echo yes)

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt pyproject.toml emulator/pyproject.toml $(if $(asked_for_python),$(if $(other_python),FORCE))
	$(if $(python_problem),$(error $(python_problem)))
	@echo "Setting up $(VENV): the pinned packages of requirements*.txt and this project (1-2 minutes the first time)."
	@made_by="$$($(BIN)/python -c '$(IDENTIFY)' 2>/dev/null)"; asked="$$($(PYTHON) -c '$(IDENTIFY)')"; \
	if [ -d $(VENV) ] && [ "$$made_by" != "$$asked" ]; then \
		echo "Rebuilding $(VENV): it was made by $${made_by:+Python }$${made_by:-a Python that no longer runs}, and PYTHON=$(PYTHON) is Python $$asked."; \
		$(PYTHON) -m venv --clear $(VENV); \
	else \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -r requirements-dev.txt -e . -e ./emulator
	touch $@
	@echo "$(VENV) is ready. Run commands with $(BIN)/python, or first: source $(BIN)/activate"

FORCE:

setup: $(VENV)/.installed

# Open a notebook in JupyterLab (against the emulator unless .env names a subscription); the
# file browser shows the whole project, README included. The address JupyterLab prints opens
# the notebook too, for when no browser can be started (containers, remote machines).
tutorial: setup
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url="/lab/tree/$(NOTEBOOK)" $(ALLOW_ROOT) $(LAB_ARGS)

# Run a notebook headless: each step's output as it runs, then where it ran and how long it took.
# The notebook file is not changed; a failing step stops the run with its error (exit status 1).
run: setup
	$(BIN)/python scripts/run_notebook.py $(NOTEBOOK)

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/actionlint .github/workflows/*.yml

bench: setup
	$(BIN)/python -m bench
