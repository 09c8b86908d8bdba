# Hearth: the whole set-up on a fresh machine is `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB := sqlite:///./demo.db

.PHONY: demo test lint bench docs i18n clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

## demo: install, build a generated demo community in demo.db and serve it on :8000
demo: $(STAMP)
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/hearth --db $(DEMO_DB) init
	$(BIN)/hearth --db $(DEMO_DB) generate --members 400 --events 40000 --seed 7
	@echo "An administrator for the demo (sign in with these at the address below):"
	@$(BIN)/hearth --db $(DEMO_DB) admin create admin --generate-password
	@echo "Hearth is serving the demo community: open http://127.0.0.1:8000/staff/dashboard?period=all (Ctrl-C stops it)"
	$(BIN)/hearth --db $(DEMO_DB) serve --host 127.0.0.1 --port 8000

## test: install with test dependencies and run the suite on SQLite and PostgreSQL
test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/hearth
	$(BIN)/hearth docs --check
	$(BIN)/pytest

## lint: ruff and mypy
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/hearth

## bench: every benchmark; results in docs/benchmarks.md
bench: $(STAMP)
	mkdir -p bench/out
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.git_import --output bench/out/git_import.md
	$(BIN)/python -m bench.webhooks --output bench/out/webhooks.md
	$(BIN)/python -m bench.rebuild --output bench/out/rebuild.md
	$(BIN)/python -m bench.faq_matching --output bench/out/faq_matching.md
	$(BIN)/python -m bench.dashboard --output bench/out/dashboard.md
	$(BIN)/python -m bench.pages --output bench/out/pages.md
	$(BIN)/python -m bench.rank --output bench/out/rank.md

## docs: regenerate the generated references in docs/
docs: $(STAMP)
	$(BIN)/hearth docs

## i18n: extract the strings (locale/hearth.pot), update every catalog, compile them (docs/i18n.md)
LOCALE := src/hearth/locale
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --add-comments=Translators: --project=Hearth \
		--copyright-holder="Hearth contributors" --msgid-bugs-address="" -w 100 \
		-o $(LOCALE)/hearth.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i $(LOCALE)/hearth.pot -d $(LOCALE) \
		-D hearth -w 100
	$(BIN)/pybabel compile -d $(LOCALE) -D hearth --statistics

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache .ruff_cache .mypy_cache
