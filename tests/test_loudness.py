"""Loudness: every voice at one loudness, and the audiobook standard (ACX) in every chapter file:
RMS -23 to -18 dB, true peaks at most -3 dB, noise floor at most -60 dB, 0.5-1 s of room tone at
the head and 1-5 s at the tail."""

from __future__ import annotations

import json
import math
import os
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from probe import acx_problems, built_seeds, decode_pcm, delivery, lufs_of_pcm

from narrate.assemble import assemble, loudness
from narrate.engines import get_engine
from narrate.model import Book, Break, Chapter, Chunk, Clip, Kind, Pauses, Voice

RATE = 22050


def sine(seconds: float, peak_db: float, hz: float = 997.0) -> bytes:
    amplitude = 32767 * 10 ** (peak_db / 20)
    count = round(seconds * RATE)
    samples = (round(amplitude * math.sin(2 * math.pi * hz * i / RATE)) for i in range(count))
    return struct.pack(f"<{count}h", *samples)


def voice_spread(book_folder: Path, most: float = 120.0) -> tuple[float, dict[int, float]]:
    """Loudness of each voice in the finished chapter mp3s, cut out by the manifest's chunk times
    (at most `most` seconds of each, to keep the test quick), and the spread between the loudest
    and the quietest."""
    manifest = json.loads((book_folder / "manifest.json").read_text(encoding="utf-8"))
    speech: dict[int, bytearray] = {}
    for chapter in manifest["chapters"]:
        pcm = decode_pcm(book_folder / chapter["mp3"], RATE)
        for chunk in manifest["chunks"]:
            if chunk["chapter"] == chapter["number"]:
                start = round(chunk["chapter_time"] * RATE) * 2
                end = start + round(chunk["duration"] * RATE) * 2
                heard = speech.setdefault(chunk["voice"], bytearray())
                if len(heard) < most * RATE * 2:
                    heard.extend(pcm[start:end])
    levels = {voice: lufs_of_pcm(bytes(pcm), RATE) for voice, pcm in speech.items()}
    return max(levels.values()) - min(levels.values()), levels


# --- measuring -------------------------------------------------------------------------------------


def test_measure_reads_a_sine_at_its_known_loudness(tmp_path):
    """R128's calibration: a full-scale 997 Hz sine in one channel reads -3.01 LUFS."""
    loud, quiet, short = tmp_path / "loud.pcm", tmp_path / "quiet.pcm", tmp_path / "short.pcm"
    loud.write_bytes(sine(5, -10))
    quiet.write_bytes(sine(5, -30))
    short.write_bytes(sine(0.3, -10))  # shorter than one 400 ms gating block
    files = [(loud, 5 * RATE), (quiet, 5 * RATE), (short, round(0.3 * RATE))]
    assert loudness.measure(files, RATE) == pytest.approx([-13.0, -33.0, -13.0], abs=0.2)


def test_measure_as_played_adds_the_gain_and_limits_the_peaks(tmp_path):
    quiet, loud = tmp_path / "quiet.pcm", tmp_path / "loud.pcm"
    quiet.write_bytes(sine(5, -20))
    loud.write_bytes(sine(5, -10))
    files = [(quiet, 5 * RATE), (loud, 5 * RATE)]
    raised, limited = loudness.measure(files, RATE, gains_db=[6.0, 9.0])
    assert raised == pytest.approx(-23.0 + 6, abs=0.2)  # the peak stays under the limit
    assert limited == pytest.approx(-3.0 + loudness.PEAK_LIMIT_DB, abs=0.3)  # peak held at limit


def test_silence_measures_as_none(tmp_path):
    path = tmp_path / "silence.pcm"
    path.write_bytes(bytes(2 * RATE))
    assert loudness.measure([(path, RATE)], RATE) == [None]


def test_voice_levels_average_energy_and_settle():
    levels = loudness.VoiceLevels()
    voice = Voice(id="en-us+f3")
    assert levels.gain_db(voice) == 0 and levels.wants(voice)
    levels.add(voice, -20.0, 10)
    levels.add(voice, -30.0, 10)
    expected = 10 * math.log10((10**-2 + 10**-3) / 2)
    assert levels.loudness(voice) == pytest.approx(expected)
    assert levels.gain_db(voice) == pytest.approx(loudness.PCM_TARGET_LUFS - expected)
    assert not levels.wants(voice)  # 20 s heard: settled
    assert levels.wants(Voice(id="en-us+m3"))
    levels.add(voice, None, 100)  # silence tells nothing
    assert levels.loudness(voice) == pytest.approx(expected)


