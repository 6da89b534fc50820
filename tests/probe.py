"""Measure audio for tests: files through ffmpeg (there is no ffprobe), raw PCM in Python.

from probe import probe, pcm_level
info = probe(path)          # decoded duration, rate, channels, codec, RMS/peak dBFS
acx = delivery(path)        # RMS, peaks, noise floor, loudness, head and tail silence
mpv_chapters(path, tmp)     # chapters as mpv lists them; quicktime_chapters(path) from the atoms
"""

from __future__ import annotations

import atexit
import functools
import json
import math
import re
import shutil
import statistics
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from narrate import ffmpeg
from narrate.assemble.pcm import audioop


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


def _stat(stderr: str, *names: str) -> str:
    """The last value astats printed under the first of `names` it printed (ffmpeg 7 spells the
    quietest window "RMS through")."""
    for name in names:
        found = re.findall(rf"\] {re.escape(name)}: (\S+)", stderr)
        if found:
            return found[-1]
    raise AssertionError(f"astats printed no {names[0]!r}:\n{stderr}")


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


# --- the audiobook standard (ACX) ------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What an ACX check looks at in one decoded file."""

    rms_db: float
    """RMS of the whole file, dBFS."""
    peak_db: float
    """Sample peak, dBFS."""
    true_peak_db: float
    """ebur128's true (4x oversampled) peak, dBTP."""
    noise_floor_db: float
    """RMS of the quietest 500 ms: ACX's noise floor."""
    lufs: float
    head: float
    """Seconds of silence (below -50 dB for 0.2 s and more) before the first sound."""
    tail: float
    """Seconds of silence after the last sound."""
    duration: float


def delivery(path: Path | str, silence_db: float = -50.0) -> Delivery:
    """Measure `path` as ACX's checker would, with ffmpeg's astats, ebur128 and silencedetect."""
    stderr = ffmpeg.run(
        [
            *["-i", path, "-map", "0:a:0", "-af"],
            "astats=measure_perchannel=none:length=0.5,"
            f"silencedetect=n={silence_db}dB:d=0.2,ebur128=peak=true",
            *["-f", "null", "-"],
        ],
        what=f"an ACX check of {path}",
        loglevel="info",
    )
    rate = int(re.search(r"Audio: \w+.*?, (\d+) Hz", stderr)[1])
    duration = int(float(_stat(stderr, "Number of samples"))) / rate
    starts = [float(s) for s in re.findall(r"silence_start: (-?[\d.]+)", stderr)]
    ends = [float(e) for e in re.findall(r"silence_end: ([\d.]+)", stderr)]
    head = ends[0] if starts and abs(starts[0]) < 0.01 and ends else 0.0
    tail = 0.0
    if starts and (len(ends) < len(starts) or abs(ends[-1] - duration) < 0.05):
        tail = duration - starts[-1]
    summary = stderr.split("Summary:")[-1]
    return Delivery(
        rms_db=float(_stat(stderr, "RMS level dB")),
        peak_db=float(_stat(stderr, "Peak level dB")),
        true_peak_db=float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)[1]),
        noise_floor_db=float(_stat(stderr, "RMS trough dB", "RMS through dB")),
        lufs=float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1]),
        head=head,
        tail=tail,
        duration=duration,
    )


def acx_problems(check: Delivery) -> list[str]:
    """What is outside the audiobook standard's ranges, as readable lines (empty when all is
    well). The noise floor must also be above digital zero: narrate fills silence with room tone."""
    problems = []
    if not -23 <= check.rms_db <= -18:
        problems.append(f"RMS {check.rms_db:.1f} dB")
    if check.true_peak_db > -3:
        problems.append(f"true peak {check.true_peak_db:.1f} dB")
    if not -90 < check.noise_floor_db <= -60:
        problems.append(f"noise floor {check.noise_floor_db:.1f} dB")
    if not 0.5 <= check.head <= 1.0:
        problems.append(f"head {check.head:.2f} s")
    if not 1.0 <= check.tail <= 5.0:
        problems.append(f"tail {check.tail:.2f} s")
    return problems


def decode_pcm(path: Path | str, sample_rate: int) -> bytes:
    """The first audio stream of `path` as mono s16le at `sample_rate`."""
    result = subprocess.run(
        ffmpeg.command(
            ["-i", path, "-map", "0:a:0", "-ac", "1", "-ar", sample_rate, "-f", "s16le", "-"]
        ),
        capture_output=True,
        check=True,
    )
    return result.stdout


def lufs_of_pcm(pcm: bytes, sample_rate: int) -> float:
    """Integrated loudness of mono s16le, looped to 3 s when shorter (R128 gates 400 ms blocks)."""
    if len(pcm) < 3 * sample_rate * 2:
        pcm = (pcm * (3 * sample_rate * 2 // max(len(pcm), 2) + 1))[: 3 * sample_rate * 2]
    result = subprocess.run(
        ffmpeg.command(
            [
                "-f",
                "s16le",
                "-ar",
                sample_rate,
                "-ac",
                "1",
                "-i",
                "-",
                "-af",
                "ebur128",
                "-f",
                "null",
                "-",
            ],
            loglevel="info",
        ),
        input=pcm,
        capture_output=True,
        check=True,
    )
    summary = result.stderr.decode().split("Summary:")[-1]
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1])


# --- chapters as players read them -----------------------------------------------------------------


MPV = shutil.which("mpv")
_MPV_SCRIPT = """
local utils = require 'mp.utils'
mp.register_event("file-loaded", function()
  print("NARRATE-CHAPTERS " .. utils.format_json(mp.get_property_native("chapter-list")))
  mp.command("quit")
end)
"""


