"""Plain-text stories: bytes to str (decode.py), then str to chapters and blocks (`structure`).

Two shapes of text come in, and both go through the same passes:
- flattened archive pages: fan fiction saved from a web page as one long line, where chapter headings
  and the archive's furniture (`Summary:`, `Notes:`, `Series this work belongs to:`) sit inline;
- clean novels: blank lines between paragraphs, headings on lines of their own, maybe wrapped in a
  Project Gutenberg header and licence.

The passes, in order (each finds HEADING or NOTE spans; whatever is left between them is NARRATION,
which is what makes the blocks lossless by construction):
1. Gutenberg wrapper, 2. front matter, 3. line headings (headings.py);
4. inline headings, 5. archive furniture (archive.py, note_end.py);
6. tidying (here): three headings in a row are a table of contents (NOTE); short text before the
   first heading is front matter (NOTE, joined to chapter 1); two headings in a row share a chapter.
Nothing here changes the text: every offset indexes the decoded string.
"""

from __future__ import annotations

import re
from pathlib import Path

from narrate.ingest.archive import archive_spans
from narrate.ingest.decode import decode, looks_binary
from narrate.ingest.headings import front_matter, gutenberg, line_headings
from narrate.ingest.reader import Structure
from narrate.ingest.spans import PARAGRAPH_BREAK, Span, split_paragraphs, trim
from narrate.model import Block, Chapter, Kind

__all__ = ["Structure", "decode", "looks_binary", "read", "structure"]


def read(data: bytes, path: Path) -> tuple[str, Structure]:
    """The reader for .txt files (and any file of unknown type): decoded text and its structure."""
    text = decode(data, path)
    return text, structure(text, fallback_title=path.stem or "Untitled")


def structure(text: str, fallback_title: str = "Untitled") -> Structure:
    """Chapters and blocks of `text`. Never fails: text it cannot make sense of is narration.

    `fallback_title` names a book whose text states no title; a single untitled chapter takes it.
    """
    spans, start, end, fields = gutenberg(text)
    paragraphs = split_paragraphs(text, start, end)
    front, used, title, author = front_matter(text, paragraphs, known_title=fields.get("title"))
    spans += front
    paragraphs = paragraphs[used:]
    start = paragraphs[0][0] if paragraphs else end
    headings, markdown_title = line_headings(text, paragraphs)
    spans += headings
    spans += archive_spans(text, start, end, [h for h in headings if h.kind is Kind.HEADING])
    ordered = _demote_front_matter(text, _demote_contents(_fill(text, spans)))
    title = fields.get("title") or title or markdown_title
    chapters, blocks = _number_chapters(ordered, title or fallback_title)
    return Structure(chapters, blocks, title, fields.get("author") or author)


# ── from spans to chapters and blocks ─────────────────────────────────────────────────────────


def _fill(text: str, spans: list[Span]) -> list[Span]:
    """Headings and notes in order, trimmed, overlaps cut; the text between them is NARRATION.
    This is what guarantees every non-whitespace character lies in exactly one span."""
    ordered: list[Span] = []
    pos = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        start, end = trim(text, max(span.start, pos), span.end)
        if start >= end:
            continue
        _add_narration(ordered, text, pos, start)
        ordered.append(span._replace(start=start, end=end))
        pos = end
    _add_narration(ordered, text, pos, len(text))
    return ordered


def _add_narration(ordered: list[Span], text: str, start: int, end: int) -> None:
    start, end = trim(text, start, end)
    if start < end:
        ordered.append(Span(start, end, Kind.NARRATION))


def _demote_contents(spans: list[Span]) -> list[Span]:
    """Three or more headings in a row with nothing between are a table of contents: NOTE. The
    real headings start where an entry repeats the first one, else at the run's last heading
    (the one text follows)."""
    out = list(spans)
    k = 0
    while k < len(out):
        j = k
        while j < len(out) and out[j].kind is Kind.HEADING:
            j += 1
        if j - k >= 3:
            titles = [s.title for s in out[k:j]]
            stop = next((k + n for n in range(1, j - k) if titles[n] == titles[0]), j - 1)
            out[k:stop] = [s._replace(kind=Kind.NOTE, title=None) for s in out[k:stop]]
        k = max(j, k + 1)
    return out


def _demote_front_matter(text: str, spans: list[Span]) -> list[Span]:
    """Text before the first heading with no paragraph of 40 words or more (title page, credits,
    contents, epigraph) is front matter: NOTE, merged into the first chapter."""
    first = next((k for k, s in enumerate(spans) if s.kind is Kind.HEADING), None)
    if first is None:
        return spans
    before = spans[:first]
    for span in before:
        if span.kind is Kind.NARRATION:
            for para in PARAGRAPH_BREAK.split(text[span.start : span.end]):
                if len(para.split()) >= 40:
                    return spans
    return [s._replace(kind=Kind.NOTE) for s in before] + spans[first:]


_FIRST_CHAPTER = re.compile(r"Chapter (?:1|One|I)(?!\w)", re.I)


def _number_chapters(
    spans: list[Span], book_title: str
) -> tuple[tuple[Chapter, ...], tuple[Block, ...]]:
    """Chapters in reading order, one per heading (two headings in a row share one: `Part One —
    Chapter 1`); story before the first heading is an untitled chapter 1."""
    first = next((k for k, s in enumerate(spans) if s.kind is Kind.HEADING), len(spans))
    prelude = first == len(spans) or any(s.kind is Kind.NARRATION for s in spans[:first])
    titles: list[str | None] = [None] if prelude else []
    blocks: list[Block] = []
    run = 0  # headings in a row so far
    for span in spans:
        run = run + 1 if span.kind is Kind.HEADING else 0
        if run == 2:
            titles[-1] = f"{titles[-1]} — {span.title}"
        elif run:
            titles.append(span.title)
        blocks.append(Block(span.kind, max(len(titles), 1), span.start, span.end))
    if not titles:
        titles = [None]
    if titles[0] is None:
        named = [t for t in titles[1:] if t]
        several = len(titles) > 1 and not any(_FIRST_CHAPTER.match(t) for t in named)
        titles[0] = "Chapter 1" if several else book_title
    chapters = tuple(Chapter(n, t or f"Chapter {n}") for n, t in enumerate(titles, 1))
    return chapters, tuple(blocks)
