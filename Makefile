# One-command set-up: `make run` (the app, embedded default) and `make test` (lint + tests).
VENV := .venv
PY := $(VENV)/bin/python
CORPUS ?= ../shared/corpus
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
# llama-cpp-python (the `llm` extra, for the real-server LLM tests) builds from source: no native/AMX code
# paths, whose default build crashes on this CPU. Takes a while on 2 cores the first time; pip caches the wheel.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

.PHONY: setup setup-app run test lint unit eval bench clean

# What the app needs, and nothing else (no test tools, no llama.cpp build): `make run` is minutes, not a quarter hour.
setup-app: $(VENV)/.app

$(VENV)/.app: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of torch lies on this machine's disk; install it first so nothing pulls a CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e .
	touch $@

# Everything the tests need: the dev tools and the real LLM server of the `llm` extra.
setup: $(VENV)/.installed

$(VENV)/.installed: $(VENV)/.app
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" FORCE_CMAKE=1 $(PY) -m pip install -q -e '.[dev,llm]'
	touch $@

run: setup-app
	$(PY) app.py --corpus $(CORPUS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: lint
	$(PY) -m pytest -q

unit: setup
	$(PY) -m pytest -q -m "not slow and not integration"

eval: setup
	$(PY) -m evals --corpus $(CORPUS) --check

bench: setup
	$(PY) bench/ingest.py --corpus $(CORPUS)
	$(PY) bench/query.py --corpus $(CORPUS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
