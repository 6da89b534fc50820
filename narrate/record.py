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
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path

from narrate import __version__
from narrate.assemble import BookFiles, ChapterFile
from narrate.assemble.formats import Output
from narrate.files import write_atomic
from narrate.model import Book, Pauses
from narrate.synthesize import Job

RECORD = ".narrate-build.json"


def fingerprint(book: Book, jobs: Sequence[Job], pauses: Pauses, output: Output) -> str:
    def digest(data: bytes | None) -> str | None:
        return hashlib.sha256(data).hexdigest() if data else None

    chunks = [[job.key(), job.chunk.chapter, str(job.chunk.brk)] for job in jobs]
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
        files = from_json(data["files"], folder)
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
        write_atomic(files.folder / RECORD, text.encode())


def to_json(files: BookFiles) -> dict:
    """The files by name: a book folder keeps its record valid wherever it is built from."""

    def name(value):
        return value.name if isinstance(value, Path) else value

    data = asdict(files)
    data.pop("folder")
    for chapter in data["chapters"]:
        chapter["mp3"] = name(chapter["mp3"])
        chapter["captions"] = [name(p) for p in chapter["captions"]]
    return {key: name(value) for key, value in data.items()}


def from_json(data: dict, folder: Path) -> BookFiles:
    def path(value):
        return None if value is None else folder / value

    chapters = tuple(
        ChapterFile(
            number=c["number"],
            title=c["title"],
            start=c["start"],
            duration=c["duration"],
            mp3=path(c["mp3"]),
            captions=tuple(folder / p for p in c["captions"]),
        )
        for c in data["chapters"]
    )
    return BookFiles(
        folder=folder,
        chapters=chapters,
        manifest=folder / data["manifest"],
        m4b=path(data["m4b"]),
        opus=path(data["opus"]),
        playlist=path(data["playlist"]),
        cover=path(data["cover"]),
    )
