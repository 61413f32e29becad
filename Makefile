# Rectify: `make demo` serves the reference campaign, `make test` runs the whole suite.
# Everything CI needs is here: a step that is not in this file does not exist.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test install install-test browser lint serve clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test browser

# Debian's Chromium drives the browser tests (Playwright's own download does not work
# on closed networks); fonts-noto-cjk makes Chinese render instead of empty boxes;
# gettext checks that the translation catalog holds every marked string; LibreOffice
# (headless) turns test spreadsheets into .xls and .ods, and reads exported ones back,
# and turns the Word documents into PDF, whose first page poppler renders to PNG.
SYSTEM_PACKAGES := chromium fonts-noto-cjk gettext libreoffice-calc-nogui \
	libreoffice-writer-nogui poppler-utils
browser:
	@if [ ! -x /usr/bin/chromium ] || ! command -v xgettext >/dev/null \
	    || ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null \
	    || ! dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 \
	    || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES) \
		|| { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
		     apt-get install -y -q $(SYSTEM_PACKAGES); }; \
	fi

demo: install
	$(BIN)/rectify migrate --noinput
	$(BIN)/rectify load_demo
	@echo
	@echo "Rectify is at http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/rectify runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install-test lint
	$(BIN)/rectify makemigrations --check --dry-run
	$(BIN)/pytest --numprocesses auto

messages: $(VENV)/.installed
	cd rectify && ../$(BIN)/rectify makemessages -l zh_Hans --no-obsolete \
		--ignore 'tests/*' --ignore '*/tests/*' --ignore 'demo/*'
	cd rectify && ../$(BIN)/rectify compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var test-artifacts
