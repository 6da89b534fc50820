"""Extracted paragraphs to a Book's text, chapters and blocks, for the formats whose text narrate
extracts itself (EPUB, HTML, Markdown).

The text is the paragraphs joined by one blank line, so every block offset indexes it and every
non-whitespace character lies in exactly one block by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from narrate.model import Block, Chapter, Kind


class Part(NamedTuple):
    """One paragraph of extracted text."""

    kind: Kind
    text: str
    """Non-empty, trimmed; may hold single newlines (`<br>`), never a blank line."""
    group: int = 0
    """Neighbouring parts of one kind and group form one block (a note's paragraphs)."""


@dataclass
class Draft:
    """A chapter as a reader found it, before empty and note-only chapters are folded away."""

    title: str | None
    """From a table of contents; None takes the first HEADING part's text."""
    parts: list[Part] = field(default_factory=list)
    matter: bool = False
    """Front or back matter (title page, copyright, author's note): never a chapter of its own,
    and its title is not shown."""


def lay_out(
    drafts: list[Draft], book_title: str
) -> tuple[str, tuple[Chapter, ...], tuple[Block, ...]]:
    """The text, chapters and blocks of `drafts`. A draft without narration (a `Part One` page, a
    title page, notes) joins the next chapter, or the last one when none follows; a part
    page's title joins the chapter's title (`Part One — Chapter 1`), as two headings in a row do
    in plain text."""
    chapters = _fold(drafts)
    pieces: list[str] = []
    blocks: list[Block] = []
    titles: list[str] = []
    pos = 0
    for number, draft in enumerate(chapters, 1):
        previous: Part | None = None
        for part in draft.parts:
            if pieces:
                pieces.append("\n\n")
                pos += 2
            start, pos = pos, pos + len(part.text)
            pieces.append(part.text)
            if previous is not None and (previous.kind, previous.group) == (part.kind, part.group):
                blocks[-1] = Block(part.kind, number, blocks[-1].start, pos)
            else:
                blocks.append(Block(part.kind, number, start, pos))
            previous = part
        titles.append(draft.title or _first_heading(draft) or "")
    if len(titles) == 1 and not titles[0]:
        titles = [book_title]
    shown = tuple(Chapter(n, t or f"Chapter {n}") for n, t in enumerate(titles, 1))
    return "".join(pieces), shown, tuple(blocks)


def _fold(drafts: list[Draft]) -> list[Draft]:
    chapters: list[Draft] = []
    waiting: list[Draft] = []
    for draft in drafts:
        if not any(p.kind is Kind.NARRATION for p in draft.parts):
            waiting.append(draft)
            continue
        parts = [p for d in waiting for p in d.parts] + draft.parts
        titles = [_title(d) for d in waiting if _is_part_page(d)] + [_title(draft)]
        title = " — ".join(t for t in titles if t) or None
        chapters.append(Draft(title, parts))
        waiting = []
    if waiting:
        rest = [p for d in waiting for p in d.parts]
        if chapters:
            chapters[-1].parts.extend(rest)
        else:
            story = [d for d in waiting if not d.matter]
            chapters.append(Draft(story[0].title if story else None, rest))
    return chapters


def _is_part_page(draft: Draft) -> bool:
    """A `Part One` page (headings only) or a table-of-contents entry with nothing of its own: its
    title belongs in the next chapter's. Notes and matter never name a chapter."""
    return not draft.matter and all(p.kind is Kind.HEADING for p in draft.parts)


def _title(draft: Draft) -> str | None:
    return draft.title or _first_heading(draft)


def _first_heading(draft: Draft) -> str | None:
    heading = next((p.text for p in draft.parts if p.kind is Kind.HEADING), None)
    return " ".join(heading.split()) if heading else None
