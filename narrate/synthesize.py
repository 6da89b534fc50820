"""Voice each chunk: a stream of jobs in, a stream of clips out, in the same order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

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


def synthesize(
    jobs: Iterable[Job], on_clip: Callable[[Clip], None] | None = None
) -> Iterator[Clip]:
    """Clips for `jobs`, in order. `on_clip` is told of each one as it is made (for progress)."""
    for job in jobs:
        clip = speak(job)
        if on_clip is not None:
            on_clip(clip)
        yield clip


def speak(job: Job) -> Clip:
    engine = get_engine(job.voice.engine)
    try:
        pcm = engine.synthesize(job.text, job.voice)
    except NarrateError:
        raise
    except Exception as e:  # an engine's own failure: name the chunk so the user can find it
        words = " ".join(job.chunk.text.split()[:6])
        raise EngineError(
            f"{job.voice.engine} failed on chapter {job.chunk.chapter}, chunk {job.chunk.index} "
            f"({words!r}…): {e}"
        ) from e
    return Clip(chunk=job.chunk, pcm=pcm, sample_rate=engine.sample_rate, voice=job.voice)
