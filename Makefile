# paicha — the commands an operator and a developer need. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help up down status test lint typecheck unit integration schemas clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

up: $(STAMP)  ## start paicha locally: Kafka + FerretDB (downloaded/built once, cached in ~/.cache/paicha)
	$(BIN)/paicha stack up

down:  ## stop everything `make up` started (data is kept; `paicha stack down --wipe` deletes it)
	@if [ -x $(BIN)/paicha ]; then $(BIN)/paicha stack down; else echo "nothing installed yet"; fi

status: $(STAMP)  ## what is running
	$(BIN)/paicha stack status

lint: $(STAMP)  ## ruff
	$(BIN)/ruff check .

typecheck: $(STAMP)  ## mypy
	$(BIN)/mypy

test: lint typecheck  ## lint, typecheck, then every test against a real Kafka and store
	$(BIN)/pytest

unit: $(STAMP)  ## tests that need no broker or store
	$(BIN)/pytest tests/unit

integration: $(STAMP)  ## tests on the real broker and store
	$(BIN)/pytest -m integration

schemas: $(STAMP)  ## regenerate contracts/schemas/*.json and contracts/asyncapi.yaml from the models
	$(BIN)/python -m contracts.generate

clean:  ## remove the virtualenv and tool caches (not ~/.cache/paicha)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
