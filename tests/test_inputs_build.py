"""EPUB, HTML and Markdown all the way to an audiobook: chapters, titles, tags and cover in the m4b."""

import json

from conftest import fake_settings
from mutagen.mp4 import MP4
from test_ingest_formats import FIXTURES, PNG, epub3, write

from narrate.build import build
from narrate.ingest import read_book
from narrate.model import Kind
from narrate.segment import segment


def m4b_of(files):
    tags = MP4(files.m4b)
    return [c.title for c in tags.chapters], tags


def test_epub_builds_with_toc_chapters_metadata_and_cover(tmp_path):
    story = write(tmp_path / "novel.epub", epub3())
    files = build(story, tmp_path / "out", fake_settings())
    chapters, tags = m4b_of(files)
    assert chapters == [
        "Part One: The Coast — Chapter One: The Lamp",
        "Chapter Two",
        "Part Two — Chapter Three: Spring",
    ]
    assert tags["\xa9nam"] == ["The Salt Road"] and tags["\xa9ART"] == ["Ines Calloway"]
    assert bytes(tags["covr"][0]) == PNG
    assert files.folder.name == "the-salt-road"


def test_html_download_builds_three_chapters_with_notes_silent(tmp_path):
    files = build(FIXTURES / "archive.html", tmp_path / "out", fake_settings())
    chapters, tags = m4b_of(files)
    assert chapters == ["Chapter 1: Arrival", "Chapter 2: The Storm", "Chapter 3"]
    assert tags["\xa9ART"] == ["quietgull"]
    book = read_book(FIXTURES / "archive.html")
    notes = {(c.start, c.end) for c in segment(book) if c.kind is Kind.NOTE}
    manifest = json.loads(files.manifest.read_text(encoding="utf-8"))
    voiced = {(c["start"], c["end"]) for c in manifest["chunks"]}
    assert notes and voiced and not notes & voiced


def test_markdown_builds_with_front_matter_title_author_and_chapters(tmp_path):
    files = build(FIXTURES / "story.md", tmp_path / "out", fake_settings())
    chapters, tags = m4b_of(files)
    assert chapters == ["The Harbour", "The Ferry", "Home"]
    assert tags["\xa9nam"] == ["Tidewater"] and tags["\xa9ART"] == ["Ana Reyes, Sam Ortiz"]
