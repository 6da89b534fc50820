"""segment(): chunk boundaries, kinds, pauses and the lossless-offsets contract."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrate.model import Block, Book, Break, Chapter, Kind
from narrate.segment import MAX_CHUNK, segment


def book_of(*paragraphs: str, kinds: tuple[Kind, ...] = (), chapters: tuple[int, ...] = ()) -> Book:
    """A Book with one block per paragraph (NARRATION unless `kinds` says otherwise), joined by
    blank lines, all in chapter 1 unless `chapters` says otherwise."""
    text = "\n\n".join(paragraphs)
    blocks = []
    position = 0
    for n, paragraph in enumerate(paragraphs):
        kind = kinds[n] if n < len(kinds) else Kind.NARRATION
        chapter = chapters[n] if n < len(chapters) else 1
        blocks.append(Block(kind, chapter, position, position + len(paragraph)))
        position += len(paragraph) + 2
    numbers = sorted({b.chapter for b in blocks}) or [1]
    return Book(
        Path("t.txt"),
        "t",
        "t",
        text,
        tuple(Chapter(n, f"Chapter {n}") for n in numbers),
        tuple(blocks),
    )


def texts(book: Book, kind: Kind | None = None) -> list[str]:
    return [c.text for c in segment(book) if kind is None or c.kind is kind]


def assert_lossless(book: Book) -> None:
    chunks = segment(book)
    covered = [0] * len(book.text)
    previous_end = -1
    for index, c in enumerate(chunks):
        assert c.index == index
        assert c.text == book.text[c.start : c.end]
        assert c.start >= previous_end and c.end > c.start
        assert c.text == c.text.strip()
        previous_end = c.end
        for i in range(c.start, c.end):
            covered[i] += 1
    for block in book.blocks:
        for i in range(block.start, block.end):
            if not book.text[i].isspace():
                assert covered[i] == 1, (i, book.text[i], book.text[max(0, i - 20) : i + 20])


# Quotes ---------------------------------------------------------------------------------------


def test_straight_quotes_split_dialogue_from_narration():
    book = book_of('"Stay," he said. "Please."')
    assert texts(book) == ['"Stay,"', "he said.", '"Please."']
    kinds = [c.kind for c in segment(book)]
    assert kinds == [Kind.DIALOGUE, Kind.NARRATION, Kind.DIALOGUE]


def test_curly_double_quotes():
    assert texts(book_of("“Take off that helmet,” she demands. He doesn’t."), Kind.DIALOGUE) == [
        "“Take off that helmet,”"
    ]


def test_british_single_quotes_and_apostrophes():
    book = book_of(
        "‘I didn’t see the Joneses’ house,’ said Tom. "
        "‘Nor ’em neither, and I’ve been goin’ round.’",
        "The boys’ mother laughed.",
    )
    assert texts(book, Kind.DIALOGUE) == [
        "‘I didn’t see the Joneses’ house,’",
        "‘Nor ’em neither, and I’ve been goin’ round.’",
    ]


def test_straight_single_quotes_in_a_british_style_book():
    book = book_of("'I don't know,' said Ann. 'Ask 'em yourself.'", "'Fine,' said Tom.")
    assert texts(book, Kind.DIALOGUE) == ["'I don't know,'", "'Ask 'em yourself.'", "'Fine,'"]


def test_single_quotes_in_a_double_quote_book_are_apostrophes_or_nested():
    book = book_of("\"She said 'no' to him,\" I said. It was the girls' room. \"Don't.\"")
    assert texts(book, Kind.DIALOGUE) == ["\"She said 'no' to him,\"", '"Don\'t."']


def test_nested_quote_stays_inside_its_outer_quote():
    book = book_of(
        "‘He used to say, “Martha, a man has no eyes,” and I said, “Grow some.”’ She sniffed."
    )
    assert texts(book, Kind.DIALOGUE) == [
        "‘He used to say, “Martha, a man has no eyes,” and I said, “Grow some.”’"
    ]


def test_interrupted_quote_shares_its_speaker_and_pauses_briefly():
    book = book_of('Kylo looked at Hux. "Stay," Hux said, "please."')
    chunks = segment(book)
    assert [c.text for c in chunks] == ["Kylo looked at Hux.", '"Stay,"', "Hux said,", '"please."']
    assert chunks[1].speaker == chunks[3].speaker == "Hux"
    assert [c.brk for c in chunks[1:3]] == [Break.CLAUSE, Break.CLAUSE]


def test_speech_spanning_paragraphs():
    book = book_of(
        '"It is my brother," said Tom. "He has not slept since the letter came.',
        '"Last night I found him at the window."',
        '"What was in the letter?" asked Ann.',
    )
    dialogue = [c for c in segment(book) if c.kind is Kind.DIALOGUE]
    assert [c.text for c in dialogue] == [
        '"It is my brother,"',
        '"He has not slept since the letter came.',
        '"Last night I found him at the window."',
        '"What was in the letter?"',
    ]
    assert [c.speaker for c in dialogue] == ["Tom", "Tom", "Tom", "Ann"]


def test_unclosed_quote_stops_at_its_paragraph():
    book = book_of('"Never mind, he said.', "The rest of the book is narration. It goes on.")
    assert texts(book, Kind.DIALOGUE) == ['"Never mind, he said.']
    assert texts(book, Kind.NARRATION) == ["The rest of the book is narration.", "It goes on."]


def test_unclosed_quote_in_flattened_text_stops_at_its_sentence():
    story = "Narration runs on here. " * 140
    book = book_of(f"{story}“Never mind, he said. And then the story went on. {story}")
    dialogue = texts(book, Kind.DIALOGUE)
    assert dialogue == ["“Never mind, he said."]


def test_missing_closer_resynchronises_at_the_next_opening_mark():
    book = book_of('"Hello there, she said. "Go away," he said.')
    assert texts(book, Kind.DIALOGUE) == ['"Hello there, she said.', '"Go away,"']


def test_straight_quotes_after_punctuation_and_dashes():
    book = book_of('He asked,"Why?" "I mean, just, you-" "Because," Hux said.')
    assert texts(book, Kind.DIALOGUE) == ['"Why?"', '"I mean, just, you-"', '"Because,"']


# Sentences and pauses -----------------------------------------------------------------------------


def test_narration_is_one_sentence_per_chunk():
    book = book_of("Mr. Darcy bowed. It was strange . . . Although nobody saw. J. K. Smith left!")
    assert texts(book) == [
        "Mr. Darcy bowed.",
        "It was strange . . .",
        "Although nobody saw.",
        "J. K. Smith left!",
    ]


def test_long_sentence_is_cut_at_clauses_under_the_limit():
    sentence = ", ".join(f"and then the {n}th thing happened slowly" for n in range(40)) + "."
    chunks = segment(book_of(sentence))
    assert len(chunks) > 1
    assert all(len(c.text) <= MAX_CHUNK for c in chunks)
    assert [c.brk for c in chunks[:-1]] == [Break.CLAUSE] * (len(chunks) - 1)


def test_a_word_longer_than_the_limit_is_still_cut():
    chunks = segment(book_of("x" * 1000))
    assert all(len(c.text) <= MAX_CHUNK for c in chunks)
    assert "".join(c.text for c in chunks) == "x" * 1000


def test_long_quote_is_cut_at_sentences_with_one_speaker():
    speech = " ".join(f"This is sentence number {n} of a long speech." for n in range(20))
    book = book_of(f'"{speech}" said Hux.')
    dialogue = [c for c in segment(book) if c.kind is Kind.DIALOGUE]
    assert len(dialogue) > 1
    assert all(len(c.text) <= MAX_CHUNK for c in dialogue)
    assert {c.speaker for c in dialogue} == {"Hux"}
    assert dialogue[0].text.startswith('"') and dialogue[-1].text.endswith('"')


def test_pauses_after_chunks():
    book = book_of('"Stay," he said. He left.', "Next day.", chapters=(1, 1))
    chunks = segment(book)
    assert [(c.text, c.brk) for c in chunks] == [
        ('"Stay,"', Break.CLAUSE),
        ("he said.", Break.SENTENCE),
        ("He left.", Break.PARAGRAPH),
        ("Next day.", Break.CHAPTER),
    ]


def test_question_then_lowercase_tag_is_a_clause():
    chunks = segment(book_of('"Why?" he asked.'))
    assert chunks[0].brk is Break.CLAUSE


def test_scene_breaks_are_silent_and_the_chunk_before_pauses_longest():
    for mark in ("* * *", "***", "~~~", "#", "---"):
        book = book_of("They left.", mark, "Morning came.")
        chunks = segment(book)
        assert [c.text for c in chunks] == ["They left.", mark, "Morning came."]
        assert chunks[0].brk is Break.SCENE
        assert chunks[1].kind is Kind.NARRATION and not chunks[1].spoken
        assert chunks[2].spoken


def test_scene_break_inline_in_flattened_text():
    chunks = segment(book_of("They left. * * * Morning came."))
    assert [c.text for c in chunks] == ["They left.", "* * *", "Morning came."]
    assert chunks[0].brk is Break.SCENE and not chunks[1].spoken


def test_hard_wrapped_paragraphs_keep_quotes_across_line_breaks():
    text = '"You are very good to come so far on such\na night," said the captain.\n\nHe sat down.'
    book = Book(
        Path("t"), "t", "t", text, (Chapter(1, "c"),), (Block(Kind.NARRATION, 1, 0, len(text)),)
    )
    chunks = segment(book)
    assert chunks[0].text == '"You are very good to come so far on such\na night,"'
    assert chunks[1].brk is Break.PARAGRAPH


def test_chunks_without_letters_or_digits_are_not_spoken():
    chunks = segment(book_of('"…" — he left.', "—"))
    assert [(c.text, c.spoken) for c in chunks] == [
        ('"…"', False),
        ("— he left.", True),
        ("—", False),
    ]


# Headings and notes ---------------------------------------------------------------------------


def test_headings_and_notes_pass_through_with_their_kind():
    book = book_of(
        "Chapter 1",
        "Notes: I wrote this fast. Hope you like it.",
        '"Hi," she said.',
        kinds=(Kind.HEADING, Kind.NOTE, Kind.NARRATION),
    )
    chunks = segment(book)
    assert [(c.kind, c.text, c.spoken) for c in chunks[:3]] == [
        (Kind.HEADING, "Chapter 1", True),
        (Kind.NOTE, "Notes: I wrote this fast.", False),
        (Kind.NOTE, "Hope you like it.", False),
    ]
    assert all(c.speaker is None for c in chunks if c.kind is not Kind.DIALOGUE)
    notes = [c for c in segment(book, speak_notes=True) if c.kind is Kind.NOTE]
    assert all(c.spoken for c in notes)


def test_chapter_break_on_the_last_chunk_of_each_chapter():
    book = book_of(
        "One.", "Chapter 2", "Two. Three.", kinds=(Kind.NARRATION, Kind.HEADING), chapters=(1, 2, 2)
    )
    chunks = segment(book)
    assert [(c.chapter, c.brk) for c in chunks] == [
        (1, Break.CHAPTER),
        (2, Break.PARAGRAPH),
        (2, Break.SENTENCE),
        (2, Break.CHAPTER),
    ]


def test_empty_book_and_whitespace_blocks_give_no_chunks():
    assert segment(book_of()) == []
    assert segment(book_of("   \n  ")) == []


def test_seed_files_are_lossless():
    root = Path(__file__).resolve().parent.parent
    for path in sorted((root / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert_lossless(
            Book(
                path, "s", "s", text, (Chapter(1, "c"),), (Block(Kind.NARRATION, 1, 0, len(text)),)
            )
        )


# Properties -----------------------------------------------------------------------------------

ALPHABET = st.sampled_from(
    list("abc XYZ.,!?;:-—'\"“”‘’«»*~#\n\t")
    + [
        "said ",
        "Hux ",
        "Kylo Ren ",
        "she ",
        "you ",
        "I ",
        "y/n ",
        "Mr. ",
        "the general ",
        "* * *",
        "...",
    ]
)
STORY = st.lists(ALPHABET, max_size=120).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STORY, min_size=1, max_size=4), st.lists(st.sampled_from(list(Kind)), max_size=4))
def test_chunks_are_lossless_ordered_and_never_raise(paragraphs, kinds):
    assert_lossless(book_of(*paragraphs, kinds=tuple(kinds)))


@settings(max_examples=200, deadline=None)
@given(STORY)
def test_one_block_holding_everything_is_lossless(text):
    book = Book(
        Path("t"), "t", "t", text, (Chapter(1, "c"),), (Block(Kind.NARRATION, 1, 0, len(text)),)
    )
    assert_lossless(book)
    for chunk in segment(book):
        if chunk.kind is not Kind.DIALOGUE:
            assert chunk.speaker is None
        assert not re.fullmatch(r"\s*", chunk.text)


def test_a_title_or_scare_quoted_word_is_narration_but_short_speech_is_not():
    book = book_of(
        'She looked out among the tomato vines and "jimpson" weeds of the garden.',
        'He had read "Red" and "Blue" already.',
        '"No," she said.',
        'Then she cried "Help!" at the door.',
    )
    assert texts(book, Kind.DIALOGUE) == ['"No,"', '"Help!"']
    assert_lossless(book)
    narration = texts(book, Kind.NARRATION)
    assert any('"jimpson"' in t for t in narration)
    assert all(c.speaker is None for c in segment(book) if c.kind is Kind.NARRATION)
