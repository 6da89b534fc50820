"""Pieces encoded on their own join into one stream: exact lengths, no clicks, and a changed voice
encodes only its own pieces again."""

from __future__ import annotations

import array
import hashlib
import math
from pathlib import Path

import pytest
from probe import decode_pcm

from narrate.assemble import assemble, encode, loudness, pieces
from narrate.assemble.formats import Output
from narrate.assemble.mix import MixedChapter, Piece
from narrate.cache import Cache
from narrate.engines import get_engine
from narrate.model import Book, Break, Chapter, Chunk, Clip, Kind, Pauses, Voice

RATE = 22050
LEAD = 1152
ONSET = 3000
"""Room tone after the lead, before the tone: an abrupt onset smears a frame (pre-echo), in any
encode; the joins are checked clear of that."""


def tone_piece(path: Path, seconds: float, hz: float, room: loudness.RoomTone) -> Piece:
    """Room tone, a tone that starts and stops abruptly, room tone: the worst case for a join."""
    count = round(seconds * RATE)
    wave = array.array(
        "h", (round(8000 * math.sin(2 * math.pi * hz * i / RATE)) for i in range(count))
    )
    pcm = room.take(LEAD + ONSET) + wave.tobytes() + room.take(RATE // 4)
    path.write_bytes(pcm)
    return Piece(path, len(pcm) // 2, hashlib.sha256(pcm).hexdigest())


def peak(pcm: bytes) -> int:
    samples = array.array("h", pcm)
    return max((abs(s) for s in samples), default=0)


@pytest.mark.parametrize(
    ("output", "fmt"),
    [
        (Output(), "m4b"),
        (Output(), "mp3"),
        (Output(formats=frozenset({"mp3"}), sample_rate=44100, mp3_bitrate="192k"), "mp3"),
    ],
    ids=["aac", "mp3", "mp3-44k"],
)
def test_pieces_join_into_exact_frames_without_clicks(tmp_path, output, fmt):
    room = loudness.RoomTone(RATE)
    made = [tone_piece(tmp_path / f"{i}.pcm", 0.4 + 0.37 * i, 220 + 60 * i, room) for i in range(4)]
    chapter = MixedChapter(1, "One", tuple(made), RATE, ())
    codec = pieces.codecs(output, RATE)[fmt]
    assert pieces.lead({fmt: codec}, RATE) <= LEAD
    encoders = pieces.Encoders({fmt: codec}, RATE, None, tmp_path)
    files = encoders.add(chapter)[fmt]
    encoders.wait()
    joined = tmp_path / f"joined{codec.suffix}"
    pieces.join(files, joined)
    final = tmp_path / f"final.{fmt}"  # as publishing makes them
    (encode.adts_to_mp4 if fmt == "m4b" else encode.remux_mp3)(joined, final, "a test")
    decoded = decode_pcm(final, codec.rate)

    timeline = pieces.Timeline(codec, RATE)
    lengths = [timeline.samples(p) for p in made]
    assert all(n % codec.frame == 0 for n in lengths)
    # No sample gained or lost at any join. The mp3's Info header tells decoders to skip their
    # own 529-sample delay at the start of the file (hence the 576 samples `early` of its timeline).
    assert len(decoded) // 2 == sum(lengths) - (529 if fmt == "mp3" else 0)
    joins = [sum(lengths[:i]) for i in range(1, len(lengths))]
    quiet = 10 ** (-50 / 20) * 32768  # room tone is -75 dB; a click would stand far above it
    for at in joins:
        near = decoded[2 * (at - codec.rate // 20) : 2 * (at + codec.rate // 20)]
        assert peak(near) < quiet, f"a click at sample {at}"
    # every tone is where the timeline puts it: loud from its onset, quiet until a frame before it
    # (an abrupt onset smears back over up to a frame: pre-echo)
    for start in [0, *joins]:
        onset = start + (LEAD + ONSET) * codec.rate // RATE - codec.early
        assert peak(decoded[2 * (onset - codec.rate // 20) : 2 * (onset - codec.frame)]) < quiet
        assert peak(decoded[2 * onset : 2 * (onset + codec.rate // 10)]) > 8000


def test_a_changed_voice_encodes_only_its_own_pieces(tmp_path):
    fake = get_engine("fake")
    narrator, anna = Voice(engine="fake"), Voice(engine="fake", id="en-us+f3", pitch=70)
    said = ["The door opened.", "Who is there?", "The wind rose.", "Hello?", "The lamp went out."]
    said += ["Answer me!", "Nobody answered."]
    lines = [(anna if i % 2 else narrator, text) for i, text in enumerate(said)]

    def clips(anna_voice: Voice) -> list[Clip]:
        made = []
        for i, (voice, text) in enumerate(lines):
            voice = anna_voice if voice is anna else voice
            brk = Break.CHAPTER if i == len(lines) - 1 else Break.SENTENCE
            chunk = Chunk(1, i, Kind.NARRATION, None, 0, len(text), text, True, brk)
            pcm = fake.synthesize(text, voice)
            if voice.pitch == 30:  # as real engines do, the new voice ends on more silence
                pcm += bytes(2 * 777)
            made.append(Clip(chunk, pcm, fake.sample_rate, voice))
        return made

    book = Book(Path("door.txt"), "The Door", "the-door", "", (Chapter(1, "One"),), ())
    cache = Cache(tmp_path / "cache")
    encoded = lambda: {p.name for p in cache.entries() if p.suffix in (".aac", ".mp3")}  # noqa: E731
    assemble(book, clips(anna), tmp_path / "out", Pauses(), cache=cache)
    first = encoded()
    assert len(first) == 2 * len(lines)  # a piece per line (the voice changes at each), two formats
    again = assemble(book, clips(anna), tmp_path / "out", Pauses(), cache=cache)
    assert encoded() == first  # nothing new: every piece came from the cache

    louder = Voice(engine="fake", id="en-us+f3", pitch=30)
    changed = assemble(book, clips(louder), tmp_path / "out", Pauses(), cache=cache)
    assert len(encoded() - first) == 2 * 3  # Anna's three lines, in each format
    assert changed.chapters[0].duration > 0 and again.m4b is not None
