# make run: the demo on http://127.0.0.1:5000 · make test: the test suite · make lint: ruff
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
PYTEST_ARGS ?=

.PHONY: run test lint venv messages

venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when requirements.txt changed since the last install.
$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app demo --if-empty --password demo2026
	$(BIN)/flask --app app run --host 127.0.0.1 --port 5000

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

# The interface's Russian source strings, for a translator: translations/messages.pot.
# Add a language: .venv/bin/pybabel init -i translations/messages.pot -d translations -l en
messages: $(STAMP)
	mkdir -p translations
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --ignore-dirs=.venv -o translations/messages.pot .
