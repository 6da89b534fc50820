"""A finished book remembers what it was made from, so an unchanged rebuild neither speaks nor encodes.

The fingerprint covers everything that decides the files: narrate's version, the book's metadata and
chapters, the pauses, the output choices, and each chunk's cache key (engine, engine version, voice,
words) with its place and pause. It is stored beside the files, as the last thing a build writes, so a
build killed before the end leaves no record and is redone.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path

from narrate import __version__, cache, engines
from narrate.assemble import BookFiles, ChapterFile
from narrate.assemble.formats import Output
from narrate.model import Book, Pauses
from narrate.synthesize import Job

RECORD = ".narrate-build.json"


def fingerprint(book: Book, jobs: Sequence[Job], pauses: Pauses, output: Output) -> str:
    def digest(data: bytes | None) -> str | None:
        return hashlib.sha256(data).hexdigest() if data else None

    chunks = []
    for job in jobs:
        engine = engines.get_engine(job.voice.engine)
        key = cache.key(engine.name, engine.version, job.voice, job.text)
        chunks.append([key, job.chunk.chapter, str(job.chunk.brk)])
    choices = {f.name: getattr(output, f.name) for f in fields(output) if f.name != "cover"}
    blob = json.dumps(
        {
            "narrate": __version__,
            "book": [book.title, book.author, book.slug, book.language, digest(book.cover)],
            "chapters": [[c.number, c.title] for c in book.chapters],
            "pauses": asdict(pauses),
            "output": {**choices, "formats": sorted(output.formats), "cover": digest(output.cover)},
            "chunks": chunks,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def finished(folder: Path, expected: str) -> BookFiles | None:
    """The files of a build of `folder` with this fingerprint, if they are all still there."""
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        if data["fingerprint"] != expected:
            return None
        files = from_json(data["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    paths = [files.manifest, files.m4b, files.opus, files.playlist, files.cover]
    for chapter in files.chapters:
        paths += [chapter.mp3, *chapter.captions]
    return files if all(p is None or p.is_file() for p in paths) else None


def remember(files: BookFiles, fingerprint: str) -> None:
    """Write the record atomically; a build that cannot is simply not skipped next time."""
    text = json.dumps({"fingerprint": fingerprint, "files": to_json(files)}, indent=1)
    with contextlib.suppress(OSError):
        fd, tmp = tempfile.mkstemp(dir=files.folder, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, files.folder / RECORD)


def to_json(files: BookFiles) -> dict:
    return json.loads(json.dumps(asdict(files), default=str))


def from_json(data: dict) -> BookFiles:
    def path(value):
        return None if value is None else Path(value)

    chapters = tuple(
        ChapterFile(
            number=c["number"],
            title=c["title"],
            start=c["start"],
            duration=c["duration"],
            mp3=path(c["mp3"]),
            captions=tuple(Path(p) for p in c["captions"]),
        )
        for c in data["chapters"]
    )
    return BookFiles(
        folder=Path(data["folder"]),
        chapters=chapters,
        manifest=Path(data["manifest"]),
        m4b=path(data["m4b"]),
        opus=path(data["opus"]),
        playlist=path(data["playlist"]),
        cover=path(data["cover"]),
    )
