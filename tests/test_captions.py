"""Captions and the manifest: cues on the chunks' real boundaries, in every format, and in the audio."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from probe import decode_pcm, longest_silence

from narrate import ffmpeg
from narrate.assemble import assemble, captions
from narrate.engines import get_engine
from narrate.model import Book, Break, Chapter, Chunk, Clip, Kind, Pauses, Voice

RATE = 22050
PAUSES = Pauses(sentence_ms=300, paragraph_ms=700, scene_ms=1200, head_ms=800, tail_ms=1500)
NARRATOR = Voice(engine="fake", id="en-us")
ANNA = Voice(engine="fake", id="en-us+f3", pitch=70)
STORY = [  # chapter, text, break after, voice
    (1, "The lighthouse stood alone on the rocks.", Break.SENTENCE, NARRATOR),
    (1, "Is anyone up there?", Break.SENTENCE, ANNA),
    (1, "Nobody answered.", Break.PARAGRAPH, NARRATOR),
    (1, "The lamp turned & turned <slowly> --> forever.", Break.CHAPTER, NARRATOR),
    (2, "Morning came grey and cold.", Break.SCENE, NARRATOR),
    (2, "I am still here, she said.", Break.CHAPTER, ANNA),
]


def story_clips() -> list[Clip]:
    fake = get_engine("fake")
    clips, offset = [], 0
    for index, (chapter, text, brk, voice) in enumerate(STORY):
        kind = Kind.DIALOGUE if voice is ANNA else Kind.NARRATION
        speaker = "Anna" if voice is ANNA else None
        chunk = Chunk(chapter, index, kind, speaker, offset, offset + len(text), text, True, brk)
        clips.append(Clip(chunk, fake.synthesize(text, voice), fake.sample_rate, voice))
        offset += len(text) + 1
    return clips


MP3 = (576, 576)
"""A 22 kHz mp3's frame, and how many samples early its audio comes (pieces.py)."""
M4B = (1024, 0)
LEAD = 1152
"""Samples of room tone each piece begins with: what the mp3 encoder leaves out."""


def expected_spans(clips: list[Clip], timeline: tuple[int, int]) -> list[tuple[float, float]]:
    """Where each chunk's speech must sit in its chapter, worked out from the clips alone: the
    head, then each clip's speech (without the engine's trailing silence), that silence and the
    pause after it. As encoded piece by piece in a format whose `timeline` is (frame, early): a
    new piece starts LEAD samples before each change of voice (every pause here is long enough)
    and is padded to whole frames, and its audio comes `early` samples ahead."""
    frame, early = timeline
    spans, chapter = [], None
    for i, clip in enumerate(clips):
        if clip.chunk.chapter != chapter:
            chapter, at, piece, padded = clip.chunk.chapter, PAUSES.head_ms * RATE // 1000, 0, 0
        elif clip.voice != clips[i - 1].voice:
            cut = at - LEAD
            padded += -(cut - piece) % frame
            piece = cut
        padding = (len(clip.pcm) - len(clip.pcm.rstrip(b"\0"))) // 2
        speech = len(clip.pcm) // 2 - padding
        start = at + padded - early
        spans.append((start / RATE, (start + speech) / RATE))
        at += speech + padding + round(PAUSES.after(clip.chunk.brk) * RATE / 1000)
    return spans


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    clips = story_clips()
    book = Book(
        Path("lighthouse.txt"),
        "The Lighthouse",
        "the-lighthouse",
        "",
        (Chapter(1, "Night"), Chapter(2, "Morning")),
        (),
        author="A. Keeper",
    )
    return assemble(book, clips, tmp_path_factory.mktemp("out"), PAUSES), clips


