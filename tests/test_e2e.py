"""End to end with real speech: pyttsx3 (espeak-ng) voices, ffmpeg encodes, and the files are probed."""

import json
import re

import pytest
from conftest import SEEDS
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from probe import built_seeds, probe

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def seeds_built():
    return built_seeds()  # built once, shared with test_loudness and test_players


def test_every_seed_becomes_a_chaptered_audiobook(seeds_built):
    books = sorted(p for p in seeds_built.iterdir() if p.is_dir())
    assert [b.name for b in books] == [s.stem for s in SEEDS]
    chapter_counts = []
    for book, seed in zip(books, SEEDS, strict=True):
        m4b = book / f"{book.name}.m4b"
        tags = MP4(m4b)
        chapters = list(tags.chapters)
        chapter_counts.append(len(chapters))
        assert all(c.title.strip() for c in chapters)
        assert tags["\xa9nam"] == [seed.stem] and tags["\xa9alb"] == [seed.stem]
        assert tags["\xa9gen"] == ["Audiobook"]
        assert m4b.read_bytes()[8:12] == b"M4B "
        mp3s = sorted(book.glob("*.mp3"))
        assert len(mp3s) == len(chapters)
        playlist = (book / f"{book.name}.m3u").read_text(encoding="utf-8")
        assert [line for line in playlist.splitlines() if line and not line.startswith("#")] == [
            m.name for m in mp3s
        ]
        for n, mp3 in enumerate(mp3s, 1):
            id3 = ID3(mp3)
            assert id3["TRCK"].text == [f"{n}/{len(mp3s)}"]
            assert id3["TALB"].text == [seed.stem]
            assert id3["TIT2"].text == [chapters[n - 1].title]
        audio = probe(m4b)
        assert audio.rms_db > -40, "speech, not silence"
        words = len(re.findall(r"\w+", seed.read_text(encoding="utf-8")))
        wpm = words / (audio.duration / 60)
        # Notes are not narrated, so the story's pace reads a little above the engine's 170 wpm.
        assert 120 <= wpm <= 260, wpm
    assert chapter_counts == [1, 2, 1, 1]


def test_second_seed_chapters_are_named_and_timed(seeds_built):
    book = seeds_built / SEEDS[1].stem
    chapters = list(MP4(book / f"{book.name}.m4b").chapters)
    assert [c.title for c in chapters] == ["Chapter 1", "Chapter 2"]
    first_mp3 = probe(sorted(book.glob("*.mp3"))[0])
    # Each piece is padded to whole frames of its format (pieces.py): 1024 samples in the m4b, 576
    # in the mp3, so the m4b's chapter runs a few milliseconds per piece longer than its mp3.
    assert chapters[1].start == pytest.approx(first_mp3.duration, rel=0.002)
    manifest = json.loads((book / "manifest.json").read_text(encoding="utf-8"))
    assert chapters[1].start == pytest.approx(manifest["chapters"][1]["start"], abs=0.001)


def test_dialogue_and_narration_use_different_voices(tmp_path):
    from dataclasses import replace

    from probe import pitch_hz

    from narrate import config
    from narrate.build import build
    from narrate.config import CharacterVoice
    from narrate.model import Voice

    story = tmp_path / "story.txt"
    story.write_text('The room was quiet.\n\n"Hello there," said Anna.\n', encoding="utf-8")
    anna = CharacterVoice("Anna", (), Voice(id="en-us+f3", pitch=70))
    settings = replace(config.defaults(), characters=(anna,))
    clips = []
    build(story, tmp_path / "out", settings, on_clip=lambda c, hit: clips.append(c))
    kinds = [c.chunk.kind for c in clips]
    assert "dialogue" in kinds and "narration" in kinds
    narration = next(c for c in clips if c.chunk.kind == "narration")
    dialogue = next(c for c in clips if c.chunk.kind == "dialogue")
    assert (narration.voice, dialogue.voice) == (settings.narrator, anna.voice)
    # a female variant at a raised pitch speaks clearly higher than the default male voice
    assert pitch_hz(dialogue.pcm, 22050) > pitch_hz(narration.pcm, 22050) * 1.2


def test_changing_one_voice_resynthesizes_only_that_characters_lines(tmp_path):
    from dataclasses import replace

    from narrate import config
    from narrate.build import build
    from narrate.cache import Cache
    from narrate.config import CharacterVoice
    from narrate.model import Voice

    story = tmp_path / "story.txt"
    story.write_text(
        '"Where were you?" asked Hux.\n\n"Out," said Rey. She shrugged.\n\n'
        '"That is not an answer," Hux said.\n\nThe ship hummed.\n',
        encoding="utf-8",
    )
    cache = Cache(tmp_path / "cache")
    settings = config.defaults()
    first: list = []
    build(
        story, tmp_path / "a", settings, cache=cache, on_clip=lambda c, hit: first.append((c, hit))
    )
    hux = CharacterVoice("Hux", (), Voice(id="en-us+m2", pitch=25))
    second: list = []
    build(
        story,
        tmp_path / "b",
        replace(settings, characters=(hux,)),
        cache=cache,
        on_clip=lambda c, hit: second.append((c, hit)),
    )
    assert [c.chunk.index for c, _ in first] == [c.chunk.index for c, _ in second]
    for (old, _), (new, hit) in zip(first, second, strict=True):
        if new.chunk.speaker == "Hux":
            assert not hit and new.voice == hux.voice and new.pcm != old.pcm
        else:
            assert hit and new.pcm == old.pcm
    assert any(c.chunk.speaker == "Hux" for c, _ in second)
