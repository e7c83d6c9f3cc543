# Two commands on a fresh clone, with nothing but python3 and make:
#   make run    the whole system on http://127.0.0.1:5000 (helpdesk serve)
#   make test   the test suite (extra pytest arguments: make test PYTEST_ARGS="-k serve -x")
# Each bootstraps .venv first (tools/bootstrap-venv: uv from PyPI, pip as the fallback), and again
# only when pyproject.toml changes; `make run` installs what the system runs on, `make test` adds
# the test tools, so `make run` then `make test` installs each thing once. `make test` also
# installs the Debian packages the browser and SIP tests need, as root on Debian
# (tools/system-packages); elsewhere those tests skip, saying what to install.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The package and what it runs on; then the test and lint tools on top.
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PYTEST_ARGS ?=

.PHONY: run test lint format bench

$(STAMP): pyproject.toml
	sh tools/bootstrap-venv $(PYTHON) $(VENV) run
	@touch $@

$(TEST_STAMP): $(STAMP)
	sh tools/bootstrap-venv $(PYTHON) $(VENV) test
	@touch $@

run: $(STAMP)
	$(BIN)/helpdesk serve

test: $(TEST_STAMP)
	@sh tools/system-packages
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Each benchmark's docstring gives its options and its target.
bench: $(TEST_STAMP)
	$(BIN)/python -m bench.api_create
	$(BIN)/python -m bench.ticket_list
	$(BIN)/python bench/routing_engine.py
	$(BIN)/python -m bench.routing_in_request
	$(BIN)/python -m bench.phone_cti
	$(BIN)/python -m bench.sla_timers
	$(BIN)/python -m bench.audit_seal
	$(BIN)/python -m bench.console_fanout
	$(BIN)/python -m gevent.monkey --module bench.chat_delivery