def read_cues(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue of a .vtt or .srt."""
    clock = r"(\d+):(\d\d):(\d\d)[.,](\d{3})"
    cues = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        found = re.search(rf"{clock} --> {clock}\n(.*)", block)
        if found:
            h1, m1, s1, ms1, h2, m2, s2, ms2, text = found.groups()
            start = int(h1) * 3600 + int(m1) * 60 + int(s1) + int(ms1) / 1000
            end = int(h2) * 3600 + int(m2) * 60 + int(s2) + int(ms2) / 1000
            cues.append((start, end, text))
    return cues


def read_lrc(path: Path) -> list[tuple[float, str]]:
    lines = re.findall(r"^\[(\d+):(\d\d)\.(\d\d)\](.*)$", path.read_text(encoding="utf-8"), re.M)
    return [(int(m) * 60 + int(s) + int(cs) / 100, text) for m, s, cs, text in lines]


def test_cues_sit_on_chunk_boundaries(built):
    files, clips = built
    spans = expected_spans(clips, MP3)
    by_chapter = [spans[:4], spans[4:]]
    for chapter, expected in zip(files.chapters, by_chapter, strict=True):
        vtt, srt, lrc = chapter.captions
        assert (vtt.suffix, srt.suffix, lrc.suffix) == (".vtt", ".srt", ".lrc")
        for cues in (read_cues(vtt), read_cues(srt)):
            title, *spoken = cues
            assert title == (0.0, pytest.approx(expected[0][0], abs=0.001), chapter.title)
            assert len(spoken) == len(expected)
            for (start, end, _), (want_start, want_end) in zip(spoken, expected, strict=True):
                assert start == pytest.approx(want_start, abs=0.001)
                assert end == pytest.approx(want_end, abs=0.001)
        lines = read_lrc(lrc)
        assert lines[0] == (0.0, chapter.title)
        assert [t for t, _ in lines[1:-1]] == pytest.approx([s for s, _ in expected], abs=0.01)
        assert lines[-1] == (pytest.approx(expected[-1][1], abs=0.01), "")


def test_cues_match_the_speech_in_the_audio(built):
    """Speech starts in the mp3 where cues start: every stretch of the chapter between two cues
    is silent (room tone), and every cue holds sound."""
    files, _ = built
    for chapter in files.chapters:
        pcm = decode_pcm(chapter.mp3, RATE)
        cues = read_cues(chapter.captions[1])[1:]
        edges = [0.0] + [t for start, end, _ in cues for t in (start, end)] + [len(pcm) / 2 / RATE]
        for gap_start, gap_end in zip(edges[::2], edges[1::2], strict=True):
            gap = pcm[round((gap_start + 0.02) * RATE) * 2 : round((gap_end - 0.02) * RATE) * 2]
            assert longest_silence(gap, RATE) >= gap_end - gap_start - 0.05
        for start, end, _ in cues:
            speech = pcm[round(start * RATE) * 2 : round(end * RATE) * 2]
            assert longest_silence(speech, RATE) < 0.2


def test_cue_text_is_the_story_text_escaped_for_each_format(built):
    files, clips = built
    vtt, srt, _ = files.chapters[0].captions
    assert "The lamp turned &amp; turned &lt;slowly&gt; --&gt; forever." in vtt.read_text()
    assert vtt.read_text().startswith("WEBVTT\n\n")
    assert "The lamp turned & turned <slowly> -> forever." in srt.read_text()
    first = expected_spans(clips, MP3)[0][0]
    assert srt.read_text().startswith(f"1\n00:00:00,000 --> 00:00:00,{first * 1000:03.0f}\nNight\n")


def test_book_lrc_spans_the_whole_book(built):
    files, clips = built
    lines = read_lrc(files.folder / "the-lighthouse.lrc")
    text = (files.folder / "the-lighthouse.lrc").read_text(encoding="utf-8")
    assert "[ti:The Lighthouse]" in text and "[ar:A. Keeper]" in text
    second = files.chapters[1]
    morning = [t for t, line in lines if line == "Morning"]
    assert morning == [pytest.approx(second.start, abs=0.01)]
    starts = [t for t, line in lines if line.startswith("I am still")]
    assert starts == [pytest.approx(second.start + expected_spans(clips, M4B)[5][0], abs=0.01)]


def test_manifest_places_every_chunk(built):
    files, clips = built
    manifest = json.loads(files.manifest.read_text(encoding="utf-8"))
    assert manifest["title"] == "The Lighthouse" and manifest["author"] == "A. Keeper"
    assert manifest["files"]["m4b"] == "the-lighthouse.m4b"
    assert [(c["title"], c["start"], c["duration"]) for c in manifest["chapters"]] == [
        (c.title, pytest.approx(c.start, abs=0.001), pytest.approx(c.duration, abs=0.001))
        for c in files.chapters
    ]
    assert manifest["chapters"][0]["vtt"] == "01 - Night.vtt"
    spans = zip(expected_spans(clips, MP3), expected_spans(clips, M4B), strict=True)
    chapter_start = {c.number: c.start for c in files.chapters}
    assert len(manifest["chunks"]) == len(clips)
    for record, clip, ((start, end), (in_book, _)) in zip(
        manifest["chunks"], clips, spans, strict=True
    ):
        chunk = clip.chunk
        assert (record["index"], record["start"], record["end"]) == (
            chunk.index,
            chunk.start,
            chunk.end,
        )
        assert record["speaker"] == chunk.speaker and record["text"] == chunk.text
        voice = manifest["voices"][record["voice"]]
        assert (voice["id"], voice["pitch"]) == (clip.voice.id, clip.voice.pitch)
        assert record["chapter_time"] == pytest.approx(start, abs=0.002)
        assert record["duration"] == pytest.approx(end - start, abs=0.002)
        assert record["time"] == pytest.approx(chapter_start[chunk.chapter] + in_book, abs=0.002)


# --- the formats themselves ----------------------------------------------------------------------


def test_clock_formats_past_an_hour():
    cues = [captions.Cue(3725.5, 3727.25, "Late.")]
    assert "01:02:05.500 --> 01:02:07.250\nLate." in captions.vtt(cues)
    assert "01:02:05,500 --> 01:02:07,250\nLate." in captions.srt(cues)
    assert captions.lrc_lines(cues) == ["[62:05.50]Late.", "[62:07.25]"]


def test_title_cue_and_empty_cues():
    cues = captions.chapter_cues("  A\nTitle ", [(0.8, 1.5, "One\n two."), (2.0, 2.0, "Empty.")])
    assert cues == [captions.Cue(0.0, 0.8, "A Title"), captions.Cue(0.8, 1.5, "One two.")]


def test_ffmpeg_reads_the_captions(built, tmp_path):
    """ffmpeg's own WebVTT and SubRip demuxers accept the files and find every cue."""
    files, _ = built
    for path in files.chapters[0].captions[:2]:
        out = tmp_path / f"{path.suffix[1:]}.ass"
        ffmpeg.run(["-i", path, out], what=f"a parse of {path.name}")
        assert out.read_text(encoding="utf-8").count("Dialogue:") == 5
