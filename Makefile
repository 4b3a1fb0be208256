# Samspil: `make run` starts the demo, `make test` runs every check. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-stamp
VENDOR := static/vendor
DEV_SETTINGS := config.settings.dev
PYTEST_WORKERS ?= auto
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup frontend translations chromium lint typecheck migrations-check pytest bench seed clean messages

setup: $(STAMP) frontend translations

# English translations: compiled from the committed .po file (gettext's msgfmt).
translations: locale/en/LC_MESSAGES/django.mo

locale/en/LC_MESSAGES/django.mo: locale/en/LC_MESSAGES/django.po $(STAMP)
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(PY) manage.py compilemessages -l en --ignore='.venv/*' -v 0

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip wheel
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.package-lock.json

$(VENDOR)/.stamp: node_modules/.package-lock.json
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/dkfds $(VENDOR)/htmx
	cp -r node_modules/dkfds/dist/css node_modules/dkfds/dist/js node_modules/dkfds/dist/fonts node_modules/dkfds/dist/img $(VENDOR)/dkfds/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	touch $(VENDOR)/.stamp

frontend: $(VENDOR)/.stamp

# Debian's chromium for the browser tests (never a downloaded browser build).
chromium:
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium and poppler-utils for the browser and PDF tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null) ; \
	else \
	  echo "The browser tests need Debian's chromium: run 'sudo apt-get install chromium poppler-utils' and try again."; \
	  exit 1; \
	fi

run: setup
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/samspil migrate --no-input -v 0
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/samspil seed-demo
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/samspil serve $(HOST):$(PORT)

seed: setup
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/samspil migrate --no-input -v 0
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/samspil seed-demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy samspil config

migrations-check: setup
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

pytest: setup chromium
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py collectstatic --no-input -v 0
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint typecheck migrations-check pytest

bench: setup
	$(PY) bench/run.py

messages: $(STAMP)
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(PY) manage.py makemessages -l en --no-obsolete \
	  --ignore='.venv/*' --ignore='node_modules/*' --ignore='static/vendor/*' --ignore='var/*' \
	  --ignore='tests/*' --ignore='e2e/*' --ignore='bench/*'

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
