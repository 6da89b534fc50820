"""What every format's reader returns, and the shape of a reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from narrate.model import Block, Chapter


@dataclass(frozen=True)
class Structure:
    """What a reader found in a story's text; read_book() makes it a Book."""

    chapters: tuple[Chapter, ...]
    blocks: tuple[Block, ...]
    """Non-overlapping, ascending, together covering every non-whitespace character once."""
    title: str | None = None
    """The book's title, when the text or the format's metadata states one."""
    author: str | None = None
    language: str | None = None
    """A language tag (`en`, `en-GB`) from the format's metadata."""
    cover: bytes | None = None
    """Image bytes from the format's metadata."""


Reader = Callable[[bytes, Path], tuple[str, Structure]]
"""A file's bytes and path (for messages) in; the text that Block offsets index, and its Structure,
out. Plain text returns the decoded file; EPUB, HTML and Markdown return text they extracted."""
