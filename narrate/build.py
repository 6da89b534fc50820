"""The whole pipeline for one story: ingest, segment, cast, synthesize, assemble."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrate import engines, record
from narrate.assemble import BookFiles, Encoding, start
from narrate.assemble.formats import Output
from narrate.cache import Cache
from narrate.cast import Cast
from narrate.config import Settings
from narrate.errors import InputError
from narrate.ingest import read_book
from narrate.model import Book, Chunk, Clip
from narrate.segment import segment
from narrate.segment.attribute import characters
from narrate.speech import to_speech
from narrate.synthesize import Job, synthesize


@dataclass(frozen=True)
class Plan:
    """A book read, segmented and cast: everything known before any audio is made."""

    book: Book
    chunks: list[Chunk]
    cast: Cast

    def jobs(self, settings: Settings) -> Iterator[Job]:
        """One synthesis job per chunk that has something to say, in reading order."""
        for chunk in self.chunks:
            if not chunk.spoken:
                continue
            text = to_speech(chunk.text, settings.reader_name, settings.pronunciations)
            if text:
                yield Job(chunk, self.cast.voice_for(chunk), text)


def plan(path: Path, settings: Settings) -> Plan:
    book = read_book(path)
    chunks = segment(book, speak_notes=settings.speak_notes)
    engine = engines.get_engine(settings.dialogue.engine)
    cast = Cast(settings, characters(book, chunks), engine.voices())
    return Plan(book, chunks, cast)


def build(path: Path, out_dir: Path, settings: Settings, **options: Any) -> BookFiles:
    """begin() and wait for the result: one whole book."""
    return begin(path, out_dir, settings, **options).result()


def begin(
    path: Path,
    out_dir: Path,
    settings: Settings,
    *,
    pool: Executor | None = None,
    cache: Cache | None = None,
    on_start: Callable[[Plan, int], None] | None = None,
    on_clip: Callable[[Clip, bool], None] | None = None,
    failures: list[str] | None = None,
    output: Output | None = None,
    claimed: dict[str, Path] | None = None,
) -> Begun:
    """Narrate the story at `path` into `out_dir/<slug>/`. `pool` runs synthesis (inline when None);
    `cache` keeps clips between runs. `on_start(plan, jobs)` is told how many synthesis jobs there are
    before any runs; `on_clip(clip, cached)` of each clip as it is made. With a `failures` list
    (--keep-going), a chunk that cannot be spoken is listed there and a short tone takes its place.
    `output` chooses the formats and their encoding (default: m4b, chapter mp3s, playlist).

    A book already built from the same inputs is returned as it is, unless `cache` is None: without
    a cache the caller asked for everything to be made anew. `claimed` maps the output folders of
    the stories built so far in one run to their files, so two stories with one title cannot
    overwrite each other.

    The returned Begun's result() waits for the encoders and returns the files. Begin the next
    book before asking for this one's result, and its synthesis and mixing overlap this encoding."""
    output = output or Output()
    the_plan = plan(path, settings)
    jobs = list(the_plan.jobs(settings))
    book = the_plan.book
    if claimed is not None and (other := claimed.setdefault(book.slug, path)) != path:
        raise InputError(
            f"{path} and {other} would both be written to {Path(out_dir) / book.slug}; "
            "give one a different title, or build them with different -o folders"
        )
    stamp = record.fingerprint(book, jobs, settings.pauses, output)
    if cache is not None and (done := record.finished(Path(out_dir) / book.slug, stamp)):
        return Begun(files=done)
    if on_start is not None:
        on_start(the_plan, len(jobs))
    failed_before = len(failures) if failures is not None else 0
    clips = synthesize(jobs, pool, cache, on_clip, failures=failures)
    encoding = start(book, clips, out_dir, settings.pauses, output, cache)
    # A book with stand-in tones is not recorded as built, so the next build tries it again.
    clean = failures is None or len(failures) == failed_before
    return Begun(encoding=encoding, stamp=stamp if clean else None)


@dataclass(frozen=True)
class Begun:
    """A book begun by begin(): its encoders may still be running."""

    encoding: Encoding | None = None
    files: BookFiles | None = None
    """The files of a book kept as an earlier build made it (then there is no encoding)."""
    stamp: str | None = None
    """The inputs' fingerprint, to record once the files are in place; None for a book with tones."""

    def result(self) -> BookFiles:
        """The book's files, once in place."""
        if self.encoding is None:
            assert self.files is not None
            return self.files
        files = self.encoding.result()
        if self.stamp is not None:
            record.remember(files, self.stamp)
        return files

    def abandon(self) -> None:
        """Stop its encoders (another book failed)."""
        if self.encoding is not None:
            self.encoding.abandon()
