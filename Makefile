# The two commands of the README: `make dev` and `make test`.
.PHONY: setup dev test test-fast lint format bench config-validate config-apply

VENV := .venv
PY := $(VENV)/bin/python

setup:
	@bash scripts/setup.sh

dev: setup
	$(PY) -m emulators.dev

test: setup
	bash scripts/test.sh $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: setup
	$(PY) -m bench.run_all

config-validate: setup
	cd functions && ../$(PY) -m core.config validate $(abspath $(FILE))

config-apply: setup
	cd functions && ../$(PY) -m core.config apply $(abspath $(FILE))
