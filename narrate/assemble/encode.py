"""ffmpeg's settings for each output format, and the steps that make the final files.

The m4b's AAC and the chapter mp3s are encoded piece by piece (pieces.py) as soon as each chapter is
mixed, while later chapters are still being synthesized: encoding is the slowest step. The opus is
one ffmpeg, fed every piece through stdin by a thread (BookStream). Chapter marks and tags are added
at the end by a stream copy (no re-encode). Every encoder runs loudness.encoder_filters().
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

from narrate import ffmpeg
from narrate.assemble import loudness
from narrate.assemble.formats import Output

_BLOCK = 1 << 20
"""Bytes per read when streaming chapter PCM to ffmpeg."""
BACKGROUND = max(1, (os.cpu_count() or 2) - 1)
"""Piece encoders (each an ffmpeg of several threads) running at once while clips still arrive."""


def raw_input(rate: int, source: str | Path) -> list[ffmpeg.Arg]:
    return ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", source]


def audio_filters(sample_rate: int | None) -> list[ffmpeg.Arg]:
    """`-af` and the chain of loudness.encoder_filters(); a seam tests use to make ffmpeg fail."""
    return ["-af", loudness.encoder_filters(sample_rate)]


def aac_codec(output: Output) -> list[str]:
    # ffmpeg's "fast" AAC coder: about 5x faster than its default, and its authors find it the
    # better sounding at high bitrates (64k for one 22 kHz channel is high).
    return ["-c:a", "aac", "-aac_coder", "fast", "-b:a", output.aac_bitrate]


def opus_args(output: Output) -> list[ffmpeg.Arg]:
    # Opus resamples to its own rates; compression level 5 is about 3x faster than the default 10
    # and indistinguishable for speech at this bitrate.
    return [
        *audio_filters(None),
        *["-c:a", "libopus", "-b:a", output.opus_bitrate, "-compression_level", "5", "-f", "opus"],
    ]


MP3_QUALITY = "7"
"""LAME's algorithm quality (0 best, 9 fastest; ffmpeg leaves LAME's 3). 7 turns off noise shaping
and takes half the CPU: on the seeds' speech at 64 kbps its error is lower in every band than 3's
(noise/signal -25.5/-16.9/-8.8 dB against -21.6/-8.6/-5.1 dB below 4, 4-8, 8-11 kHz), at the cost
of the psychoacoustic shaping that matters most for music. mp3 encoding was half of a build's CPU."""


def mp3_codec(output: Output) -> list[str]:
    # Given a bitrate, libmp3lame encodes constant bitrate (what ACX requires).
    return ["-c:a", "libmp3lame", "-b:a", output.mp3_bitrate, "-compression_level", MP3_QUALITY]


def adts_to_mp4(frames: Path, out: Path, what: str) -> None:
    """Copy joined ADTS frames into an MP4. add_chapters() then reads it: straight from ADTS, whose
    demuxer counts time in 1/28224000 s, the chapter track of a book over 152 s overflows its 32-bit
    duration and ffmpeg drops it."""
    ffmpeg.run(["-f", "aac", "-i", frames, "-c", "copy", "-f", "mp4", out], what)


def remux_mp3(frames: Path, out: Path, what: str) -> None:
    """Copy joined mp3 frames into `out` with an Info header: its frame count gives players the
    exact length of the file at once."""
    ffmpeg.run(
        ["-f", "mp3", "-i", frames, "-c", "copy", "-write_xing", "1", "-f", "mp3", out], what
    )


class BookStream:
    """One ffmpeg encoding a whole book from PCM files added one by one, each followed by as many
    samples of silence as asked (to keep to the m4b's timeline)."""

    def __init__(self, rate: int, codec: Sequence[ffmpeg.Arg], path: Path, what: str) -> None:
        self.path = path
        self._process = ffmpeg.Process([*raw_input(rate, "pipe:0"), *codec, path], what, stdin=True)
        self._queue: queue.SimpleQueue[tuple[Path, int] | None] = queue.SimpleQueue()
        self._failure: OSError | None = None
        self._thread = threading.Thread(target=self._feed, name="narrate-book", daemon=True)
        self._thread.start()

    def add(self, pcm: Path, silence: int = 0) -> None:
        self._queue.put((pcm, silence))

    def finish(self) -> None:
        """Wait until every chapter added is encoded; EncoderError if ffmpeg failed."""
        self._queue.put(None)
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        self._process.wait()

    def kill(self) -> None:
        self._process.kill()  # first: a feed blocked on a full pipe then fails and ends
        self._queue.put(None)
        self._thread.join()

    def _feed(self) -> None:
        stdin = self._process.stdin
        try:
            while (item := self._queue.get()) is not None:
                path, silence = item
                with path.open("rb") as pcm:
                    shutil.copyfileobj(pcm, stdin, _BLOCK)
                stdin.write(bytes(2 * silence))
        except (BrokenPipeError, ValueError):
            pass  # ffmpeg quit (its exit code and stderr say why) or was killed
        except OSError as e:
            self._failure = e
            self._process.kill()


def add_chapters(audio: Path, metadata: Path, out: Path, muxer: str, what: str) -> None:
    """Copy encoded audio into `out` with the tags and chapter marks of an ffmetadata file."""
    brand = ["-brand", "M4B "] if muxer == "mp4" else []
    args = [
        *["-i", audio, "-f", "ffmetadata", "-i", metadata],
        *["-map", "0:a", "-map_metadata", "1", "-map_chapters", "1", "-c", "copy"],
        *["-f", muxer, *brand, out],
    ]
    ffmpeg.run(args, what=what)


def ffmetadata(tags: dict[str, str], chapters: Sequence[tuple[int, int, str]]) -> str:
    """ffmpeg's metadata file: tags, and a [CHAPTER] per (start_ms, end_ms, title)."""
    lines = [";FFMETADATA1"]
    lines += [f"{key}={_escape(value)}" for key, value in tags.items() if value]
    for start, end, title in chapters:
        lines += ["", "[CHAPTER]", "TIMEBASE=1/1000", f"START={start}", f"END={end}"]
        lines.append(f"title={_escape(title)}")
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    """ffmetadata's escaping, so a value can never start a section or add a key."""
    return re.sub(r"([=;#\\\n])", r"\\\1", value)
