# Two commands: `make run` (set up and start the course) and `make test` (set up and run the suite).
VENV    ?= .venv
PYTHON  ?= python3
BIN      = $(VENV)/bin
PORT    ?= 8888

.PHONY: run test test-fast install install-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the project's declared dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# The browser side of the course's Voilà pages (c4c_lms/lms/widgets_page): npm packages at their
# locked versions, bundled by esbuild into the template's static/page/ (git-ignored).
PAGE_SRC = c4c_lms/lms/widgets_page
PAGE_JS  = c4c_lms/lms/jupyter/voila/templates/c4c/static/page/page.js
$(PAGE_JS): $(PAGE_SRC)/package.json $(PAGE_SRC)/package-lock.json $(wildcard $(PAGE_SRC)/src/*)
	cd $(PAGE_SRC) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

install: $(VENV)/.installed $(PAGE_JS)
install-test: $(VENV)/.installed-test $(PAGE_JS)

run: install
	$(BIN)/c4c serve --port $(PORT)

# The fault tier (tests/faults, marker `faults`) mostly waits on the processes it kills: it runs
# as a second pass, two test files at a time. Exit code 5 means PYTEST_ARGS selected none of it.
test: install-test
	$(BIN)/python -m pytest -m "not faults" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m faults -n 2 --dist loadfile $(PYTEST_ARGS) || [ $$? -eq 5 ]

# Everything but the browser, notebook and slow tiers: the loop while you edit (under 2 minutes).
test-fast: install-test
	$(BIN)/python -m pytest -m "not browser and not slow and not notebooks" $(PYTEST_ARGS)

# Benchmark scripts print their figures and ratios against a baseline run in the same script.
BENCHES ?= bench_cohort bench_apps bench_apps_1 bench_apps_2 bench_grading
bench: install-test
	@for b in $(BENCHES); do echo "== tests/bench/$$b.py"; $(BIN)/python tests/bench/$$b.py || exit 1; done

clean:
	rm -rf var/ .pytest_cache

# -- the hosted course (`c4c hub`): JupyterHub + configurable-http-proxy + private PostgreSQL ------
# Run as root on the course server. Secrets are generated once into var/hub/secrets.env (0600)
# and reach the programs only as environment variables.
.PHONY: proxy hub hub-rehearsal
CHP = var/node/node_modules/.bin/configurable-http-proxy

$(CHP):
	mkdir -p var/node
	npm install --prefix var/node --no-audit --no-fund --loglevel=error configurable-http-proxy@4

proxy: $(CHP)

var/hub/secrets.env: | $(BIN)/python
	mkdir -p var/hub
	umask 077; for v in C4C_HUB_SECRET C4C_HUB_ADMIN_TOKEN C4C_HUB_DB_PASSWORD; do \
	  echo "$$v=$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(24))')"; done > $@

hub: install $(CHP) var/hub/secrets.env
	set -a; . ./var/hub/secrets.env; set +a; $(BIN)/c4c hub start

# The hub tests start a real configurable-http-proxy: `make test` installs it (npm, into var/node).
test: $(CHP)

# Load rehearsal (not part of `make test`): USERS participants on a private hub, loopback only,
# stops by itself; prints the figures README "Hosting a cohort" quotes. As root.
USERS ?= 30
SIGNIN ?= links
hub-rehearsal: install-test $(CHP)
	$(BIN)/python tests/bench/hub_rehearsal.py --users $(USERS) --signin $(SIGNIN)
