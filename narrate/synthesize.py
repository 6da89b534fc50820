"""Voice each chunk: a stream of jobs in, a stream of clips out, in the same order.

Cached chunks come straight from the cache; the rest go to an executor: inline for one job at a time (and
tests), a SpeechPool of processes with one engine each otherwise. Any concurrent.futures.Executor can take
the pool's place (a distributed one, say) without the stages noticing. At most `window` jobs are in flight,
so memory stays flat however long the book is.
"""

from __future__ import annotations

import math
import multiprocessing
import queue
import signal
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass

from narrate import cache as clip_cache
from narrate.engines import get_engine
from narrate.errors import EngineError
from narrate.model import Chunk, Clip, Voice


@dataclass(frozen=True)
class Job:
    """One synthesis call: what to say, in which voice, for which chunk."""

    chunk: Chunk
    voice: Voice
    text: str
    """The words to say (speech.to_speech of the chunk's text), never empty."""

    def key(self) -> str:
        """The cache key: everything that decides the sound."""
        engine = get_engine(self.voice.engine)
        return clip_cache.key(engine.name, engine.version, self.voice, self.text)


def speak(job: Job) -> tuple[bytes, int]:
    """(pcm, sample_rate) for one job, in whichever process runs it. Any failure becomes an
    EngineError that names the chunk, so the user can find it in the story."""
    try:
        engine = get_engine(job.voice.engine)
        return engine.synthesize(job.text, job.voice), engine.sample_rate
    except Exception as e:
        raise EngineError(f"{job.voice.engine} failed on {describe(job)}: {e}") from e


class InlineExecutor(Executor):
    """Runs each job as it is submitted, in this process: the sequential mode."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as e:  # handed to the caller through the future; Ctrl-C is not caught
            future.set_exception(e)
        return future


class SpeechTimeout(Exception):
    """A worker gave no answer in time, on every try."""


class SpeechPool(Executor):
    """Worker processes, one engine each, that are killed and replaced when a job hangs.

    concurrent.futures' ProcessPoolExecutor cannot kill one stuck worker, and a hung espeak-ng call
    would stall the book forever; here each worker is driven by a thread of ours over a pipe, with a
    deadline per job, and a job that times out or kills its worker is retried on a fresh one.
    Workers are started fresh (spawn): espeak-ng keeps global state that must not be shared by fork.
    """

    def __init__(self, workers: int, timeout: float = 120.0, retries: int = 1) -> None:
        self.timeout, self.retries = timeout, retries
        self.context = multiprocessing.get_context("spawn")
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.processes: set = set()
        self.lock = threading.Lock()
        self.closed = False
        self.threads = [
            threading.Thread(target=self.drive, name=f"speech-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self.threads:
            thread.start()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self.closed:
            raise RuntimeError("the speech pool is shut down")
        future: Future = Future()
        self.jobs.put((future, fn, args, kwargs))
        return future

    def start_worker(self):
        parent, child = self.context.Pipe()
        process = self.context.Process(target=worker_main, args=(child,), daemon=True)
        process.start()
        child.close()
        with self.lock:
            self.processes.add(process)
        return process, parent

    def stop_worker(self, process, conn, now: bool = False) -> None:
        """Close a worker's pipe and let it finish (its engine removes its temporary files), or kill
        it `now`: it hangs, or the user pressed Ctrl-C."""
        conn.close()
        if not now:
            process.join(timeout=2)
        if process.is_alive():
            process.kill()
        process.join()
        with self.lock:
            self.processes.discard(process)

    def drive(self) -> None:
        """One thread per worker: hand it jobs, wait with a deadline, replace it when it fails."""
        worker = None
        while (item := self.jobs.get()) is not None:
            future, fn, args, kwargs = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                worker = self.run(worker, future, fn, args, kwargs)
            except BaseException as e:  # noqa: BLE001 - never leave a caller waiting on a future
                if not future.done():
                    future.set_exception(e)
        if worker is not None:
            self.stop_worker(*worker)

    def run(self, worker, future: Future, fn, args, kwargs):
        """Run one job on `worker` (started if None), retrying on a fresh one after a timeout or a
        crash; the worker to use next."""
        for attempt in range(self.retries + 1):
            if self.closed and attempt:  # shutting down: no new worker for a retry
                break
            worker = worker or self.start_worker()
            process, conn = worker
            try:
                conn.send((fn, args, kwargs))
                if not conn.poll(self.timeout):
                    raise SpeechTimeout(f"no answer in {self.timeout:g} s")
                ok, value = conn.recv()
            except (SpeechTimeout, EOFError, OSError) as e:
                self.stop_worker(process, conn, now=True)
                worker = None
                reason = e if isinstance(e, SpeechTimeout) else "the speech worker died"
                error = SpeechTimeout(f"{reason} ({attempt + 1} tries)")
                continue
            (future.set_result if ok else future.set_exception)(value)
            return worker
        future.set_exception(error)
        return worker

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self.closed:
            return
        self.closed = True
        if cancel_futures:
            while True:
                try:
                    item = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        for _ in self.threads:
            self.jobs.put(None)
        if not wait:
            # Ctrl-C or an error: stop the workers now, not after their current chunk.
            with self.lock:
                for process in list(self.processes):
                    process.kill()
        for thread in self.threads:
            thread.join()

    def __exit__(self, exc_type, exc, tb):
        self.shutdown(wait=exc_type is None, cancel_futures=exc_type is not None)
        return False


def worker_main(conn) -> None:
    """A speech worker: run each (fn, args, kwargs) it is sent and send back (ok, value)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            fn, args, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send((True, fn(*args, **kwargs)))
        except BaseException as e:  # noqa: BLE001 - the parent re-raises it
            conn.send((False, e))


