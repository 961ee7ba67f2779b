# wirecopy: `make demo` and `make test` set everything up on a machine with Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install demo test lint format bench clean browser screenshots redis

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

demo: $(STAMP)
	rm -f demo.db demo.db-wal demo.db-shm demo.db.lock
	$(BIN)/python -m pipeline ingest samples/ --db demo.db
	$(BIN)/python -m pipeline clusters --db demo.db --limit 5
	$(BIN)/python -m pipeline stories --db demo.db --limit 3
	$(BIN)/python -m pipeline stats --db demo.db
	@echo
	@echo "Browse it: $(BIN)/python -m pipeline serve --db demo.db   (http://127.0.0.1:8001)"

test: $(STAMP) lint browser redis
	$(BIN)/python -m pytest

# The browser tests render Datasette pages in headless Chromium (Debian's package).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "Installing Chromium for the browser tests (apt-get)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }

# The relay tests start a real redis-server on 127.0.0.1 (Debian's package).
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "Installing redis-server for the relay tests (apt-get)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends redis-server; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m benchmarks.shingles
	$(BIN)/python -m benchmarks.extraction
	$(BIN)/python -m benchmarks.syndication --seed 1
	$(BIN)/python -m benchmarks.stories
	$(BIN)/python -m benchmarks.throughput --repeats 3 --copies 3
	$(BIN)/python -m benchmarks.scale --articles 50000 --chunk 10000   # the README's table: --articles 1000000
	$(BIN)/python -m benchmarks.writer_steps   # which writer steps grew, on that database

# The README's pictures of the browse pages, from the demo database.
screenshots: demo browser
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm demo.db.lock .pytest_cache .ruff_cache
