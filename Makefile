# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-postgres soak bench clean messages pi-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/quartier demo

# Mozilla's ical.js, which the suite runs in Node to read our calendar feeds (from the lock file).
tests/calendars/node_modules/ical.js: tests/calendars/package-lock.json
	npm ci --prefix tests/calendars --no-audit --no-fund --silent

# Lint, format and type checks first (seconds), then the whole suite on JOBS processes
# (JOBS=1 for one process, e.g. to read a failure's output in order).
JOBS ?= 2
test: $(VENV)/.installed-test tests/calendars/node_modules/ical.js
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n $(JOBS) $(PYTEST_ARGS)

# The same suite on PostgreSQL: each pytest process starts a throwaway cluster of Debian's
# server (tests/postgres.py), a database with the schema emptied after each test. Deselected:
# tests marked sqlite_only, and those that never reach the `settings` fixture's store (they ran
# the same in make test). The checks above are not repeated: run make test first.
# PG_TESTS narrows it (CI: "not sqlite_only and not e2e", see .ci/run).
PG_TESTS ?= not sqlite_only
test-postgres: $(VENV)/.installed-test tests/calendars/node_modules/ical.js
	QUARTIER_TEST_STORE=postgresql $(BIN)/python -m pytest -n $(JOBS) -m "$(PG_TESTS)" $(PYTEST_ARGS)

# The long versions of the resilience tests (60 s of network faults, 20 server kills,
# 200 schemathesis examples per API operation, more hypothesis examples).
soak: $(VENV)/.installed-test
	QUARTIER_SOAK_SECONDS=60 QUARTIER_SOAK_KILLS=20 $(BIN)/python -m pytest -m soak $(PYTEST_ARGS)
	QUARTIER_SOAK_SECONDS=60 QUARTIER_SOAK_EXAMPLES=200 $(BIN)/python -m pytest tests/test_schemathesis.py tests/test_properties.py $(PYTEST_ARGS)

# Every scenario of bench/ against its baseline, measured in the same run (under 10 minutes);
# QUICK=1 runs a tiny version of each in well under a minute.
$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed

bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench $(if $(QUICK),--quick) $(BENCH_ARGS)

# The README's volunteer's path for a lobby screen, walked in an arm64 Bookworm root under qemu
# (kept in .cache/); as root, 15 to 30 minutes; not part of make test. It clones the last
# commit, as a volunteer does. PI_CHECK_KIOSK=no walks the agent alone.
pi-check: $(VENV)/.installed
	$(BIN)/python tools/pi_check.py

clean:
	rm -rf $(VENV) demo .pytest_cache

# Refresh every package's English catalogue from the French texts in code and templates.
# Then translate the new empty entries in <package>/locale/en/LC_MESSAGES/messages.po.
messages: $(VENV)/.installed
	@for pkg in quartier events commons referral forum reports signage displays; do \
	  [ -d $$pkg ] || continue; \
	  $(BIN)/pybabel -q extract -F babel.cfg --no-location -o $$pkg/messages.pot $$pkg; \
	  if [ -f $$pkg/locale/en/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel -q update --no-fuzzy-matching -i $$pkg/messages.pot -d $$pkg/locale -l en; \
	  else \
	    $(BIN)/pybabel -q init -i $$pkg/messages.pot -d $$pkg/locale -l en; \
	  fi; \
	  rm $$pkg/messages.pot; \
	done
