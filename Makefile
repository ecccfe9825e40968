# Two commands set up a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The development settings; production sets its own variables (see docs/deploy.md).
export DEBUG ?= true

.PHONY: run worker test e2e lint format check migrate seed chromium clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# The demo site and, beside it, the background-job worker (emails and other
# jobs wait in the database queue until a worker runs them); Ctrl-C stops both.
run: seed
	$(BIN)/python manage.py run_jobs --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The background-job worker alone (docs/deploy.md, "Background jobs").
worker: migrate
	$(BIN)/python manage.py run_jobs

# The whole suite, browser tests included, on SQLite unless DATABASE_URL says otherwise.
# PYTEST_ARGS passes options on (.ci/run: -m "not stack" in one of its passes).
PYTEST_ARGS ?=
test: $(STAMP) chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

e2e: $(STAMP) chromium
	$(BIN)/python -m pytest -m e2e

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(STAMP)
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Browser tests use Debian's Chromium, never a browser Playwright downloads.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "The browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; \
	  fi; }

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm media staticfiles var/cache

# The benchmark (issue 6): seeds a database of its own, serves it with gunicorn
# on loopback and drives it with wrk; see docs/benchmark.md. BENCH_* variables
# tune it (bench/config.py); DATABASE_URL and REDIS_URL switch to PostgreSQL
# and Redis. Every process it starts is stopped when it ends, also on Ctrl-C.
.PHONY: bench wrk bench-peer
bench: $(STAMP) wrk bench-peer
	$(BIN)/python -m bench

# The Wagtail peer that make bench measures beside the site (bench/peer/README.md):
# its own virtual environment, from its own pinned requirements. If it cannot be
# installed, this says so loudly and make bench runs without the peer (and says
# so again in its report).
PEER_VENV := bench/peer/.venv
PEER_STAMP := $(PEER_VENV)/.installed
bench-peer:
	@rm -f bench/peer/.install-failed
	@$(MAKE) --no-print-directory $(PEER_STAMP) || { \
	  echo "pip install -r bench/peer/requirements.txt failed (see make bench-peer)" \
	    > bench/peer/.install-failed; \
	  echo "!!! The Wagtail peer could not be installed (above); make bench carries on without it." >&2; }

$(PEER_STAMP): bench/peer/requirements.txt
	rm -f $(PEER_STAMP)
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install --quiet --upgrade pip
	$(PEER_VENV)/bin/pip install --quiet -r bench/peer/requirements.txt
	touch $(PEER_STAMP)

# wrk, the load generator, from Debian.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	  else \
	    echo "make bench needs wrk: sudo apt-get install wrk" >&2; exit 1; \
	  fi; }

# Backup and restore (docs/deploy.md, "Backup and restore"): the database and the media
# files in one .tar.gz. FILE names the archive; FORCE=1 lets restore replace a
# site that holds data.
.PHONY: backup restore
backup: $(STAMP)
	$(BIN)/python manage.py backup $(if $(FILE),--output "$(FILE)")

restore: $(STAMP)
	@test -n "$(FILE)" || { echo "Say which archive: make restore FILE=backups/....tar.gz" >&2; exit 1; }
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py restore "$(FILE)" $(if $(FORCE),--force)

# The WordPress importer's benchmark (issue 12): a synthetic export at two
# sizes, imported twice each on SQLite and, when DATABASE_URL names a
# PostgreSQL server, into its database newsroom_bench_import (or the one
# BENCH_IMPORT_DB_NAME names, when several people share a server); posts/s and
# peak RSS go to bench/RESULTS.md. BENCH_IMPORT_POSTS=10000,100000 and
# BENCH_IMPORT_BODY_BYTES=6000 give the issue's 1 GB export (docs/import.md).
.PHONY: bench-import
bench-import: $(STAMP)
	$(BIN)/python -m bench.imports