def executor(workers: int, timeout: float = 120.0) -> Executor:
    """Inline for one worker (no timeout can be enforced there); a SpeechPool otherwise."""
    if workers <= 1:
        return InlineExecutor()
    return SpeechPool(workers, timeout)


def describe(job: Job) -> str:
    words = " ".join(job.chunk.text.split()[:6])
    return f"chapter {job.chunk.chapter}, chunk {job.chunk.index} ({words!r}…)"


def failure_tone(sample_rate: int = 22050, seconds: float = 0.4) -> bytes:
    """A soft 440 Hz beep that stands in for a chunk that could not be spoken (--keep-going)."""
    count = int(sample_rate * seconds)
    samples = (int(6000 * math.sin(2 * math.pi * 440 * n / sample_rate)) for n in range(count))
    return struct.pack(f"<{count}h", *samples)


def synthesize(
    jobs: Iterable[Job],
    pool: Executor | None = None,
    cache: clip_cache.Cache | None = None,
    on_clip: Callable[[Clip, bool], None] | None = None,
    window: int = 16,
    failures: list[str] | None = None,
) -> Iterator[Clip]:
    """Clips for `jobs`, in order. `on_clip(clip, cached)` is told of each as it is yielded.

    A chunk that cannot be spoken stops the stream with an EngineError naming it; when a `failures`
    list is given (--keep-going), it is described there instead and a short tone takes its place."""
    pool = pool or InlineExecutor()
    pending: deque[tuple[Job, str | None, Future | None, tuple[bytes, int] | None]] = deque()

    def result(job: Job, future: Future) -> tuple[bytes, int] | None:
        try:
            return future.result()
        except EngineError as e:
            error = e
        except Exception as e:  # a timeout or a crashed worker
            error = EngineError(f"{job.voice.engine} failed on {describe(job)}: {e}")
        if failures is None:
            raise error
        failures.append(str(error))
        return None

    def finish() -> Clip:
        job, key, future, hit = pending.popleft()
        spoken = hit if hit is not None else result(job, future)
        if spoken is None:
            clip = Clip(chunk=job.chunk, pcm=failure_tone(), sample_rate=22050, voice=job.voice)
            if on_clip is not None:
                on_clip(clip, False)
            return clip
        pcm, rate = spoken
        if hit is None and cache is not None:
            cache.put(key, pcm, rate)
        clip = Clip(chunk=job.chunk, pcm=pcm, sample_rate=rate, voice=job.voice)
        if on_clip is not None:
            on_clip(clip, hit is not None)
        return clip

    for job in jobs:
        key = hit = None
        if cache is not None:
            key = job.key()
            hit = cache.get(key)
        future = None if hit is not None else pool.submit(speak, job)
        pending.append((job, key, future, hit))
        while len(pending) > window:
            yield finish()
    while pending:
        yield finish()
