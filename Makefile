# Two commands do all of the set-up: `make demo` (the main job) and `make test`.
# Everything installs into .venv from pinned requirements.txt.
PY      := .venv/bin/python
BIN     := .venv/bin
STAMP   := .venv/.installed
SHARED  ?= ../shared
BOARD   ?= m5stickc_plus2
PORT    ?=

.PHONY: all venv sysdeps demo test lint bench score flash clean

all: test

$(STAMP): requirements.txt pyproject.toml
	python3 -m venv .venv
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

venv: $(STAMP)

# System packages the tests need (CI runs as root on a fresh Debian machine).
sysdeps:
	@bash tools/sysdeps.sh

demo: $(STAMP)
	$(BIN)/cadencepod demo

lint: $(STAMP)
	$(BIN)/ruff check firmware host_tools tests tools

test: $(STAMP) sysdeps lint
	$(BIN)/python -m pytest -q

# Detector accuracy on the shared corpus and per-sample cost under micropython.
bench: $(STAMP)
	$(BIN)/cadencepod bench --shared $(SHARED)

flash: $(STAMP)
	$(BIN)/cadencepod flash --board $(BOARD) $(if $(PORT),--port $(PORT),)

clean:
	rm -rf .venv demo-output bench-output build *.egg-info
