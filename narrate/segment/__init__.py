"""Split a book into chunks: narration sentences, quotations, headings and notes.

Chunks are the unit of synthesis and captions, so narration is cut one sentence per chunk (long
sentences at clause punctuation) and a quotation is one chunk with its marks (long ones cut at
sentences). Quotations are found in quotes.py, sentences in sentences.py; who speaks each quotation
is decided in attribute.py from the paragraphs, quotes and narration spans found here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from statistics import median

from narrate.model import Book, Break, Chunk, Kind
from narrate.segment.attribute import attribute
from narrate.segment.quotes import (
    DOUBLE,
    SINGLE,
    Paragraph,
    Quote,
    Span,
    find_quotes,
    mentioned,
    uses_single_quotes,
)
from narrate.segment.sentences import MAX_CHUNK, sentences, trim

__all__ = ["FLAT_PARAGRAPH", "MAX_CHUNK", "segment"]

FLAT_PARAGRAPH = 3000
"""A paragraph this long is taken for flattened text (many paragraphs on one line)."""

_SCENE_LINE = re.compile(
    r"(?:\*[ \t]*){3,}|(?:~[ \t]*){3,}|#|-{3,}|(?:_[ \t]*){3,}|(?:=[ \t]*){3,}"
)
_SCENE_INLINE = re.compile(r"(?<!\S)(?:\*[ \t]*){2,}\*(?!\S)|(?<!\S)~{3,}(?!\S)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_NEWLINES = re.compile(r"\n\s*")
_SPOKEN = re.compile(r"[^\W_]")
"""A letter or digit: a chunk without one (`—`, `* * *`) has nothing to say."""
_TERMINAL = re.compile(r"[.!?…‽][)\]\"”’'»*_\s]*$")
"""A piece that ends a sentence, closing marks and all."""


@dataclass(slots=True)
class _Piece:
    """A chunk before its index, speaker and pause are known."""

    start: int
    end: int
    kind: Kind
    chapter: int
    paragraph: int
    quote: int = -1
    """Index into the quotes given to attribute(), for dialogue pieces."""
    scene: bool = False
    brk: Break | None = None
    """A pause decided when the piece was cut (clause or sentence inside one long span)."""


def segment(book: Book, *, speak_notes: bool = False) -> list[Chunk]:
    """The book's chunks in reading order, covering each non-whitespace character of each block."""
    singles = uses_single_quotes(book)
    pieces: list[_Piece] = []
    paragraphs: list[Paragraph] = []
    quotes: list[Quote] = []
    text = book.text
    scene = 0
    for block in book.blocks:
        if paragraphs and paragraphs[-1].chapter != block.chapter:
            scene += 1
        if block.kind is Kind.NARRATION:
            for start, end, is_break in _paragraphs(text, block.start, block.end):
                number = len(paragraphs)
                if is_break:
                    scene += 1
                    pieces.append(
                        _Piece(start, end, Kind.NARRATION, block.chapter, number, scene=True)
                    )
                    paragraphs.append(Paragraph(start, end, block.chapter, scene, False))
                    continue
                flat = end - start > FLAT_PARAGRAPH
                paragraphs.append(Paragraph(start, end, block.chapter, scene, flat))
                _split_paragraph(
                    text, start, end, block.chapter, number, singles, flat, pieces, quotes
                )
        else:
            number = len(paragraphs)
            paragraphs.append(Paragraph(block.start, block.end, block.chapter, scene, False))
            for s, e, brk in _block_spans(text, block.start, block.end, block.kind):
                pieces.append(_Piece(s, e, block.kind, block.chapter, number, brk=brk))
    speakers = attribute(book, paragraphs, quotes, _narration_spans(pieces)) if quotes else []
    return _chunks(text, pieces, speakers, speak_notes)


