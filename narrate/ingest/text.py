"""Plain-text stories: bytes to str (`decode`), then str to chapters and blocks (`structure`).

Two shapes of text come in, and both go through the same passes:
- flattened archive pages: fan fiction saved from a web page as one long line, where chapter headings
  and the archive's furniture (`Summary:`, `Notes:`, `Series this work belongs to:`) sit inline;
- clean novels: blank lines between paragraphs, headings on lines of their own, maybe wrapped in a
  Project Gutenberg header and licence.

The passes, in order (each finds HEADING or NOTE spans; whatever is left between them is NARRATION,
which is what makes the blocks lossless by construction):
1. Gutenberg: header up to `*** START OF …` and licence from `*** END OF …` are NOTE; Title/Author.
2. Front matter: leading `Title: …` field blocks, a short title line, a `by X` line are NOTE.
3. Line headings: a paragraph that is one heading line (`CHAPTER IV.`, `Chapter 2: The Storm`,
   `## Title`, `PROLOGUE`, `XII`), maybe with its title on the next line or in the next short
   title-cased paragraph. Prose never is one: `Chapter 3 was the best` fails (lowercase after the
   number), and a heading word inside a paragraph is never looked at.
4. Inline headings: `Chapter N` at a sentence boundary, if archive furniture follows within a
   title's length, or, on a flattened line, if N continues the numbering and a capital follows.
5. Furniture: markers at sentence boundaries. A chapter's opening notes end at
   `(See the end of the chapter for more notes.)` or `Chapter Text`, else by _note_end()'s
   heuristic; end notes and series furniture run to the next heading or the end of the text.
6. Tidying: three headings in a row are a table of contents (NOTE); short text before the first
   heading is front matter (NOTE, joined to chapter 1); two headings in a row share a chapter.
Nothing here changes the text: every offset indexes the decoded string.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from narrate.errors import InputError
from narrate.model import Block, Chapter, Kind

# ── decoding ──────────────────────────────────────────────────────────────────────────────────

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose mark is a prefix of this one
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control characters that text never holds (tab, newlines, form feed and escape it may).
_CONTROLS = "".join(map(chr, [*range(0, 9), *range(14, 27), *range(28, 32), 127]))
_CONTROL_BYTES = _CONTROLS.encode("latin-1")
_WITHOUT_CONTROLS = str.maketrans("", "", _CONTROLS)
_MAX_CONTROL_SHARE = 0.05


def _bom(data: bytes) -> tuple[bytes, str | None]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return bom, encoding
    return b"", None


def looks_binary(data: bytes) -> bool:
    """Whether `data` (a file or its first bytes) is not text: NUL bytes without a UTF-16/32
    byte-order mark, or more than a few percent control characters."""
    bom, encoding = _bom(data)
    if encoding in (None, "utf-8"):
        if b"\x00" in data:
            return True
        controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
        return controls > _MAX_CONTROL_SHARE * max(len(data), 1)
    sample = data[len(bom) :].decode(encoding, errors="replace")
    controls = len(sample) - len(sample.translate(_WITHOUT_CONTROLS))
    return controls > _MAX_CONTROL_SHARE * max(len(sample), 1)


def decode(data: bytes, path: Path) -> str:
    """The text of a story file, exactly as written: newlines and everything else untouched, only a
    byte-order mark dropped. UTF-8, UTF-16/32 with a mark, else Windows-1252, else Latin-1."""
    if looks_binary(data):
        raise InputError(f"{path}: looks like a binary file, not text; give narrate a .txt story")
    bom, encoding = _bom(data)
    body = data[len(bom) :]
    if encoding in (None, "utf-8"):
        text = _decode_unmarked(body)
    else:
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            name = encoding.upper().removesuffix("-LE").removesuffix("-BE")
            raise InputError(
                f"{path}: starts with a {name} byte-order mark but is not valid {name}; "
                "re-save it as UTF-8"
            ) from None
    if not text.strip():
        what = "is empty" if not text else "holds only whitespace"
        raise InputError(f"{path}: {what}; nothing to narrate")
    return text


def _decode_unmarked(data: bytes) -> str:
    # Windows-1252 before Latin-1: files saved by Windows editors put curly quotes at 0x93/0x94.
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


# ── the result ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Structure:
    """What a reader found in a story's decoded text; read_book() makes it a Book."""

    chapters: tuple[Chapter, ...]
    blocks: tuple[Block, ...]
    """Non-overlapping, ascending, together covering every non-whitespace character once."""
    title: str | None = None
    """The book's title, when the text states one."""
    author: str | None = None


