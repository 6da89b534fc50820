"""Ingest: decoding bytes, finding story files, and the structure of plain-text stories."""

from __future__ import annotations

import codecs
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrate.errors import InputError
from narrate.ingest import find_stories, read_book, slugify
from narrate.ingest.text import decode, looks_binary, structure
from narrate.model import Block, Kind

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "ingest").glob("*.txt"))
FIXTURE = {path.stem: path for path in FIXTURES}
HERE = Path("story.txt")


# ── helpers ──────────────────────────────────────────────────────────────────────────────────


def assert_well_formed(text: str, chapters, blocks) -> None:
    """The Book contract: blocks ascending, non-overlapping, trimmed, covering every
    non-whitespace character exactly once; chapters numbered 1..n with titles; every block in
    a chapter, chapters in reading order."""
    pos = 0
    for block in blocks:
        assert pos <= block.start < block.end <= len(text), block
        assert text[pos : block.start].strip() == "", f"uncovered text before {block}"
        assert not text[block.start].isspace() and not text[block.end - 1].isspace(), block
        pos = block.end
    assert text[pos:].strip() == "", "uncovered text at the end"
    assert [c.number for c in chapters] == list(range(1, len(chapters) + 1))
    assert all(c.title.strip() for c in chapters)
    numbers = [b.chapter for b in blocks]
    assert numbers == sorted(numbers)
    assert all(1 <= n <= len(chapters) for n in numbers)


def block_at(blocks: tuple[Block, ...], pos: int) -> Block:
    return next(b for b in blocks if b.start <= pos < b.end)


def kind_of(text: str, blocks, phrase: str, occurrence: int = 0) -> Kind:
    """The kind of the block holding `phrase`, which must lie wholly inside that one block."""
    starts = [m.start() for m in re.finditer(re.escape(phrase), text)]
    start = starts[occurrence]
    block = block_at(blocks, start)
    assert start + len(phrase) <= block.end, f"{phrase!r} straddles two blocks"
    return block.kind


def shaped(text: str):
    """(kind, text) of each block, for compact expectations."""
    found = structure(text, fallback_title="Fallback")
    assert_well_formed(text, found.chapters, found.blocks)
    return [(b.kind, text[b.start : b.end]) for b in found.blocks], found


# ── decoding ─────────────────────────────────────────────────────────────────────────────────

STORY = "“Stay,” she said — café.\r\nHe stayed.\n"


@pytest.mark.parametrize(
    "data",
    [
        STORY.encode("utf-8"),
        codecs.BOM_UTF8 + STORY.encode("utf-8"),
        codecs.BOM_UTF16_LE + STORY.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + STORY.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + STORY.encode("utf-32-le"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be", "utf-32-le"],
)
def test_decode_unicode_keeps_text_exactly_and_drops_the_bom(data):
    assert decode(data, HERE) == STORY


def test_decode_windows_1252_curly_quotes():
    assert decode(b"\x93Stay,\x94 she said \x96 twice\x85", HERE) == "“Stay,” she said – twice…"


def test_decode_latin_1_when_windows_1252_cannot():
    # 0x81 is undefined in Windows-1252, so only Latin-1 can read this file
    assert decode(b"caf\xe9 \x81", HERE) == "café \x81"


def test_decode_leaves_newlines_alone():
    assert decode(b"one\r\ntwo\rthree\n\nfour", HERE) == "one\r\ntwo\rthree\n\nfour"


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00story.txt",  # a zip: NUL bytes
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        bytes(range(1, 9)) * 20 + b"some words",  # control characters, no NUL
        codecs.BOM_UTF16_LE + "\x01\x02\x03\x04 hi".encode("utf-16-le"),
    ],
)
def test_decode_refuses_binary(data):
    with pytest.raises(InputError, match=r"^story\.txt: looks like a binary file, not text; give"):
        decode(data, HERE)


def test_utf16_with_bom_is_not_binary_despite_nul_bytes():
    data = codecs.BOM_UTF16_LE + "plain words".encode("utf-16-le")
    assert b"\x00" in data and not looks_binary(data)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "is empty"),
        (codecs.BOM_UTF8, "is empty"),
        (b" \r\n\t\n  ", "holds only whitespace"),
        (codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"), "holds only whitespace"),
    ],
)
def test_decode_refuses_empty(data, message):
    with pytest.raises(InputError, match=rf"^story\.txt: {message}; nothing to narrate$"):
        decode(data, HERE)


