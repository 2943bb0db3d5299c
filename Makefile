# Accordo — the README's commands. `make run` and `make test` do all set-up on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
RUNTIME_DEBS := gettext libmagic1 fonts-dejavu-core tesseract-ocr tesseract-ocr-nld tesseract-ocr-fra tesseract-ocr-eng ghostscript libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1
TEST_DEBS := gettext chromium fonts-dejavu-core
SCALE_DEBS := postgresql redis-server
PYTEST_ARGS ?=

.PHONY: help run serve install install-dev debs-runtime debs-test debs-scale assets messages static migrate seed \
        test test-scale bench lint lock clean

help:
	@echo "make run         install, migrate, seed the demo and serve http://127.0.0.1:8000 with the worker"
	@echo "make test        install test dependencies and run every test (browser tests included)"
	@echo "make test-scale  run the suite against throw-away PostgreSQL, Redis and S3 (moto) servers"
	@echo "make bench       seed a large dataset and measure pages against the framework floor"
	@echo "make lint        ruff and mypy"

# --- installation -------------------------------------------------------------------------------
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "Run as root (or install:$$missing) first" >&2; exit 1; fi; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1 \
	    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $$missing; }; \
	fi
endef

debs-runtime:
	$(call apt_install,$(RUNTIME_DEBS))

debs-test: debs-runtime
	$(call apt_install,$(TEST_DEBS))

debs-scale:
	$(call apt_install,$(SCALE_DEBS))

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/activate
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(VENV)/bin/activate
	$(PIP) install -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

install: debs-runtime $(VENV)/.runtime messages
install-dev: debs-test $(VENV)/.dev messages node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Vendored front-end files are committed; this refreshes them from the pinned npm packages.
assets: node_modules/.installed
	cp node_modules/htmx.org/dist/htmx.min.js accordo/static/vendor/htmx-2.0.4.min.js
	cp node_modules/@alpinejs/csp/dist/cdn.min.js accordo/static/vendor/alpine-csp-3.14.9.min.js

messages:
	$(PY) manage.py compilemessages --ignore=.venv -v0

static:
	$(PY) manage.py collectstatic --noinput -v0

migrate:
	$(PY) manage.py migrate --noinput -v0

seed:
	$(PY) manage.py seed_demo

# --- the README's commands ----------------------------------------------------------------------
run: install static migrate seed
	bin/serve

serve:
	bin/serve

test: install-dev
	bin/run-tests $(PYTEST_ARGS)

test-scale: install-dev debs-scale
	bin/scale-env bin/run-tests $(PYTEST_ARGS)

bench: install-dev
	$(PY) manage.py bench $(BENCH_ARGS)
	$(PY) manage.py bench_search $(BENCH_SEARCH_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy accordo

lock:
	@echo "Edit pyproject.toml, then regenerate requirements*.txt in a clean venv (see README)."

clean:
	rm -rf $(VENV) node_modules staticfiles .scale bench/data
