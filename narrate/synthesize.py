"""Voice each chunk: a stream of jobs in, a stream of clips out, in the same order.

Cached chunks come straight from the cache; the rest go to an executor: inline for one job at a time (and
tests), a pool of processes with one engine each otherwise. Any concurrent.futures.Executor can take the
pool's place (a distributed one, say) without the stages noticing. At most `window` jobs are in flight, so
memory stays flat however long the book is.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass

from narrate import cache as clip_cache
from narrate.engines import get_engine
from narrate.errors import EngineError, NarrateError
from narrate.model import Chunk, Clip, Voice


@dataclass(frozen=True)
class Job:
    """One synthesis call: what to say, in which voice, for which chunk."""

    chunk: Chunk
    voice: Voice
    text: str
    """The words to say (speech.to_speech of the chunk's text), never empty."""


def speak(job: Job) -> tuple[bytes, int]:
    """(pcm, sample_rate) for one job, in whichever process runs it."""
    engine = get_engine(job.voice.engine)
    try:
        return engine.synthesize(job.text, job.voice), engine.sample_rate
    except NarrateError:
        raise
    except Exception as e:  # an engine's own failure: name the chunk so the user can find it
        words = " ".join(job.chunk.text.split()[:6])
        raise EngineError(
            f"{job.voice.engine} failed on chapter {job.chunk.chapter}, chunk {job.chunk.index} "
            f"({words!r}…): {e}"
        ) from e


class InlineExecutor(Executor):
    """Runs each job as it is submitted, in this process: the sequential mode."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(e)
        return future


def executor(workers: int) -> Executor:
    """Inline for one worker; otherwise processes started fresh (spawn), each loading its own engine:
    espeak-ng keeps global state that must not be shared through fork."""
    if workers <= 1:
        return InlineExecutor()
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def synthesize(
    jobs: Iterable[Job],
    pool: Executor | None = None,
    cache: clip_cache.Cache | None = None,
    on_clip: Callable[[Clip, bool], None] | None = None,
    window: int = 16,
) -> Iterator[Clip]:
    """Clips for `jobs`, in order. `on_clip(clip, cached)` is told of each as it is yielded."""
    pool = pool or InlineExecutor()
    pending: deque[tuple[Job, str | None, Future | None, tuple[bytes, int] | None]] = deque()

    def finish() -> Clip:
        job, key, future, hit = pending.popleft()
        pcm, rate = hit if hit is not None else future.result()
        if hit is None and cache is not None:
            cache.put(key, pcm, rate)
        clip = Clip(chunk=job.chunk, pcm=pcm, sample_rate=rate, voice=job.voice)
        if on_clip is not None:
            on_clip(clip, hit is not None)
        return clip

    for job in jobs:
        key = hit = None
        if cache is not None:
            engine = get_engine(job.voice.engine)
            key = clip_cache.key(engine.name, engine.version, job.voice, job.text)
            hit = cache.get(key)
        future = None if hit is not None else pool.submit(speak, job)
        pending.append((job, key, future, hit))
        while len(pending) > window:
            yield finish()
    while pending:
        yield finish()
