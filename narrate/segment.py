"""Split a book into chunks: narration sentences, quotations, headings and notes.

Chunks are the unit of synthesis and captions, so narration is cut one sentence per chunk (long
sentences at clause punctuation) and a quotation is one chunk with its marks (long ones cut at
sentences). Who speaks each quotation is decided in attribute.py from the spans found here.

Quote marks are read from their context, not only their glyph, because real text is messy: straight
`"` serves as both opener and closer, curly marks come out backwards, `’` is mostly an apostrophe,
and a missing closer must not swallow the rest of the book. An unclosed quote ends at its
paragraph's end (speeches that run on into the next paragraph), or, in a flattened text where the
"paragraph" is a whole story on one line, at the end of its first sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from statistics import median

from narrate import attribute
from narrate.model import Book, Break, Chunk, Kind


def _words(text: str) -> frozenset[str]:
    """A vocabulary written as one string of words separated by spaces."""
    return frozenset(text.split())


MAX_CHUNK = 400
"""Characters; longer sentences are cut at clause punctuation, longer quotes at sentences."""
FLAT_PARAGRAPH = 3000
"""A paragraph this long is taken for flattened text (many paragraphs on one line)."""

_DOUBLE = '"“”«»'
_SINGLE = "'‘’"
_OPENERS = "“«‘"
_OPEN, _CLOSE, _AMBIG, _WEAK, _NONE = range(5)
# Lowercase words that start with an apostrophe, so a `'` before them opens nothing. Only words that
# cannot begin a quotation: `'is` (his) or `'ere` would swallow `'Is this…'` and `'Ere…`.
_ELISIONS = _words("em tis twas twill twould til cause cos coz bout n nother neath scuse kay")
_LEFT_OPEN = set("([{<—–-‐/*_\"'") | set(_OPENERS)
"""Characters after which a mark opens; a closing `”` is not one (`…some.”’` closes twice)."""
_RIGHT_CLOSE = set(".,;:!?…)]}>—–-‐*_") | set(_DOUBLE) | set(_SINGLE)

_SENTENCE_END = re.compile(r"([.!?…‽]+[)\]\"”’'»*_]*)\s+(?=[\"“‘'(\[«*_]*[A-ZÀ-ÖØ-Þ0-9])")
_ABBREVIATIONS = _words(
    "mr mrs ms dr st jr sr prof gen col capt lt sgt rev hon messrs mme mlle vs "
    "etc no mt fr sen rep gov pres adm maj cpl ave e.g i.e cf"
)
_CLAUSE_PUNCT = re.compile(r"[,;:—–)]\s*|\s[-–—]+\s")
_SCENE_LINE = re.compile(
    r"(?:\*[ \t]*){3,}|(?:~[ \t]*){3,}|#|-{3,}|(?:_[ \t]*){3,}|(?:=[ \t]*){3,}"
)
_SCENE_INLINE = re.compile(r"(?<!\S)(?:\*[ \t]*){2,}\*(?!\S)|(?<!\S)~{3,}(?!\S)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_NEWLINES = re.compile(r"\n\s*")
_SPOKEN = re.compile(r"[^\W_]")
_TERMINAL = re.compile(r"[.!?…‽][)\]\"”’'»*_\s]*$")


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
    singles = _uses_single_quotes(book)
    pieces: list[_Piece] = []
    paragraphs: list[attribute.Paragraph] = []
    quotes: list[attribute.Quote] = []
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
                    paragraphs.append(attribute.Paragraph(start, end, block.chapter, scene, False))
                    continue
                flat = end - start > FLAT_PARAGRAPH
                paragraphs.append(attribute.Paragraph(start, end, block.chapter, scene, flat))
                _split_paragraph(
                    text, start, end, block.chapter, number, singles, flat, pieces, quotes
                )
        else:
            number = len(paragraphs)
            paragraphs.append(
                attribute.Paragraph(block.start, block.end, block.chapter, scene, False)
            )
            spans = (
                _sentences(text, block.start, block.end)
                if block.kind is Kind.NOTE
                else [(s, e, None) for s, e in [_trim(text, block.start, block.end)] if s < e]
            )
            for s, e, brk in spans:
                pieces.append(_Piece(s, e, block.kind, block.chapter, number, brk=brk))
    speakers = (
        attribute.attribute(book, paragraphs, quotes, _narration_spans(pieces)) if quotes else []
    )
    return _chunks(text, pieces, speakers, speak_notes)


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
    if after is None or after.chapter != piece.chapter:
        return Break.CHAPTER
    if after.scene:
        return Break.SCENE
    if piece.brk is not None:
        return piece.brk
    if after.paragraph != piece.paragraph or piece.scene:
        return Break.PARAGRAPH
    following = text[after.start : after.start + 12].lstrip(_DOUBLE + _SINGLE + "([*_—–- ")
    if following[:1].islower():
        return Break.CLAUSE
    if _TERMINAL.search(text, max(piece.start, piece.end - 12), piece.end):
        return Break.SENTENCE
    if piece.kind is Kind.DIALOGUE or after.kind is Kind.DIALOGUE:
        return Break.CLAUSE
    return Break.SENTENCE


def _narration_spans(pieces: list[_Piece]) -> list[attribute.Span]:
    """Narration pieces in reading order, for the attribution rules (they are its sentences)."""
    return [
        attribute.Span(p.start, p.end, p.paragraph)
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
    start, end = _trim(text, start, end)
    if start >= end:
        return
    if _SCENE_LINE.fullmatch(text, start, end):
        yield start, end, True
        return
    position = start
    for match in _SCENE_INLINE.finditer(text, start, end):
        before = _trim(text, position, match.start())
        if before[0] < before[1]:
            yield before[0], before[1], False
        yield match.start(), match.end(), True
        position = match.end()
    rest = _trim(text, position, end)
    if rest[0] < rest[1]:
        yield rest[0], rest[1], False


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# Quotations ---------------------------------------------------------------------------------------


def _uses_single_quotes(book: Book) -> bool:
    """Whether single marks delimit speech (British style) rather than only nest or elide."""
    doubles = singles = 0
    opener = re.compile(r"(?<![^\s(\[—–-])[‘'](?=([^\W\d_]+))")
    for block in book.blocks:
        if block.kind is not Kind.NARRATION:
            continue
        for ch in _DOUBLE:
            doubles += book.text.count(ch, block.start, block.end)
        for match in opener.finditer(book.text, block.start, block.end):
            singles += match.group(1) not in _ELISIONS
    return singles > doubles


def _opens_with_single(text: str, start: int, end: int) -> bool:
    """Whether the paragraph's first opening mark is a single quote (`‘He said, “Go.”’`), which
    makes single quotes its speech marks whatever the rest of the book does."""
    match = _FIRST_OPENER.search(text, start, end)
    if match is None or match.group(1) is None:
        return False
    return match.group(2) not in _ELISIONS


_FIRST_OPENER = re.compile(r"(?:(?<![^\s(\[—–-])([‘'])([^\W\d_]+)|[\"“«])")


def _marks(text: str, start: int, end: int, singles: bool) -> list[tuple[int, bool, int]]:
    """(position, is_double, role) of every quote mark that may open or close a quotation."""
    pattern = _ANY_MARK if singles else _DOUBLE_MARK
    marks = []
    for match in pattern.finditer(text, start, end):
        pos = match.start()
        ch = text[pos]
        prev = text[pos - 1] if pos > start else " "
        nxt = text[pos + 1] if pos + 1 < end else " "
        left = prev.isspace() or prev in _LEFT_OPEN
        right = nxt.isspace() or nxt in _RIGHT_CLOSE
        if ch in _DOUBLE:
            role = _OPEN if left and not right else _CLOSE if right and not left else _AMBIG
            if ch != '"':
                glyph = _OPEN if ch in _OPENERS else _CLOSE
                role = glyph if role in (glyph, _AMBIG) else _AMBIG
            marks.append((pos, True, role))
            continue
        if prev.isalnum() and nxt.isalnum():
            continue  # don't, Kylo’s
        if left and nxt.isalpha():
            word = _WORD.match(text, pos + 1, min(end, pos + 16))
            if ch == "’" or (word and word.group() in _ELISIONS):
                continue  # ’em, 'tis (a capital starts a quotation: 'Tis true,' she said)
            marks.append((pos, False, _OPEN))
        elif right and (not left or prev in "—–-"):
            marks.append((pos, False, _WEAK if prev.isalpha() else _CLOSE))
        elif ch == "‘":
            marks.append((pos, False, _AMBIG))
    return marks


_WORD = re.compile(r"[^\W\d_]+")
_DOUBLE_MARK = re.compile(f"[{_DOUBLE}]")
_ANY_MARK = re.compile(f"[{_DOUBLE}{_SINGLE}]")


def _quotes(
    text: str, start: int, end: int, singles: bool, flat: bool
) -> list[tuple[int, int, bool]]:
    """(start, end, closed) of each quotation in a paragraph, marks included."""
    marks = _marks(text, start, end, singles)
    found: list[tuple[int, int, bool]] = []
    open_at = -1
    open_double = True
    for k, (pos, double, role) in enumerate(marks):
        if open_at < 0:
            if role in (_OPEN, _AMBIG):
                open_at, open_double = pos, double
            continue
        if double != open_double:
            continue  # a nested quote or an apostrophe
        if role in (_CLOSE, _AMBIG) or (role == _WEAK and _weak_closes(marks, k)):
            found.append((open_at, pos + 1, True))
            open_at = -1
        elif role == _OPEN:
            stop = _bound(text, open_at, pos, flat)
            found.append((open_at, stop, False))
            open_at = pos
    if open_at >= 0:
        found.append((open_at, _bound(text, open_at, end, flat), False))
    return found


def _weak_closes(marks: list[tuple[int, bool, int]], k: int) -> bool:
    """A `’` after a letter closes unless a later closer comes before the next opener
    (`‘the Joneses’ house,’` and `‘goin’ home,’` keep going)."""
    for _, double, role in marks[k + 1 :]:
        if double:
            continue
        if role in (_CLOSE, _WEAK):
            return False
        if role in (_OPEN, _AMBIG):
            return True
    return True


def _bound(text: str, open_at: int, limit: int, flat: bool) -> int:
    """Where an unclosed quotation stops: its paragraph's end, or in flattened text the end of its
    first sentence."""
    if flat:
        for match in _SENTENCE_END.finditer(text, open_at + 1, limit):
            if not _abbreviation(text, match.start()):
                return match.end(1)
    return _trim(text, open_at, limit)[1]


def _split_paragraph(
    text: str,
    start: int,
    end: int,
    chapter: int,
    paragraph: int,
    singles: bool,
    flat: bool,
    pieces: list[_Piece],
    quotes: list[attribute.Quote],
) -> None:
    position = start
    singles = singles or _opens_with_single(text, start, end)
    for q_start, q_end, closed in _quotes(text, start, end, singles, flat):
        for s, e, brk in _sentences(text, position, q_start):
            pieces.append(_Piece(s, e, Kind.NARRATION, chapter, paragraph, brk=brk))
        number = len(quotes)
        quotes.append(attribute.Quote(q_start, q_end, paragraph, closed))
        parts = [(q_start, q_end, None)]
        if q_end - q_start > MAX_CHUNK:
            parts = _sentences(text, q_start, q_end)
        for s, e, brk in parts:
            pieces.append(_Piece(s, e, Kind.DIALOGUE, chapter, paragraph, quote=number, brk=brk))
        position = q_end
    for s, e, brk in _sentences(text, position, end):
        pieces.append(_Piece(s, e, Kind.NARRATION, chapter, paragraph, brk=brk))


# Sentences ----------------------------------------------------------------------------------------


def _abbreviation(text: str, dot: int) -> bool:
    """Whether the `.` at `dot` ends an abbreviation (Mr.) or an initial (J.), not a sentence."""
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot]
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int, Break | None]]:
    """Trimmed sentence spans of text[start:end]; a sentence over MAX_CHUNK is cut into clauses.

    The third item is the pause forced after a span (CLAUSE inside a cut sentence, SENTENCE
    inside a cut quotation), or None to decide from context.
    """
    start, end = _trim(text, start, end)
    if start >= end:
        return []
    spans: list[tuple[int, int]] = []
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if _abbreviation(text, match.start()):
            continue
        stop = _trim(text, position, match.end(1))[1]
        if stop > position:
            spans.append((position, stop))
        position = _trim(text, match.end(), end)[0]
    if position < end:
        spans.append((position, end))
    out: list[tuple[int, int, Break | None]] = []
    for k, (s, e) in enumerate(spans):
        last = k == len(spans) - 1
        clauses = _clauses(text, s, e)
        for j, (cs, ce) in enumerate(clauses):
            if j < len(clauses) - 1:
                out.append((cs, ce, Break.CLAUSE))
            else:
                out.append((cs, ce, None if last else Break.SENTENCE))
    return out


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a sentence over MAX_CHUNK at clause punctuation, else at a space, else anywhere."""
    out = []
    while end - start > MAX_CHUNK:
        limit = start + MAX_CHUNK
        cut = -1
        for match in _CLAUSE_PUNCT.finditer(text, start + MAX_CHUNK // 4, limit):
            cut = match.end()
        if cut < 0:
            space = text.rfind(" ", start + 1, limit)
            cut = space if space > start else limit
        piece_end = _trim(text, start, cut)[1]
        out.append((start, piece_end))
        start = _trim(text, cut, end)[0]
    if start < end:
        out.append((start, end))
    return out
