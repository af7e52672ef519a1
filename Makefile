# Two commands do all of the set-up: `make demo` (the main job) and `make test`.
# Everything installs into .venv from pinned requirements.txt.
PY      := .venv/bin/python
BIN     := .venv/bin
STAMP   := .venv/.installed
SHARED  ?= ../shared
BOARD   ?= m5stickc_plus2
PORT    ?=

.PHONY: all venv sysdeps demo test lint bench score flash clean typings typecheck

all: test

$(STAMP): requirements.txt pyproject.toml
	@python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python 3.11 or newer is needed (the pinned numpy, matplotlib and hypothesis need it); python3 is %d.%d" % sys.version_info[:2])'
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
	$(BIN)/ruff check firmware host_tools tests tools hardware

test: $(STAMP) sysdeps lint typecheck
	$(BIN)/python -m pytest -q

# Detector accuracy on the shared corpus and per-sample cost under micropython.
bench: $(STAMP)
	$(BIN)/cadencepod bench --shared $(SHARED)

# Log download speed: `cadencepod pull` vs plain `mpremote cp`, same file, same (simulated) pod; log kB/h.
bench-pull: $(STAMP)
	$(BIN)/python -m cadencepod.bench_pull $(if $(PORT),--port $(PORT),)

# BLE on/off in the simulated pod: pipeline cost per sample and metronome beat timing (docs/ble.md).
.PHONY: bench-ble
bench-ble: $(STAMP)
	$(PY) tests/ble/bench_ble.py --seconds 20 --speed 1 --repeat 3

# Hardware: lint, validate the pin maps, regenerate the wiring diagrams/tables and the power-budget
# block of hardware/README.md, render the enclosure to build/pod.stl (tests/hardware checks all of it).
.PHONY: hardware
hardware: $(STAMP)
	$(BIN)/ruff check hardware
	$(PY) hardware/pinmap.py
	$(PY) hardware/wiring_svg.py
	$(PY) hardware/power_budget.py --update-readme
	mkdir -p build && openscad -o build/pod.stl hardware/enclosure/pod.scad

# MicroPython ESP32 stubs for mypy: into typings/, not the venv (they would shadow CPython's stdlib).
TYPINGS := typings/.installed
$(TYPINGS): $(STAMP)
	$(BIN)/pip install --quiet --no-deps --target typings micropython-esp32-stubs==1.29.0.post1 micropython-stdlib-stubs==1.29.0.post2
	@touch $@

typings: $(TYPINGS)

# mypy over firmware/ as the device sees it (mypy.ini: custom_typeshed_dir = typings).
typecheck: $(TYPINGS)
	$(BIN)/mypy

flash: $(STAMP)
	$(BIN)/cadencepod flash --board $(BOARD) $(if $(PORT),--port $(PORT),)

clean:
	rm -rf .venv demo-output bench-output build *.egg-info
