"""Clips to chapter audio: raw PCM pieces, every voice at the same loudness, room tone in the head,
the pauses and the tail; and where each chunk's speech sits in them.

The clips are a stream and are never all in memory. A chapter's speech goes to a raw file as its
clips arrive, and the speech of voices still being measured to a file per voice as well. Once the
chapter is complete those voices are measured (loudness.VoiceLevels) and the chapter is mixed in
one pass: head, then each clip times its voice's gain followed by its pause, then the tail.

A chapter is cut into pieces where the voice changes (and the pause there is long enough), so that
each piece depends on nothing but its own clips: its room tone starts afresh from its first chunk,
and it begins with `lead` samples of room tone taken from the pause before it. The encoders encode
each piece on its own (pieces.py), and a piece that comes out the same as in an earlier build is not
encoded again: changing one character's voice encodes only that character's lines.

Engines pad clips with digital silence (espeak-ng about 0.3 s). That padding becomes room tone of
the same length in the pause after the clip, so the pacing stays the engine's; after a chapter's
last clip it is dropped, so the tail is exactly Pauses.tail_ms.
"""

from __future__ import annotations

import hashlib
import itertools
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from narrate.assemble import loudness
from narrate.assemble.pcm import audioop
from narrate.assemble.tags import one_line
from narrate.model import Book, Chunk, Clip, Pauses, Voice


@dataclass(frozen=True)
class Placed:
    """Where one chunk's speech sits in its chapter's audio."""

    chunk: Chunk
    voice: Voice
    piece: int
    """Index of its piece in MixedChapter.pieces."""
    start: int
    """Samples from the start of its piece."""
    samples: int
    """Length of the speech, without the engine's trailing silence."""
    gain_db: float


@dataclass(frozen=True)
class Piece:
    """A stretch of a chapter's audio that is encoded on its own."""

    pcm: Path
    """Mono s16le, HEADROOM_DB below its final level (see loudness.py)."""
    samples: int
    digest: str
    """sha256 of the PCM: what an encoded piece is cached under, with the encoder's settings."""


@dataclass(frozen=True)
class MixedChapter:
    number: int
    """The chapter's number in the book (Chapter.number)."""
    title: str
    pieces: tuple[Piece, ...]
    rate: int
    placed: tuple[Placed, ...]

    @property
    def samples(self) -> int:
        return sum(piece.samples for piece in self.pieces)

    @property
    def seconds(self) -> float:
        return self.samples / self.rate


