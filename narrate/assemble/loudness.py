"""Loudness to the audiobook delivery standard (ACX), with ffmpeg's filters doing the signal work.

1. Every voice is measured on its own speech (EBU R128 integrated loudness, ffmpeg's ebur128) as
   its chapters are mixed, until SETTLE_SECONDS of it have been heard; from then on its gain is
   fixed. A whisper-quiet character and a loud narrator end up at the same loudness.
2. mix.py scales every clip by its voice's gain, to PCM_TARGET_LUFS: HEADROOM_DB below the final
   level, so that 16-bit PCM never clips.
3. Every encoder runs encoder_filters(): the headroom given back in floating point, then a
   lookahead limiter holding sample peaks at PEAK_LIMIT_DB, 1.5 dB under the standard's -3 dB, which
   lossy encoding's overshoot does not cross.
Speech at TARGET_LUFS with narrate's pauses measures about -21 dB RMS, in the middle of ACX's
-23 to -18 dB. Pauses and room tone are faint pink noise (room_tone()), not digital zero: it sounds
like a quiet room rather than a gate slamming shut, and checkers that reject "dead air" pass it.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from pathlib import Path

from narrate import ffmpeg
from narrate.assemble.pcm import audioop
from narrate.errors import EncoderError
from narrate.model import Voice

TARGET_LUFS = -20.0
"""Integrated loudness of every voice in the finished files."""
HEADROOM_DB = 6.0
PCM_TARGET_LUFS = TARGET_LUFS - HEADROOM_DB
"""Where gains put speech in the 16-bit PCM that the encoders read."""
PEAK_LIMIT_DB = -4.5
"""The limiter's ceiling for sample peaks."""
ROOM_TONE_DB = -75.0
"""RMS of the room tone in the finished files: well under the standard's -60 dB noise floor, and
its peaks (about 10 dB higher) too, yet audible as a room on good headphones."""
SETTLE_SECONDS = 20.0
"""Speech after which a voice's loudness is known well enough to stop measuring it."""
MIN_MEASURE_SECONDS = 3.0
"""Shorter audio is measured looped to this length: ebur128 needs 400 ms blocks to gate on."""
MAX_GAIN_DB = 30.0
"""No voice is raised or lowered by more than this (a silent voice stays silent, not noise)."""
_SILENT_LUFS = -69.0
"""ebur128 reports -70 LUFS when nothing passes its absolute gate."""
_NOISE_SECONDS = 4
_SUMMARY = re.compile(
    r"\[Parsed_ebur128_(\d+) @ [^\]]*\] Summary:\s*Integrated loudness:\s*I:\s*(\S+) LUFS"
)


def measure(
    files: Sequence[tuple[Path, int]], sample_rate: int, gains_db: Sequence[float] | None = None
) -> list[float | None]:
    """Integrated loudness (LUFS) of each raw mono s16le file, given as (path, samples), in one
    ffmpeg run; None for silence. With `gains_db`, each file is measured as the encoders will
    play it: raised by its gain, then through the limiter."""
    if not files:
        return []
    args: list[ffmpeg.Arg] = []
    for path, samples in files:
        if samples < MIN_MEASURE_SECONDS * sample_rate:
            args += ["-stream_loop", "-1", "-t", str(MIN_MEASURE_SECONDS)]
        args += ["-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", path]
    meters = []
    for i in range(len(files)):
        play = f"volume={gains_db[i]:.3f}dB:precision=float,{_limiter()}," if gains_db else ""
        meters.append(f"[{i}:a]{play}ebur128[m{i}]")
    joined = "".join(f"[m{i}]" for i in range(len(files)))
    graph = f"{';'.join(meters)};{joined}concat=n={len(files)}:v=0:a=1[out]"
    stderr = ffmpeg.run(
        [*args, "-filter_complex", graph, "-map", "[out]", "-f", "null", "-"],
        what="a loudness measurement",
        loglevel="info",
    )
    # ffmpeg numbers the filters of the graph in order: the ebur128 of file i is the last of its chain.
    per_file = 3 if gains_db else 1
    found = {int(n): float(value) for n, value in _SUMMARY.findall(stderr)}
    levels: list[float | None] = []
    for i in range(len(files)):
        value = found.get(per_file * i + per_file - 1)
        if value is None:
            raise EncoderError(f"ffmpeg measured no loudness for {files[i][0]}")
        levels.append(value if math.isfinite(value) and value > _SILENT_LUFS else None)
    return levels


