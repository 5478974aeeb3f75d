# Jaga: the commands a developer or CI needs; each creates .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser run test lint bench drills clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The demo's voting day is today, so the board is live when first opened.
run: $(STAMP)
	-$(BIN)/jaga demo --today
	$(BIN)/jaga serve --demo

# The dashboard's browser tests and the reports' PDF use Debian's Chromium, the PDF
# tests poppler-utils; installed when missing (as root).
browser:
	@{ command -v chromium && command -v pdftoppm; } >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  chromium poppler-utils >/dev/null; } \
	  || echo "Chromium or poppler-utils is missing: browser and PDF tests will be skipped"

test: $(STAMP) browser
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy domain application infrastructure interfaces

bench: $(STAMP)
	$(BIN)/jaga bench --quick

# Every drill, slow ones included; the counts table prints at the end.
drills: $(STAMP)
	JAGA_DRILLS=full $(BIN)/pytest -q -m drill -p no:cacheprovider tests/drills

clean:
	rm -rf $(VENV) var
