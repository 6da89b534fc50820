"""Where the quotations are in a paragraph, and the records attribution reads about them.

Quote marks are read from their context, not only their glyph, because real text is messy: straight
`"` serves as both opener and closer, curly marks come out backwards, `’` is mostly an apostrophe,
and a missing closer must not swallow the rest of the book. An unclosed quote ends at its
paragraph's end (speeches that run on into the next paragraph), or, in a flattened text where the
"paragraph" is a whole story on one line, at the end of its first sentence.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from narrate.model import Book, Kind
from narrate.segment.lexicon import SPEECH_VERBS, words
from narrate.segment.sentences import first_sentence_end, trim


class Paragraph(NamedTuple):
    start: int
    end: int
    chapter: int
    scene: int
    """Counts scene breaks and chapters: turn-taking never looks across one."""
    flat: bool
    """Too long to be one paragraph: flattened text, where paragraph bounds tell nothing."""


class Quote(NamedTuple):
    start: int
    end: int
    paragraph: int
    """Index into the paragraphs list."""
    closed: bool
    """Ended by a closing mark; False when the paragraph's end (or a sentence bound) ended it."""


class Span(NamedTuple):
    """A narration piece (about one sentence) between or around quotations."""

    start: int
    end: int
    paragraph: int


DOUBLE = '"“”«»'
SINGLE = "'‘’"
_OPENERS = "“«‘"
_OPEN, _CLOSE, _AMBIG, _WEAK = range(4)
"""A mark's role: opens, closes, either (straight `"`), or closes only if nothing later does."""
# Lowercase words that start with an apostrophe, so a `'` before them opens nothing. Only words that
# cannot begin a quotation: `'is` (his) or `'ere` would swallow `'Is this…'` and `'Ere…`.
_ELISIONS = words("em tis twas twill twould til cause cos coz bout n nother neath scuse kay")
_LEFT_OPEN = set("([{<—–-‐/*_\"'") | set(_OPENERS)
"""Characters after which a mark opens; a closing `”` is not one (`…some.”’` closes twice)."""
_RIGHT_CLOSE = set(".,;:!?…)]}>—–-‐*_") | set(DOUBLE) | set(SINGLE)
_SINGLE_OPENER = re.compile(r"(?<![^\s(\[—–-])[‘']([^\W\d_]+)")
"""A single mark at a word's start; group 1 is the word (an elision's mark opens nothing)."""
_FIRST_OPENER = re.compile(r"(?:(?<![^\s(\[—–-])([‘'])([^\W\d_]+)|[\"“«])")
_WORD = re.compile(r"[^\W\d_]+")
_DOUBLE_MARK = re.compile(f"[{DOUBLE}]")
_ANY_MARK = re.compile(f"[{DOUBLE}{SINGLE}]")


def uses_single_quotes(book: Book) -> bool:
    """Whether single marks delimit speech (British style) rather than only nest or elide."""
    doubles = singles = 0
    for block in book.blocks:
        if block.kind is not Kind.NARRATION:
            continue
        for ch in DOUBLE:
            doubles += book.text.count(ch, block.start, block.end)
        for match in _SINGLE_OPENER.finditer(book.text, block.start, block.end):
            singles += match.group(1) not in _ELISIONS
    return singles > doubles


def find_quotes(
    text: str, start: int, end: int, singles: bool, flat: bool
) -> list[tuple[int, int, bool]]:
    """(start, end, closed) of each quotation in a paragraph, marks included. `singles`: the book
    uses single marks for speech; `flat`: the paragraph is flattened text."""
    singles = singles or _opens_with_single(text, start, end)
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


MENTION_WORDS = 4
"""A quotation this short in the middle of a sentence is a title or a word in scare quotes."""
_LAST_WORD = re.compile(r"([^\W\d_]+)\W*$")


def mentioned(text: str, paragraph_start: int, start: int, end: int) -> bool:
    """Whether a quotation names words rather than speaks them: a title or scare quotes inside a
    sentence (`the "jimpson" weeds`, `headed “To the Red-headed League,” and`, `"Red" and
    "Blue"`). It follows a word that is not a speech verb (speech follows a stop, a comma, a colon
    or a dash, or `cried`), is a few words long, neither asks nor exclaims, and does not end the
    sentence with its own full stop."""
    before = text[max(paragraph_start, start - 40) : start].rstrip()
    if not before or not before[-1].isalnum():
        return False
    last = _LAST_WORD.search(before)
    if last is None or last.group(1).lower() in SPEECH_VERBS:
        return False
    inner = text[start + 1 : end - 1].rstrip()
    if not inner or inner[-1] in "!?" or len(inner.split()) > MENTION_WORDS:
        return False
    # `followed it up with "Humbug."` ends its sentence: a word said, not a word named
    after = text[end : end + 3].lstrip(" \t\n")
    return inner[-1] not in ".…" or after[:1].islower()


def _opens_with_single(text: str, start: int, end: int) -> bool:
    """Whether the paragraph's first opening mark is a single quote (`‘He said, “Go.”’`), which
    makes single quotes its speech marks whatever the rest of the book does."""
    match = _FIRST_OPENER.search(text, start, end)
    if match is None or match.group(1) is None:
        return False
    return match.group(2) not in _ELISIONS


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
        if ch in DOUBLE:
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
        stop = first_sentence_end(text, open_at + 1, limit)
        if stop is not None:
            return stop
    return trim(text, open_at, limit)[1]
