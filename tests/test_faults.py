"""Faults a long build must survive: kill -9 at any moment, Ctrl-C, a damaged cache."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SEEDS
from mutagen.mp4 import MP4

from narrate.cache import Cache
from narrate.record import RECORD

pytestmark = pytest.mark.e2e
STORY = SEEDS[3]  # the shortest seed: about five minutes of audio


def narrate(*args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "narrate", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def cache_entries(folder: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in folder.glob("*/*.pcm")}


def assert_complete(out: Path):
    book = out / STORY.stem
    visible = {p.name for p in book.iterdir() if not p.name.startswith(".")}
    assert {f"{STORY.stem}.m4b", f"{STORY.stem}.m3u", f"01 - {STORY.stem}.mp3"} <= visible
    hidden = [p for p in book.iterdir() if p.name.startswith(".") and p.name != RECORD]
    assert not hidden, "work files left behind"
    chapters = MP4(book / f"{STORY.stem}.m4b").chapters
    assert len(list(chapters)) == 1
    assert MP4(book / f"{STORY.stem}.m4b").info.length > 200


@pytest.mark.parametrize("delay", [0.4, 1.5, 3.0])
def test_kill_9_then_rerun_completes_and_reuses_finished_work(tmp_path, delay):
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = ("build", STORY, "-o", out, "--cache-dir", cache, "-q", "-j", "2")
    victim = narrate(*args)
    time.sleep(delay)
    victim.kill()
    victim.wait()
    # No player may ever find a half-written file at a final path.
    book = out / STORY.stem
    if book.exists():
        for final in book.glob("*.m4b"):
            assert MP4(final).chapters is not None
    before = cache_entries(cache)
    rerun = narrate(*args)
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert_complete(out)
    after = cache_entries(cache)
    # every chunk finished before the kill was reused, not made again
    assert all(after.get(p) == mtime for p, mtime in before.items())
    assert len(after) >= len(before)


def test_ctrl_c_stops_promptly_with_130_and_keeps_the_cache(tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    # the longest seed, interrupted once its first chunk is cached: mid-build however busy the
    # machine (a fixed sleep let the short seed finish first on a loaded machine)
    story = max(SEEDS, key=lambda p: p.stat().st_size)
    proc = narrate("build", story, "-o", out, "--cache-dir", cache, "-q", "-j", "2")
    deadline = time.monotonic() + 60
    while not cache_entries(cache) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    start = time.monotonic()
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - start < 10, "workers must stop promptly"
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    store = Cache(cache)
    for path in cache.glob("*/*.pcm"):
        assert store.get(path.stem) is not None, f"damaged cache entry {path}"
    # and nothing half-written at a final path
    assert not list(out.glob(f"{story.stem}/*.m4b")) or MP4(next(out.glob("*/*.m4b"))).chapters


def test_unwritable_cache_is_one_line(tmp_path):
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("")
    proc = narrate("build", STORY, "-o", tmp_path / "out", "--cache-dir", blocker, "-q", "-j", "1")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 5, err
    assert len(err.strip().splitlines()) == 1 and str(blocker) in err and "--no-cache" in err
