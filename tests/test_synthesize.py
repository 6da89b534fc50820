from dataclasses import replace

import pytest

from narrate.cache import Cache, key
from narrate.model import Chunk, Kind, Voice
from narrate.synthesize import Job, executor, synthesize

FAKE = Voice(engine="fake", id="en-us")


def jobs(n, voice=FAKE):
    return [
        Job(Chunk(1, i, Kind.NARRATION, None, 0, 1, "x", True), voice, f"sentence number {i} here")
        for i in range(n)
    ]


def test_clips_come_back_in_order_inline_and_in_a_pool():
    inline = [c.pcm for c in synthesize(jobs(12))]
    with executor(2) as pool:
        pooled = list(synthesize(jobs(12), pool, window=3))
    assert [c.chunk.index for c in pooled] == list(range(12))
    assert [c.pcm for c in pooled] == inline


def test_cache_reuses_every_chunk_and_misses_only_changed_voices(tmp_path):
    cache = Cache(tmp_path / "cache")
    seen = []
    first = list(synthesize(jobs(5), cache=cache, on_clip=lambda c, hit: seen.append(hit)))
    assert seen == [False] * 5
    seen.clear()
    again = list(synthesize(jobs(5), cache=cache, on_clip=lambda c, hit: seen.append(hit)))
    assert seen == [True] * 5
    assert [c.pcm for c in again] == [c.pcm for c in first]
    # one job in a new voice: only that one is synthesized
    mixed = jobs(5)
    mixed[2] = replace(mixed[2], voice=replace(FAKE, id="en-us+f2"))
    seen.clear()
    list(synthesize(mixed, cache=cache, on_clip=lambda c, hit: seen.append(hit)))
    assert seen == [True, True, False, True, True]


def test_corrupt_cache_entry_is_synthesized_again(tmp_path):
    cache = Cache(tmp_path / "cache")
    (job,) = jobs(1)
    (clip,) = synthesize([job], cache=cache)
    k = key("fake", "fake-1", job.voice, job.text)
    path = cache.path(k)
    path.write_bytes(path.read_bytes()[:-10])  # cut short, as by a crash or a full disk
    assert cache.get(k) is None
    hits = []
    (again,) = synthesize([job], cache=cache, on_clip=lambda c, hit: hits.append(hit))
    assert hits == [False] and again.pcm == clip.pcm
    assert cache.get(k) == (clip.pcm, 22050)


def test_cache_info_and_clear(tmp_path):
    cache = Cache(tmp_path / "cache")
    list(synthesize(jobs(3), cache=cache))
    count, size = cache.info()
    assert count == 3 and size > 0
    assert cache.clear() == 3
    assert cache.info() == (0, 0)


def test_engine_failure_names_the_chunk():
    from narrate.errors import EngineError

    bad = jobs(1, replace(FAKE, id="no-such-voice"))
    with pytest.raises(EngineError, match="no-such-voice"):
        list(synthesize(bad))


def hang_once(marker_path, value):
    import os
    import time

    if not os.path.exists(marker_path):
        open(marker_path, "w").close()
        time.sleep(60)
    return value


def always_hang():
    import time

    time.sleep(60)


def test_a_hung_job_is_killed_and_retried(tmp_path):
    from narrate.synthesize import SpeechPool

    with SpeechPool(2, timeout=2.0, retries=1) as pool:
        future = pool.submit(hang_once, str(tmp_path / "marker"), 42)
        assert future.result(timeout=30) == 42


def test_a_job_that_always_hangs_fails_with_the_chunk_named(tmp_path):
    from narrate.errors import EngineError
    from narrate.synthesize import SpeechPool

    (job,) = jobs(1)
    failing = [job]
    with SpeechPool(1, timeout=1.0, retries=1) as pool:
        pool_submit = pool.submit
        pool.submit = lambda fn, *a: pool_submit(always_hang)
        with pytest.raises(EngineError, match=r"chapter 1, chunk 0 .*no answer in 1 s \(2 tries\)"):
            list(synthesize(failing, pool))


def test_keep_going_puts_a_tone_in_place_and_reports(tmp_path):
    bad = jobs(3)
    bad[1] = replace(bad[1], voice=replace(FAKE, id="no-such-voice"))
    failures: list[str] = []
    clips = list(synthesize(bad, failures=failures))
    assert len(clips) == 3 and clips[1].pcm
    assert len(failures) == 1 and "chunk 1" in failures[0] and "no-such-voice" in failures[0]


def test_an_unchanged_book_is_neither_spoken_nor_encoded_again(tmp_path):
    from conftest import fake_settings

    from narrate.build import build
    from narrate.model import Voice

    settings = fake_settings()
    story = tmp_path / "story.txt"
    story.write_text('"Hello," said Ann. The end.\n', encoding="utf-8")
    cache = Cache(tmp_path / "cache")
    first = build(story, tmp_path / "out", settings, cache=cache)
    stamp = first.m4b.stat().st_mtime_ns
    clips: list = []
    again = build(
        story, tmp_path / "out", settings, cache=cache, on_clip=lambda c, h: clips.append(c)
    )
    assert again == first and not clips and first.m4b.stat().st_mtime_ns == stamp
    # a changed voice, a deleted file, or no cache: built again
    changed = replace(settings, narrator=Voice(engine="fake", id="en-gb"))
    build(story, tmp_path / "out", changed, cache=cache)
    assert first.m4b.stat().st_mtime_ns != stamp
    first.playlist.unlink()
    rebuilt = build(story, tmp_path / "out", settings, cache=cache)
    assert rebuilt.playlist.is_file()
    stamp = rebuilt.m4b.stat().st_mtime_ns
    build(story, tmp_path / "out", settings, cache=None)
    assert rebuilt.m4b.stat().st_mtime_ns != stamp


def test_cache_clear_never_touches_files_that_are_not_its_own(tmp_path):
    folder = tmp_path / "mine"
    (folder / "Documents").mkdir(parents=True)
    (folder / "ab").mkdir()
    thesis = folder / "Documents" / "thesis.txt"
    thesis.write_text("years of work")
    note = folder / "ab" / "note.txt"
    note.write_text("also mine")
    cache = Cache(folder)
    list(synthesize(jobs(2), cache=cache))
    assert cache.info()[0] == 2
    assert cache.clear() == 2
    assert thesis.read_text() == "years of work" and note.read_text() == "also mine"
