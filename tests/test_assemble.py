"""The assembler: clips from the fake engine in, files out, probed with ffmpeg and mutagen."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from probe import probe, quicktime_chapters

from narrate import ffmpeg
from narrate.assemble import assemble, chapter_file_name, encode
from narrate.assemble.formats import Output
from narrate.engines import get_engine
from narrate.errors import EncoderError, EngineError, InputError, OutputError
from narrate.model import Book, Break, Chapter, Chunk, Clip, Kind, Pauses, Voice

RATE = 22050
PAUSES = Pauses(sentence_ms=200, paragraph_ms=500, scene_ms=900, head_ms=600, tail_ms=1000)


def make_book(
    *titles: str, title: str = "The Test Book", author: str | None = "Ann Author"
) -> Book:
    chapters = tuple(Chapter(n, t) for n, t in enumerate(titles, 1))
    return Book(Path("story.txt"), title, "the-test-book", "", chapters, (), author=author)


def make_clip(chapter: int, index: int, text: str, brk: Break = Break.SENTENCE, rate=RATE) -> Clip:
    pcm = get_engine("fake").synthesize(text, Voice(engine="fake"))
    if rate != RATE:  # the fake speaks at 22050 Hz: stand in for an engine with another rate
        pcm = pcm[: len(pcm) * rate // RATE // 2 * 2]
    chunk = Chunk(chapter, index, Kind.NARRATION, None, 0, len(text), text, True, brk)
    return Clip(chunk, pcm, rate, Voice(engine="fake"))


def story_clips() -> list[Clip]:
    """Chapter 1: three clips; chapter 2: nothing spoken; chapter 3: two clips."""
    return [
        make_clip(1, 0, "It was a dark and stormy night.", Break.SENTENCE),
        make_clip(1, 1, "The rain fell in torrents.", Break.PARAGRAPH),
        make_clip(1, 2, "Except at occasional intervals.", Break.CHAPTER),
        make_clip(3, 5, "Morning came at last.", Break.SCENE),
        make_clip(3, 6, "Nobody had slept.", Break.CHAPTER),
    ]


def padding(clip: Clip) -> float:
    """Seconds of digital silence the engine put at the end of the clip."""
    return (len(clip.pcm) - len(clip.pcm.rstrip(b"\0"))) // 2 / clip.sample_rate


def expected_seconds(clips: list[Clip], pauses: Pauses = PAUSES) -> float:
    """Head room tone, every clip and the pause after it, the tail in place of the last pause and
    of the engine's silence at the end of the last clip."""
    return (
        pauses.head_ms / 1000
        + sum(c.seconds for c in clips)
        - padding(clips[-1])
        + sum(pauses.after(c.chunk.brk) for c in clips[:-1]) / 1000
        + pauses.tail_ms / 1000
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """One book assembled once, inspected by several tests."""
    out = tmp_path_factory.mktemp("out")
    clips = story_clips()
    book = make_book("Dark and Stormy", "Notes Only", "Morning")
    return assemble(book, iter(clips), out, PAUSES), clips


def test_folder_holds_exactly_the_final_files(written):
    files, _ = written
    assert files.folder.name == "the-test-book"
    assert sorted(p.name for p in files.folder.iterdir()) == [
        "01 - Dark and Stormy.lrc",
        "01 - Dark and Stormy.mp3",
        "01 - Dark and Stormy.srt",
        "01 - Dark and Stormy.vtt",
        "02 - Morning.lrc",
        "02 - Morning.mp3",
        "02 - Morning.srt",
        "02 - Morning.vtt",
        "cover.jpg",
        "manifest.json",
        "the-test-book.lrc",
        "the-test-book.m3u",
        "the-test-book.m4b",
    ]
    assert files.main == files.m4b


def test_chapters_without_speech_are_skipped(written):
    files, _ = written
    assert [(c.number, c.title) for c in files.chapters] == [(1, "Dark and Stormy"), (3, "Morning")]


def test_m4b_chapters_tags_and_brand(written):
    files, clips = written
    m4b = MP4(files.m4b)
    assert [c.title for c in m4b.chapters] == ["Dark and Stormy", "Morning"]
    assert m4b.chapters[0].start == 0
    assert m4b.chapters[1].start == pytest.approx(expected_seconds(clips[:3]), abs=0.05)
    assert m4b.tags["©nam"] == ["The Test Book"]
    assert m4b.tags["©alb"] == ["The Test Book"]
    assert m4b.tags["©ART"] == ["Ann Author"]
    assert m4b.tags["©gen"] == ["Audiobook"]
    assert m4b.tags["aART"] == ["Ann Author"]
    with files.m4b.open("rb") as f:
        head = f.read(12)
    assert head[4:8] == b"ftyp" and head[8:12] == b"M4B "


def test_m4b_has_quicktime_and_nero_chapters_that_agree(written):
    files, _ = written
    nero = [(c.start, c.title) for c in MP4(files.m4b).chapters]  # mutagen reads the Nero list
    quicktime = quicktime_chapters(files.m4b)
    assert [title for _, title in quicktime] == ["Dark and Stormy", "Morning"]
    assert [t for _, t in nero] == [t for _, t in quicktime]
    for (nero_start, _), (qt_start, _) in zip(nero, quicktime, strict=True):
        assert nero_start == pytest.approx(qt_start, abs=0.002)


def test_m4b_audio(written):
    files, clips = written
    info = probe(files.m4b)
    assert (info.codec, info.sample_rate, info.channels) == ("aac", RATE, 1)
    total = expected_seconds(clips[:3]) + expected_seconds(clips[3:])
    assert info.duration == pytest.approx(total, abs=0.05)
    assert info.rms_db > -30  # not silent


def test_mp3s_durations_and_tags(written):
    files, clips = written
    for track, (chapter, chapter_clips) in enumerate(
        zip(files.chapters, [clips[:3], clips[3:]], strict=True), 1
    ):
        assert chapter.duration == pytest.approx(expected_seconds(chapter_clips), abs=0.05)
        info = probe(chapter.mp3)
        assert (info.codec, info.sample_rate, info.channels) == ("mp3", RATE, 1)
        assert info.duration == pytest.approx(chapter.duration, abs=0.05)
        assert info.rms_db > -30
        tags = ID3(chapter.mp3)
        assert tags["TIT2"].text == [chapter.title]
        assert tags["TALB"].text == ["The Test Book"]
        assert tags["TPE1"].text == ["Ann Author"]
        assert tags["TRCK"].text == [f"{track}/2"]
        assert tags["TCON"].text == ["Audiobook"]
    assert files.chapters[1].start == pytest.approx(files.chapters[0].duration)


def test_playlist(written):
    files, _ = written
    first, second = files.chapters
    assert files.playlist.read_text(encoding="utf-8").splitlines() == [
        "#EXTM3U",
        f"#EXTINF:{round(first.duration)},Dark and Stormy",
        "01 - Dark and Stormy.mp3",
        f"#EXTINF:{round(second.duration)},Morning",
        "02 - Morning.mp3",
    ]


def test_metadata_cannot_be_injected(tmp_path):
    evil = "Eq = semi ; hash # back \\ end\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\ntitle=Injected"
    book = make_book(evil, "Two", title="Book = ; # \\\ngenre=Hacked", author="A;B#C")
    clips = [make_clip(1, 0, "One.", Break.CHAPTER), make_clip(2, 1, "Two.", Break.CHAPTER)]
    files = assemble(book, clips, tmp_path, PAUSES)
    m4b = MP4(files.m4b)
    one_line = " ".join(evil.split())
    assert [c.title for c in m4b.chapters] == [one_line, "Two"]
    assert m4b.tags["©nam"] == ["Book = ; # \\ genre=Hacked"]
    assert m4b.tags["©gen"] == ["Audiobook"]
    assert m4b.tags["©ART"] == ["A;B#C"]
    assert ID3(files.chapters[0].mp3)["TIT2"].text == [one_line]
    assert "\n" not in files.chapters[0].mp3.name and "\\" not in files.chapters[0].mp3.name


def test_clip_at_another_rate_is_resampled(tmp_path):
    clips = [
        make_clip(1, 0, "At the engine's own rate.", Break.SENTENCE),
        make_clip(1, 1, "This one came from a sixteen kilohertz engine.", Break.SENTENCE, 16000),
        make_clip(1, 2, "Back to normal.", Break.CHAPTER),
    ]
    assert clips[1].sample_rate == 16000
    files = assemble(make_book("Only"), clips, tmp_path, PAUSES)
    assert files.chapters[0].duration == pytest.approx(expected_seconds(clips), abs=0.05)
    info = probe(files.chapters[0].mp3)
    assert info.sample_rate == RATE
    assert info.duration == pytest.approx(expected_seconds(clips), abs=0.05)


def test_clips_are_streamed_not_held(tmp_path):
    """Four minutes of audio (11 MB of PCM) made one clip at a time: the peak is a few clips and
    the 1 MB copy buffer, far below the book."""

    def clips() -> Iterator[Clip]:
        for i in range(40):
            yield make_clip(1 + i // 20, i, "A sentence of some length, spoken evenly. " * 2)

    tracemalloc.start()
    try:
        files = assemble(make_book("A", "B"), clips(), tmp_path, PAUSES)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    pcm_bytes = sum(c.duration for c in files.chapters) * RATE * 2
    assert pcm_bytes > 10_000_000
    assert peak < pcm_bytes / 3


def test_no_spoken_clips_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="nothing to narrate"):
        assemble(make_book("A"), [], tmp_path, PAUSES)
    assert list((tmp_path / "the-test-book").iterdir()) == []


def test_out_dir_is_a_file(tmp_path):
    out = tmp_path / "output"
    out.write_text("not a folder")
    with pytest.raises(OutputError, match=f"{out} is a file"):
        assemble(make_book("A"), story_clips(), out, PAUSES)


def test_book_folder_is_a_file(tmp_path):
    (tmp_path / "the-test-book").write_text("not a folder")
    with pytest.raises(OutputError, match="the-test-book is a file"):
        assemble(make_book("A"), story_clips(), tmp_path, PAUSES)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders anyway")
def test_unwritable_out_dir(tmp_path):
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="choose another --output"):
            assemble(make_book("A"), story_clips(), out, PAUSES)
    finally:
        out.chmod(0o700)


