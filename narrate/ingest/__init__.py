"""Story files in, Books out: find the files a user means, then read each with its format's reader.

A reader takes a file's bytes (and its path, for messages) and returns the text that offsets index
and its Structure; read_book() adds what every format shares: the title's fallback and the slug.
Plain text is read as it is; EPUB, HTML and Markdown readers return the text they extracted.
Formats plug in through READERS; the content decides when the extension cannot (an HTML page
saved as .txt, an EPUB named .zip).
"""

from __future__ import annotations

import importlib
import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from narrate.errors import InputError
from narrate.ingest import text
from narrate.ingest.decode import looks_binary, not_text
from narrate.ingest.reader import Reader, Structure
from narrate.model import Book

__all__ = [
    "READERS",
    "Reader",
    "Structure",
    "find_stories",
    "read_book",
    "reader_for",
    "safe_file_name",
    "slugify",
]


def _lazy(module: str) -> Reader:
    """A reader whose module (and its parser library) is imported only when a file needs it, so
    `narrate --help` does not pay for BeautifulSoup."""

    def read(data: bytes, path: Path) -> tuple[str, Structure]:
        return importlib.import_module(f"narrate.ingest.{module}").read(data, path)

    read.__qualname__ = read.__name__ = f"{module}.read"
    return read


_markdown, _html, _epub = _lazy("markdown"), _lazy("html"), _lazy("epub")
READERS: dict[str, Reader] = {
    ".txt": text.read,
    ".text": text.read,
    ".md": _markdown,
    ".markdown": _markdown,
    ".html": _html,
    ".htm": _html,
    ".xhtml": _html,
    ".epub": _epub,
}
"""Story readers by lowercase file extension. A file named explicitly with an extension not listed
here is read as plain text (people keep stories in `story` or `.log` files) unless it is binary."""

_SNIFF_BYTES = 64 * 1024
_ZIP = b"PK\x03\x04"
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body)[\s>]", re.I)
_NOT_STORIES = frozenset(
    ["readme", "license", "licence", "copying", "changelog", "changes", "contributing", "authors"]
)
"""File names (without extension) that a folder of stories holds beside them, never a story."""


def reader_for(path: Path, data: bytes) -> Reader:
    """The reader for a file: a zip is an EPUB whatever its name, an HTML page is HTML unless it is
    named .md; otherwise the extension decides, and plain text is the default."""
    suffix = path.suffix.lower()
    if data.startswith(_ZIP):
        return READERS[".epub"]
    if suffix not in (".md", ".markdown") and _looks_like_html(data):
        return READERS[".html"]
    return READERS.get(suffix, text.read)


def _looks_like_html(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and _HTML.search(head) is not None


def find_stories(paths: Iterable[Path]) -> list[Path]:
    """The story files that `paths` name: files as given, folders expanded recursively (sorted,
    hidden files and folders skipped) to files with a known extension. Each file appears once."""
    found: list[Path] = []
    seen: set[Path] = set()
    for path in map(Path, paths):
        kind = _kind(path)
        if kind == "folder":
            files = _stories_in(path)
            if not files:
                known = ", ".join(sorted(READERS))
                raise InputError(
                    f"{path}: no story files ({known}) in this folder; "
                    "add one or name a story file directly"
                )
        elif kind == "file":
            head = _head(path)
            known = path.suffix.lower() in READERS or head.startswith(_ZIP)  # a zip: an EPUB?
            if not known and looks_binary(head):
                raise not_text(path)
            files = [path]
        elif kind == "other":
            raise InputError(f"{path}: not a regular file or folder; name a story file")
        else:
            raise InputError(f"{path}: no such file or folder; check the path")
        for file in files:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                found.append(file)
    return found


def _kind(path: Path) -> str:
    """ "folder", "file", "other" or "missing"; a path the system refuses (too long, say) is the
    user's to fix, so it is an InputError rather than a traceback."""
    try:
        if path.is_dir():
            return "folder"
        if path.is_file():
            return "file"
        return "other" if path.exists() else "missing"
    except OSError as err:
        raise InputError(f"{path}: {err.strerror}; check the path") from None


def _stories_in(folder: Path) -> list[Path]:
    stories: list[Path] = []
    for root, dirs, files in os.walk(folder):
        # prune: never walk into .git, nor a saved page's `Story_files/` (its scripts and frames)
        dirs[:] = [d for d in dirs if not d.startswith(".") and not d.endswith("_files")]
        stories += (
            Path(root, name)
            for name in files
            if not name.startswith(".")
            and Path(name).suffix.lower() in READERS
            and Path(name).stem.lower() not in _NOT_STORIES
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
    """Read one story file into a Book: its text, chapters, blocks, title, author, language and
    cover (the last three when the format has them)."""
    path = Path(path)
    if _kind(path) == "folder":
        raise InputError(f"{path}: is a folder, not a story file; name a file inside it")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except OSError as err:
        raise InputError(
            f"{path}: cannot be read ({err.strerror}); check its permissions"
        ) from None
    decoded, found = reader_for(path, data)(data, path)
    title = found.title or path.stem or "Untitled"
    return Book(
        source=path,
        title=title,
        slug=slugify(title),
        text=decoded,
        chapters=found.chapters,
        blocks=found.blocks,
        author=found.author,
        language=found.language,
        cover=found.cover,
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


_ILLEGAL_IN_NAMES = re.compile(r'[<>:"/\\|?*]')
_NAME_MAX = 80
_NAME_MAX_BYTES = 200
"""Most file systems allow 255 bytes; this leaves room for a `NN - ` prefix and an extension."""


def safe_file_name(title: str, fallback: str = "Untitled") -> str:
    """`title` as a file name that is legal on Windows and POSIX, for people to read: case, spaces and
    accents kept; `/ \\ : * ? " < > |` and control characters become spaces, runs of whitespace one
    space; no leading dots (hidden files, `..`) and no trailing dots or spaces (Windows drops them);
    at most 80 characters and 200 UTF-8 bytes; a reserved device name (`CON`, `com1.txt`) gets a `_`.
    `fallback` when nothing is left (`...`, `???`)."""
    name = unicodedata.normalize("NFC", title)
    name = "".join(" " if unicodedata.category(c) == "Cc" else c for c in name)
    name = " ".join(_ILLEGAL_IN_NAMES.sub(" ", name).split()).lstrip(". ")
    name = name[:_NAME_MAX]
    while len(name.encode("utf-8")) > _NAME_MAX_BYTES:
        name = name[:-1]
    name = name.rstrip(". ")
    stem, dot, rest = name.partition(".")
    if stem.rstrip(" ").lower() in _WINDOWS_RESERVED:  # `CON` and `CON.txt` alike
        name = f"{stem.rstrip(' ')}_{dot}{rest}"
    if name:
        return name
    return safe_file_name(fallback) if fallback != "Untitled" else fallback
