"""narrate's speed and memory against baselines measured in the same run, on the same machine.

    python bench/run.py [--seeds DIR] [--skip-naive]

1. floor: libespeak-ng speaking each seed's whole text in one call, plus one AAC and one MP3 encode of that
   audio with the same ffmpeg: the least work any tool must do.
2. naive: what a user would write by hand: pyttsx3 one sentence at a time, pydub `+` in a loop, one export.
3. narrate: a cold `narrate build` (empty cache), a warm rerun, and a rerun after changing one character's voice.
4. peak RSS of `narrate build` on one seed and on a book 8x as long (that seed repeated).
5. `narrate --help` start-up against `python -c pass`.
Prints a table of ratios and writes it to bench/RESULTS.md. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SENTENCE = re.compile(r"(?<=[.!?”\"])\s+")


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


# 1. floor -----------------------------------------------------------------------------------------


def espeak_whole_text(text: str) -> bytes:
    """libespeak-ng directly: one synchronous call for the whole text, samples gathered by a callback."""
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    data = espeakng_loader.get_data_path().encode()
    if not getattr(espeak_whole_text, "ready", False):
        lib.espeak_Initialize(2, 0, ctypes.c_char_p(data), 0)  # AUDIO_OUTPUT_SYNCHRONOUS
        espeak_whole_text.ready = True
    chunks: list[bytes] = []
    callback_type = ctypes.CFUNCTYPE(
        ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
    )

    def on_samples(wav, count, events):
        if count > 0:
            chunks.append(ctypes.string_at(wav, count * 2))
        return 0

    callback = callback_type(on_samples)
    lib.espeak_SetSynthCallback(callback)
    lib.espeak_SetVoiceByName(b"en-us")
    lib.espeak_SetParameter(1, 170, 0)  # espeakRATE, words per minute
    encoded = text.encode()
    lib.espeak_Synth(encoded, len(encoded) + 1, 0, 1, 0, 1, None, None)  # POS_CHARACTER, CHARS_UTF8
    lib.espeak_Synchronize()
    return b"".join(chunks)


def encode(pcm: bytes, out: Path, codec_args: list[str]) -> None:
    from narrate.ffmpeg import executable

    cmd = [
        executable(),
        "-v",
        "error",
        "-y",
        "-f",
        "s16le",
        "-ar",
        "22050",
        "-ac",
        "1",
        "-i",
        "pipe:",
    ]
    subprocess.run(cmd + codec_args + [str(out)], input=pcm, check=True)


def floor(texts: list[str], work: Path) -> tuple[float, float]:
    """Seconds, and seconds of audio made."""
    from narrate.assemble.encode import MP3_QUALITY

    start = time.perf_counter()
    audio = 0.0
    for i, text in enumerate(texts):
        pcm = espeak_whole_text(text)
        audio += len(pcm) / 2 / 22050
        # The encoder settings narrate itself uses: the floor is the same work, done once.
        encode(pcm, work / f"floor{i}.m4a", ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "64k"])
        encode(
            pcm,
            work / f"floor{i}.mp3",
            ["-c:a", "libmp3lame", "-b:a", "64k", "-compression_level", MP3_QUALITY],
        )
    return time.perf_counter() - start, audio


# 2. naive -----------------------------------------------------------------------------------------


def naive(texts: list[str], work: Path, export: str) -> float:
    """pyttsx3 a sentence at a time, pydub `+` in a loop, one export per story: run in a fresh process
    so its engine set-up is counted, as a user's script would pay it. `export` is the pydub export
    call's arguments: an mp3 as the quickest thing a user might write, or an m4b (AAC) as an audiobook."""
    script = f"""
import contextlib, ctypes, io, os, re, sys
import espeakng_loader, imageio_ffmpeg
ctypes.CDLL(espeakng_loader.get_library_path())
os.environ["ESPEAK_DATA_PATH"] = espeakng_loader.get_data_path()
import pyttsx3
from pydub import AudioSegment
AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()
engine = pyttsx3.init()
engine.setProperty("rate", 170)
for n, path in enumerate(sys.argv[1:]):
    text = open(path, encoding="utf-8").read()
    book = AudioSegment.empty()
    for i, sentence in enumerate(s for s in re.split({SENTENCE.pattern!r}, text) if s.strip()):
        wav = {str(work)!r} + "/s.wav"
        with contextlib.redirect_stdout(io.StringIO()):
            engine.save_to_file(sentence, wav)
            engine.runAndWait()
        book += AudioSegment.from_wav(wav)
    book.export({str(work)!r} + f"/naive{{n}}", {export})
"""
    paths = []
    for i, text in enumerate(texts):
        p = work / f"story{i}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(str(p))
    seconds, _ = timed(subprocess.run, [sys.executable, "-c", script, *paths])
    return seconds


# 3. narrate ---------------------------------------------------------------------------------------


def narrate(args: list[str]) -> float:
    cmd = [sys.executable, "-m", "narrate", "build", "-q", *args]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


# 4. memory ----------------------------------------------------------------------------------------

