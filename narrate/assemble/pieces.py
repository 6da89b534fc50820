"""The m4b's AAC and the chapter mp3s, encoded piece by piece (mix.py cuts the pieces) and kept.

Each piece is encoded on its own, from a cold encoder, and a file is its pieces' frames joined end
to end. So a piece that sounds the same as in an earlier build is taken from the cache instead of
encoded again, and a changed voice costs the encoding of that voice's pieces only.

For frames to join without a gap or an overlap, a piece must encode to exactly whole frames of its
own audio. Both encoders start with priming of their own (the "encoder delay") and end by flushing:
- ffmpeg's AAC encoder puts 1024 samples of priming before its input and nothing after it, so
  leaving out a piece's first 1024 samples (room tone: every piece begins with `lead` of it) and
  padding the rest to whole frames gives frames that hold exactly the piece.
- LAME puts 576 samples before its input and flushes 576 after it: leaving out 1152 gives whole
  frames of exactly the piece's length, with its audio 576 samples (26 ms at 22 kHz) early, the
  same in every piece: no drift, and the mp3 timeline moves its captions as much.
At a join, the end of one piece's room tone meets the next one's priming: tens of milliseconds of
silence below the room tone, with no click (both encoders' overlapping windows see near-silence).
Each format keeps its own timeline (Timeline): pieces pad to 1024 samples in the m4b and to 576 in
a 22 kHz mp3, so a chapter's captions follow its mp3 and the book's its m4b.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from narrate import ffmpeg
from narrate.assemble import encode
from narrate.assemble.formats import Output
from narrate.assemble.mix import MixedChapter, Piece
from narrate.cache import Cache

BATCH = 16
"""Pieces per ffmpeg: each runs one encoder per piece and format, side by side in its threads."""


@dataclass(frozen=True)
class Codec:
    """How one format's pieces are encoded."""

    suffix: str
    rate: int
    """Hz of the encoded audio."""
    frame: int
    """Samples per frame."""
    drop: int
    """Samples at the start of a piece that the encoder's priming replaces."""
    early: int
    """Samples by which the piece's audio comes out ahead of its place."""
    args: tuple[str, ...]

    def samples(self, piece: Piece, pcm_rate: int) -> int:
        """The encoded piece's length in samples at `rate`: whole frames."""
        resampled = -(-piece.samples * self.rate // pcm_rate)
        return -(-resampled // self.frame) * self.frame

    def key(self, piece: Piece, pcm_rate: int) -> str:
        """What the encoded piece is cached under: its audio and everything that encodes it."""
        recipe = [self.output_args(piece, pcm_rate), self.rate, pcm_rate]
        blob = json.dumps([piece.digest, ffmpeg.version(), recipe])
        return hashlib.sha256(blob.encode()).hexdigest()

    def output_args(self, piece: Piece, pcm_rate: int) -> list[str]:
        """The filters and codec for one piece: the loudness chain, then the first `drop` samples
        out and silence to whole frames."""
        kept = self.samples(piece, pcm_rate) - self.drop
        option, chain = encode.audio_filters(self.rate if self.rate != pcm_rate else None)
        trim = f"atrim=start_sample={self.drop},apad=whole_len={kept},atrim=end_sample={kept}"
        return [str(option), f"{chain},{trim}", *self.args]


def codecs(output: Output, pcm_rate: int) -> dict[str, Codec]:
    """The piece codecs of the formats `output` asks for (opus is encoded whole: see encode.py)."""
    rate = output.sample_rate or pcm_rate
    chosen = {}
    if "m4b" in output.formats:
        args = (*encode.aac_codec(output), "-f", "adts")
        chosen["m4b"] = Codec(".aac", rate, 1024, 1024, 0, args)
    if "mp3" in output.formats:
        args = (*encode.mp3_codec(output), "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3")
        frame = 1152 if rate >= 32000 else 576  # MPEG-1 or MPEG-2 layer III
        chosen["mp3"] = Codec(".mp3", rate, frame, 1152, 576, args)
    return chosen


def lead(chosen: dict[str, Codec], pcm_rate: int) -> int:
    """Samples of room tone every piece must begin with: what any encoder leaves out."""
    return max((-(-c.drop * pcm_rate // c.rate) for c in chosen.values()), default=0)


class Timeline:
    """Where a format's pieces fall: each piece padded to its codec's whole frames (a format encoded
    whole, with codec None, has the mixed PCM's own timeline)."""

    def __init__(self, codec: Codec | None, pcm_rate: int) -> None:
        self.codec = codec
        self.pcm_rate = pcm_rate
        self.rate = codec.rate if codec else pcm_rate

    def samples(self, piece: Piece) -> int:
        return self.codec.samples(piece, self.pcm_rate) if self.codec else piece.samples

    def seconds(self, chapter: MixedChapter) -> float:
        return sum(self.samples(p) for p in chapter.pieces) / self.rate

    def chunk_seconds(self, chapter: MixedChapter) -> list[float]:
        """Seconds from the chapter's start to each of its chunks' speech (MixedChapter.placed)."""
        starts = [0]
        for piece in chapter.pieces:
            starts.append(starts[-1] + self.samples(piece))
        scale = self.rate / self.pcm_rate
        early = self.codec.early if self.codec else 0
        return [(starts[p.piece] + p.start * scale - early) / self.rate for p in chapter.placed]


class Encoders:
    """Encodes pieces for every codec, in background ffmpegs of up to BATCH pieces each, and keeps
    them in `cache` (in `work` without one)."""

    def __init__(self, chosen: dict[str, Codec], pcm_rate: int, cache: Cache | None, work: Path):
        self.codecs = chosen
        self._rate = pcm_rate
        self._cache = cache
        self._work = work
        self._running: list[tuple[ffmpeg.Process, list[tuple[Path, Path]]]] = []
        self._planned: dict[str, Path] = {}
        """Every piece asked for in this build, by key: its file once encoded."""

    def add(self, chapter: MixedChapter) -> dict[str, list[Path]]:
        """The encoded files of the chapter's pieces, by format, in order; those not in the cache
        are being encoded in the background until wait()."""
        files: dict[str, list[Path]] = {name: [] for name in self.codecs}
        missing: list[tuple[Piece, list[tuple[Codec, Path]]]] = []
        for piece in chapter.pieces:
            wanted = []
            for name, codec in self.codecs.items():
                key = codec.key(piece, self._rate)
                if key not in self._planned:
                    self._planned[key] = self._path(key, codec.suffix)
                    if not self._kept(self._planned[key]):
                        wanted.append((codec, self._planned[key]))
                files[name].append(self._planned[key])
            if wanted:
                missing.append((piece, wanted))
        for first in range(0, len(missing), BATCH):
            self._start(missing[first : first + BATCH], chapter.number)
        return files

    def wait(self) -> None:
        """Wait for every encoder and put the pieces in place; EncoderError if one failed."""
        while self._running:
            self._finish(self._running.pop(0))

    def make_room(self) -> None:
        """Wait until fewer than encode.BACKGROUND encoders run; raise at once if one has failed."""
        for running in [r for r in self._running if r[0].done()]:
            self._running.remove(running)
            self._finish(running)
        while len(self._running) >= encode.BACKGROUND:
            self._finish(self._running.pop(0))

    def kill(self) -> None:
        """Stop every encoder still running (after a failure); never raises."""
        for process, moves in self._running:
            process.kill()
            for tmp, _ in moves:
                tmp.unlink(missing_ok=True)
        self._running.clear()

    def _path(self, key: str, suffix: str) -> Path:
        if self._cache is None:
            return self._work / f"{key}{suffix}"
        return self._cache.path(key, suffix)

    @staticmethod
    def _kept(path: Path) -> bool:
        try:
            return path.stat().st_size > 0
        except OSError:
            return False

    def _start(self, batch: Sequence[tuple[Piece, list[tuple[Codec, Path]]]], chapter: int) -> None:
        self.make_room()
        inputs: list[ffmpeg.Arg] = []
        outputs: list[ffmpeg.Arg] = []
        moves = []
        for i, (piece, wanted) in enumerate(batch):
            inputs += encode.raw_input(self._rate, piece.pcm)
            for codec, path in wanted:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".tmp-{path.stem}{os.getpid()}")
                outputs += ["-map", f"{i}:a", *codec.output_args(piece, self._rate), tmp]
                moves.append((tmp, path))
        what = f"the audio of chapter {chapter}"
        self._running.append((ffmpeg.Process([*inputs, *outputs], what), moves))

    @staticmethod
    def _finish(running: tuple[ffmpeg.Process, list[tuple[Path, Path]]]) -> None:
        process, moves = running
        try:
            process.wait()
        except BaseException:
            for tmp, _ in moves:
                tmp.unlink(missing_ok=True)
            raise
        for tmp, path in moves:
            os.replace(tmp, path)


def join(parts: Sequence[Path], out: Path) -> None:
    """Write the frames of `parts` one after another into `out`."""
    with out.open("wb") as joined:
        for part in parts:
            with part.open("rb") as frames:
                while block := frames.read(1 << 20):
                    joined.write(block)
