# Maillage: `make demo` runs the product on SQLite with a demo network;
# `make test` runs the whole test suite (PostgreSQL when DATABASE_URL is set).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo and the tests run in the "local" posture (see src/maillage/settings.py).
export MAILLAGE_DEPLOYMENT ?= local

.PHONY: demo serve test lint format messages install install-test system-test-deps bench bench-evaluation fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-test pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Compiled gettext catalogs are built, not committed.
messages: install
	bash scripts/system-packages.sh gettext
	cd src/maillage && ../../$(BIN)/django-admin compilemessages -v0

demo: messages
	$(BIN)/maillage migrate --no-input -v0
	$(BIN)/maillage seed --scale demo --if-empty
	@echo ""
	@echo "Maillage is served at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@# The task worker sends e-mails (printed on this console in the demo); it stops with make.
	@# The links in e-mails point to where this demo is served, whatever HOST and PORT are.
	MAILLAGE_BASE_URL=http://$(HOST):$(PORT) $(BIN)/maillage db_worker --interval 2 --no-reload & \
	trap "kill $$!" EXIT; \
	MAILLAGE_BASE_URL=http://$(HOST):$(PORT) $(BIN)/gunicorn maillage.wsgi:application --bind $(HOST):$(PORT) --workers 2 \
		--access-logfile - --log-level warning

system-test-deps:
	bash scripts/system-packages.sh chromium gettext
	@[ -f node_modules/axe-core/axe.min.js ] || npm ci --no-audit --no-fund --loglevel=error

lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: install-test
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

# One worker per core (pytest-xdist); a test module stays on one worker, so that a module's
# world (tests/security/conftest.py) is built once.
test: install-test system-test-deps messages lint
	$(BIN)/pytest -n auto --dist loadfile

# The load and scale benchmark on PostgreSQL at 127.0.0.1 (benchmarks/README.md): builds the
# region data set once, serves it with the production settings, writes BENCHMARKS.md.
bench: $(VENV)/.installed-bench messages
	$(BIN)/python -m benchmarks.run

# The evaluation workspace beside Taguette (benchmarks/evaluation.py): the same 20 transcripts
# (100,000 words, 2,000 codings) loaded into both; import, open a coded 20,000-word document,
# list a code's passages, export the codebook; ratios into BENCHMARKS.md. Installs Taguette
# into var/taguette-venv on its first run; PostgreSQL at 127.0.0.1 (BENCH_PG) as for `bench`.
bench-evaluation: $(VENV)/.installed-bench messages
	$(BIN)/python -m benchmarks.evaluation

# The API fuzzer (README, "Fuzzing the API"): schemathesis against every operation of
# /api/v1/openapi.json, on PostgreSQL at 127.0.0.1 with the demo network in its own
# database (FUZZ_DB, default maillage_fuzz), for FUZZ_MAX_TIME seconds (default 600).
fuzz: install-test messages
	$(BIN)/python scripts/fuzz.py

clean:
	rm -rf $(VENV) var node_modules
