# The two commands in the README are `make run` and `make test`; everything else is what they need.
# Both install what is missing (Debian packages as root, the virtual environment, Python packages).

SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
LOCK := requirements.lock
NODE_PACKAGES := node_modules/.installed
export DJANGO_SETTINGS_MODULE := napreport.settings

# WeasyPrint needs Pango; psycopg2 builds against libpq.
RUNTIME_DEBS := python3-venv python3-dev build-essential libpq-dev \
	libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core fonts-liberation gettext \
	$(if $(shell command -v npm),,nodejs npm)
# Browser tests drive Debian's Chromium; PDF checks use poppler; the HTML checker (vnu) runs on Java; the proxy
# test (tests/production/test_proxy.py) runs the production nginx configuration (deploy/nginx.conf.template).
TEST_DEBS := chromium poppler-utils libreoffice-calc-nogui nginx-light \
	$(if $(shell command -v java),,default-jre-headless)
# The benchmarks load nginx with wrk (the public benchmark's run through the proxy).
BENCH_DEBS := nginx-light wrk

.PHONY: run test lint lock benchmarks system-runtime system-test system-bench clean

# French translations are compiled from the committed .po files (the .mo files are build output).
MESSAGES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

# The background worker (publishing) runs beside the web server and stops with it.
run: system-runtime $(VENV)/.installed $(NODE_PACKAGES) $(MESSAGES)
	DEBUG=1 $(PYTHON) manage.py migrate --noinput
	DEBUG=1 $(PYTHON) manage.py load_demo
	DEBUG=1 $(PYTHON) manage.py db_worker & worker=$$!; trap 'kill $$worker' EXIT; \
		DEBUG=1 $(PYTHON) manage.py runserver 127.0.0.1:8000

# Runs on SQLite by default; set DATABASE_URL=postgres://… to run the same suite on PostgreSQL.
# In parallel, one worker a core, each with its own test database and media folder (PYTEST_WORKERS=0: serially).
# Work stealing keeps both cores busy while one worker is in a long test; `PYTEST_ARGS="-m 'not slow'"` skips
# the subprocess and server tests for a quick local run (CI runs everything).
PYTEST_WORKERS ?= auto
test: system-runtime system-test $(VENV)/.installed $(NODE_PACKAGES) $(MESSAGES)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PYTHON) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(VENV)/bin/mypy
	DEBUG=1 $(PYTHON) manage.py makemigrations --check --dry-run
	DEBUG=1 $(PYTHON) manage.py check

# Speed and memory figures: scripts that print their measurements, not part of `make test`.
# (tests/benchmarks/load_faults.py loads the machine for minutes, on a private PostgreSQL cluster: run it by hand, see the README.)
benchmarks: system-runtime system-test system-bench $(VENV)/.installed $(NODE_PACKAGES) $(MESSAGES)
	$(PYTHON) tests/benchmarks/bench_report.py
	$(PYTHON) tests/benchmarks/bench_publish.py
	$(PYTHON) tests/benchmarks/bench_public.py
	$(PYTHON) tests/benchmarks/bench_pages.py

system-runtime:
	@$(call apt_install,$(RUNTIME_DEBS))

system-test:
	@$(call apt_install,$(TEST_DEBS))

system-bench:
	@$(call apt_install,$(BENCH_DEBS))

# The exact versions in the lock file, each checked against its hashes (pip included), then the project itself.
# `pip check` fails if pyproject.toml asks for something the lock does not hold: run `make lock`.
$(VENV)/.installed: $(LOCK) pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PYTHON) -m pip install --quiet --no-deps -e .
	$(PYTHON) -m pip check
	touch $@

# The front-end packages the app serves itself (package.json: the GC Design System and its artwork), exactly as
# package-lock.json pins them. No install scripts run: the packages ship built files, and their build tools'
# post-install steps (esbuild) are not needed to serve them.
$(NODE_PACKAGES): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# Regenerates the lock from pyproject.toml (runtime and dev), keeping the versions already pinned that still fit;
# `make lock UPGRADE=1` moves every package to its newest allowed version. Index locations stay out of the file.
# It needs only pip-tools, not an up-to-date venv, so it works right after pyproject.toml changes.
lock:
	test -x $(VENV)/bin/pip-compile || { test -x $(PYTHON) || python3 -m venv $(VENV); $(PYTHON) -m pip install --quiet pip-tools; }
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --extra dev $(if $(UPGRADE),--upgrade) -o $(LOCK) pyproject.toml

%.mo: %.po
	msgfmt --check-format -o $@ $<

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache

# Install only the Debian packages that are missing, so a second run costs nothing.
define apt_install
	missing=$$(for package in $(1); do dpkg -s $$package >/dev/null 2>&1 || echo $$package; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
endef
