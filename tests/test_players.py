"""Chapters as players see them: mpv (when installed) against mutagen and the MP4 atoms themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from probe import MPV, built_seeds, mpv_chapters, quicktime_chapters

from narrate.assemble import assemble
from narrate.assemble.formats import Output
from narrate.engines import get_engine
from narrate.model import Book, Break, Chapter, Chunk, Clip, Kind, Pauses, Voice

needs_mpv = pytest.mark.skipif(
    MPV is None,
    reason="mpv is not installed: .ci/run installs Debian's mpv when it runs as root",
)
VOICE = Voice(engine="fake")
SHORT = Pauses(head_ms=500, tail_ms=1000)


def book_of(chapters: int, title: str = "Many Chapters") -> tuple[Book, list[Clip]]:
    fake = get_engine("fake")
    clips = []
    for n in range(1, chapters + 1):
        text = f"Part {n}."
        chunk = Chunk(n, n, Kind.NARRATION, None, 0, len(text), text, True, Break.CHAPTER)
        clips.append(Clip(chunk, fake.synthesize(text, VOICE), fake.sample_rate, VOICE))
    heads = tuple(Chapter(n, f"Part {n}: «{n}»") for n in range(1, chapters + 1))
    return Book(Path("many.txt"), title, "many", "", heads, ()), clips


@pytest.fixture(scope="module")
def three_hundred(tmp_path_factory):
    """More chapters than the Nero list can hold (255)."""
    book, clips = book_of(300)
    out = tmp_path_factory.mktemp("out")
    return assemble(book, clips, out, SHORT, Output(formats=frozenset({"m4b"}))), clips


def test_300_chapters_all_in_the_quicktime_track(three_hundred):
    files, _ = three_hundred
    quicktime = quicktime_chapters(files.m4b)
    assert [title for _, title in quicktime] == [c.title for c in files.chapters]
    assert len(quicktime) == 300
    for (start, _), chapter in zip(quicktime, files.chapters, strict=True):
        assert start == pytest.approx(chapter.start, abs=0.002)


def test_300_chapters_nero_list_holds_the_first_255_unbroken(three_hundred):
    files, _ = three_hundred
    nero = MP4(files.m4b).chapters  # mutagen reads the Nero list, which caps at 255
    assert [c.title for c in nero] == [c.title for c in files.chapters[:255]]
    for mark, chapter in zip(nero, files.chapters, strict=False):
        assert mark.start == pytest.approx(chapter.start, abs=0.002)


@needs_mpv
def test_mpv_sees_all_300_chapters(three_hundred, tmp_path):
    files, _ = three_hundred
    seen = mpv_chapters(files.m4b, tmp_path)
    assert [title for _, title in seen] == [c.title for c in files.chapters]


@needs_mpv
def test_mpv_sees_opus_chapters(tmp_path):
    book, clips = book_of(3, title="Opus Book")
    files = assemble(book, clips, tmp_path, SHORT, Output(formats=frozenset({"opus"})))
    seen = mpv_chapters(files.opus, tmp_path)
    assert [title for _, title in seen] == ["Part 1: «1»", "Part 2: «2»", "Part 3: «3»"]
    for (start, _), chapter in zip(seen, files.chapters, strict=True):
        assert start == pytest.approx(chapter.start, abs=0.01)
    tags = OggOpus(files.opus).tags
    assert tags["title"] == ["Opus Book"] and tags["chapter001name"] == ["Part 2: «2»"]


@pytest.mark.e2e
@needs_mpv
def test_mpv_and_mutagen_agree_on_every_seed(tmp_path):
    out = built_seeds()
    m4bs = sorted(out.glob("*/*.m4b"))
    assert len(m4bs) == 4
    for m4b in m4bs:
        by_mutagen = [(c.start, c.title) for c in MP4(m4b).chapters]
        by_mpv = mpv_chapters(m4b, tmp_path)
        assert [t for _, t in by_mpv] == [t for _, t in by_mutagen], m4b.name
        assert [t for _, t in quicktime_chapters(m4b)] == [t for _, t in by_mutagen], m4b.name
        for (mpv_start, _), (mutagen_start, _) in zip(by_mpv, by_mutagen, strict=True):
            assert mpv_start == pytest.approx(mutagen_start, abs=0.01), m4b.name
