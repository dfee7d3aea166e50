# Two commands on a fresh machine: `make run` and `make test`.
# Dependencies are installed from uv.lock (exact versions and hashes); pyproject.toml holds the
# allowed ranges. `make upgrade` re-locks to the newest allowed versions (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
UV_STAMP := $(VENV)/.uv-$(UV_VERSION)
STAMP := $(VENV)/.installed

# uv installs into .venv, never downloads a Python of its own, and leaves pip and uv in place.
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test install lint migrate demo lock upgrade clean

$(UV_STAMP):
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	touch $(UV_STAMP)

# --locked: install exactly what uv.lock says, and stop if it no longer matches pyproject.toml.
$(STAMP): pyproject.toml uv.lock $(UV_STAMP)
	$(UV) sync --locked --extra dev --inexact
	touch $(STAMP)

install: $(STAMP)

# After editing the ranges in pyproject.toml: lock again, keeping every other pin where it is.
lock: $(UV_STAMP)
	$(UV) lock

# Newest versions the ranges allow. Run `make test` before committing the new uv.lock.
upgrade: $(UV_STAMP)
	$(UV) lock --upgrade

migrate: export DEBUG ?= true
migrate: install
	$(PY) manage.py migrate --noinput

# seed_demo is idempotent: it loads the demo data once and leaves it alone afterwards.
demo: export DEBUG ?= true
demo: migrate
	$(PY) manage.py seed_demo

run: export DEBUG ?= true
run: demo
	$(VENV)/bin/honcho -f Procfile.dev start

test: export SECRET_KEY ?= insecure-test-only-key
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) var