def test_encoder_failure_leaves_previous_files_untouched(tmp_path, monkeypatch):
    book = make_book("Dark and Stormy", "Notes Only", "Morning")
    first = assemble(book, story_clips(), tmp_path, PAUSES)
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}
    monkeypatch.setattr(encode, "audio_filters", lambda rate: ["-af", "nosuchfilter"])
    with pytest.raises(EncoderError, match="nosuchfilter"):
        assemble(book, story_clips(), tmp_path, PAUSES)
    assert {p.name: p.read_bytes() for p in first.folder.iterdir()} == before


def test_encoder_failure_writes_no_final_file(tmp_path):
    with pytest.raises(EncoderError):
        output = Output(mp3_bitrate="not-a-bitrate")
        assemble(make_book("A", "B", "C"), story_clips(), tmp_path, PAUSES, output)
    assert list((tmp_path / "the-test-book").iterdir()) == []


def test_failing_clip_stream_leaves_nothing_behind(tmp_path):
    def clips() -> Iterator[Clip]:
        yield from story_clips()[:4]
        raise EngineError("pyttsx3 failed on chapter 3")

    with pytest.raises(EngineError):
        assemble(make_book("A", "B", "C"), clips(), tmp_path, PAUSES)
    assert list((tmp_path / "the-test-book").iterdir()) == []


