# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit browser pg fuzz bench faults clean messages catalogues

# Translations: parley/<app>/locale/<lang>/LC_MESSAGES/django.po (and djangojs.po for web).
# The .po files are committed; the .mo files are compiled from them here, with Babel (pure
# Python, so a machine without GNU msgfmt builds them), and never committed.
LANGS := es de
LOCALE_APPS := $(patsubst %/locale,%,$(wildcard parley/*/locale))
PO_FILES := $(wildcard parley/*/locale/*/LC_MESSAGES/*.po parley/locale/*/LC_MESSAGES/*.po)
# The core modules (parley/errors.py, money.py, ...) have their own catalogue in parley/locale.
SUBPACKAGES := $(filter-out locale,$(notdir $(patsubst %/,%,$(wildcard parley/*/))))
MO_FILES := $(PO_FILES:.po=.mo)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Every catalogue compiled: a placeholder that differs from its msgid stops the build.
catalogues: $(MO_FILES)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@

# Updates every app's catalogues from the code (needs GNU gettext's xgettext and msgmerge);
# then translate what is new and `make catalogues` (the targets below do it themselves).
messages: $(STAMP)
	for app in $(LOCALE_APPS); do \
		(cd $$app && DJANGO_SETTINGS_MODULE=parley.settings $(CURDIR)/$(BIN)/django-admin \
			makemessages $(addprefix -l ,$(LANGS)) --no-obsolete --add-location file \
			--ignore 'tests/*') || exit 1; \
	done
	cd parley && DJANGO_SETTINGS_MODULE=parley.settings $(CURDIR)/$(BIN)/django-admin \
		makemessages $(addprefix -l ,$(LANGS)) --no-obsolete --add-location file \
		$(addprefix --ignore ,$(SUBPACKAGES))
	cd parley/web && DJANGO_SETTINGS_MODULE=parley.settings $(CURDIR)/$(BIN)/django-admin \
		makemessages -d djangojs $(addprefix -l ,$(LANGS)) --no-obsolete \
		--add-location file \
		--ignore 'static/vendor/*' --ignore 'tests/*'

run: $(STAMP) catalogues
	$(BIN)/parley migrate --noinput
	$(BIN)/parley keys where
	$(BIN)/parley demo
	@echo "Parley is serving on http://127.0.0.1:8000/  (API docs: /api/v1/docs)"
	@echo "Mail goes to the outbox folder in the data directory (data/outbox); EMAIL_URL=smtp://... sends it."
	$(BIN)/parley serve --host 127.0.0.1 --port 8000

# lint-imports: the layer contracts in pyproject.toml ([tool.importlinter]); a cycle fails.
lint: $(STAMP)
	$(BIN)/ruff check parley benchmarks tools
	$(BIN)/ruff format --check parley benchmarks tools
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy --strict parley benchmarks tools

unit: $(STAMP) catalogues
	$(BIN)/python -m pytest -q -m "not browser" parley

# Browser tests run in their own pytest process (Playwright's loop breaks later asyncio tests).
browser: $(STAMP) catalogues
	@if [ -x /usr/bin/chromium ]; then \
		$(BIN)/python -m pytest -q -m browser parley; \
	else \
		echo "!!! Chromium is not installed (/usr/bin/chromium): BROWSER TESTS NOT RUN."; \
		echo "!!! Install it with: apt-get install -y chromium"; \
		if [ -n "$$PARLEY_REQUIRE_BROWSER" ]; then exit 1; fi; \
	fi

test: lint typecheck unit browser

# The whole suite again on PostgreSQL (DATABASE_URL must point at a server you can create
# databases on; .ci/run starts the local one).
pg: $(STAMP) catalogues
	DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/parley} \
		$(BIN)/python -m pytest -q -m "not browser" parley

# schemathesis over every API operation as the mediator and as a party (about 3 minutes): no 5xx,
# no answer outside its schema.
fuzz: $(STAMP) catalogues
	.ci/fuzz

bench: $(STAMP)
	$(BIN)/python benchmarks/negotiation.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/dashboard.py
	$(BIN)/python benchmarks/rooms.py
	$(BIN)/python benchmarks/export.py
	$(BIN)/python benchmarks/encryption.py

# Stops and starts the machine's PostgreSQL and Redis: never run it in CI.
faults: $(STAMP)
	$(BIN)/python benchmarks/faults.py

clean:
	rm -rf $(VENV) data
