"""Measure audio for tests: files through ffmpeg (there is no ffprobe), raw PCM in Python.

from probe import probe, pcm_level
info = probe(path)          # decoded duration, rate, channels, codec, RMS/peak dBFS
"""

from __future__ import annotations

import math
import re
import statistics
import warnings
from dataclasses import dataclass
from pathlib import Path

from narrate import ffmpeg

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


@dataclass(frozen=True)
class Probe:
    codec: str
    sample_rate: int
    channels: int
    samples: int
    """Decoded samples per channel (encoder delay and padding already removed by ffmpeg)."""
    rms_db: float
    """dBFS; -inf for digital silence."""
    peak_db: float
    container_duration: float | None
    """What the container header says, which can differ from the decoded length."""

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate


def probe(path: Path | str) -> Probe:
    """Decode the first audio stream of `path` with ffmpeg and measure it with the astats filter."""
    stderr = ffmpeg.run(
        ["-i", path, "-map", "0:a:0", "-af", "astats=measure_perchannel=none", "-f", "null", "-"],
        what=f"a probe of {path}",
        loglevel="info",
    )
    header = stderr.split("Stream mapping:")[0]
    stream = re.search(r"Stream #0:\d+.*?: Audio: (\w+).*?, (\d+) Hz, ([^,]+),", header)
    if stream is None:
        raise AssertionError(f"no audio stream in {path}:\n{stderr}")
    layout = stream.group(3).strip()
    channels = {"mono": 1, "stereo": 2}.get(layout) or int(layout.split()[0])
    duration = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", header)
    return Probe(
        codec=stream.group(1),
        sample_rate=int(stream.group(2)),
        channels=channels,
        samples=int(float(_stat(stderr, "Number of samples"))),
        rms_db=float(_stat(stderr, "RMS level dB")),
        peak_db=float(_stat(stderr, "Peak level dB")),
        container_duration=(
            int(duration[1]) * 3600 + int(duration[2]) * 60 + float(duration[3])
            if duration
            else None
        ),
    )


def _stat(stderr: str, name: str) -> str:
    found = re.findall(rf"\] {re.escape(name)}: (\S+)", stderr)
    if not found:
        raise AssertionError(f"astats printed no {name!r}:\n{stderr}")
    return found[-1]


def pcm_level(pcm: bytes) -> tuple[float, float]:
    """(RMS, peak) of 16-bit mono PCM in dBFS."""
    return _db(audioop.rms(pcm, 2)), _db(audioop.max(pcm, 2))


def longest_silence(pcm: bytes, sample_rate: int, threshold_db: float = -50.0) -> float:
    """Seconds of the longest run of 10 ms windows quieter than `threshold_db` RMS."""
    window = sample_rate // 100 * 2
    longest = run = 0
    for start in range(0, len(pcm) - window + 1, window):
        if _db(audioop.rms(pcm[start : start + window], 2)) < threshold_db:
            run += 1
            longest = max(longest, run)
        else:
            run = 0
    return longest * 0.01


def _db(level: int) -> float:
    return 20 * math.log10(level / 32768) if level > 0 else -math.inf


def pitch_hz(pcm: bytes, sample_rate: int) -> float:
    """Median pitch of the louder 10 ms frames of 16-bit mono PCM: for each, the shortest lag
    (60-400 Hz) at which the frame nearly repeats itself."""
    window, shortest, longest = sample_rate // 100, sample_rate // 400, sample_rate // 60
    loud = audioop.rms(pcm, 2)
    found = []
    for start in range(0, len(pcm) // 2 - longest - window, sample_rate // 25):
        frame = pcm[2 * start : 2 * (start + window)]
        if audioop.rms(frame, 2) < loud:
            continue
        minus = audioop.mul(frame, 2, -1)
        errors = [
            audioop.rms(
                audioop.add(pcm[2 * (start + lag) : 2 * (start + lag + window)], minus, 2), 2
            )
            for lag in range(shortest, longest)
        ]
        best = min(errors)
        for i in range(1, len(errors) - 1):
            if errors[i] <= best * 1.25 and errors[i] <= min(errors[i - 1], errors[i + 1]):
                found.append(sample_rate / (shortest + i))
                break
    if not found:
        raise AssertionError("no voiced frames to measure a pitch on")
    return statistics.median(found)