def _split_paragraph(
    text: str,
    start: int,
    end: int,
    chapter: int,
    paragraph: int,
    singles: bool,
    flat: bool,
    pieces: list[_Piece],
    quotes: list[Quote],
) -> None:
    """Cut a paragraph into narration sentences and quotations, adding them to `pieces` and
    `quotes`."""
    position = start
    for q_start, q_end, closed in find_quotes(text, start, end, singles, flat):
        if closed and mentioned(text, start, q_start, q_end):
            continue  # read with its sentence, in the narrator's voice
        for s, e, brk in sentences(text, position, q_start):
            pieces.append(_Piece(s, e, Kind.NARRATION, chapter, paragraph, brk=brk))
        number = len(quotes)
        quotes.append(Quote(q_start, q_end, paragraph, closed))
        parts = [(q_start, q_end, None)]
        if q_end - q_start > MAX_CHUNK:
            parts = sentences(text, q_start, q_end)
        for s, e, brk in parts:
            pieces.append(_Piece(s, e, Kind.DIALOGUE, chapter, paragraph, quote=number, brk=brk))
        position = q_end
    for s, e, brk in sentences(text, position, end):
        pieces.append(_Piece(s, e, Kind.NARRATION, chapter, paragraph, brk=brk))


def _block_spans(
    text: str, start: int, end: int, kind: Kind
) -> list[tuple[int, int, Break | None]]:
    """A note is cut into sentences like narration (it may be long); a heading is one chunk."""
    if kind is Kind.NOTE:
        return sentences(text, start, end)
    start, end = trim(text, start, end)
    return [(start, end, None)] if start < end else []


def _chunks(
    text: str, pieces: list[_Piece], speakers: list[str | None], speak_notes: bool
) -> list[Chunk]:
    chunks = []
    for index, piece in enumerate(pieces):
        after = pieces[index + 1] if index + 1 < len(pieces) else None
        chunk_text = text[piece.start : piece.end]
        voiced = speak_notes if piece.kind is Kind.NOTE else not piece.scene
        spoken = voiced and _SPOKEN.search(chunk_text) is not None
        chunks.append(
            Chunk(
                chapter=piece.chapter,
                index=index,
                kind=piece.kind,
                speaker=speakers[piece.quote] if piece.quote >= 0 else None,
                start=piece.start,
                end=piece.end,
                text=chunk_text,
                spoken=spoken,
                brk=_break(text, piece, after),
            )
        )
    return chunks


def _break(text: str, piece: _Piece, after: _Piece | None) -> Break:
    """The pause after a piece: the largest boundary between it and the next, else what the text
    says (a lowercase word next continues the sentence, as in `"Go," he said`)."""
    if after is None or after.chapter != piece.chapter:
        return Break.CHAPTER
    if after.scene:
        return Break.SCENE
    if piece.brk is not None:
        return piece.brk
    if after.paragraph != piece.paragraph or piece.scene:
        return Break.PARAGRAPH
    following = text[after.start : after.start + 12].lstrip(DOUBLE + SINGLE + "([*_—–- ")
    if following[:1].islower():
        return Break.CLAUSE
    if _TERMINAL.search(text, max(piece.start, piece.end - 12), piece.end):
        return Break.SENTENCE
    if piece.kind is Kind.DIALOGUE or after.kind is Kind.DIALOGUE:
        return Break.CLAUSE
    return Break.SENTENCE


def _narration_spans(pieces: list[_Piece]) -> list[Span]:
    """Narration pieces in reading order, for the attribution rules (they are its sentences)."""
    return [
        Span(p.start, p.end, p.paragraph)
        for p in pieces
        if p.kind is Kind.NARRATION and not p.scene
    ]


# Paragraphs and scene breaks ----------------------------------------------------------------------


def _paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is_scene_break) for the block's paragraphs, trimmed, in order.

    A block with blank lines and short lines is hard-wrapped (Project Gutenberg style): its single
    newlines are not paragraph breaks.
    """
    block = text[start:end]
    separator = _NEWLINES
    if "\n" in block and _BLANK_LINE.search(block):
        lengths = [len(line) for line in block.split("\n") if line.strip()]
        if lengths and median(lengths) <= 80:
            separator = _BLANK_LINE
    position = start
    for match in separator.finditer(text, start, end):
        yield from _scene_split(text, position, match.start())
        position = match.end()
    yield from _scene_split(text, position, end)


def _scene_split(text: str, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    start, end = trim(text, start, end)
    if start >= end:
        return
    if _SCENE_LINE.fullmatch(text, start, end):
        yield start, end, True
        return
    position = start
    for match in _SCENE_INLINE.finditer(text, start, end):
        before = trim(text, position, match.start())
        if before[0] < before[1]:
            yield before[0], before[1], False
        yield match.start(), match.end(), True
        position = match.end()
    rest = trim(text, position, end)
    if rest[0] < rest[1]:
        yield rest[0], rest[1], False
