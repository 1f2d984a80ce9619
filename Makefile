# paicha — the commands an operator and a developer need. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help up down status test lint typecheck unit integration schemas bench bench-parts clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

up: $(STAMP)  ## start paicha: Kafka, PostgreSQL + FerretDB, the four services, the demo grids, both simulators
	$(BIN)/paicha up

down:  ## stop everything `make up` started (data is kept; `paicha down --wipe` deletes it)
	@if [ -x $(BIN)/paicha ]; then $(BIN)/paicha down; else echo "nothing installed yet"; fi

status: $(STAMP)  ## what is running
	$(BIN)/paicha status

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

bench: $(STAMP)  ## whole-chain benchmark vs. the relay ceiling, on its own private stack (BENCH_ARGS=--running: the running one)
	$(BIN)/python benchmarks/whole_chain.py $(BENCH_ARGS)

bench-parts: $(STAMP)  ## the per-service benchmarks, against the local stack: `make up` first
	$(BIN)/python benchmarks/intake_push.py --kafka 127.0.0.1:9092 --mongo mongodb://127.0.0.1:27017/
	$(BIN)/python -m benchmarks.triage_worker --bootstrap 127.0.0.1:9092 --records 20000
	$(BIN)/python benchmarks/relay_ceiling.py --bootstrap 127.0.0.1:9092 --records 50000

clean:  ## remove the virtualenv and tool caches (not ~/.cache/paicha)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