def read(data: bytes, path: Path) -> tuple[str, Structure]:
    """The reader for .txt files (and any file of unknown type): decoded text and its structure."""
    text = decode(data, path)
    return text, structure(text, fallback_title=path.stem or "Untitled")


class _Span(NamedTuple):
    start: int
    end: int
    kind: Kind
    title: str | None = None
    """A HEADING's display title."""
    number: int | None = None
    """A heading's chapter number when written in digits: inline headings must continue it."""


def structure(text: str, fallback_title: str = "Untitled") -> Structure:
    """Chapters and blocks of `text`. Never fails: text it cannot make sense of is narration.

    `fallback_title` names a book whose text states no title; a single untitled chapter takes it.
    """
    spans, start, end, fields = _gutenberg(text)
    paragraphs = _paragraphs(text, start, end)
    front, used, title, author = _front_matter(text, paragraphs, known_title=fields.get("title"))
    spans += front
    paragraphs = paragraphs[used:]
    start = paragraphs[0][0] if paragraphs else end
    headings, markdown_title = _line_headings(text, paragraphs)
    spans += headings
    spans += _archive(text, start, end, [h for h in headings if h.kind is Kind.HEADING])
    ordered = _demote_front_matter(text, _demote_contents(_fill(text, spans)))
    title = fields.get("title") or title or markdown_title
    chapters, blocks = _number_chapters(ordered, title or fallback_title)
    return Structure(chapters, blocks, title, fields.get("author") or author)


# ── Project Gutenberg wrapper and front matter ───────────────────────────────────────────────

_GUTENBERG_START = re.compile(
    r"^[ \t]*\*{3}[ \t]*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK[^\n]*", re.M | re.I
)
_GUTENBERG_END = re.compile(
    r"^[ \t]*(?:\*{3}[ \t]*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK"
    r"|End of (?:the )?Project Gutenberg(?:'s)? (?:E-?book|E-?text))",
    re.M | re.I,
)
_GUTENBERG_FIRST_LINE = re.compile(
    r"\W*The Project Gutenberg E-?Book,? of (?P<title>.+?)(?:,? by (?P<author>.+?))?\s*", re.I
)
_FIELD = re.compile(
    r"(?P<key>Title|Author|Authors|Translator|Illustrator|Editor|Language|Release Date"
    r"|Posting Date|Rating|Fandoms?|Category|Characters|Relationships?|Additional Tags"
    r"|Archive Warnings?|Warnings?|Tags|Words|Chapters|Published|Updated|Completed|Credits)"
    r"[ \t]*:[ \t]*(?P<value>.*)",
    re.I,
)
_BY_LINE = re.compile(r"(?:written )?by[ \t]+(?P<author>[^\r\n]{2,80})", re.I)


def _gutenberg(text: str) -> tuple[list[_Span], int, int, dict[str, str]]:
    """NOTE spans for a Project Gutenberg header and licence, the body between them, and the
    header's Title/Author fields."""
    spans: list[_Span] = []
    start, end, fields = 0, len(text), {}
    if opening := _GUTENBERG_START.search(text):
        start = opening.end()
        spans.append(_Span(0, start, Kind.NOTE))
        fields = _fields(text[: opening.start()])
        first_line = text[: opening.start()].lstrip().split("\n", 1)[0]
        if "title" not in fields and (m := _GUTENBERG_FIRST_LINE.fullmatch(first_line)):
            fields["title"] = m["title"].strip()
            if m["author"]:
                fields.setdefault("author", m["author"].strip())
    if closing := _GUTENBERG_END.search(text, start):
        end = closing.start()
        spans.append(_Span(end, len(text), Kind.NOTE))
    return spans, start, end, fields


def _fields(header: str) -> dict[str, str]:
    """`Key: value` lines (lowercased keys), with indented continuation lines joined on."""
    fields: dict[str, str] = {}
    key = None
    for line in re.split(r"\r\n|\r|\n", header):
        if key and line[:1] in (" ", "\t") and line.strip():
            # a title's second line is its subtitle; an author list just wraps
            joint = ": " if key == "title" and fields[key][-1:].isalnum() else " "
            fields[key] = f"{fields[key]}{joint}{line.strip()}"
        elif m := _FIELD.fullmatch(line.strip()):
            key = m["key"].lower()
            fields[key] = m["value"].strip()
        else:
            key = None
    return {k: v for k, v in fields.items() if v}


