# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint migrate demo clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

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

clean:
	rm -rf $(VENV) var
