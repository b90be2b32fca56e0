# Two commands: `make tutorial` (set up, then open the notebook in JupyterLab) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
NOTEBOOK := notebooks/01-manage-container-instances.ipynb

.PHONY: setup tutorial run test lint bench

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml emulator/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -e . -e ./emulator
	touch $@

setup: $(VENV)/.installed

# Open the tutorial in JupyterLab (against the emulator unless .env names a subscription).
tutorial: setup
	$(BIN)/jupyter lab $(NOTEBOOK)

# Run the tutorial headless: cells run in order, errors stop it; the notebook file is not changed.
run: setup
	$(BIN)/jupyter execute $(NOTEBOOK)

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/python -m bench
