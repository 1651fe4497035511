# AdmitOne.  `make demo` and `make test` work on a fresh Debian/Ubuntu machine:
# both install what they need first (packaging/bootstrap-dev.sh).
VENV ?= .venv
BIN := $(VENV)/bin
export VENV

.PHONY: setup test lint bench soak demo demo-offline screenshots package clean

setup:
	sh packaging/bootstrap-dev.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Two workers (pytest-xdist), as many as CI's cores: each gets its own PostgreSQL
# cluster, X display and browser.  `pytest` alone runs the suite in one process.
test: setup lint
	$(BIN)/python -m pytest -n 2

bench: setup
	$(BIN)/python -m tests.bench

# The kiosk for half an hour on a looped gate video (SOAK_MINUTES to change it).
soak: setup
	$(BIN)/python -m tests.bench soak

demo: setup
	$(BIN)/admitone kiosk $(if $(CAMERA),--camera $(CAMERA)) demo

demo-offline: setup
	$(BIN)/admitone demo

# The kiosk under Xvfb, and every console page in chromium (desktop and phone widths).
screenshots: setup
	$(BIN)/python -m tests.screenshots docs/screenshots
	ADMITONE_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/browser

# The gate PC's program as one folder, dist/admitone/, then run as a gate PC would.
package: setup
	$(BIN)/pip install --quiet -e '.[kiosk,dev,package]'
	$(BIN)/pyinstaller --noconfirm --log-level WARN packaging/pyinstaller/admitone.spec
	sh packaging/pyinstaller/smoke_test.sh dist/admitone/admitone $(BIN)/admitone

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info