def _front_matter(
    text: str, paragraphs: list[tuple[int, int]], known_title: str | None
) -> tuple[list[_Span], int, str | None, str | None]:
    """NOTE spans for leading `Title: …` field blocks, a title line and a `by X` line; how many
    paragraphs they used; the title and author they give."""
    spans: list[_Span] = []
    title = author = None
    used = 0
    while used < min(len(paragraphs), 8):
        start, end = paragraphs[used]
        lines = [line.strip() for line in re.split(r"\r\n|\r|\n", text[start:end])]
        # a flattened page that begins `Rating: …` is one huge line, not a field block
        if not all(len(line) <= 300 and _FIELD.fullmatch(line) for line in lines):
            break
        fields = _fields(text[start:end])
        title, author = fields.get("title", title), fields.get("author", author)
        spans.append(_Span(start, end, Kind.NOTE))
        used += 1
    if title is None and known_title is None and used + 1 < len(paragraphs):
        start, end = paragraphs[used]
        if _is_title_line(text[start:end]):
            title = text[start:end]
            spans.append(_Span(start, end, Kind.NOTE))
            used += 1
    if spans and used + 1 < len(paragraphs):
        start, end = paragraphs[used]
        by = _BY_LINE.fullmatch(text[start:end])
        if by and _is_name(by["author"]):
            author = author or by["author"].strip()
            spans.append(_Span(start, end, Kind.NOTE))
            used += 1
    return spans, used, title, author


def _is_name(words: str) -> bool:
    """`Jane Austen`, `J. R. R. Tolkien`; not `morning, the storm had passed.`"""
    last = words.split()[-1]
    return (
        len(words.split()) <= 8
        and words[-1] not in "!?,;:"
        and (not last.endswith(".") or len(last) <= 3)
    )


def _is_title_line(line: str) -> bool:
    """A short first line standing alone that reads like a title, not a sentence or a heading."""
    return (
        "\n" not in line
        and "\r" not in line
        and len(line) <= 80
        and len(line.split()) <= 12
        and (line[0].isupper() or line[0].isdigit())
        and line[-1] not in ".,;:"
        and _has_alnum(line)
        and _parse_heading(line) is None
        and not _MARKER.match(line)
    )


# ── paragraphs and headings on lines of their own ────────────────────────────────────────────

_PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r|\n)[^\S\r\n]*(?:\r\n|\r|\n)\s*")
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    "|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
)
_KEYWORDS = {
    "chapter": "Chapter",
    "chap.": "Chapter",
    "book": "Book",
    "part": "Part",
    "volume": "Volume",
    "vol.": "Volume",
    "letter": "Letter",
}
_NUMBERED = re.compile(
    r"(?P<kw>chapter|chap\.|book|part|volume|vol\.|letter)[ \t]+"
    rf"(?P<num>\d{{1,4}}|[ivxlcdm]+|(?:{_NUMBER_WORDS})(?:[- ](?:{_NUMBER_WORDS}))?)(?!\w)"
    r"(?P<rest>.*)",
    re.I,
)
_SPECIAL = re.compile(
    r"(?P<kw>prologue|epilogue|preface|foreword|introduction|afterword|interlude|appendix)(?!\w)"
    r"(?P<rest>.*)",
    re.I,
)
_MARKDOWN = re.compile(r"(?P<hashes>#{1,6})[ \t]+(?P<title>.*?)[ \t#]*")
_ROMAN_LINE = re.compile(r"(?P<num>[IVXLCDM]+)(?P<dot>\.)?(?:[ \t]+(?P<title>\S.*))?")
_ROMAN = re.compile(r"M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_REST = re.compile(r"(?P<sep>[ \t]*[.:\-–—]*[ \t]*)(?P<title>.*)")
_CONTENTS = re.compile(r"(?:table of )?contents[.:]?", re.I)
_OPENERS = "\"“‘'([«"


class _Head(NamedTuple):
    title: str
    number: int | None
    titled: bool
    """Whether the line carries a title after the number (`Chapter 2: The Storm`)."""
    markdown_level: int = 0


def _words(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


def _has_alnum(s: str) -> bool:
    return any(c.isalnum() for c in s)


def _parse_heading(line: str) -> _Head | None:
    """The heading a stripped line spells, or None when it is not a heading."""
    if len(line) > 100:
        return None
    if m := _MARKDOWN.fullmatch(line):
        title = m["title"]
        return _Head(title, None, True, len(m["hashes"])) if _has_alnum(title) else None
    if (m := _NUMBERED.fullmatch(line)) and m["kw"][0].isupper():
        num = m["num"]
        if num.isdigit():
            shown, number = num, int(num)
        elif num[0] in "ivxlcdmIVXLCDM" and (num.isupper() or num.islower()):
            if not _ROMAN.fullmatch(num.upper()):
                return None
            shown, number = num.upper(), None
        else:
            shown = re.sub(r"[^\W\d_]+", lambda w: w[0].capitalize(), num)
            number = None
        return _titled(f"{_KEYWORDS[m['kw'].lower()]} {shown}", m["rest"], number)
    if (m := _SPECIAL.fullmatch(line)) and m["kw"][0].isupper():
        return _titled(m["kw"].capitalize(), m["rest"], None)
    if (m := _ROMAN_LINE.fullmatch(line)) and _ROMAN.fullmatch(m["num"]):
        title = m["title"]
        if title is None:
            return _Head(f"Chapter {m['num']}", None, False)
        # `I. A SCANDAL IN BOHEMIA`, but not `I am here.` or `I Love You`
        if m["dot"] and title[0].isupper() and len(title) <= 60 and title[-1] not in ".!?,;:":
            return _Head(f"Chapter {m['num']}: {title}", None, True)
    return None


def _titled(label: str, rest: str, number: int | None) -> _Head | None:
    """`label` plus the title after it; None when what follows reads as prose (`Chapter 3 was`)."""
    m = _REST.fullmatch(rest)
    assert m is not None  # _REST matches any single line
    title = m["title"].strip()
    if not title:
        return _Head(label, number, False)
    punctuated = bool(m["sep"].strip())
    if not punctuated and not (title[0].isupper() or title[0].isdigit() or title[0] in _OPENERS):
        return None
    if len(title) > 80 or not _has_alnum(title) or _MARKER.match(title):
        return None
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1]
    return _Head(f"{label}: {title}", number, True)


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Blank-line separated paragraphs in [start, end), trimmed of whitespace."""
    found: list[tuple[int, int]] = []
    pos = start
    for m in _PARAGRAPH_BREAK.finditer(text, start, end):
        _add_trimmed(found, text, pos, m.start())
        pos = m.end()
    _add_trimmed(found, text, pos, end)
    return found


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _add_trimmed(found: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    start, end = _trim(text, start, end)
    if start < end:
        found.append((start, end))


def _is_display_title(line: str, strict: bool) -> bool:
    """A line that can be a chapter's title printed under its number. `strict` (a paragraph of its
    own, which may as well be prose) also wants title case or capitals and no end punctuation."""
    if not line or len(line) > 80 or not _has_alnum(line) or line[-1] in ".,;:":
        return False
    if not (line[0].isupper() or line[0].isdigit() or line[0] in _OPENERS):
        return False
    if not strict:
        return True
    words = re.findall(r"[^\W\d_]+", line)
    return (
        len(line) <= 60
        and line[0] not in _OPENERS
        and line[-1] not in "!?"
        and (line.isupper() or all(w[0].isupper() for w in words if len(w) > 3))
    )


def _line_headings(text: str, paragraphs: list[tuple[int, int]]) -> tuple[list[_Span], str | None]:
    """HEADING spans for paragraphs that are a heading line (maybe with its title on the next
    line or paragraph); NOTE spans for a contents line and for a book-title markdown heading."""
    found: list[tuple[_Span, int]] = []
    i = 0
    while i < len(paragraphs):
        start, end = paragraphs[i]
        i += 1
        if end - start > 200:
            continue
        lines = [_trim(text, m.start(), m.end()) for m in _LINE.finditer(text, start, end)]
        lines = [(s, e) for s, e in lines if s < e]
        if len(lines) == 1 and _CONTENTS.fullmatch(text[start:end]):
            found.append((_Span(start, end, Kind.NOTE), 0))
            continue
        head = _parse_heading(text[lines[0][0] : lines[0][1]]) if len(lines) <= 2 else None
        if head is None:
            continue
        if len(lines) == 2:
            second = text[lines[1][0] : lines[1][1]]
            if head.titled or head.markdown_level or not _is_display_title(second, strict=False):
                continue
            head = head._replace(title=f"{head.title}: {second}", titled=True)
        elif not head.titled and not head.markdown_level and i < len(paragraphs):
            # `CHAPTER I` + blank line + `THE BEGINNING`: the title sits in a paragraph of its own
            next_start, next_end = paragraphs[i]
            line = text[next_start:next_end]
            if _is_display_title(line, strict=True) and _parse_heading(line) is None:
                head = head._replace(title=f"{head.title}: {line}")
                end = next_end
                i += 1
        found.append(
            (_Span(start, end, Kind.HEADING, head.title, head.number), head.markdown_level)
        )
    # A lone `# Title` above `## Chapter` headings names the book, not a chapter.
    levels = [level for span, level in found if span.kind is Kind.HEADING]
    book_title = None
    if levels and levels[0] == 1 and levels.count(1) == 1 and 2 in levels:
        first = next(k for k, (span, _) in enumerate(found) if span.kind is Kind.HEADING)
        top = found[first][0]
        found[first] = (top._replace(kind=Kind.NOTE, title=None), 0)
        book_title = top.title
    return [span for span, _ in found], book_title


_LINE = re.compile(r"[^\r\n]+")


# ── archive furniture and headings inline ────────────────────────────────────────────────────

_MARKER = re.compile(
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


def _archive(text: str, start: int, end: int, headings: list[_Span]) -> list[_Span]:
    """Inline chapter headings, and NOTE spans for archive furniture, in [start, end)."""
    in_line_heading = _Within(headings)
    candidates = [
        _Marker(m.start(), m.end(), m.lastgroup or "")
        for m in _MARKER.finditer(text, start, end)
        if not in_line_heading(m.start())
    ]
    inline = _inline_headings(text, start, end, headings, candidates)
    all_headings = sorted(headings + inline)
    markers = _accepted(text, start, candidates, all_headings)
    notes: list[_Span] = []
    bounds = [start, *(x for h in all_headings for x in (h.start, h.end)), end]
    starts = [m.start for m in markers]
    for seg_start, seg_end in zip(bounds[::2], bounds[1::2], strict=True):
        lo, hi = bisect.bisect_left(starts, seg_start), bisect.bisect_left(starts, seg_end)
        notes += _segment_notes(text, seg_start, seg_end, markers[lo:hi])
    return inline + notes


class _Within:
    """Whether a position lies inside one of some sorted, non-overlapping spans."""

    def __init__(self, spans: list[_Span]) -> None:
        self.spans = spans
        self.starts = [s.start for s in spans]

    def __call__(self, pos: int) -> bool:
        k = bisect.bisect_right(self.starts, pos) - 1
        return k >= 0 and pos < self.spans[k].end


def _inline_headings(
    text: str, start: int, end: int, headings: list[_Span], candidates: list[_Marker]
) -> list[_Span]:
    """`Chapter N` headings inside running text. Strong evidence: archive furniture (`Summary:`,
    `Notes:`, `Chapter Text`) follows within a title's length. Weak evidence, accepted only on a
    flattened line: N continues the numbering and a capitalised word or quote follows."""
    found: list[_Span] = []
    in_line_heading = _Within(headings)
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
                if following and not (following.isupper() or following in _OPENERS):
                    continue
                title_end = m.end()
        title = text[m.end() : title_end].strip()
        shown = f"Chapter {m['num']}: {title}" if title else f"Chapter {m['num']}"
        found.append(_Span(m.start(), title_end if title else m.end(), Kind.HEADING, shown, number))
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
    return _trim(text, m.end(), candidates[k].start)[1] if words else m.end()


_SMALL_WORDS = _words("a an the of and or in on at to for by with from is as")


def _title_run(text: str, pos: int, stop: int) -> int | None:
    """End of a title written after `Chapter N:` in flattened text, where the story follows on the
    same line: the run of capitalised words (small words allowed inside), less its last word when
    a lowercase word follows (`The Long Night It was dark`: `It` starts the story)."""
    run: list[re.Match[str]] = []
    for w in re.finditer(r"\S+", text[pos : min(stop, pos + 200)]):
        word = w[0]
        if word[0] in _OPENERS or len(run) == 12:
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
    text: str, start: int, candidates: list[_Marker], headings: list[_Span]
) -> list[_Marker]:
    """Markers that really are furniture. Archive-specific phrases always are; `Summary:`,
    `Notes:` and `A/N:` must start a sentence or line, follow a heading, or (`Notes:`) follow a
    summary closely in the same chapter."""
    in_heading = _Within(headings)
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


def _segment_notes(text: str, start: int, end: int, markers: list[_Marker]) -> list[_Span]:
    """NOTE spans in the text between two headings (a chapter's body), from its markers.

    At the chapter's start, furniture runs to `(See the end of the chapter for more notes.)` or
    `Chapter Text` when the chapter has one; without one, each note ends by _note_end(). Later,
    `Notes:` (end notes) and series furniture run to the next marker or the chapter's end.
    """
    notes: list[_Span] = []
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
            notes.append(_Span(m.start, m.end, Kind.NOTE))
        elif m.kind == "furniture":
            stop = end
            if end - m.start > _RUN_TO_END:
                series = _SERIES_END.search(text, m.end, m.end + 300)
                stop = series.end() if series else m.end
            notes.append(_Span(m.start, stop, Kind.NOTE))
        elif m.kind == "aside" or limit - m.start > _RUN_TO_END:
            notes.append(_Span(m.start, _note_end(text, m.end, limit), Kind.NOTE))
        else:
            notes.append(_Span(m.start, limit, Kind.NOTE))
    return notes


def _opening_notes(text: str, end: int, markers: list[_Marker], notes: list[_Span]) -> int:
    """Append the notes that open a chapter; return the index of the first marker after them."""
    closer = next((k for k, m in enumerate(markers) if m.kind in ("see_end", "text")), None)
    if closer is not None:
        for k in range(closer):
            notes.append(_Span(markers[k].start, markers[k + 1].start, Kind.NOTE))
        notes.append(_Span(markers[closer].start, markers[closer].end, Kind.NOTE))
        return closer + 1
    k = 0
    while k < len(markers) and markers[k].kind in ("summary", "notes", "aside"):
        m = markers[k]
        nxt = markers[k + 1] if k + 1 < len(markers) else None
        limit = nxt.start if nxt else end
        if m.kind == "summary" and nxt and nxt.kind in ("notes", "aside"):
            stop = limit if limit - m.start <= _SUMMARY_REACH else _note_end(text, m.end, limit)
        else:
            stop = _note_end(text, m.end, limit)
        notes.append(_Span(m.start, stop, Kind.NOTE))
        k += 1
        if stop < limit or nxt is None or nxt.kind not in ("summary", "notes", "aside"):
            break
    return k


# ── where a note ends when no marker says so ─────────────────────────────────────────────────

_SENTENCE_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[^\sa-z.,;:!?…\-–—])")
_DIALOGUE = re.compile(r"[\"“”]")
_QUOTED = re.compile(r"[\"“][^\"“”]{0,2000}[\"”]")
_TOKEN = re.compile(r"[a-z0-9][a-z0-9/'’-]*")
_EMOTICON = re.compile(r"(?<!\w)(?:[:;=]-?[()DPp3]|<3|xx+|\^\^)(?!\w)|!\s*$")
# Words an author uses about the work and its readers, and story prose almost never does.
_META = _words(
    """chapter chapters fic fics fanfic fanfiction oneshot one-shot drabble prompt prompts kudos
    comment comments commenting review reviews update updates updated updating upload uploaded
    posted posting beta betaed unbeta'd unbetaed readers tumblr wattpad ao3 au ooc lol lmao omg
    tbh btw guys y'all yall smut otp fandom canon sequel a/n feedback fluff angst"""
)
# Words that lean authorial but also occur in prose: they keep a note going, never bridge a gap.
_LEANING = _words(
    """story stories write writing wrote written enjoy enjoyed enjoying thanks thank sorry hope
    series reading warning warnings inspired request requested requests"""
)
_FIRST_PERSON = _words("i i'm i've i'd i'll me my mine myself we we're we've our ours us")
_NOTE_WINDOW = 3000
"""An unmarked note longer than this is not believed: the story has started by then."""
_FIRST_SENTENCE = 1500


