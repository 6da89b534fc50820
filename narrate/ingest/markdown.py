"""Markdown stories: `#`/`##` headings as chapters, YAML-style front matter as metadata.

Book.text is the text narrate extracts from the Markdown, not the file: emphasis markers, link
syntax and heading hashes are gone, paragraphs are separated by one blank line, and `***` or `---`
scene breaks read `* * *`. Every Block and Chunk offset indexes that extracted text.

Headings: `#` are chapters, unless there is exactly one `#` and some `##`: then the `#` is the
book's title and the `##` are chapters. Front matter (`title:`, `author:`, `lang:` between `---`
lines at the top) names the book and is kept as a NOTE block at the start of chapter 1.
"""

from __future__ import annotations

import re
from pathlib import Path

from narrate.ingest.decode import decode
from narrate.ingest.html import by_headings, extracted
from narrate.ingest.layout import Draft, Part
from narrate.ingest.markup import paragraphs, soup
from narrate.ingest.reader import Structure
from narrate.model import Kind

_FRONT_MATTER = re.compile(
    r"---[ \t]*\r?\n(?P<body>.*?)(?:\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", re.S
)
_FIELD = re.compile(r"(?P<key>[A-Za-z_][\w-]*)[ \t]*:[ \t]*(?P<value>.*)")
_ITEM = re.compile(r"[ \t]+-[ \t]+(?P<value>.*)")
_MAX_FRONT_MATTER = 10_000


def read(data: bytes, path: Path) -> tuple[str, Structure]:
    """The reader for .md/.markdown files: extracted text and its structure."""
    from markdown_it import MarkdownIt

    source = decode(data, path)
    fields, front, body = front_matter(source)
    html = MarkdownIt("commonmark").render(body)
    found, _ = paragraphs(soup(html))
    drafts, heading_title = by_headings(found)
    if front:
        drafts.insert(0, Draft(None, [Part(Kind.NOTE, front, -1)], matter=True))
    title = fields.get("title") or heading_title
    author = fields.get("author") or fields.get("authors")
    language = fields.get("lang") or fields.get("language")
    return extracted(drafts, path, title, author, language)


def front_matter(source: str) -> tuple[dict[str, str], str, str]:
    """(fields, the front matter's lines as they read, the rest of the file). Fields are lowercased
    keys with plain string values: quotes dropped, lists (`[a, b]` or `- a` lines) joined by `, `."""
    m = _FRONT_MATTER.match(source)
    if not m or m.end() > _MAX_FRONT_MATTER:
        return {}, "", source
    fields: dict[str, str] = {}
    key = None
    lines = m["body"].splitlines()
    for line in lines:
        if key and (item := _ITEM.fullmatch(line)):
            value = _unquote(item["value"])
            fields[key] = f"{fields[key]}, {value}" if fields.get(key) else value
        elif field := _FIELD.fullmatch(line):
            key = field["key"].lower()
            fields[key] = _value(field["value"])
        else:
            key = None
    front = "\n".join(line.strip() for line in lines if line.strip())
    return {k: v for k, v in fields.items() if v}, front, source[m.end() :]


def _value(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith("[") and raw.endswith("]"):
        return ", ".join(_unquote(v) for v in raw[1:-1].split(",") if v.strip())
    return _unquote(raw)


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        raw = raw[1:-1]
    return " ".join(raw.split())
