"""ffmpeg encoders for each output format, fed with the mixer's chapter PCM.

The book-length files (m4b, opus) are each one ffmpeg, fed every chapter's PCM through stdin by a
thread as soon as the chapter is mixed, while later chapters are still being synthesized: encoding
is the slowest step, so it starts with the first chapter. Chapter marks and tags are added at the
end by a stream copy (no re-encode). A chapter's mp3 is its own ffmpeg reading the chapter's PCM file,
in the background. Every encoder runs loudness.encoder_filters().
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
BACKGROUND = max(1, (os.cpu_count() or 2) - 2)
"""mp3 encoders running at once beside the book's encoders while clips still arrive."""


def raw_input(rate: int, source: str | Path) -> list[ffmpeg.Arg]:
    return ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", source]


def audio_filters(sample_rate: int | None) -> list[ffmpeg.Arg]:
    """`-af` and the chain of loudness.encoder_filters(); a seam tests use to make ffmpeg fail."""
    return ["-af", loudness.encoder_filters(sample_rate)]


def aac_args(output: Output) -> list[ffmpeg.Arg]:
    # ffmpeg's "fast" AAC coder: about 5x faster than its default, and its authors find it the
    # better sounding at high bitrates (64k for one 22 kHz channel is high).
    return [
        *audio_filters(output.sample_rate),
        *["-c:a", "aac", "-aac_coder", "fast", "-b:a", output.aac_bitrate, "-f", "mp4"],
    ]


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


def mp3_args(output: Output) -> list[ffmpeg.Arg]:
    # Given a bitrate, libmp3lame encodes constant bitrate (what ACX requires), and its Info
    # header carries the encoder delay, so decoders give back exactly the samples put in.
    return [
        *audio_filters(output.sample_rate),
        *["-c:a", "libmp3lame", "-b:a", output.mp3_bitrate, "-compression_level", MP3_QUALITY],
        *["-id3v2_version", "3", "-f", "mp3"],
    ]


def start_mp3(pcm: Path, rate: int, output: Output, out: Path, what: str) -> ffmpeg.Process:
    return ffmpeg.Process([*raw_input(rate, pcm), *mp3_args(output), out], what=what)


class BookStream:
    """One ffmpeg encoding a whole book from chapter PCM files added one by one."""

    def __init__(self, rate: int, codec: Sequence[ffmpeg.Arg], path: Path, what: str) -> None:
        self.path = path
        self._process = ffmpeg.Process([*raw_input(rate, "pipe:0"), *codec, path], what, stdin=True)
        self._queue: queue.SimpleQueue[Path | None] = queue.SimpleQueue()
        self._failure: OSError | None = None
        self._thread = threading.Thread(target=self._feed, name="narrate-book", daemon=True)
        self._thread.start()

    def add(self, pcm: Path) -> None:
        self._queue.put(pcm)

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
            while (path := self._queue.get()) is not None:
                with path.open("rb") as pcm:
                    shutil.copyfileobj(pcm, stdin, _BLOCK)
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


def make_room(encoders: list[ffmpeg.Process]) -> None:
    """Wait until fewer than BACKGROUND encoders run; raise at once if one has failed."""
    for encoder in encoders:
        if encoder.done():
            encoder.wait()
    running = [encoder for encoder in encoders if not encoder.done()]
    for encoder in running[: max(0, len(running) - BACKGROUND + 1)]:
        encoder.wait()