def test_gain_is_bounded():
    levels = loudness.VoiceLevels()
    whisper = Voice(id="en-us+whisper")
    levels.add(whisper, -68.0, 5)
    assert levels.gain_db(whisper) == loudness.MAX_GAIN_DB


def test_room_tone_is_faint_noise_not_digital_zero():
    tone = loudness.room_tone(RATE)
    assert tone == loudness.room_tone(RATE)  # made once, the same every build
    count = len(tone) // 2
    samples = struct.unpack(f"<{count}h", tone)
    rms_db = 20 * math.log10(math.sqrt(sum(s * s for s in samples) / count) / 32768)
    assert rms_db == pytest.approx(loudness.ROOM_TONE_DB - loudness.HEADROOM_DB, abs=0.5)
    assert len(set(samples)) > 5


# --- a book whose voices differ by 20 dB -------------------------------------------------------------


def fake_clip(chapter: int, index: int, text: str, voice: Voice, brk=Break.SENTENCE) -> Clip:
    pcm = get_engine("fake").synthesize(text, voice)
    kind = Kind.DIALOGUE if voice.volume < 1 else Kind.NARRATION
    return Clip(Chunk(chapter, index, kind, None, 0, len(text), text, True, brk), pcm, RATE, voice)


@pytest.fixture(scope="module")
def loud_and_whisper(tmp_path_factory):
    """A narrator at full volume and a character at a tenth of it, in two chapters."""
    narrator = Voice(engine="fake", id="en-us")
    whisper = Voice(engine="fake", id="en-us+f3", volume=0.1)
    lines = [
        "The house was quiet when she came down the long stair.",
        "Is anyone there, she asked the dark and empty hall.",
        "Nobody answered her, and the clock went on ticking.",
    ]
    clips = [
        fake_clip(chapter, 10 * chapter + i, line * 3, narrator if i % 2 == 0 else whisper)
        for chapter in (1, 2)
        for i, line in enumerate(lines * 3)
    ]
    book = Book(
        Path("x.txt"), "Whispers", "whispers", "", (Chapter(1, "One"), Chapter(2, "Two")), ()
    )
    folder = tmp_path_factory.mktemp("out")
    return assemble(book, clips, folder, Pauses()), narrator, whisper


def test_voices_sit_at_one_loudness(loud_and_whisper):
    files, narrator, whisper = loud_and_whisper
    manifest = json.loads(files.manifest.read_text(encoding="utf-8"))
    measured = [v["measured_lufs"] for v in manifest["voices"]]
    assert max(measured) - min(measured) > 15  # as synthesized: 20 dB apart
    spread, levels = voice_spread(files.folder)
    assert spread <= 1.0, levels
    for level in levels.values():
        assert level == pytest.approx(loudness.TARGET_LUFS, abs=1.0)


def test_fake_book_meets_acx(loud_and_whisper):
    files, _, _ = loud_and_whisper
    for path in [files.m4b, *(c.mp3 for c in files.chapters)]:
        check = delivery(path)
        assert acx_problems(check) == [], f"{path.name}: {check}"


# --- the seeds, with real speech -----------------------------------------------------------------


@pytest.mark.e2e
def test_every_seed_chapter_file_meets_acx():
    out = built_seeds()
    chapter_files = sorted(out.glob("*/*.mp3"))
    assert len(chapter_files) >= 4  # at least one chapter per seed
    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:  # ffmpeg processes, in parallel
        checks = list(pool.map(delivery, chapter_files))
    for path, check in zip(chapter_files, checks, strict=True):
        assert acx_problems(check) == [], f"{path.name}: {check}"


@pytest.mark.e2e
def test_voices_of_each_seed_within_one_lu():
    out = built_seeds()
    for book in sorted(p for p in out.iterdir() if p.is_dir()):
        spread, levels = voice_spread(book)
        assert len(levels) >= 2, f"{book.name}: one voice only, nothing to compare"
        assert spread <= 1.0, f"{book.name}: {levels}"