def mpv_chapters(path: Path | str, scratch: Path) -> list[tuple[float, str]]:
    """(start seconds, title) of each chapter as mpv lists them, opening the file headless with no
    user config; a Lua script prints mpv's own chapter-list property as JSON."""
    script = scratch / "narrate_chapters.lua"
    script.write_text(_MPV_SCRIPT, encoding="utf-8")
    result = subprocess.run(
        [
            MPV,
            "--no-config",
            "--ao=null",
            "--vo=null",
            "--idle=no",
            f"--script={script}",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found = re.search(r"NARRATE-CHAPTERS (.*)", result.stdout)
    if found is None:
        raise AssertionError(
            f"mpv printed no chapter list for {path}:\n{result.stdout}{result.stderr}"
        )
    return [(float(c["time"]), c["title"]) for c in json.loads(found[1])]


def quicktime_chapters(path: Path | str) -> list[tuple[float, str]]:
    """(start seconds, title) from the QuickTime chapter track of an MP4: the text track that the
    audio track's `tref/chap` points to. Read from the atoms directly, not through ffmpeg or
    mutagen (mutagen reads only the Nero `chpl` list)."""
    data = Path(path).read_bytes()
    moov = _child(data, 0, len(data), b"moov")
    tracks = {}
    chapter_track = None
    for start, end in _children(data, *moov, b"trak"):
        tkhd = _child(data, start, end, b"tkhd")
        version = data[tkhd[0]]
        track_id = struct.unpack_from(">I", data, tkhd[0] + (20 if version else 12))[0]
        tracks[track_id] = (start, end)
        tref = _find(data, start, end, [b"tref", b"chap"])
        if tref is not None:
            chapter_track = struct.unpack_from(">I", data, tref[0])[0]
    if chapter_track is None:
        return []
    start, end = tracks[chapter_track]
    mdhd = _find(data, start, end, [b"mdia", b"mdhd"])
    version = data[mdhd[0]]
    timescale = struct.unpack_from(">I", data, mdhd[0] + (20 if version else 12))[0]
    stbl = _find(data, start, end, [b"mdia", b"minf", b"stbl"])
    durations = []
    stts = _child(data, *stbl, b"stts")
    for i in range(struct.unpack_from(">I", data, stts[0] + 4)[0]):
        count, delta = struct.unpack_from(">II", data, stts[0] + 8 + 8 * i)
        durations += [delta] * count
    stsz = _child(data, *stbl, b"stsz")
    fixed, count = struct.unpack_from(">II", data, stsz[0] + 4)
    sizes = [fixed] * count if fixed else list(struct.unpack_from(f">{count}I", data, stsz[0] + 12))
    offsets = _sample_offsets(data, stbl, sizes)
    chapters, time = [], 0
    for offset, duration in zip(offsets, durations, strict=True):
        length = struct.unpack_from(">H", data, offset)[0]
        chapters.append((time / timescale, data[offset + 2 : offset + 2 + length].decode("utf-8")))
        time += duration
    return chapters


def _sample_offsets(data: bytes, stbl: tuple[int, int], sizes: list[int]) -> list[int]:
    stco = _child(data, *stbl, b"stco", missing_ok=True)
    if stco is not None:
        n = struct.unpack_from(">I", data, stco[0] + 4)[0]
        chunks = list(struct.unpack_from(f">{n}I", data, stco[0] + 8))
    else:
        co64 = _child(data, *stbl, b"co64")
        n = struct.unpack_from(">I", data, co64[0] + 4)[0]
        chunks = list(struct.unpack_from(f">{n}Q", data, co64[0] + 8))
    stsc = _child(data, *stbl, b"stsc")
    runs = [
        struct.unpack_from(">III", data, stsc[0] + 8 + 12 * i)
        for i in range(struct.unpack_from(">I", data, stsc[0] + 4)[0])
    ]
    offsets, sample = [], 0
    for chunk_index, chunk_offset in enumerate(chunks, 1):
        per_chunk = next(per for first, per, _ in reversed(runs) if first <= chunk_index)
        offset = chunk_offset
        for _ in range(per_chunk):
            offsets.append(offset)
            offset += sizes[sample]
            sample += 1
    return offsets


def _children(data: bytes, start: int, end: int, kind: bytes):
    """(content start, end) of each box of `kind` directly inside data[start:end]."""
    at = start
    while at + 8 <= end:
        size, found = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", data, at + 8)[0], 16
        elif size == 0:
            size = end - at
        if found == kind:
            yield at + header, at + size
        at += size


def _child(data, start, end, kind, missing_ok=False):
    box = next(_children(data, start, end, kind), None)
    if box is None and not missing_ok:
        raise AssertionError(f"no {kind!r} box")
    return box


def _find(data, start, end, path):
    box = (start, end)
    for kind in path:
        box = _child(data, *box, kind, missing_ok=True)
        if box is None:
            return None
    return box


# --- the seeds, built once -------------------------------------------------------------------------


SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@functools.cache
def built_seeds(*flags: str) -> Path:
    """The output folder of `narrate build seeds/ *flags` with real speech and a fresh cache, built
    once per test session however many test modules probe it (a session fixture would need
    conftest.py). Removed when the session ends."""
    from click.testing import CliRunner

    from narrate.cli import cli

    root = Path(tempfile.mkdtemp(prefix="narrate-seeds-"))
    atexit.register(shutil.rmtree, root, True)
    args = ["build", str(SEEDS_DIR), "-o", str(root / "out"), "--cache-dir", str(root / "cache")]
    result = CliRunner().invoke(cli, [*args, "-q", *flags])
    assert result.exit_code == 0, result.output
    return root / "out"
