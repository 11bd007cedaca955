# The two commands of the README: `make dev` and `make test`.
.PHONY: setup dev test test-fast lint format lock docs bench config-validate config-apply deploy-check

VENV := .venv
PY := $(VENV)/bin/python

setup:
	@bash scripts/setup.sh

dev: setup
	$(PY) -m emulators.dev

# The web console: npm ci + build into console/dist (setup does it too; deploys need it).
console:
	bash scripts/build_console.sh

# A PNG of each console page in English and Korean into docs/console/.
screenshots: setup
	$(PY) scripts/console_screenshots.py

test: setup
	bash scripts/test.sh $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# The hash-locked lock files, resolved from the top-level pins (requirements.txt,
# requirements-dev.txt, emulators/requirements-tasks.txt) for Python 3.11 on Linux (as deployed);
# setup installs them with --require-hashes. Run after changing a pin and commit the locks
# with it. Unchanged pins keep their locked versions; LOCK_ARGS=--upgrade takes the newest.
LOCK := $(VENV)/bin/uv pip compile --quiet --python-version 3.11 --python-platform linux \
	--generate-hashes --custom-compile-command "make lock" $(LOCK_ARGS)
lock: setup
	$(LOCK) requirements.txt -o requirements.lock
	$(LOCK) requirements-dev.txt -c requirements.lock -o requirements-dev.lock
	$(LOCK) emulators/requirements-tasks.txt -o emulators/requirements-tasks.lock

# The OpenAPI descriptions as browsable HTML in docs/_build/openapi/ (offline; not committed).
docs: setup
	bash scripts/docs.sh

# Offline deploy checks: terraform fmt, tests/infra (hcl2 assertions, validations, checkov,
# manifest) and a cloud-shaped smoke run of every function (infra/README.md "Checks").
deploy-check: setup
	bash scripts/deploy_check.sh

bench: setup
	$(PY) -m bench.run_all

config-validate: setup
	cd functions && ../$(PY) -m core.config validate $(abspath $(FILE))

config-apply: setup
	cd functions && ../$(PY) -m core.config apply $(abspath $(FILE))