@pytest.mark.parametrize(
    ("track", "tracks", "title", "name"),
    [
        (1, 9, "The Beginning", "01 - The Beginning.mp3"),
        (12, 99, "Case Kept, spaces  kept", "12 - Case Kept, spaces kept.mp3"),
        (7, 120, "Chapter 7", "007 - Chapter 7.mp3"),
        (3, 5, 'Who? What: "this" / that\\ <x>|*', "03 - Who What this that x.mp3"),
        (4, 5, "...", "04 - Chapter 4.mp3"),
        (5, 5, "Ünïcødé — fine", "05 - Ünïcødé — fine.mp3"),
    ],
)
def test_chapter_file_names(track, tracks, title, name):
    assert chapter_file_name(track, tracks, title) == name


def test_out_dir_below_a_file(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(OutputError, match="cannot create .*file/sub/the-test-book"):
        assemble(make_book("A"), story_clips(), tmp_path / "file" / "sub", PAUSES)


# --- the ffmpeg helper -----------------------------------------------------------------------------


def test_ffmpeg_failure_is_one_line_saying_why(tmp_path):
    missing = tmp_path / "missing.wav"
    with pytest.raises(EncoderError) as caught:
        ffmpeg.run(["-i", missing, "-f", "null", "-"], what="a test")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("ffmpeg could not make a test: ")
    assert "No such file or directory" in message


def test_ffmpeg_process_fed_through_stdin(tmp_path):
    out = tmp_path / "tone.mp3"
    pcm = get_engine("fake").synthesize("Some words to encode.", Voice(engine="fake"))
    process = ffmpeg.Process(
        ["-f", "s16le", "-ar", RATE, "-ac", 1, "-i", "pipe:0", "-f", "mp3", out],
        what="a test",
        stdin=True,
    )
    process.stdin.write(pcm)
    process.wait()
    process.wait()  # a second wait is harmless
    assert probe(out).duration == pytest.approx(len(pcm) / 2 / RATE, abs=0.01)


@pytest.mark.parametrize(
    ("stderr", "line"),
    [
        (  # a bad option value: the line naming the option, not the summaries after it
            '[libmp3lame @ 0x55eb] Unable to parse "b" option value "zzz"\n'
            "[libmp3lame @ 0x55eb] Error setting option b to value zzz.\n"
            "[aost#0:0/libmp3lame @ 0x55eb] Error applying encoder options: Invalid argument\n"
            "Error opening output file /tmp/z.mp3.\n"
            "Error opening output files: Invalid argument\n",
            "Error setting option b to value zzz.",
        ),
        (
            "[out#0/mp3 @ 0x5634] Error writing trailer: No space left on device\n"
            "[out#0/mp3 @ 0x5634] Error closing file: No space left on device\n",
            "Error closing file: No space left on device",
        ),
        (
            "[aost#0:0/libmp3lame @ 0x5647] [enc:libmp3lame @ 0x5647] Error while opening encoder\n"
            "[af#0:0 @ 0x5647] Task finished with error code: -22 (Invalid argument)\n"
            "[out#0/mp3 @ 0x5647] Nothing was written into output file, because ...\n",
            "Error while opening encoder",
        ),
        ("Conversion failed!\n", "Conversion failed!"),
        ("", "it exited with code 1 and said nothing"),
    ],
)
def test_ffmpeg_error_line(stderr, line):
    assert ffmpeg.error_line(stderr, 1) == line


def test_cover_goes_into_m4b_and_mp3s(tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)  # players would want a real image; the tags take bytes
    book = make_book("Only")
    book = Book(book.source, book.title, book.slug, "", book.chapters, (), cover=png)
    files = assemble(book, [make_clip(1, 0, "Hello.", Break.CHAPTER)], tmp_path, PAUSES)
    assert bytes(MP4(files.m4b).tags["covr"][0]) == png
    assert ID3(files.chapters[0].mp3).getall("APIC")[0].data == png
    assert files.cover == files.folder / "cover.png" and files.cover.read_bytes() == png
    assert "©ART" not in MP4(files.m4b).tags  # no author, no artist tag


@pytest.mark.e2e
def test_real_speech_book(tmp_path):
    espeak = get_engine("pyttsx3")
    texts = [(1, "Call me Ishmael."), (1, "Some years ago, never mind how long."), (2, "The end.")]
    clips = [
        Clip(
            Chunk(chapter, i, Kind.NARRATION, None, 0, len(t), t, True),
            espeak.synthesize(t, Voice()),
            espeak.sample_rate,
        )
        for i, (chapter, t) in enumerate(texts)
    ]
    files = assemble(make_book("Loomings", "Epilogue"), clips, tmp_path, PAUSES)
    assert [c.title for c in MP4(files.m4b).chapters] == ["Loomings", "Epilogue"]
    for chapter, chapter_clips in zip(files.chapters, [clips[:2], clips[2:]], strict=True):
        info = probe(chapter.mp3)
        assert info.duration == pytest.approx(expected_seconds(chapter_clips), abs=0.05)
        assert info.rms_db > -35


def test_work_folders_of_killed_builds_are_removed(tmp_path):
    folder = tmp_path / "the-test-book"
    folder.mkdir()
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead, unmarked, alive = (folder / f".narrate-work-{n}" for n in ("dead", "unmarked", "alive"))
    for work in (dead, unmarked, alive):
        work.mkdir()
        (work / "000001.pcm").write_bytes(bytes(100))
    (dead / "pid").write_text(finished.stdout.strip())
    (alive / "pid").write_text(str(os.getppid()))  # another build, still running
    assemble(make_book("A"), [make_clip(1, 0, "Hello.", Break.CHAPTER)], tmp_path, PAUSES)
    assert sorted(p.name for p in folder.glob(".narrate-work-*")) == [".narrate-work-alive"]
