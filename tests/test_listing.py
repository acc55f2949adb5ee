"""Names the documents hold only as lines of a list: "Is Port Tau on the list?".

The corpus is an advisory whose list of harbors runs over several passages, each harbor a
line of its own (never a sentence), and a guide that talks about advisories in prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from ingest.pipeline import ingest
from kb.index.embedder import Embedder
from kb.knowledge import KnowledgeBase
from kb.query.analyse import known_names
from kb.settings import Settings

LEAD_IN = ("The Harbor Liaison Office has determined that the following harbors are not "
           "maintaining effective anti-smuggling measures:")
# Enough harbors, each with a few exceptions, that the list spans several passages.
HARBORS = ["Port Omega", "Port Sigma", "Port Upsilon", "Port Kappa", "Port Lambda",
           "Port Tau"]
ADVISORY = "\n\n".join([
    "Harbor Advisory (2-31)",
    "A. Background:",
    "The Harbor Liaison Office assesses the anti-smuggling measures of partner harbors and "
    "sets reporting rules for vessels arriving from harbors that fall short.",
    "B. Harbors Affected:",
    LEAD_IN,
    *(f"{h}\nExceptions Pier Number\n" + "\n".join(f"{h} Pier {i} HP{n}{i}-0001"
                                                  for i in range(1, 5))
      for n, h in enumerate(HARBORS)),
    "C. Actions:",
    "Vessels arriving from these harbors must report to the office 48 hours before arrival.",
    # After a sentence that ends the list: a line here is under no lead-in.
    "Port Rho",
])
GUIDE = """\
# Harbor Advisory Guide

Harbor advisories list the harbors whose vessels must report before arrival. The Harbor
Liaison Office publishes a new advisory each spring and reviews the list every year.
"""
MANIFEST = """\
[[document]]
file = "advisory.txt"
title = "Harbor Advisory (2-31)"
aliases = ["the advisory"]
status = "historical"

[[document]]
file = "guide.md"
title = "Harbor Advisory Guide"
status = "current"
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[KnowledgeBase]:
    root = tmp_path_factory.mktemp("listing")
    sources = root / "sources"
    sources.mkdir()
    (sources / "advisory.txt").write_text(ADVISORY, encoding="utf-8")
    (sources / "guide.md").write_text(GUIDE, encoding="utf-8")
    (sources / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    settings = Settings(data_dir=root / "data", sources_dir=sources)
    ingest(settings, embedder=embedder)
    with KnowledgeBase.open(settings, embedder) as opened:
        yield opened


def test_the_list_runs_over_several_passages(kb: KnowledgeBase) -> None:
    chunks = [c for c in kb.store.all_chunks() if c.doc_id == "advisory.txt"]
    # "Port Tau" is in a later passage than the lead-in of its list, and never a sentence.
    assert not any(LEAD_IN in c.text and "\nPort Tau\n" in c.text for c in chunks)
    assert any("\nPort Tau\n" in c.text for c in chunks)
    assert not any("Port Tau" in s.text for s in kb.store.all_sentences())


def test_a_name_is_a_run_of_capitalised_words_the_documents_use() -> None:
    vocabulary = {"port", "tau", "liberia", "equatori", "equatorial", "guinea"}
    assert known_names("Is Port Tau or Liberia listed, and Port Zed?", vocabulary,
                       set()) == ["Port Tau", "Liberia"]
    assert known_names("Is Liberia listed in the advisory?", vocabulary, {"liberia"}) == []


def test_a_rare_name_brings_the_passage_holding_it(kb: KnowledgeBase) -> None:
    question = "Is Port Tau among the harbors whose vessels must report before arrival?"
    plan = kb.plan(question)
    assert plan.parts[0].names == ["Port Tau"]
    # A name of several words is as rare as its rarest: "Tau", on one line of the list.
    rare = kb.retriever.rare_names(plan.parts[0].names)
    assert list(rare) == ["Port Tau"] and len(rare["Port Tau"]) == 1
    [held] = rare["Port Tau"]
    assert re.search(r"^Port Tau$", kb.store.get_chunks([held])[held].text, re.MULTILINE)
    # Its passages are one more ranking in the fusion, with a full vote.
    query = plan.parts[0].query
    vector = kb.embedder.encode_queries([query])
    without = kb.retriever.search_many([query], vector)[0]
    with_rare = kb.retriever.search_many([query], vector, rare=[[held]])[0]
    before = next(h.score for h in without if h.chunk.chunk_id == held)
    after = next(h.score for h in with_rare if h.chunk.chunk_id == held)
    assert after == pytest.approx(before + 1.0 / (60 + 1))
    assert any(h.chunk.chunk_id == held for h in kb.gather(plan)[0].hits)


def test_a_list_entry_is_quoted_after_the_lead_in_of_its_list(kb: KnowledgeBase) -> None:
    answer = kb.ask("Is Port Tau listed in the advisory?")
    texts = [s.text for s in answer.sentences]
    assert texts[:2] == [LEAD_IN, "Port Tau"]
    advisory = kb.documents["advisory.txt"]
    for citation in answer.citations[:2]:  # each quote is the document's own text
        assert advisory.text[citation.start:citation.end] == citation.quote
    # Each is cited alone: the entry's citation is its line, not the entries around it.
    assert answer.citations[0].quote == LEAD_IN
    assert answer.citations[1].quote == "Port Tau" and answer.citations[1].location == ""
    assert answer.citations[0].status == "historical"


def test_a_line_after_the_list_has_ended_is_not_an_entry(kb: KnowledgeBase) -> None:
    answer = kb.ask("Is Port Rho listed in the advisory?")
    assert "Port Rho" not in [s.text for s in answer.sentences]


def test_a_name_given_in_prose_is_answered_from_its_sentences(kb: KnowledgeBase) -> None:
    answer = kb.ask("How often does the Harbor Liaison Office review the list?")
    assert answer.sentences[0].text.startswith("The Harbor Liaison Office publishes")
    assert LEAD_IN not in [s.text for s in answer.sentences]
