"""Spans of a plain-text story, and the small helpers the plain-text passes share.

Each pass (headings.py, archive.py) finds HEADING or NOTE spans; text.py fills the gaps between them
with NARRATION. Offsets index the decoded text; nothing here changes it.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from narrate.model import Kind

PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r|\n)[^\S\r\n]*(?:\r\n|\r|\n)\s*")
OPENERS = "\"“‘'([«"


class Span(NamedTuple):
    start: int
    end: int
    kind: Kind
    title: str | None = None
    """A HEADING's display title."""
    number: int | None = None
    """A heading's chapter number when written in digits: inline headings must continue it."""


class Within:
    """Whether a position lies inside one of some sorted, non-overlapping spans."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans
        self.starts = [s.start for s in spans]

    def __call__(self, pos: int) -> bool:
        k = bisect.bisect_right(self.starts, pos) - 1
        return k >= 0 and pos < self.spans[k].end


def word_set(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


def has_alnum(s: str) -> bool:
    return any(c.isalnum() for c in s)


def split_paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Blank-line separated paragraphs in [start, end), trimmed of whitespace."""
    found: list[tuple[int, int]] = []
    pos = start
    for m in PARAGRAPH_BREAK.finditer(text, start, end):
        add_trimmed(found, text, pos, m.start())
        pos = m.end()
    add_trimmed(found, text, pos, end)
    return found


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def add_trimmed(found: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    start, end = trim(text, start, end)
    if start < end:
        found.append((start, end))