class VoiceLevels:
    """What each voice measures, and the gain that brings it to TARGET_LUFS in the finished files.

    Two measurements per voice: its speech as synthesized, and the same speech raised by the gain
    that the first one asks for and through the encoders' limiter. The limiter takes more from
    voices with sharper peaks (a low male voice loses about 1 LU, a bright female one a few
    tenths), so the gain makes up what it took, and voices still sit within tenths of one another.
    """

    def __init__(self) -> None:
        self._energy: dict[Voice, float] = {}
        self._seconds: dict[Voice, float] = {}
        self._limited: dict[Voice, float] = {}
        """Seconds-weighted sum of the loudness the limiter took, in LU (negative)."""

    def wants(self, voice: Voice, pending: float = 0.0) -> bool:
        """Whether more of this voice's speech should be measured, when `pending` seconds of it are
        waiting to be measured already."""
        return self._seconds.get(voice, 0.0) + pending < SETTLE_SECONDS

    def measure(self, speech: dict[Voice, tuple[Path, int]], sample_rate: int) -> None:
        """Measure each voice's speech (a raw file and its samples) and fold it in."""
        voices = list(speech)
        files = [speech[voice] for voice in voices]
        raw = measure(files, sample_rate)
        for voice, lufs, (_, samples) in zip(voices, raw, files, strict=True):
            self.add(voice, lufs, samples / sample_rate)
        played = [self.gain_db(voice) + HEADROOM_DB for voice in voices]
        limited = measure(files, sample_rate, played)
        for i, voice in enumerate(voices):
            if raw[i] is not None and limited[i] is not None:
                loss = limited[i] - (raw[i] + played[i])
                self._limited[voice] = (
                    self._limited.get(voice, 0.0) + loss * files[i][1] / sample_rate
                )

    def add(self, voice: Voice, lufs: float | None, seconds: float) -> None:
        """Fold in a measurement of `seconds` of the voice's speech, weighted by its length (the
        energy mean, as R128 integrates)."""
        if lufs is None or seconds <= 0:
            return
        self._energy[voice] = self._energy.get(voice, 0.0) + seconds * 10 ** (lufs / 10)
        self._seconds[voice] = self._seconds.get(voice, 0.0) + seconds

    def loudness(self, voice: Voice) -> float | None:
        """The voice's integrated loudness as measured so far, before any gain."""
        seconds = self._seconds.get(voice)
        if not seconds:
            return None
        return 10 * math.log10(self._energy[voice] / seconds)

    def gain_db(self, voice: Voice) -> float:
        """The gain to PCM_TARGET_LUFS, plus what the limiter will take; 0 for a voice never heard
        (or only silent)."""
        lufs = self.loudness(voice)
        if lufs is None:
            return 0.0
        limited = self._limited.get(voice, 0.0) / self._seconds[voice]
        return max(-MAX_GAIN_DB, min(MAX_GAIN_DB, PCM_TARGET_LUFS - lufs - limited))


def encoder_filters(sample_rate: int | None = None) -> str:
    """The ffmpeg filter chain every encoder runs on the mixed PCM: headroom back, an optional
    resample, then the peak limiter. `latency` keeps the audio aligned with the captions."""
    chain = [f"volume={HEADROOM_DB}dB:precision=float"]
    if sample_rate:
        chain.append(f"aresample={sample_rate}")
    return ",".join([*chain, _limiter()])


def _limiter() -> str:
    """ffmpeg's lookahead limiter at PEAK_LIMIT_DB, without its auto-level (which would raise
    everything back to the ceiling)."""
    return f"alimiter=limit={10 ** (PEAK_LIMIT_DB / 20):.4f}:level=0:latency=1"


class RoomTone:
    """Room tone for pauses: a few seconds of pink noise, continued where the last pause left off
    so that no two neighbouring pauses repeat, and restarted at the start of each piece (mix.py)
    at a place that only the piece's own text decides."""

    def __init__(self, sample_rate: int) -> None:
        self._loop = room_tone(sample_rate)
        self._at = 0

    def restart(self, seed: int) -> None:
        self._at = 2 * (seed % (len(self._loop) // 2))

    def take(self, samples: int) -> bytes:
        parts = []
        left = 2 * samples
        while left > 0:
            piece = self._loop[self._at : self._at + left]
            parts.append(piece)
            left -= len(piece)
            self._at = (self._at + len(piece)) % len(self._loop)
        return b"".join(parts)


@functools.cache
def room_tone(sample_rate: int) -> bytes:
    """_NOISE_SECONDS of pink noise from ffmpeg's anoisesrc (fixed seed: builds are reproducible),
    as s16le at ROOM_TONE_DB - HEADROOM_DB RMS."""
    source = f"anoisesrc=color=pink:amplitude=0.5:seed=1:r={sample_rate}:d={_NOISE_SECONDS}"
    noise = ffmpeg.output(
        ["-f", "lavfi", "-i", source, "-ac", "1", "-f", "s16le", "-"], what="room tone"
    )
    wanted = 32768 * 10 ** ((ROOM_TONE_DB - HEADROOM_DB) / 20)
    return audioop.mul(noise, 2, wanted / audioop.rms(noise, 2))
