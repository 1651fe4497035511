# AdmitOne.  `make demo` and `make test` work on a fresh Debian/Ubuntu machine:
# both install what they need first (packaging/bootstrap-dev.sh).
VENV ?= .venv
BIN := $(VENV)/bin
export VENV

.PHONY: setup test lint bench demo demo-offline screenshots clean

setup:
	sh packaging/bootstrap-dev.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: setup lint
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m tests.bench

demo: setup
	$(BIN)/admitone kiosk $(if $(CAMERA),--camera $(CAMERA)) demo

demo-offline: setup
	$(BIN)/admitone demo

screenshots: setup
	$(BIN)/python -m ui.screenshots docs/screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build *.egg-info
