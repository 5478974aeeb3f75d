# Jaga: the commands a developer or CI needs; each creates .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench drills clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/jaga serve --demo

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy domain application

bench: $(STAMP)
	$(BIN)/jaga bench --quick

# Every drill, slow ones included; the counts table prints at the end.
drills: $(STAMP)
	JAGA_DRILLS=full $(BIN)/pytest -q -m drill -p no:cacheprovider tests/drills

clean:
	rm -rf $(VENV) var
