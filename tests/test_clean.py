from ingest.clean import clean_text, split_long_lines


def test_hyphenated_line_breaks_are_joined() -> None:
    assert clean_text("the coun-\ntry list of the wider\nworld.") == "the country list of the wider world."


def test_hyphen_kept_where_document_uses_the_hyphenated_word() -> None:
    text = "an anti-terrorism plan and more anti-\nterrorism work."
    assert clean_text(text) == "an anti-terrorism plan and more anti-terrorism work."


def test_broken_lines_inside_sentences_are_joined() -> None:
    raw = "If a ship arrives in the United\nStates from a port that does\nnot comply, what happens?\nIt is boarded."
    assert clean_text(raw).splitlines() == [
        "If a ship arrives in the United States from a port that does not comply, what happens?",
        "It is boarded.",
    ]


def test_stray_whitespace_is_collapsed() -> None:
    assert clean_text("  Visits   are\u00a0 scheduled   bilaterally.  \n\n\n") == (
        "Visits are scheduled bilaterally."
    )


def test_run_in_heading_is_split_from_question() -> None:
    raw = "The Basics What is the objective of the\nprogram?\nThe objective is to talk."
    assert clean_text(raw).splitlines() == [
        "The Basics",
        "What is the objective of the program?",
        "The objective is to talk.",
    ]


def test_drop_capital_is_rejoined() -> None:
    assert clean_text("T he events of 9/11 focused\nthe world.") == "The events of 9/11 focused the world."


def test_bullet_broken_by_blank_line_is_rejoined() -> None:
    raw = "• The assignment of liaison officers in three\n\nregions for coverage.\n\n• The next item."
    assert clean_text(raw).splitlines() == [
        "• The assignment of liaison officers in three regions for coverage.",
        "• The next item.",
    ]


def test_markdown_marks_rules_and_entity_codes_are_cleaned() -> None:
    raw = "# § 70109. Notifying\n\n**(a)** In C[ocirc]te d'Ivoire.\n\n-----------\n[Excerpt ends here.]"
    assert clean_text(raw).splitlines() == [
        "§ 70109. Notifying",
        "(a) In Côte d'Ivoire.",
        "[Excerpt ends here.]",
    ]


def test_an_overlong_line_is_split_at_a_sentence_then_a_word() -> None:
    sentences = "The quay opens at dawn. " * 60  # 1,440 characters on one line
    lines = split_long_lines("Title\n" + sentences.strip(), 1000).split("\n")
    assert lines[0] == "Title" and all(line.endswith("dawn.") for line in lines[1:])
    assert [len(line) for line in lines[1:]] == [983, 455]
    words = split_long_lines("x" * 1500 + " " + "word " * 300, 1000).split("\n")
    assert [len(line) for line in words] == [1000, 995, 999, 5]  # no space in the first 1,000
    assert split_long_lines("short\nlines", 1000) == "short\nlines"


def test_a_hidden_e_mail_address_is_said_to_be_missing() -> None:
    raw = "call or email Ezekiel Lyons, telephone 202-372-1296,\n[email\u00a0protected]."
    assert clean_text(raw) == ("call or email Ezekiel Lyons, telephone 202-372-1296, "
                               "(e-mail address not kept in this copy of the page).")