def test_decode_refuses_broken_utf16():
    with pytest.raises(InputError, match="not valid UTF-16; re-save it as UTF-8"):
        decode(codecs.BOM_UTF16_LE + b"a\x00b", HERE)


# ── finding story files ──────────────────────────────────────────────────────────────────────


def write(path: Path, content: str | bytes = "Once upon a time.") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_find_stories_expands_folders_sorted_recursive_skipping_hidden(tmp_path):
    b = write(tmp_path / "lib" / "b.txt")
    a = write(tmp_path / "lib" / "a.TEXT")
    c = write(tmp_path / "lib" / "sub" / "c.txt")
    write(tmp_path / "lib" / ".draft.txt")
    write(tmp_path / "lib" / ".git" / "d.txt")
    write(tmp_path / "lib" / "readme.md")
    write(tmp_path / "lib" / "cover.jpg", b"\xff\xd8\xff\x00")
    assert find_stories([tmp_path / "lib"]) == [a, b, c]


def test_find_stories_keeps_named_files_with_odd_extensions_and_drops_repeats(tmp_path):
    story = write(tmp_path / "story")
    log = write(tmp_path / "tale.log")
    again = write(tmp_path / "more" / "x.txt")
    paths = [story, log, tmp_path / "more", again, story]
    assert find_stories(paths) == [story, log, again]
    assert read_book(log).title == "tale"


