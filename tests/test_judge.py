"""Each composer rule on plain evidence: no index, no model, no store."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kb.answer.choose import Scored
from kb.answer.compose import Library, from_verdicts
from kb.answer.judge import ANSWERED, RELATED, UNANSWERED, judge
from kb.answer.rank import gives
from kb.index.lexical import LexicalIndex, plain_words, terms
from kb.models import Chunk, Document, Hit, Mention, Sentence
from kb.query.plan import Focus, PartPlan, QueryPlan

TEXT = ("The Tern Exchange lasts four days. Requests go to the liaison officer. "
        "The Commandant of the Harbor Office approves every request.")
DOC = Document(doc_id="d.txt", title="Harbor FAQ", text=TEXT, content_hash="x")
CONTACT = Chunk(chunk_id="c", doc_id="d.txt", text="Phone: (555) 010-4477", start=0, end=5,
                kind="contact")
LEXICAL = LexicalIndex.build(["a", "b"], [TEXT, "Unrelated text about cargo screening."])
PROGRAM = "Harbor Liaison Office"  # who "this program" is, in this corpus


def sentence(text: str, *mentions: Mention) -> Sentence:
    start = TEXT.index(text)
    return Sentence(f"s{start}", "k", "d.txt", text, start, start + len(text),
                    mentions=list(mentions))


def scored(s: Sentence, score: float) -> Scored:
    vector = np.zeros(4, dtype=np.float32)
    vector[hash(s.text) % 4] = 1.0
    return Scored(s, vector, score, terms(s.text))


def part(text: str, kind: str | None, strict: bool, focus: list[str]) -> PartPlan:
    return PartPlan(text=text, query=text, kind=kind, strict=strict,
                    focus=[Focus(w, frozenset(terms(w))) for w in focus],
                    asked_words=frozenset(text.lower().replace("?", "").split()))


LASTS = sentence("The Tern Exchange lasts four days.", Mention("duration", "four days"))
REQUESTS = sentence("Requests go to the liaison officer.")
COMMANDANT = sentence("The Commandant of the Harbor Office approves every request.",
                      Mention("organisation", "the Harbor Office"))


def verdict(p: PartPlan, ranked: list[Scored], cover: float = 0.6):  # type: ignore[no-untyped-def]
    return judge(p, ranked, 3, 0.5, LEXICAL, {"d.txt": terms(DOC.title)}, {}, cover)


def test_a_strict_kind_stated_about_the_focus_is_an_answer() -> None:
    p = part("How long does the Tern Exchange last?", "duration", True, ["tern", "exchange"])
    v = verdict(p, [scored(REQUESTS, 0.9), scored(LASTS, 0.8)])
    assert v.status == ANSWERED and v.picks[0].sentence is LASTS and v.confidence > 0.5


def test_a_strict_kind_no_sentence_states_makes_a_related_answer() -> None:
    p = part("How long does a request take?", "duration", True, ["request"])
    v = verdict(p, [scored(REQUESTS, 0.9)])
    assert v.status == RELATED and v.confidence < 0.5
    assert v.reason == "The documents do not give a duration for \u201cHow long does a request take?\u201d."
    assert [s.sentence for s in v.picks] == [REQUESTS]


def test_a_hedge_shows_the_closest_sentences_beside_one_of_the_kind_asked_for() -> None:
    # The duration is about the Tern Exchange, the question about requests: the hedged
    # answer quotes the duration and then the sentence on requests, closer to what was asked.
    p = part("How long do requests to the liaison officer take?", "duration", True,
             ["requests", "liaison", "officer"])
    v = verdict(p, [scored(REQUESTS, 0.9), scored(LASTS, 0.8)])
    assert v.status == RELATED
    assert [s.sentence for s in v.picks] == [LASTS, REQUESTS]


def test_a_hedge_shows_what_the_closest_document_states_of_the_kind_however_far() -> None:
    # Nothing close gives a duration, but the closest sentence's document does: shown too,
    # as not quite the answer.
    p = part("How long does the Harbor Office take to approve?", "duration", True,
             ["harbor", "office"])
    v = verdict(p, [scored(COMMANDANT, 0.9), scored(LASTS, 0.4)])
    assert v.status == RELATED
    assert [s.sentence for s in v.picks] == [COMMANDANT, LASTS]
    assert v.reason.endswith("in so many words.")


def test_the_programs_own_name_is_no_one_to_reach() -> None:
    # Every document is the program's: "whom should I ask?" is not answered by its name.
    p = part("Whom should I ask about approvals?", "contact", True, ["approvals"])
    assert gives(p, COMMANDANT)
    assert not gives(replace(p, known_words=frozenset({"the", "harbor", "office"})), COMMANDANT)


def test_an_entity_the_question_already_names_does_not_answer_it() -> None:
    p = part("Who is the Commandant of the Harbor Office?", "person", True, ["commandant"])
    assert not gives(p, COMMANDANT)
    assert verdict(p, [scored(COMMANDANT, 0.9)]).status == RELATED


def test_a_focus_the_sentences_do_not_hold_makes_a_related_answer() -> None:
    p = part("Do requests need a visa?", None, False, ["requests", "visa"])
    v = verdict(p, [scored(REQUESTS, 0.9)])
    assert v.status == RELATED and "\u201cvisa\u201d" in v.reason
    assert verdict(p, [scored(REQUESTS, 0.9)], cover=0.0).status == ANSWERED


def test_nothing_close_enough_is_unanswered_and_abstains_with_the_contact() -> None:
    p = part("What is the recipe for an omelette?", None, False, ["recipe", "omelette"])
    v = verdict(p, [scored(REQUESTS, 0.2)])
    assert v.status == UNANSWERED
    library = Library.of({"d.txt": DOC}, LEXICAL, [CONTACT], [], PROGRAM)
    answer = from_verdicts(_plan(p), [v], [], library)
    assert answer.abstained and answer.citations[0].quote == CONTACT.text
    # A contact block naming no office is the program's, as the settings name it.
    assert answer.citations[0].who == PROGRAM and f"{PROGRAM}, Phone:" in answer.text


def test_below_the_bar_a_sentence_holding_the_whole_subject_makes_a_related_answer() -> None:
    # No sentence comes near a duration, but one is about requests: the documents touch the
    # subject and do not give the kind asked for, which is not "nothing on it".
    p = part("How long does a request take?", "duration", True, ["request"])
    v = verdict(p, [scored(REQUESTS, 0.3), scored(LASTS, 0.2)])
    assert v.status == RELATED and [s.sentence for s in v.picks] == [REQUESTS]
    assert v.reason == "The documents do not give a duration for \u201cHow long does a request take?\u201d."
    assert v.confidence == 0.0
    # Only the whole subject counts; and a question that is not after a kind abstains.
    assert verdict(part("How long does a visa request take?", "duration", True,
                        ["visa", "request"]), [scored(REQUESTS, 0.3)]).status == UNANSWERED
    assert verdict(part("Do requests go anywhere?", None, False, ["requests"]),
                   [scored(REQUESTS, 0.3)]).status == UNANSWERED
    # One that states the kind, far as it reads from the question, is shown first, and the
    # answer does not claim the documents lack it.
    p = part("How long do you guys keep the Tern Exchange going?", "duration", True,
             ["tern", "exchange"])
    v = verdict(p, [scored(COMMANDANT, 0.35), scored(LASTS, 0.3)])
    assert v.status == RELATED and v.picks[0].sentence is LASTS
    assert v.reason == ("The documents do not answer \u201cHow long do you guys keep the Tern "
                        "Exchange going?\u201d in so many words.")


def test_below_the_bar_a_list_naming_what_was_asked_about_makes_a_related_answer() -> None:
    # "Is the Tern Exchange still on the roster?" scores low against a bare list entry; but a
    # list names it, which is not "nothing on it". The entry comes after its lead-in.
    entry, lead = sentence("The Tern Exchange"), sentence("Requests go to the liaison officer.")
    listed = replace(scored(entry, 0.3), lead_in=scored(lead, 0.3))
    p = part("Is the Tern Exchange still on the roster?", None, False,
             ["tern", "exchange", "roster"])
    v = verdict(p, [listed])
    assert v.status == RELATED and [s.sentence for s in v.picks] == [lead, entry]
    assert v.reason == ("The documents do not say anything about \u201croster\u201d in answer "
                        "to \u201cIs the Tern Exchange still on the roster?\u201d.")
    assert verdict(p, [scored(entry, 0.3)]).status == UNANSWERED  # a line on no list


def test_a_related_answer_says_what_is_missing_before_the_closest_passages() -> None:
    p = part("How long does a request take?", "duration", True, ["request"])
    v = verdict(p, [scored(REQUESTS, 0.9)])
    hit = Hit(chunk=Chunk(chunk_id="k", doc_id="d.txt", text=TEXT, start=0, end=len(TEXT)),
              score=1.0)
    library = Library.of({"d.txt": DOC}, LEXICAL, [], [], PROGRAM)
    answer = from_verdicts(_plan(p), [v], [hit], library)
    assert answer.mode == "related" and not answer.abstained
    assert answer.text.startswith("The documents do not give a duration for")
    assert "Requests go to the liaison officer. [1]" in answer.text
    assert answer.uncovered == [p.text] and answer.reasons == [v.reason]
    assert answer.to_json()["confidence"] < 0.5


def _plan(p: PartPlan):  # type: ignore[no-untyped-def]
    from kb.query.plan import QueryPlan

    return QueryPlan(question=p.text, text=p.text, parts=[p])


def test_an_acronym_is_held_by_a_sentence_that_spells_it_out() -> None:
    p = part("Who approves requests at the HO?", None, False, ["requests"])
    p.focus.append(Focus("ho", frozenset(terms("ho")), spelled=frozenset(terms("Harbor Office"))))
    assert verdict(p, [scored(COMMANDANT, 0.9)], cover=0.9).status == ANSWERED
    p.focus[-1] = Focus("ho", frozenset(terms("ho")))
    assert verdict(p, [scored(COMMANDANT, 0.9)], cover=0.9).status == RELATED
    # Not defined by any document: the initials of a name in the sentence spell it, the
    # small words inside the name apart ("Commandant of the Harbor Office": CHO, HO).
    for acronym, status in [("HO", ANSWERED), ("CHO", ANSWERED), ("HA", RELATED)]:
        p.focus[-1] = Focus(acronym.lower(), frozenset(terms(acronym)), acronym=acronym)
        assert verdict(p, [scored(COMMANDANT, 0.9)], cover=0.9).status == status


def test_a_light_focus_word_missing_does_not_unsettle_an_answer() -> None:
    p = part("Who approves every request for our crews?", None, False, ["approves", "request"])
    p.focus.append(Focus("crews", frozenset(terms("crews")), weight=0.1))
    assert verdict(p, [scored(COMMANDANT, 0.9)], cover=0.9).status == ANSWERED
    p.focus[-1] = Focus("crews", frozenset(terms("crews")))
    assert verdict(p, [scored(COMMANDANT, 0.9)], cover=0.9).status == RELATED


def test_the_sentence_stating_the_kind_must_itself_be_about_the_focus() -> None:
    other = Document(doc_id="e.txt", title="Tern notes", text="", content_hash="y")
    reviews = Sentence("r", "k", other.doc_id, "The joint review lasts two days.", 0, 33,
                       mentions=[Mention("duration", "two days")])
    p = part("How long does the Tern Exchange review last?", "duration", True,
             ["tern", "exchange", "review"])
    # Together the two sentences name the Tern Exchange and the review; neither dates both.
    v = judge(p, [scored(LASTS, 0.9), Scored(reviews, np.ones(4, dtype=np.float32), 0.85,
                                             terms(reviews.text))],
              3, 0.5, LEXICAL, {}, {}, 0.9)
    assert v.status == RELATED


def test_a_hedge_names_as_unsaid_only_words_no_quoted_sentence_holds() -> None:
    # The duration's sentence is not about requests; the sentence quoted beside it is.
    p = part("How long does a request to the Tern Exchange take?", "duration", True,
             ["request", "tern", "exchange"])
    lasts, requests = scored(LASTS, 0.9), scored(REQUESTS, 0.8)
    lasts.vector, requests.vector = np.eye(4, dtype=np.float32)[:2]
    v = verdict(p, [lasts, requests], cover=0.9)
    assert v.status == RELATED and [s.sentence for s in v.picks] == [LASTS, REQUESTS]
    assert v.reason == ("The documents do not answer \u201cHow long does a request to the Tern "
                        "Exchange take?\u201d in so many words.")


def test_a_document_is_about_its_title_aliases_publisher_and_month() -> None:
    doc = Document(doc_id="d.txt", title="Harbor FAQ", text=TEXT, content_hash="x",
                   aliases=["the leaflet"], publisher="Quay Office", date="2030-01-05")
    titles = Library.of({"d.txt": doc}, LEXICAL, [], [], PROGRAM).titles["d.txt"]
    assert terms("harbor faq leaflet quay office january 2030") <= titles


def test_a_long_word_spelt_another_way_is_held() -> None:
    p = part("Who approves every reqest at the Harbour Ofice?", None, False,
             ["approves", "harbour", "ofice"])
    # "harbour" is "Harbor" spelt another way; "ofice" is too short to be told from another word.
    assert verdict(p, [scored(COMMANDANT, 0.9)], cover=0.99).status == RELATED
    p.focus.pop()
    assert verdict(p, [scored(COMMANDANT, 0.9)], cover=0.99).status == ANSWERED


def test_a_follow_ups_referent_is_named_by_any_of_its_words() -> None:
    p = part("and who approves them?", "agent", False, ["approves"])
    p.focus += [Focus(w, frozenset(terms(w)), carried=True) for w in ("tern", "request")]
    v = verdict(p, [scored(COMMANDANT, 0.9)], cover=0.8)
    assert v.status == ANSWERED  # "request" names the referent; "tern" need not be repeated
    p.focus = [f for f in p.focus if f.word != "request"]
    v = verdict(p, [scored(COMMANDANT, 0.9)], cover=0.8)
    assert v.status == RELATED and "\u201ctern\u201d" in v.reason


def test_a_follow_up_on_a_named_document_is_about_it_in_every_sentence() -> None:
    p = part("and when does that last?", "duration", True, [])
    p.focus = [Focus(w, frozenset(terms(w)), carried=True) for w in ("cargo", "notice")]
    v = verdict(p, [scored(LASTS, 0.9)])
    assert v.status == RELATED and "\u201ccargo\u201d" in v.reason  # the missing referent named
    v = verdict(replace(p, named=["d.txt"]), [scored(LASTS, 0.9)])
    assert v.status == ANSWERED  # the referent is the document the sentence is from


def test_an_faq_sentence_answering_through_its_question_brings_the_opening_reply() -> None:
    # Both sentences sit under the FAQ question "Is the exchange open to officers?"; the later
    # one holds what was asked only through that question, so the reply before it joins.
    question = terms("Is the Tern Exchange open to officers?")
    opening = Scored(LASTS, np.eye(4, dtype=np.float32)[0], 0.6,
                     terms(LASTS.text) | question, in_faq=True)
    later = Scored(REQUESTS, np.eye(4, dtype=np.float32)[1], 0.9,
                   terms(REQUESTS.text) | question, in_faq=True)
    p = part("Is the Tern Exchange open to officers?", None, False, ["tern", "exchange"])
    v = verdict(p, [later, opening])
    assert v.status == ANSWERED
    assert [s.sentence for s in v.picks] == [LASTS, REQUESTS]
    # The same sentence outside an FAQ stands alone.
    alone = Scored(REQUESTS, later.vector, 0.9, later.terms)
    assert [s.sentence for s in verdict(p, [alone, scored(LASTS, 0.3)]).picks] == [REQUESTS]


def test_a_historical_document_answers_only_when_no_current_one_does() -> None:
    from kb.answer.compose import compose
    from kb.retrieve.evidence import Evidence
    from kb.settings import Settings

    old_text = "Requests for the Tern Exchange go to the Lisbon desk by fax."
    new_text = "Requests for the Tern Exchange go to the liaison officer."
    docs = {"old.txt": Document("old.txt", "Old brochure", old_text, "o", status="historical"),
            "new.txt": Document("new.txt", "Current FAQ", new_text, "n")}
    lexical = LexicalIndex.build(["old", "new", "x"], [old_text, new_text, "cargo screening"])
    library = Library.of(docs, lexical, [], [], PROGRAM)
    chunks = {d: Chunk(chunk_id=d, doc_id=d, text=t.text, start=0, end=len(t.text))
              for d, t in docs.items()}
    sentences = [Sentence(f"{d}.0", d, d, t.text, 0, len(t.text)) for d, t in docs.items()]
    # The old brochure's sentence is closer to the question than the current FAQ's.
    vectors = np.array([[1.0, 0.0], [0.9, 0.43]], dtype=np.float32)
    p = part("Where do requests for the Tern Exchange go?", None, False,
             ["requests", "tern", "exchange"])
    hits = [Hit(chunk=chunks[d], score=1.0, dense_score=0.8) for d in docs]
    plan = QueryPlan(question=p.text, text=p.text, parts=[p])
    evidence = [Evidence(p, np.array([1.0, 0.0], dtype=np.float32), hits, sentences, vectors)]
    answer = compose(plan, evidence, library, Settings())
    assert answer.mode == "extractive"
    assert [s.text for s in answer.sentences] == [new_text]
    # Asked of the old brochure by name, it answers.
    named = replace(p, named=["old.txt"])
    evidence = [Evidence(named, evidence[0].vector, hits, sentences, vectors)]
    answer = compose(replace(plan, parts=[named]), evidence, library, Settings())
    assert answer.sentences[0].text == old_text


def test_a_name_the_question_already_gives_without_accents_answers_nothing() -> None:
    ivoire = Mention("place", "Côte d'Ivoire")
    p = replace(part("Which ports of Cote d'Ivoire are listed?", "place", True, ["ports"]),
                asked_words=plain_words("Which ports of Cote d'Ivoire are listed?"))
    assert not gives(p, sentence("The Tern Exchange lasts four days.", ivoire))
    assert gives(p, sentence("The Tern Exchange lasts four days.", Mention("place", "Abidjan")))


def test_a_question_on_named_documents_as_a_whole_quotes_each_rather_than_abstaining() -> None:
    def of(doc_id: str, text: str, start: int) -> Scored:
        s = Sentence(f"{doc_id}{start}", doc_id, doc_id, text, start, start + len(text))
        return scored(s, 0.3)  # far below the bar: no sentence answers as asked
    later, first, other = (of("a.txt", "Later, quays are inspected.", 90),
                           of("a.txt", "The office assesses quays.", 10),
                           of("b.txt", "The office may deny entry.", 40))
    p = replace(part("What is the difference between the two codes?", None, False, []),
                named=["a.txt", "b.txt"])
    v = verdict(p, [later, other, first])
    assert v.status == RELATED and [s.sentence for s in v.picks] == [first.sentence,
                                                                    other.sentence]
    assert v.reason == ("The documents do not answer \u201cWhat is the difference between "
                        "the two codes?\u201d in so many words.")
    # Asked to compare them, however close a sentence comes: no one sentence compares them.
    close = [replace(s, score=0.9) for s in (later, other, first)]
    compare = replace(p, asked_words=frozenset({"difference", "codes"}))
    assert verdict(compare, close).status == RELATED
    # Asked for a kind of fact from each ("which phone number ... differ?"), they answer it.
    assert verdict(replace(compare, kind="phone"), close).status != RELATED
