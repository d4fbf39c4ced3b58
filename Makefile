# The two set-up commands: `make run` (the bot; the terminal chat when no token is set) and
# `make test`. Both create and reuse a local virtual environment in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run chat test lint bench

$(STAMP): pyproject.toml
	@echo "First run: creating $(VENV) and installing careerbot with its dependencies"
	@echo "(about a minute; later runs start at once)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)
	@echo "Installed into $(VENV)."

run: $(STAMP)
	$(BIN)/careerbot run

chat: $(STAMP)
	$(BIN)/careerbot chat

test: lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python -m bench.router
