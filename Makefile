# Two commands: `make tutorial` (set up, then open the notebook in JupyterLab) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Which notebook `make tutorial` opens and `make run` runs: NB=02 picks notebooks/02-*.ipynb.
NB ?= 01
NOTEBOOK = $(firstword $(wildcard notebooks/$(NB)*.ipynb) notebooks/$(NB))
# JupyterLab refuses to start as root without --allow-root; Docker, WSL and cloud VMs often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# Extra JupyterLab options, e.g. LAB_ARGS="--no-browser --port=8889".
LAB_ARGS ?=

.PHONY: setup tutorial run test lint bench

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml emulator/pyproject.toml
	@echo "Setting up $(VENV): the pinned packages of requirements*.txt and this project (1-2 minutes the first time)."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -r requirements-dev.txt -e . -e ./emulator
	touch $@
	@echo "$(VENV) is ready. Run commands with $(BIN)/python, or first: source $(BIN)/activate"

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

bench: setup
	$(BIN)/python -m bench