def test_find_stories_refuses_a_named_binary_file(tmp_path):
    image = write(tmp_path / "cover.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    with pytest.raises(InputError, match=r"cover\.jpg: looks like a binary file, not text"):
        find_stories([image])


def test_find_stories_missing_path(tmp_path):
    with pytest.raises(InputError, match=r"nope\.txt: no such file or folder; check the path$"):
        find_stories([tmp_path / "nope.txt"])


def test_find_stories_folder_without_stories(tmp_path):
    write(tmp_path / "empty" / "notes.pdf")
    write(tmp_path / "empty" / "README.md")  # beside stories, never one
    write(tmp_path / "empty" / ".hidden.txt")
    write(tmp_path / "empty" / "Story_files" / "frame.html")  # a saved page's assets
    with pytest.raises(
        InputError,
        match=r"empty: no story files \(\.epub, \.htm, \.html, .*\.txt.*\) in this folder",
    ):
        find_stories([tmp_path / "empty"])


def test_read_book_errors_are_one_line(tmp_path):
    with pytest.raises(InputError, match=r"^\S*gone\.txt: no such file; check the path$"):
        read_book(tmp_path / "gone.txt")
    with pytest.raises(InputError, match="is a folder, not a story file"):
        read_book(tmp_path)
    with pytest.raises(InputError, match="is empty; nothing to narrate"):
        read_book(write(tmp_path / "blank.txt", b""))


# ── the seeds: flattened archive pages ───────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def seeds():
    return [read_book(path) for path in SEEDS]


def test_seed_chapters_and_titles(seeds):
    assert [len(book.chapters) for book in seeds] == [1, 2, 1, 1]
    for book in seeds:
        assert book.title == book.source.stem  # the seeds state no title
        assert book.slug == book.source.stem
        assert_well_formed(book.text, book.chapters, book.blocks)
    assert [c.title for c in seeds[1].chapters] == ["Chapter 1", "Chapter 2"]
    for book in (seeds[0], seeds[2], seeds[3]):
        assert [c.title for c in book.chapters] == [book.title]


def test_seed_heading_is_the_inline_chapter_title(seeds):
    book = seeds[1]
    headings = [b for b in book.blocks if b.kind is Kind.HEADING]
    assert [(book.text[b.start : b.end], b.chapter) for b in headings] == [("Chapter 2", 2)]


def test_every_archive_marker_in_the_seeds_is_inside_a_note(seeds):
    markers = ["Notes:", "Summary:", "Series this work belongs to:", "(See the end of the chapter"]
    seen = 0
    for book in seeds:
        for marker in markers:
            for m in re.finditer(re.escape(marker), book.text):
                assert block_at(book.blocks, m.start()).kind is Kind.NOTE, (book.title, marker)
                seen += 1
    assert seen == 8  # 5 Notes: (1 + 3 + 1), 1 Summary:, 1 series, 1 see-the-end


def test_seed_notes_start_at_markers_so_no_story_is_a_note(seeds):
    for book in seeds:
        for block in book.blocks:
            if block.kind is Kind.NOTE:
                assert re.match(
                    r"Notes:|Summary:|Series this|\(See the end", book.text[block.start :]
                )


@pytest.mark.parametrize(
    "seed, phrase",
    [
        (0, "Maybe getting involved with the Commander wouldn’t cost you your life, but it will"),
        (0, "It hadn’t been easy"),
        (1, "He flips you over so he's on top. You let him."),
        (1, "He's everywhere at once."),
        (1, '"Please never fear me again."'),
        (2, "Kylo was soothed back to sleep by a hand running through his hair."),
        (3, "“So am I.”"),
    ],
)
def test_seed_story_text_is_narration(seeds, seed, phrase):
    book = seeds[seed]
    assert kind_of(book.text, book.blocks, phrase) is Kind.NARRATION


def test_seed_notes_are_whole(seeds):
    book = seeds[3]
    notes = [book.text[b.start : b.end] for b in book.blocks if b.kind is Kind.NOTE]
    assert notes[0].endswith("(I'm sure someday it'll go the way of livejournal).")
    assert notes[1] == (
        "Series this work belongs to: ← Previous Work Part 4 of the For What is Light Without "
        "Darkness series"
    )


# ── archive furniture in general, and where an unmarked note ends ────────────────────────────

SEED_001 = SEEDS[1].read_text(encoding="utf-8")
FILLER = "The corridor was quiet and the lights hummed and nobody came. " * 40  # a flattened line
SEE_END = "(See the end of the chapter for more notes .) "


def test_opening_note_without_see_the_end_ends_where_the_story_starts():
    text = SEED_001.replace(SEE_END, "")
    found = structure(text)
    assert_well_formed(text, found.chapters, found.blocks)
    note = block_at(found.blocks, text.index("Notes: Jeez"))
    assert text[note.start : note.end].endswith("so please let me know.")
    assert kind_of(text, found.blocks, "He's everywhere at once.") is Kind.NARRATION


def test_opening_note_without_summary_or_see_the_end():
    text = SEED_001.replace(SEE_END, "").replace(
        "Summary: Wow, me and Kylo have a lot of people to disappoint. ", ""
    )
    found = structure(text)
    note = block_at(found.blocks, text.index("Notes: Jeez"))
    assert text[note.start : note.end].endswith("so please let me know.")
    assert kind_of(text, found.blocks, "He's everywhere at once.") is Kind.NARRATION


def test_summary_alone_is_one_sentence_when_the_story_follows():
    text = SEED_001.replace(SEE_END, "").replace(
        " Notes: Jeez, where the hell did this come from? By popular opinion, we have a vagina. "
        "However, I tried to keep our gender ambiguous. I am a cis girl so I'm not sure if I "
        "succeeded, so please let me know.",
        "",
    )
    kinds, _ = shaped(text)
    assert (Kind.NOTE, "Summary: Wow, me and Kylo have a lot of people to disappoint.") in kinds
    assert kind_of(text, structure(text).blocks, "He's everywhere at once.") is Kind.NARRATION


FIRST_PERSON_STORY = (
    "I walked into the bar and ordered a drink. My hands shook. I could not stop thinking about "
    "her, and I hated myself for it. "
) * 20


def test_first_person_story_is_not_taken_for_the_authors_voice():
    text = f"Chapter 1 Notes: Thanks for reading! I hope you like this one. {FIRST_PERSON_STORY}"
    kinds, _ = shaped(text)
    assert kinds[:2] == [
        (Kind.HEADING, "Chapter 1"),
        (Kind.NOTE, "Notes: Thanks for reading! I hope you like this one."),
    ]
    assert kinds[2][0] is Kind.NARRATION


def test_one_plain_sentence_may_sit_inside_a_note():
    story = "Kylo walked in. He sat down by the window and said nothing at all. " * 10
    text = f"Chapter 1 Notes: Hi all. This took forever. Thanks to my beta for the help! {story}"
    kinds, _ = shaped(text)
    assert kinds[1] == (
        Kind.NOTE,
        "Notes: Hi all. This took forever. Thanks to my beta for the help!",
    )


def test_dialogue_ends_a_note():
    text = 'Chapter 1 Notes: Sorry for the wait! "Run," she said. I hope you like it! The end came.'
    kinds, _ = shaped(text)
    assert kinds[1] == (Kind.NOTE, "Notes: Sorry for the wait!")


def test_chapter_text_landmark_closes_the_opening_notes():
    text = "Chapter 1 Notes: thanks, my beta is a saint Chapter Text I walked in. Notes: bye"
    kinds, _ = shaped(text)
    assert kinds == [
        (Kind.HEADING, "Chapter 1"),
        (Kind.NOTE, "Notes: thanks, my beta is a saint"),
        (Kind.NOTE, "Chapter Text"),
        (Kind.NARRATION, "I walked in."),
        (Kind.NOTE, "Notes: bye"),
    ]


def test_notes_that_only_point_to_the_end():
    text = (
        "Chapter 1 Notes: (See the end of the chapter for notes.) The sea was grey. "
        "Notes: I love the sea. Chapter 2 Summary: storms Notes: more (See the end of the "
        "chapter for more notes.) The sea was black."
    )
    kinds, found = shaped(text)
    assert [c.title for c in found.chapters] == ["Chapter 1", "Chapter 2"]
    assert [k for k, _ in kinds] == [
        Kind.HEADING, Kind.NOTE, Kind.NOTE, Kind.NARRATION, Kind.NOTE,
        Kind.HEADING, Kind.NOTE, Kind.NOTE, Kind.NOTE, Kind.NARRATION,
    ]  # fmt: skip
    assert (Kind.NOTE, "Notes: I love the sea.") in kinds  # end notes stop at the next heading
    assert (Kind.NOTE, "Summary: storms") in kinds  # a summary without a full stop
    assert (Kind.NARRATION, "The sea was black.") in kinds


def test_titled_inline_heading_before_furniture():
    furniture = "Summary: Rain. Notes: Hi! (See the end of the chapter for more notes.)"
    text = f"{FILLER}Chapter 3: The Storm {furniture} Rain fell."
    kinds, found = shaped(text)
    assert [c.title for c in found.chapters] == ["Chapter 1", "Chapter 3: The Storm"]
    assert [k for k, _ in kinds] == [Kind.NARRATION, Kind.HEADING] + [Kind.NOTE] * 3 + [
        Kind.NARRATION
    ]


def test_a_short_prelude_to_the_first_heading_is_front_matter():
    text = f"Posted for Ana. Chapter 3: The Storm Summary: Rain. {FILLER}"
    kinds, found = shaped(text)
    assert [c.title for c in found.chapters] == ["Chapter 3: The Storm"]
    assert kinds[0] == (Kind.NOTE, "Posted for Ana.")


@pytest.mark.parametrize(
    "inserted, titles",
    [
        ("Chapter 2 He walked in.", ["Chapter 1", "Chapter 2"]),
        ("Chapter 2: The Long Night He walked in.", ["Chapter 1", "Chapter 2: The Long Night"]),
        ("Chapter 2 “Hello,” he said.", ["Chapter 1", "Chapter 2"]),
        ("Chapter 2 was the best part.", ["Fallback"]),  # prose: lowercase follows
        ("Chapter 7 He walked in.", ["Fallback"]),  # does not continue the numbering
        ("He read chapter 2 twice.", ["Fallback"]),
    ],
)
def test_bare_inline_headings_in_flattened_text(inserted, titles):
    text = f"{FILLER}{inserted} {FILLER}"
    _, found = shaped(text)
    assert [c.title for c in found.chapters] == titles


def test_bare_inline_heading_needs_a_flattened_line():
    text = "It rained.\n\nThe end came. Chapter 2 He walked in.\n\nMore rain."
    _, found = shaped(text)
    assert len(found.chapters) == 1


@pytest.mark.parametrize(
    "prose",
    [
        "She took notes: three pages of them, and Notes were everywhere.",
        "He wrote “Notes: buy milk” on the wall.",
        "The summary: nobody came. Summaryless, they left.",
        "You open the chapter. Chapter notes lie in the margin.",
    ],
)
def test_the_words_notes_summary_chapter_in_prose_are_narration(prose):
    kinds, _ = shaped(f"{FILLER}{prose} {FILLER}")
    assert [k for k, _ in kinds] == [Kind.NARRATION]


def test_a_mid_chapter_author_note_ends_by_the_heuristic():
    story = "The ship shook. Kylo held the rail and watched the stars streak past. " * 80
    text = f"{story}A/N: sorry for the long wait, my laptop died lol. {story}"
    kinds, _ = shaped(text)
    assert [k for k, _ in kinds] == [Kind.NARRATION, Kind.NOTE, Kind.NARRATION]
    assert kinds[1][1] == "A/N: sorry for the long wait, my laptop died lol."


def test_end_notes_far_from_any_heading_are_cut_by_the_heuristic():
    story = "The ship shook. Kylo held the rail and watched the stars streak past. " * 80
    text = f"{story}Notes: Thanks for reading, kudos welcome! {story}"
    kinds, _ = shaped(text)
    assert kinds[1] == (Kind.NOTE, "Notes: Thanks for reading, kudos welcome!")
    assert kinds[2][0] is Kind.NARRATION


# ── clean novels ─────────────────────────────────────────────────────────────────────────────

BODY = "The rain fell on the town all night long, and nobody slept."


@pytest.mark.parametrize(
    "heading, title",
    [
        ("CHAPTER IV.", "Chapter IV"),
        ("Chapter 12", "Chapter 12"),
        ("Chapter 12: The Storm", "Chapter 12: The Storm"),
        ("CHAPTER I. The Beginning", "Chapter I: The Beginning"),
        ("Chapter Twenty-One", "Chapter Twenty-One"),
        ("BOOK II", "Book II"),
        ("# The Storm", "The Storm"),
        ("## The Storm", "The Storm"),
        ("PROLOGUE", "Prologue"),
        ("Epilogue", "Epilogue"),
        ("Epilogue: Ten Years Later", "Epilogue: Ten Years Later"),
        ("XII", "Chapter XII"),
        ("IV.", "Chapter IV"),
        ("I. A SCANDAL IN BOHEMIA", "Chapter I: A SCANDAL IN BOHEMIA"),
        ("CHAPTER I.\nDown the Rabbit-Hole", "Chapter I: Down the Rabbit-Hole"),
        ("CHAPTER II.\n\nTHE POOL OF TEARS", "Chapter II: THE POOL OF TEARS"),
        ("Chapter 3\r\n\r\nThe Long Night", "Chapter 3: The Long Night"),
    ],
)
def test_heading_styles(heading, title):
    text = f"{heading}\n\n{BODY}\n"
    kinds, found = shaped(text)
    assert [c.title for c in found.chapters] == [title]
    assert kinds == [(Kind.HEADING, heading), (Kind.NARRATION, BODY)]


@pytest.mark.parametrize(
    "line",
    [
        "Chapter 3 was the best",
        "* * *",
        "***",
        "~~~",
        "#",
        "# # #",
        "I am here.",
        "I Love You",
        "Part of me wanted to stay.",
        "Book it.",
        "Chapter 12abc",
        "Prologues are for other books.",
    ],
)
def test_lines_that_are_not_headings(line):
    text = f"The rain fell.\n\n{line}\n\nIt kept falling."
    kinds, found = shaped(text)
    assert kinds == [(Kind.NARRATION, text)]
    assert len(found.chapters) == 1


def test_heading_words_inside_a_paragraph_are_prose():
    text = (
        "He read the almanac twice. The\nChapter 3 was the best of it.\n\nCHAPTER IV.\nis a line."
    )
    kinds, _ = shaped(text)
    assert [k for k, _ in kinds] == [Kind.NARRATION]


def test_gutenberg_fixture():
    book = read_book(FIXTURE["gutenberg"])
    text = book.text
    assert_well_formed(text, book.chapters, book.blocks)
    assert book.title == "The Lantern Keeper: A Tale of the Northern Coast"
    assert book.author == "Mary Ashdown"
    assert [c.title for c in book.chapters] == [
        "Chapter I: The Lamp on the Rock",
        "Chapter II: THE POOL OF TEARS",
        "Chapter III: A Visitor",
    ]
    first, last = book.blocks[0], book.blocks[-1]
    assert first.kind is Kind.NOTE and text[first.start : first.end].endswith(
        "*** START OF THE PROJECT GUTENBERG EBOOK THE LANTERN KEEPER ***"
    )
    assert last.kind is Kind.NOTE and text[last.start :].startswith("*** END OF THE PROJECT")
    assert last.end == len(text.rstrip())  # the licence, to the end
    for phrase, kind in [
        ("Produced by Volunteers", Kind.NOTE),
        ("CONTENTS", Kind.NOTE),
        ("CHAPTER II.    The Pool of Tears", Kind.NOTE),  # the contents list, not a heading
        ("* * *", Kind.NARRATION),
        ("Chapter 3 was the best of it", Kind.NARRATION),
        ("***\n\nBy winter", Kind.NARRATION),
        ("Notes: here are not notes.", Kind.NOTE),  # inside the licence
    ]:
        assert kind_of(text, book.blocks, phrase) is kind, phrase
    assert {b.chapter for b in book.blocks if b.kind is Kind.NOTE} == {1, 3}


def test_headings_fixture():
    book = read_book(FIXTURE["headings"])
    assert_well_formed(book.text, book.chapters, book.blocks)
    assert (book.title, book.author, book.slug) == (
        "The Salt Road",
        "Ines Calloway",
        "the-salt-road",
    )
    assert [c.title for c in book.chapters] == [
        "Prologue",
        "Chapter 1",
        "Chapter 2: The Storm",
        "Chapter III: The Buyer",
        "Chapter IV",
        "Epilogue",
    ]
    assert kind_of(book.text, book.blocks, "The Salt Road") is Kind.NOTE
    assert kind_of(book.text, book.blocks, "by Ines Calloway") is Kind.NOTE
    assert kind_of(book.text, book.blocks, "~~~") is Kind.NARRATION
    assert kind_of(book.text, book.blocks, "\n#\n") is Kind.NARRATION
    assert kind_of(book.text, book.blocks, "Chapter 5 was never written") is Kind.NARRATION


def test_markdown_fixture_lone_top_heading_is_the_book_title():
    book = read_book(FIXTURE["markdown"])
    assert book.title == "The Cartographer's Daughter"
    assert book.slug == "the-cartographers-daughter"
    assert [c.title for c in book.chapters] == ["Departure", "Arrival"]
    assert book.blocks[0].kind is Kind.NOTE and book.blocks[0].chapter == 1


def test_roman_fixture_titled_by_file_name():
    book = read_book(FIXTURE["roman"])
    assert book.title == "roman"
    assert [c.title for c in book.chapters] == ["Chapter I", "Chapter II", "Chapter III"]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixtures_are_covered(path):
    book = read_book(path)
    assert_well_formed(book.text, book.chapters, book.blocks)


def test_story_before_the_first_heading_is_chapter_1():
    text = f"{BODY} " * 8 + f"\n\nChapter 2\n\n{BODY}"
    _, found = shaped(text)
    assert [c.title for c in found.chapters] == ["Chapter 1", "Chapter 2"]


def test_untitled_opening_is_not_a_second_chapter_1():
    text = f"{BODY} " * 8 + f"\n\nChapter 1\n\n{BODY}\n\nChapter 2\n\n{BODY}"
    _, found = shaped(text)
    assert [c.title for c in found.chapters] == ["Fallback", "Chapter 1", "Chapter 2"]


def test_front_matter_before_the_first_heading_joins_chapter_1_as_notes():
    text = f"For my mother\n\nContents\n\nChapter 1\n\n{BODY}\n\nChapter 2\n\n{BODY}"
    kinds, found = shaped(text)
    assert [c.title for c in found.chapters] == ["Chapter 1", "Chapter 2"]
    assert kinds[:3] == [
        (Kind.NOTE, "For my mother"),  # also the book's title: a short first line
        (Kind.NOTE, "Contents"),
        (Kind.HEADING, "Chapter 1"),
    ]


def test_a_run_of_headings_is_a_table_of_contents():
    contents = "\n\n".join(f"Chapter {n}" for n in (1, 2, 3))
    chapters = "\n\n".join(f"Chapter {n}\n\n{BODY}" for n in (1, 2, 3))
    kinds, found = shaped(f"{contents}\n\n{chapters}")
    assert [c.title for c in found.chapters] == ["Chapter 1", "Chapter 2", "Chapter 3"]
    assert [k for k, _ in kinds[:4]] == [Kind.NOTE] * 3 + [Kind.HEADING]


def test_a_table_of_contents_right_before_a_differently_named_first_chapter():
    contents = "\n\n".join(f"Chapter {n}" for n in (1, 2, 3))
    kinds, found = shaped(f"{contents}\n\nPROLOGUE\n\n{BODY}\n\nChapter 1\n\n{BODY}")
    assert [c.title for c in found.chapters] == ["Prologue", "Chapter 1"]
    assert [k for k, _ in kinds[:4]] == [Kind.NOTE] * 3 + [Kind.HEADING]


def test_two_headings_in_a_row_share_a_chapter():
    text = f"BOOK ONE\n\nCHAPTER I.\n\n{BODY}\n\nCHAPTER II.\n\n{BODY}"
    _, found = shaped(text)
    assert [c.title for c in found.chapters] == ["Book One — Chapter I", "Chapter II"]


def test_title_line_and_author():
    found = structure(f"The Quiet Sea\n\nby J. R. Marlowe\n\n{BODY}")
    assert (found.title, found.author) == ("The Quiet Sea", "J. R. Marlowe")
    assert [c.title for c in found.chapters] == ["The Quiet Sea"]


@pytest.mark.parametrize(
    "first",
    ["It was dark.", "“Run!” she said", "By morning, the storm had passed.", "x" * 90],
)
def test_first_lines_that_are_not_titles(first):
    found = structure(f"{first}\n\n{BODY}", fallback_title="Fallback")
    assert found.title is None
    assert [c.title for c in found.chapters] == ["Fallback"]


def test_a_single_untitled_chapter_takes_the_books_title():
    found = structure(BODY, fallback_title="my_story")
    assert [c.title for c in found.chapters] == ["my_story"]


# ── never fails, never loses text ────────────────────────────────────────────────────────────

PIECES = st.sampled_from(
    [
        "Chapter 3",
        "Chapter 2: The Storm",
        "Chapter 1 ",
        "CHAPTER IV.",
        "Notes:",
        "Summary:",
        "A/N:",
        "Chapter Text",
        "(See the end of the chapter for more notes.)",
        "Series this work belongs to:",
        "*** START OF THE PROJECT GUTENBERG EBOOK X ***",
        "*** END OF THE PROJECT GUTENBERG EBOOK X ***",
        "Title: X",
        "by Someone",
        "# Title",
        "## Part",
        "* * *",
        "XII",
        "Contents",
        "\n",
        "\n\n",
        "\r\n",
        "\r",
        " ",
        ". ",
        "! ",
        "“",
        "”",
        '"',
        "I ",
        "lol ",
        "The end came. " * 160,  # long enough to make a flattened line
    ]
)
TEXTS = st.lists(st.one_of(st.text(max_size=20), PIECES), max_size=40).map("".join)


@given(TEXTS)
@settings(max_examples=300, deadline=None)
def test_structure_never_fails_and_loses_nothing(text):
    found = structure(text)
    assert_well_formed(text, found.chapters, found.blocks)


def test_structure_of_nothing():
    found = structure("", fallback_title="t")
    assert (found.chapters[0].title, found.blocks) == ("t", ())


# ── speed ────────────────────────────────────────────────────────────────────────────────────


def test_structure_is_linear_enough_on_700k_characters():
    seeds = [path.read_text(encoding="utf-8") for path in SEEDS]
    flattened = " ".join(seeds * 13)
    novel = "".join(f"CHAPTER {n}.\n\n" + f"{BODY} {BODY}\n\n" * 40 for n in range(1, 150))
    for text in (flattened, novel):
        assert len(text) > 650_000
        started = time.perf_counter()
        structure(text)
        # ~0.1 s measured on the 2-core dev machine; a quadratic slip would take minutes
        assert time.perf_counter() - started < 2.0


# ── slugs ────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "title, slug",
    [
        ("../etc/passwd", "etc-passwd"),
        ("CON", "con-book"),
        ("nul", "nul-book"),
        ("COM1", "com1-book"),
        ("ＣＯＮ", "con-book"),  # full-width letters fold to a reserved name too
        ('a:b*c?"<>|\\d', "a-b-c-d"),
        ("📚🎧", "book"),
        ("Café 📚 Stories", "cafe-stories"),
        ("", "book"),
        ("...", "book"),
        ("\x00\x1f\x7f", "book"),
        ("The Cartographer's Daughter", "the-cartographers-daughter"),
        ("000_23943e66a67ac0a6", "000_23943e66a67ac0a6"),
        ("吾輩は猫である", "吾輩は猫である"),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug


@given(st.text())
def test_slugify_is_always_a_safe_file_name(title):
    slug = slugify(title)
    assert 0 < len(slug) <= 80
    assert re.fullmatch(r"\w[\w-]*", slug) and not slug.endswith("-")
    assert not re.search(r'[/\\:*?"<>|\x00-\x1f]|\.\.', slug)
    assert slug.split("-")[0] not in {"con", "prn", "aux", "nul"} or "-" in slug
