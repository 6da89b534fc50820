"""Archive-site furniture in flattened text: `Chapter N` headings inline, and the NOTE spans of
`Summary:`, `Notes:`, `A/N:`, `(See the end of the chapter for more notes.)`, `Chapter Text` and
`Series this work belongs to:`.

Markers count only at sentence boundaries. A chapter's opening notes end at `(See the end of the
chapter for more notes.)` or `Chapter Text`, else by note_end()'s heuristic; end notes and series
furniture run to the next heading or the end of the text.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from narrate.ingest.note_end import note_end
from narrate.ingest.spans import OPENERS, Span, Within, trim, word_set
from narrate.model import Kind

MARKER = re.compile(
    r"(?P<summary>Summary:)"
    r"|(?P<notes>(?:Chapter |End )?Notes:|NOTES:)"
    r"|(?P<aside>A/N:|Author(?:'|’)?s Notes?:)"
    r"|(?P<see_end>\(\s*See the end of the (?:chapter|work) for\s+(?:more\s+)?"
    r"(?:notes|other works inspired by this one)\s*\.?\s*\))"
    r"|(?P<text>Chapter Text(?!\w)|Work Text:)"
    r"|(?P<furniture>Series this work belongs to:|Works inspired by this one:)"
)
_INLINE_CHAPTER = re.compile(r"(?:Chapter|CHAPTER)[ \t]+(?P<num>\d{1,4})(?!\w)(?P<colon>[ \t]*:)?")
# Characters a sentence can end with; a marker after one of them (and a space) starts a sentence.
_ENDERS = frozenset(".!?\"”’')]}…*~-–—_")
_FLATTENED = 2000
"""A line this long is a flattened page, where inline headings may come without furniture."""
_SUMMARY_REACH = 1500
"""A summary's `Notes:` may follow it this far without a sentence boundary (summaries often end
without punctuation)."""
_RUN_TO_END = 4000
"""End notes and series furniture run to the next heading or the end of the text when that is
at most this far; further than that, a heading was missed and the note ends by the heuristic."""
_SERIES_END = re.compile(r"series(?!\w)", re.I)


class _Marker(NamedTuple):
    start: int
    end: int
    kind: str
    """summary, notes, aside (A/N), see_end, text (`Chapter Text`), furniture (series)"""


def _at_boundary(text: str, pos: int, floor: int, ends: frozenset[int] = frozenset()) -> bool:
    """Whether `pos` starts a line, a sentence, or follows one of `ends` (heading ends)."""
    i = pos - 1
    if i < floor:
        return True
    if not text[i].isspace():
        return False
    while i >= floor and text[i].isspace():
        if text[i] in "\r\n":
            return True
        i -= 1
    return i < floor or text[i] in _ENDERS or i + 1 in ends


def archive_spans(text: str, start: int, end: int, headings: list[Span]) -> list[Span]:
    """Inline chapter headings, and NOTE spans for archive furniture, in [start, end)."""
    in_line_heading = Within(headings)
    candidates = [
        _Marker(m.start(), m.end(), m.lastgroup or "")
        for m in MARKER.finditer(text, start, end)
        if not in_line_heading(m.start())
    ]
    inline = _inline_headings(text, start, end, headings, candidates)
    all_headings = sorted(headings + inline)
    markers = _accepted(text, start, candidates, all_headings)
    notes: list[Span] = []
    bounds = [start, *(x for h in all_headings for x in (h.start, h.end)), end]
    starts = [m.start for m in markers]
    for seg_start, seg_end in zip(bounds[::2], bounds[1::2], strict=True):
        lo, hi = bisect.bisect_left(starts, seg_start), bisect.bisect_left(starts, seg_end)
        notes += _segment_notes(text, seg_start, seg_end, markers[lo:hi])
    return inline + notes


def _inline_headings(
    text: str, start: int, end: int, headings: list[Span], candidates: list[_Marker]
) -> list[Span]:
    """`Chapter N` headings inside running text. Strong evidence: archive furniture (`Summary:`,
    `Notes:`, `Chapter Text`) follows within a title's length. Weak evidence, accepted only on a
    flattened line: N continues the numbering and a capitalised word or quote follows."""
    found: list[Span] = []
    in_line_heading = Within(headings)
    marker_starts = [c.start for c in candidates]
    last_number: int | None = None
    passed = 0  # line headings before the current match, for the numbering
    for m in _INLINE_CHAPTER.finditer(text, start, end):
        while passed < len(headings) and headings[passed].start < m.start():
            last_number = headings[passed].number or last_number
            passed += 1
        if in_line_heading(m.start()) or not _at_boundary(text, m.start(), start):
            continue
        number = int(m["num"])
        title_end = _strong_title_end(text, m, candidates, marker_starts)
        if title_end is None:
            # only whether the line is long matters: look no further than that
            lo, hi = max(start, m.start() - _FLATTENED), min(end, m.end() + _FLATTENED)
            line_start = max(text.rfind("\n", lo, m.start()), text.rfind("\r", lo, m.start()), lo)
            line_end = min(_find(text, "\n", m.end(), hi), _find(text, "\r", m.end(), hi))
            flattened = line_end - line_start >= _FLATTENED
            expected = {last_number + 1} if last_number is not None else {1, 2}
            if not flattened or number not in expected:
                continue
            if m["colon"]:
                title_end = _title_run(text, m.end(), line_end)
                if title_end is None:
                    continue
            else:
                following = text[m.end() : line_end].lstrip()[:1]
                if following and not (following.isupper() or following in OPENERS):
                    continue
                title_end = m.end()
        title = text[m.end() : title_end].strip()
        shown = f"Chapter {m['num']}: {title}" if title else f"Chapter {m['num']}"
        found.append(Span(m.start(), title_end if title else m.end(), Kind.HEADING, shown, number))
        last_number = number
    return found


def _find(text: str, char: str, start: int, end: int) -> int:
    pos = text.find(char, start, end)
    return end if pos < 0 else pos


def _strong_title_end(
    text: str, m: re.Match[str], candidates: list[_Marker], marker_starts: list[int]
) -> int | None:
    """Where the title of inline heading `m` ends when archive furniture follows it closely
    (`Chapter 2 Summary:`, `Chapter 2: The Storm Notes:`); None when none does."""
    k = bisect.bisect_left(marker_starts, m.end())
    if k == len(candidates) or candidates[k].kind not in ("summary", "notes", "aside", "text"):
        return None
    between = text[m.end() : candidates[k].start]
    words = between.strip()
    if len(between) > 150 or "\n" in between or re.search(r"[.!?]\s", words):
        return None
    if words and not (m["colon"] or words[0].isupper()):
        return None
    return trim(text, m.end(), candidates[k].start)[1] if words else m.end()


_SMALL_WORDS = word_set("a an the of and or in on at to for by with from is as")


def _title_run(text: str, pos: int, stop: int) -> int | None:
    """End of a title written after `Chapter N:` in flattened text, where the story follows on the
    same line: the run of capitalised words (small words allowed inside), less its last word when
    a lowercase word follows (`The Long Night It was dark`: `It` starts the story)."""
    run: list[re.Match[str]] = []
    for w in re.finditer(r"\S+", text[pos : min(stop, pos + 200)]):
        word = w[0]
        if word[0] in OPENERS or len(run) == 12:
            break
        if word[0].isupper() or word[0].isdigit() or (run and word.lower() in _SMALL_WORDS):
            run.append(w)
            continue
        if len(run) > 1:
            run.pop()
        break
    while run and run[-1][0].lower() in _SMALL_WORDS:
        run.pop()
    return pos + run[-1].end() if run else None


def _accepted(
    text: str, start: int, candidates: list[_Marker], headings: list[Span]
) -> list[_Marker]:
    """Markers that really are furniture. Archive-specific phrases always are; `Summary:`,
    `Notes:` and `A/N:` must start a sentence or line, follow a heading, or (`Notes:`) follow a
    summary closely in the same chapter."""
    in_heading = Within(headings)
    heading_starts = [h.start for h in headings]
    ends = frozenset(h.end for h in headings)
    accepted: list[_Marker] = []
    summary_at: int | None = None
    for c in candidates:
        if in_heading(c.start):
            continue
        ok = c.kind in ("see_end", "text", "furniture") or _at_boundary(text, c.start, start, ends)
        if not ok and c.kind == "notes" and summary_at is not None:
            same_chapter = bisect.bisect(heading_starts, summary_at) == bisect.bisect(
                heading_starts, c.start
            )
            ok = same_chapter and c.start - summary_at <= _SUMMARY_REACH
        if ok:
            accepted.append(c)
            if c.kind == "summary":
                summary_at = c.start
    return accepted


def _segment_notes(text: str, start: int, end: int, markers: list[_Marker]) -> list[Span]:
    """NOTE spans in the text between two headings (a chapter's body), from its markers.

    At the chapter's start, furniture runs to `(See the end of the chapter for more notes.)` or
    `Chapter Text` when the chapter has one; without one, each note ends by note_end(). Later,
    `Notes:` (end notes) and series furniture run to the next marker or the chapter's end.
    """
    notes: list[Span] = []
    i = 0
    opening = markers and markers[0].kind in ("summary", "notes", "aside", "see_end")
    if opening and not text[start : markers[0].start].strip():
        i = _opening_notes(text, end, markers, notes)
    for k in range(i, len(markers)):
        m = markers[k]
        if notes and m.start < notes[-1].end:
            continue
        limit = markers[k + 1].start if k + 1 < len(markers) else end
        if m.kind in ("see_end", "text"):
            notes.append(Span(m.start, m.end, Kind.NOTE))
        elif m.kind == "furniture":
            stop = end
            if end - m.start > _RUN_TO_END:
                series = _SERIES_END.search(text, m.end, m.end + 300)
                stop = series.end() if series else m.end
            notes.append(Span(m.start, stop, Kind.NOTE))
        elif m.kind == "aside" or limit - m.start > _RUN_TO_END:
            notes.append(Span(m.start, note_end(text, m.end, limit), Kind.NOTE))
        else:
            notes.append(Span(m.start, limit, Kind.NOTE))
    return notes


def _opening_notes(text: str, end: int, markers: list[_Marker], notes: list[Span]) -> int:
    """Append the notes that open a chapter; return the index of the first marker after them."""
    closer = next((k for k, m in enumerate(markers) if m.kind in ("see_end", "text")), None)
    if closer is not None:
        for k in range(closer):
            notes.append(Span(markers[k].start, markers[k + 1].start, Kind.NOTE))
        notes.append(Span(markers[closer].start, markers[closer].end, Kind.NOTE))
        return closer + 1
    k = 0
    while k < len(markers) and markers[k].kind in ("summary", "notes", "aside"):
        m = markers[k]
        nxt = markers[k + 1] if k + 1 < len(markers) else None
        limit = nxt.start if nxt else end
        if m.kind == "summary" and nxt and nxt.kind in ("notes", "aside"):
            stop = limit if limit - m.start <= _SUMMARY_REACH else note_end(text, m.end, limit)
        else:
            stop = note_end(text, m.end, limit)
        notes.append(Span(m.start, stop, Kind.NOTE))
        k += 1
        if stop < limit or nxt is None or nxt.kind not in ("summary", "notes", "aside"):
            break
    return k
