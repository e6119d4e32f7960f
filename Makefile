# Newsroom: the project's verbs. `make run` serves the site, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
# Runs a command with DATABASE_URL set, starting the embedded PostgreSQL when it is unset.
WITH_DB := $(PY) -m newsroom.devdb exec --

.PHONY: run test lint format bench demo install setup shell clean

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Migrate, collect static files, load the demo content and the local accounts.
setup: install
	$(WITH_DB) sh -c '$(PY) manage.py migrate --noinput && \
		$(PY) manage.py collectstatic --noinput --verbosity 0 && \
		$(PY) manage.py demo && \
		$(PY) manage.py local_accounts'

run: install
	$(WITH_DB) sh -c '$(PY) manage.py migrate --noinput && \
		$(PY) manage.py collectstatic --noinput --verbosity 0 && \
		$(PY) manage.py demo && \
		$(PY) manage.py local_accounts && \
		echo "Serving on http://127.0.0.1:8000 (Ctrl-C stops)" && \
		exec $(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py newsroom.wsgi'

test: install
	$(WITH_DB) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(WITH_DB) $(PY) -m bench

demo: install
	$(WITH_DB) $(PY) manage.py demo

shell: install
	$(WITH_DB) $(PY) manage.py shell

clean:
	rm -rf $(VENV) .pgdata staticfiles media test-artifacts .pytest_cache .ruff_cache
