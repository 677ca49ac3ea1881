# sbops: two commands do everything on a fresh clone.
#   make run   - virtualenv, install, migrate, demo data, then the console with its worker
#   make test  - the whole test suite (on whatever DATABASE_URL / REDIS_URL say; none = embedded)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-stamp
CHROMIUM := /usr/bin/chromium
PYTEST_ARGS ?=

.PHONY: run test install browser lint bench clean

run: $(INSTALLED)
	$(PY) -m sbops.cli setup
	$(PY) -m sbops.cli demo-data
	$(VENV)/bin/sbops run

test: $(INSTALLED) browser
	$(PY) -m pytest $(PYTEST_ARGS)

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(INSTALLED)

# Browser tests drive Debian's Chromium through Playwright; Playwright's own browser download
# is never used (it cannot work offline).
browser:
	@test -x $(CHROMIUM) || { \
		echo "installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(INSTALLED)
	$(PY) benchmarks/event_latency.py
	$(PY) benchmarks/ingest.py
	$(PY) benchmarks/throttle.py

clean:
	rm -rf $(VENV) var .pytest_cache
