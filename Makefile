# Quick start: `make run` (bot on Telegram when TELEGRAM_BOT_TOKEN is set, else in the terminal)
# and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test check bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

run: $(STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then exec $(BIN)/legalbot run; else exec $(BIN)/legalbot chat; fi

test: $(DEVSTAMP)
	$(BIN)/python -m pytest -q

check: $(STAMP)
	$(BIN)/legalbot intents check

bench: $(DEVSTAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	for script in benchmarks/bench_*.py benchmarks/compare_baseline.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