class PcmStream:
    """The clips, with the book's sample rate: the first clip's rate, which later clips are
    resampled to."""

    def __init__(self, clips: Iterable[Clip]) -> None:
        clips = iter(clips)
        first = next(clips, None)
        self.rate = first.sample_rate if first else 22050
        self.clips: Iterator[Clip] = itertools.chain([first], clips) if first else iter(())

    def pcm(self, clip: Clip) -> bytes:
        pcm = clip.pcm[: len(clip.pcm) // 2 * 2]
        if clip.sample_rate != self.rate:
            pcm, _ = audioop.ratecv(pcm, 2, 1, clip.sample_rate, self.rate, None)
        return pcm


def mix_chapters(
    book: Book,
    stream: PcmStream,
    work: Path,
    pauses: Pauses,
    levels: loudness.VoiceLevels,
    lead: int = 0,
) -> Iterator[MixedChapter]:
    """Each chapter with spoken clips, mixed into `work`, as soon as its last clip has arrived.
    Every piece begins with at least `lead` samples of room tone (0: one piece per chapter)."""
    titles = {c.number: c.title for c in book.chapters}
    room = loudness.RoomTone(stream.rate)
    done: set[int] = set()
    spoken = (clip for clip in stream.clips if clip.pcm)
    for number, clips in itertools.groupby(spoken, key=lambda clip: clip.chunk.chapter):
        if number in done:
            raise ValueError(f"clips of chapter {number} arrived after a later chapter's")
        done.add(number)
        title = one_line(titles.get(number) or f"Chapter {number}")
        speech = _collect(number, clips, stream, work, levels)
        yield _mix(number, title, speech, stream.rate, work, pauses, levels, room, lead)


@dataclass(frozen=True)
class _Speech:
    chunk: Chunk
    voice: Voice
    samples: int
    padding: int
    """Samples of digital silence the engine put after the speech."""


def _collect(
    number: int,
    clips: Iterable[Clip],
    stream: PcmStream,
    work: Path,
    levels: loudness.VoiceLevels,
) -> list[_Speech]:
    """Write the chapter's speech to its raw file and measure the voices that want it."""
    measuring: dict[Voice, tuple[Path, BinaryIO]] = {}
    measured: dict[Voice, int] = {}
    speech: list[_Speech] = []
    try:
        with (work / f"{number:06d}.speech").open("wb") as raw:
            for clip in clips:
                pcm = stream.pcm(clip)
                voiced = _without_padding(pcm)
                raw.write(voiced)
                heard = measured.get(clip.voice, 0) / stream.rate
                if levels.wants(clip.voice, heard):
                    if clip.voice not in measuring:
                        path = work / f"{number:06d}-voice{len(measuring)}.pcm"
                        measuring[clip.voice] = (path, path.open("wb"))
                    measuring[clip.voice][1].write(voiced)
                    measured[clip.voice] = measured.get(clip.voice, 0) + len(voiced) // 2
                speech.append(
                    _Speech(clip.chunk, clip.voice, len(voiced) // 2, (len(pcm) - len(voiced)) // 2)
                )
    finally:
        for _, file in measuring.values():
            file.close()
    levels.measure(
        {
            voice: (path, measured[voice])
            for voice, (path, _) in measuring.items()
            if measured[voice]
        },
        stream.rate,
    )
    for path, _ in measuring.values():
        path.unlink()
    return speech


def _mix(
    number: int,
    title: str,
    speech: list[_Speech],
    rate: int,
    work: Path,
    pauses: Pauses,
    levels: loudness.VoiceLevels,
    room: loudness.RoomTone,
    lead: int,
) -> MixedChapter:
    raw_path = work / f"{number:06d}.speech"
    pieces: list[Piece] = []
    placed: list[Placed] = []
    out: _PieceFile | None = None
    # cuts[i]: whether a new piece starts after speech[i]
    cuts = [_cuts(a, b, pauses, rate, lead) for a, b in itertools.pairwise(speech)]
    with raw_path.open("rb") as raw:
        for i, part in enumerate(speech):
            if out is None or cuts[i - 1]:
                if out is not None:
                    pieces.append(out.close())
                out = _PieceFile(work / f"{number:06d}-{len(pieces):05d}.pcm")
                room.restart(zlib.crc32(part.chunk.text.encode()))
                head = max(lead, _samples(pauses.head_ms, rate)) if i == 0 else lead
                out.room(room, head)
            pcm = raw.read(2 * part.samples)
            gain_db = levels.gain_db(part.voice)
            start = out.samples
            out.write(audioop.mul(pcm, 2, 10 ** (gain_db / 20)) if gain_db else pcm)
            placed.append(Placed(part.chunk, part.voice, len(pieces), start, part.samples, gain_db))
            if i == len(speech) - 1:
                out.room(room, _samples(pauses.tail_ms, rate))
            else:
                pause = part.padding + _samples(pauses.after(part.chunk.brk), rate)
                out.room(room, pause - lead if cuts[i] else pause)
    assert out is not None, "a chapter is mixed only when it has speech"
    pieces.append(out.close())
    raw_path.unlink()
    return MixedChapter(number, title, tuple(pieces), rate, tuple(placed))


def _cuts(before: _Speech, after: _Speech, pauses: Pauses, rate: int, lead: int) -> bool:
    """Whether a new piece starts between two clips: where the voice changes, if the pause there
    leaves room tone of at least `lead` on both sides of the cut. The pause as set, without the
    engine's silence, decides it, so that where pieces fall never depends on how a voice sounds."""
    if not lead or before.voice == after.voice:
        return False
    return _samples(pauses.after(before.chunk.brk), rate) >= 2 * lead


class _PieceFile:
    """A piece being written: its PCM file, length and digest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = path.open("wb")
        self._hash = hashlib.sha256()
        self.samples = 0

    def write(self, pcm: bytes) -> None:
        self._file.write(pcm)
        self._hash.update(pcm)
        self.samples += len(pcm) // 2

    def room(self, room: loudness.RoomTone, samples: int) -> None:
        self.write(room.take(samples))

    def close(self) -> Piece:
        self._file.close()
        return Piece(self.path, self.samples, self._hash.hexdigest())


def _samples(ms: int, rate: int) -> int:
    return round(ms * rate / 1000)


def _without_padding(pcm: bytes) -> bytes:
    """`pcm` without the run of zero samples at its end."""
    zeros = (len(pcm) - len(pcm.rstrip(b"\0"))) // 2
    return pcm[: len(pcm) - 2 * zeros]
