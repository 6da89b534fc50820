"""Output formats: --format, the acx preset, covers, and what a rebuild leaves in the folder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEEDS
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from probe import acx_problems, delivery, probe

from narrate.assemble import assemble, cover, formats
from narrate.assemble.formats import Output
from narrate.cli import cli
from narrate.engines import get_engine
from narrate.errors import InputError
from narrate.model import Book, Break, Chapter, Chunk, Clip, Kind, Pauses, Voice

VOICE = Voice(engine="fake")
PAUSES = Pauses(head_ms=600, tail_ms=1200)


def make_book(cover_bytes: bytes | None = None) -> tuple[Book, list[Clip]]:
    fake = get_engine("fake")
    texts = [(1, "The wind rose in the night and would not settle."), (2, "By dawn it was gone.")]
    clips = []
    for i, (chapter, text) in enumerate(texts):
        chunk = Chunk(chapter, i, Kind.NARRATION, None, 0, len(text), text, True, Break.CHAPTER)
        clips.append(Clip(chunk, fake.synthesize(text, VOICE) * 3, fake.sample_rate, VOICE))
    book = Book(
        Path("wind.txt"),
        "The Wind",
        "the-wind",
        "",
        (Chapter(1, "Night"), Chapter(2, "Dawn")),
        (),
        author="Ann Author",
        cover=cover_bytes,
    )
    return book, clips


def build(tmp_path: Path, output: Output, cover_bytes: bytes | None = None):
    book, clips = make_book(cover_bytes)
    return assemble(book, clips, tmp_path, PAUSES, output)


# --- choosing --------------------------------------------------------------------------------------


def test_parse_formats_takes_lists_and_repeats():
    assert formats.parse_formats(["m4b,MP3", " opus "]) == {"m4b", "mp3", "opus"}
    assert formats.parse_formats([".mp3", ""]) == {"mp3"}
    with pytest.raises(ValueError, match="unknown format 'wav'; use any of: m4b, mp3, opus"):
        formats.parse_formats(["mp3,wav"])


def test_output_defaults_and_the_acx_preset():
    assert formats.output().formats == {"m4b", "mp3"}
    acx = formats.output(preset="acx")
    assert (acx.formats, acx.sample_rate, acx.mp3_bitrate, acx.max_chapter_minutes) == (
        {"mp3"},
        44100,
        "192k",
        120,
    )
    assert formats.output(["m4b,mp3"], preset="acx").formats == {"m4b", "mp3"}
    with pytest.raises(ValueError, match="unknown preset"):
        formats.output(preset="audible")


# --- what each format writes -----------------------------------------------------------------------


def test_mp3_only(tmp_path):
    files = build(tmp_path, Output(formats=frozenset({"mp3"})))
    assert (files.m4b, files.opus) == (None, None)
    assert files.main == files.playlist == files.folder / "the-wind.m3u"
    assert sorted(p.name for p in files.folder.glob("*.mp3")) == ["01 - Night.mp3", "02 - Dawn.mp3"]
    assert not list(files.folder.glob("*.m4b"))


def test_m4b_only_still_writes_captions_and_manifest(tmp_path):
    files = build(tmp_path, Output(formats=frozenset({"m4b"})))
    assert files.playlist is None and all(c.mp3 is None for c in files.chapters)
    assert sorted(p.name for p in files.folder.iterdir()) == [
        "01 - Night.lrc",
        "01 - Night.srt",
        "01 - Night.vtt",
        "02 - Dawn.lrc",
        "02 - Dawn.srt",
        "02 - Dawn.vtt",
        "cover.jpg",
        "manifest.json",
        "the-wind.lrc",
        "the-wind.m4b",
    ]


def test_opus_book_with_chapters_tags_and_cover(tmp_path):
    files = build(tmp_path, Output(formats=frozenset({"opus"})))
    assert files.main == files.opus == files.folder / "the-wind.opus"
    info = probe(files.opus)
    assert info.codec == "opus"
    assert info.duration == pytest.approx(sum(c.duration for c in files.chapters), abs=0.05)
    tags = OggOpus(files.opus).tags
    assert tags["title"] == ["The Wind"] and tags["artist"] == ["Ann Author"]
    assert tags["genre"] == ["Audiobook"]
    assert (tags["chapter000name"], tags["chapter001name"]) == (["Night"], ["Dawn"])
    assert tags["metadata_block_picture"]


def test_rebuild_in_another_format_removes_only_what_narrate_wrote(tmp_path):
    first = build(tmp_path, Output())
    mine = first.folder / "my notes.txt"
    mine.write_text("keep me")
    second = build(tmp_path, Output(formats=frozenset({"opus"})))
    names = sorted(p.name for p in second.folder.iterdir())
    assert "the-wind.m4b" not in names and "the-wind.m3u" not in names
    assert not [n for n in names if n.endswith(".mp3")]
    assert "the-wind.opus" in names and "01 - Night.vtt" in names and "my notes.txt" in names


# --- the audiobook delivery standard ----------------------------------------------------------------


def test_acx_preset_files(tmp_path):
    files = build(tmp_path, formats.output(preset="acx"))
    assert files.m4b is None
    for chapter in files.chapters:
        mp3 = MP3(chapter.mp3)
        assert (mp3.info.sample_rate, mp3.info.bitrate) == (44100, 192000)
        assert mp3.info.bitrate_mode == BitrateMode.CBR
        assert probe(chapter.mp3).duration == pytest.approx(chapter.duration, abs=0.05)


def test_acx_preset_refuses_a_chapter_over_the_limit(tmp_path):
    too_short = Output(formats=frozenset({"mp3"}), max_chapter_minutes=0.05)  # 3 s
    with pytest.raises(InputError, match=r"chapter 1 \('Night'\) runs .* over the 0.05 min"):
        build(tmp_path, too_short)
    assert list((tmp_path / "the-wind").iterdir()) == []


@pytest.mark.e2e
def test_acx_preset_on_a_seed_with_real_speech(tmp_path):
    seed = SEEDS[3]
    out = tmp_path / "out"
    args = ["build", str(seed), "-o", str(out), "--preset", "acx", "--no-cache", "-q"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    mp3s = sorted((out / seed.stem).glob("*.mp3"))
    assert mp3s and not list((out / seed.stem).glob("*.m4b"))
    for path in mp3s:
        info = MP3(path).info
        assert (info.sample_rate, info.bitrate, info.bitrate_mode) == (
            44100,
            192000,
            BitrateMode.CBR,
        )
        check = delivery(path)
        assert acx_problems(check) == [], f"{path.name}: {check}"


# --- covers ----------------------------------------------------------------------------------------


def test_drawn_cover_shows_the_title(tmp_path):
    from PIL import Image, ImageStat

    files = build(tmp_path, Output())
    art = files.cover.read_bytes()
    assert files.cover.name == "cover.jpg" and cover.image_type(art) == "image/jpeg"
    image = Image.open(io.BytesIO(art))
    assert image.size == (cover.SIZE, cover.SIZE)
    assert max(ImageStat.Stat(image.convert("L")).stddev) > 10  # not a blank square
    assert bytes(MP4(files.m4b)["covr"][0]) == art
    assert ID3(files.chapters[0].mp3).getall("APIC")[0].data == art
    assert cover.draw("Another Book", None) != cover.draw("The Wind", "Ann Author")


def test_book_cover_and_user_cover(tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + bytes(32)
    jpeg = b"\xff\xd8\xff\xe0" + bytes(32)
    assert cover.choose(None, png, "T", None) == png
    assert cover.choose(jpeg, png, "T", None) == jpeg
    files = build(tmp_path, Output(cover=jpeg), cover_bytes=png)
    assert files.cover.name == "cover.jpg" and files.cover.read_bytes() == jpeg


def test_cli_cover_and_format_errors(tmp_path):
    story = tmp_path / "s.txt"
    story.write_text("Once upon a time.", encoding="utf-8")
    not_image = tmp_path / "cover.jpg"
    not_image.write_text("hello")
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(story), "--cover", str(not_image)])
    assert result.exit_code == 2 and "not a JPEG or PNG image" in result.output
    result = runner.invoke(cli, ["build", str(story), "--format", "m4b,wav"])
    assert result.exit_code == 2 and "unknown format 'wav'" in result.output
