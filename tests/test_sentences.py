from ingest.sentences import split_sentences


def test_abbreviations_do_not_end_sentences() -> None:
    text = "The U.S. Coast Guard acts under 46 U.S.C. 70110 and Delegation No. 0170.1. It may act."
    assert [s for s, _, _ in split_sentences(text)] == [
        "The U.S. Coast Guard acts under 46 U.S.C. 70110 and Delegation No. 0170.1.",
        "It may act.",
    ]


def test_us_at_sentence_end_before_a_new_sentence() -> None:
    text = "Vessels destined to the U.S. We developed a method."
    assert [s for s, _, _ in split_sentences(text)] == [
        "Vessels destined to the U.S.",
        "We developed a method.",
    ]


def test_offsets_point_at_the_sentence_and_bullets_are_skipped() -> None:
    text = "Intro line.\n• First item here. Second one!"
    for sentence, start, end in split_sentences(text, offset=100):
        assert text[start - 100 : end - 100] == sentence
    assert [s for s, _, _ in split_sentences(text)] == ["Intro line.", "First item here.", "Second one!"]