RSS_SCRIPT = """
import sys, threading, time
from pathlib import Path
from narrate.cli import cli

def rss_kb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0

def descendants(pid):
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for kid in kids:
            found += [int(kid), *descendants(int(kid))]
    return found

peak = {"self": 0, "all": 0}
def watch():
    while True:
        me = rss_kb("self")
        total = me + sum(rss_kb(k) for k in descendants("self"))
        peak["self"], peak["all"] = max(peak["self"], me), max(peak["all"], total)
        time.sleep(0.05)

threading.Thread(target=watch, daemon=True).start()
try:
    cli.main(sys.argv[1:], prog_name="narrate")
except SystemExit as e:
    assert not e.code, e.code
hwm = [l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:")]
print(max(peak["self"], int(hwm[0].split()[1])), peak["all"])
"""


def peak_rss(args: list[str]) -> tuple[float, float]:
    """Peak RSS in MB of the narrate process itself (VmHWM: ru_maxrss would count the benchmark's
    own memory, inherited at fork), and of narrate with its speech workers and ffmpeg together
    (sampled every 50 ms)."""
    out = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, "build", "-q", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(out[-2]) / 1024, int(out[-1]) / 1024


def startup() -> tuple[float, float]:
    def best(cmd):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        return min(times)

    return best([sys.executable, "-m", "narrate", "--help"]), best([sys.executable, "-c", "pass"])


# --------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument(
        "--skip-naive", action="store_true", help="the naive baseline takes minutes"
    )
    opts = parser.parse_args()
    seeds = sorted(opts.seeds.glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    rows: list[tuple[str, str, str]] = []

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        floor_s, audio_s = floor(texts, work)
        rows.append(
            ("floor: espeak-ng whole text + 1 AAC + 1 MP3 encode", f"{floor_s:.1f} s", "1.00")
        )

        cache, out = work / "cache", work / "out"
        common = ["-o", str(out), "--cache-dir", str(cache), str(opts.seeds)]
        cold = narrate(common)
        rows.append(
            ("narrate build, cold (empty cache)", f"{cold:.1f} s", f"{cold / floor_s:.2f} x floor")
        )
        if not opts.skip_naive:
            for label, export in (
                ("an mp3", 'format="mp3", bitrate="64k"'),
                ("an m4b", 'format="mp4", codec="aac", bitrate="64k"'),
            ):
                naive_s = naive(texts, work, export)
                rows.append(
                    (
                        f"naive: pyttsx3 per sentence, pydub +, export {label}",
                        f"{naive_s:.1f} s",
                        f"{naive_s / floor_s:.2f} x floor; narrate cold is {naive_s / cold:.1f} x faster",
                    )
                )
        warm = narrate(common)
        rows.append(("narrate build, warm rerun", f"{warm:.1f} s", f"{warm / cold:.1%} of cold"))
        # Kylo Ren speaks in every seed, so all four books are encoded again; Rey speaks in one.
        for character, where in (("Kylo Ren", "all 4 books"), ("Rey", "1 book")):
            narrate(common)  # back to the default voices, so only this change is measured
            voices = work / f"{character}.toml"
            voices.write_text(
                f'[characters."{character}"]\nvoice = "en-us+m7"\npitch = 30\n', encoding="utf-8"
            )
            changed = narrate(["--voices", str(voices), *common])
            rows.append(
                (
                    f"narrate build, {character}'s voice changed ({where})",
                    f"{changed:.1f} s",
                    f"{changed / cold:.1%} of cold",
                )
            )

        one = seeds[1]
        long = work / "long" / "long.txt"
        long.parent.mkdir()
        long.write_text("\n\n".join([one.read_text(encoding="utf-8")] * 8), encoding="utf-8")
        rss_one = peak_rss(["-o", str(work / "rss1"), "--no-cache", str(one)])
        rss_long = peak_rss(["-o", str(work / "rss8"), "--no-cache", str(long)])
        rows.append(
            (
                "peak RSS, one seed: narrate / with workers and ffmpeg",
                f"{rss_one[0]:.0f} / {rss_one[1]:.0f} MB",
                "",
            )
        )
        rows.append(
            (
                "peak RSS, 8x that seed: narrate / with workers and ffmpeg",
                f"{rss_long[0]:.0f} / {rss_long[1]:.0f} MB",
                f"{rss_long[0] / rss_one[0]:.2f} x one seed",
            )
        )

        help_s, python_s = startup()
        rows.append(
            (
                "narrate --help",
                f"{help_s * 1000:.0f} ms",
                f"{help_s / python_s:.1f} x `python -c pass`",
            )
        )

    header = (
        f"# narrate benchmark\n\n{os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}; {len(seeds)} seeds, {audio_s / 60:.1f} min of audio at the floor.\n\n"
        "| measure | value | ratio |\n| --- | --- | --- |\n"
    )
    table = header + "".join(f"| {a} | {b} | {c} |\n" for a, b, c in rows)
    print(table)
    (HERE / "RESULTS.md").write_text(table, encoding="utf-8")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