def _sentences(text: str, start: int, stop: int) -> Iterator[tuple[int, int]]:
    pos = start
    for m in _SENTENCE_END.finditer(text, start, stop):
        yield pos, m.end()
        pos = m.end()
    if text[pos:stop].strip():
        yield pos, stop


def _note_end(text: str, start: int, stop: int) -> int:
    """Where a note starting at `start` (just after its marker) ends, when no marker says so.

    The heuristic: the note's first sentence is always its own. After that, a sentence stays in
    the note while it sounds like an author talking to readers: it names the work or its readers
    (`chapter`, `fic`, `kudos`, `update`, `you guys`, `lol`), or leans that way (`hope`, `thanks`,
    `sorry`, `writing`, first person when the story is not told in the first person, an
    exclamation or emoticon). One plain sentence may sit between two authorial ones if the second
    is clearly authorial; a second plain sentence, any dialogue (quotation marks), or the end of a
    3000-character window ends the note after the last authorial sentence.
    """
    first_person: bool | None = None  # sampled only when a pronoun is a sentence's only cue
    end: int | None = None
    gap = False
    for s, e in _sentences(text, start, stop):
        if end is None:
            end = (
                e
                if e - start <= _FIRST_SENTENCE
                else _last_space(text, start, start + _FIRST_SENTENCE)
            )
            continue
        if s - start > _NOTE_WINDOW:
            break
        sentence = text[s:e]
        if _DIALOGUE.search(sentence):
            break
        score = _authorial(sentence)
        if score < 0:
            if first_person is None:
                first_person = _told_in_first_person(text, start, stop)
            score = 0 if first_person else 1
        if score == 2 or (score == 1 and not gap):
            end, gap = e, False
        elif gap:
            break
        else:
            gap = True
    return stop if end is None else end


