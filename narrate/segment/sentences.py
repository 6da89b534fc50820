"""Sentence and clause bounds: where narration and long quotations are cut into chunks.

A sentence ends at terminal punctuation (closing marks included) before a capital or a digit,
except after an abbreviation (`Mr.`) or an initial (`J.`). A sentence longer than MAX_CHUNK is cut
at clause punctuation, so no chunk is too long to synthesize in one go.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from narrate.ingest.spans import trim
from narrate.model import Break
from narrate.segment.lexicon import words

MAX_CHUNK = 400
"""Characters; longer sentences are cut at clause punctuation, longer quotes at sentences."""

_SENTENCE_END = re.compile(r"([.!?…‽]+[)\]\"”’'»*_]*)\s+(?=[\"“‘'(\[«*_]*[A-ZÀ-ÖØ-Þ0-9])")
"""Group 1 is the sentence's last punctuation; the match runs on over the space after it."""
_ABBREVIATIONS = words(
    "mr mrs ms dr st jr sr prof gen col capt lt sgt rev hon messrs mme mlle vs "
    "etc no mt fr sen rep gov pres adm maj cpl ave e.g i.e cf"
)
_CLAUSE_PUNCT = re.compile(r"[,;:—–)]\s*|\s[-–—]+\s")


def first_sentence_end(text: str, start: int, end: int) -> int | None:
    """Where the first sentence in text[start:end] ends (after its punctuation), if one does."""
    for match in _sentence_ends(text, start, end):
        return match.end(1)
    return None


def sentences(text: str, start: int, end: int) -> list[tuple[int, int, Break | None]]:
    """Trimmed sentence spans of text[start:end]; a sentence over MAX_CHUNK is cut into clauses.

    The third item is the pause forced after a span (CLAUSE inside a cut sentence, SENTENCE
    inside a cut quotation), or None to decide from context.
    """
    start, end = trim(text, start, end)
    if start >= end:
        return []
    spans: list[tuple[int, int]] = []
    position = start
    for match in _sentence_ends(text, start, end):
        stop = trim(text, position, match.end(1))[1]
        if stop > position:
            spans.append((position, stop))
        position = trim(text, match.end(), end)[0]
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


def _sentence_ends(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    for match in _SENTENCE_END.finditer(text, start, end):
        if not _abbreviation(text, match.start()):
            yield match


def _abbreviation(text: str, dot: int) -> bool:
    """Whether the `.` at `dot` ends an abbreviation (Mr.) or an initial (J.), not a sentence."""
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot]
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


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
        piece_end = trim(text, start, cut)[1]
        out.append((start, piece_end))
        start = trim(text, cut, end)[0]
    if start < end:
        out.append((start, end))
    return out
