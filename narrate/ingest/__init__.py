"""Story files in, Books out: find the files a user means, then read each with its format's reader.

A reader takes a file's bytes (and its path, for messages) and returns the decoded text and its
Structure; read_book() adds what every format shares: the title's fallback and the slug. Formats
plug in through READERS.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from narrate.errors import InputError
from narrate.ingest import text
from narrate.ingest.text import Structure
from narrate.model import Book

Reader = Callable[[bytes, Path], tuple[str, Structure]]

READERS: dict[str, Reader] = {
    ".txt": text.read,
    ".text": text.read,
}
"""Story readers by lowercase file extension. A file named explicitly with an extension not listed
here is read as plain text (people keep stories in `story` or `.log` files) unless it is binary."""

_SNIFF_BYTES = 64 * 1024


def find_stories(paths: Iterable[Path]) -> list[Path]:
    """The story files that `paths` name: files as given, folders expanded recursively (sorted,
    hidden files and folders skipped) to files with a known extension. Each file appears once."""
    found: list[Path] = []
    seen: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            files = _stories_in(path)
            if not files:
                known = ", ".join(sorted(READERS))
                raise InputError(
                    f"{path}: no story files ({known}) in this folder; "
                    "add one or name a story file directly"
                )
        elif path.is_file():
            if path.suffix.lower() not in READERS and text.looks_binary(_head(path)):
                raise InputError(
                    f"{path}: looks like a binary file, not text; give narrate a .txt story"
                )
            files = [path]
        elif path.exists():
            raise InputError(f"{path}: not a regular file or folder; name a story file")
        else:
            raise InputError(f"{path}: no such file or folder; check the path")
        for file in files:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                found.append(file)
    return found


def _stories_in(folder: Path) -> list[Path]:
    stories: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # prune: never walk into .git
        stories += (
            Path(root, name)
            for name in files
            if not name.startswith(".") and Path(name).suffix.lower() in READERS
        )
    return sorted(stories)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(_SNIFF_BYTES)
    except OSError as err:
        raise InputError(
            f"{path}: cannot be read ({err.strerror}); check its permissions"
        ) from None


def read_book(path: Path) -> Book:
    """Read one story file into a Book: decoded text, chapters, blocks, title, author."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a story file; name a file inside it")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except OSError as err:
        raise InputError(
            f"{path}: cannot be read ({err.strerror}); check its permissions"
        ) from None
    reader = READERS.get(path.suffix.lower(), text.read)
    decoded, found = reader(data, path)
    title = found.title or path.stem or "Untitled"
    return Book(
        source=path,
        title=title,
        slug=slugify(title),
        text=decoded,
        chapters=found.chapters,
        blocks=found.blocks,
        author=found.author,
    )


_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{dev}{n}" for dev in ("com", "lpt") for n in range(10)]
)
_SLUG_MAX = 80


def slugify(title: str) -> str:
    """A file and folder name for `title` that is safe on Windows and POSIX: lowercase letters,
    digits, `_` and `-` (accents dropped from Latin letters, other scripts kept), at most 80 characters, never a
    reserved device name like `con`, never empty (`book`)."""
    plain = "".join(map(_fold, unicodedata.normalize("NFC", title)))
    plain = re.sub(r"(?<=\w)['’](?=\w)", "", plain)  # `daughter's`, not `daughter-s`
    slug = re.sub(r"\W+", "-", plain.lower())  # `\w`: letters and digits of any script, and `_`
    slug = unicodedata.normalize("NFC", slug)[:_SLUG_MAX].strip("-")
    if slug in _WINDOWS_RESERVED:
        slug = f"{slug}-book"
    return slug or "book"


def _fold(char: str) -> str:
    """`é` -> `e`, `ﬁ` -> `fi`, `¹` -> `1`; other scripts keep their marks (`で` is not `て`)."""
    parts = unicodedata.normalize("NFKD", char)
    if parts[:1].isascii():
        return "".join(c for c in parts if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", char)