def _last_space(text: str, start: int, pos: int) -> int:
    cut = max(text.rfind(" ", start, pos), text.rfind("\n", start, pos))
    return cut if cut > start else pos


def _authorial(sentence: str) -> int:
    """2: clearly an author talking; 1: leaning that way; 0: plain prose; -1: first person is
    the only cue, which counts when the story itself is not told in the first person."""
    tokens = set(_TOKEN.findall(sentence.lower().replace("’", "'")))
    if tokens & _META:
        return 2
    if tokens & _LEANING or _EMOTICON.search(sentence):
        return 1
    return -1 if tokens & _FIRST_PERSON else 0


def _told_in_first_person(text: str, start: int, stop: int) -> bool:
    """Whether the story around `start` is told in the first person (outside dialogue), which
    makes `I` and `my` useless as signs of an author's note."""
    sample = _QUOTED.sub(" ", text[start : min(stop, start + 6000)]).lower().replace("’", "'")
    tokens = _TOKEN.findall(sample)
    mine = sum(1 for t in tokens if t in _FIRST_PERSON)
    return len(tokens) >= 50 and mine > 0.02 * len(tokens)


# ── from spans to chapters and blocks ────────────────────────────────────────────────────────


def _fill(text: str, spans: list[_Span]) -> list[_Span]:
    """Headings and notes in order, trimmed, overlaps cut; the text between them is NARRATION.
    This is what guarantees every non-whitespace character lies in exactly one span."""
    ordered: list[_Span] = []
    pos = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        start, end = _trim(text, max(span.start, pos), span.end)
        if start >= end:
            continue
        _add_narration(ordered, text, pos, start)
        ordered.append(span._replace(start=start, end=end))
        pos = end
    _add_narration(ordered, text, pos, len(text))
    return ordered


def _add_narration(ordered: list[_Span], text: str, start: int, end: int) -> None:
    start, end = _trim(text, start, end)
    if start < end:
        ordered.append(_Span(start, end, Kind.NARRATION))


def _demote_contents(spans: list[_Span]) -> list[_Span]:
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


def _demote_front_matter(text: str, spans: list[_Span]) -> list[_Span]:
    """Text before the first heading with no paragraph of 40 words or more (title page, credits,
    contents, epigraph) is front matter: NOTE, merged into the first chapter."""
    first = next((k for k, s in enumerate(spans) if s.kind is Kind.HEADING), None)
    if first is None:
        return spans
    before = spans[:first]
    for span in before:
        if span.kind is Kind.NARRATION:
            for para in _PARAGRAPH_BREAK.split(text[span.start : span.end]):
                if len(para.split()) >= 40:
                    return spans
    return [s._replace(kind=Kind.NOTE) for s in before] + spans[first:]


_FIRST_CHAPTER = re.compile(r"Chapter (?:1|One|I)(?!\w)", re.I)


def _number_chapters(
    spans: list[_Span], book_title: str
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
