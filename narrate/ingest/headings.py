"""Headings on lines of their own, the Project Gutenberg wrapper, and a story's front matter.

- Gutenberg: header up to `*** START OF …` and licence from `*** END OF …` are NOTE; Title/Author.
- Front matter: leading `Title: …` field blocks, a short title line, a `by X` line are NOTE.
- Line headings: a paragraph that is one heading line (`CHAPTER IV.`, `Chapter 2: The Storm`,
  `## Title`, `PROLOGUE`, `XII`), maybe with its title on the next line or in the next short
  title-cased paragraph. Prose never is one: `Chapter 3 was the best` fails (lowercase after the
  number), and a heading word inside a paragraph is never looked at.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from narrate.ingest.archive import MARKER
from narrate.ingest.spans import OPENERS, Span, has_alnum, trim
from narrate.model import Kind

# ── Project Gutenberg wrapper and front matter ────────────────────────────────────────────────


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


def gutenberg(text: str) -> tuple[list[Span], int, int, dict[str, str]]:
    """NOTE spans for a Project Gutenberg header and licence, the body between them, and the
    header's Title/Author fields."""
    spans: list[Span] = []
    start, end, fields = 0, len(text), {}
    if opening := _GUTENBERG_START.search(text):
        start = opening.end()
        spans.append(Span(0, start, Kind.NOTE))
        fields = _fields(text[: opening.start()])
        first_line = text[: opening.start()].lstrip().split("\n", 1)[0]
        if "title" not in fields and (m := _GUTENBERG_FIRST_LINE.fullmatch(first_line)):
            fields["title"] = m["title"].strip()
            if m["author"]:
                fields.setdefault("author", m["author"].strip())
    if closing := _GUTENBERG_END.search(text, start):
        end = closing.start()
        spans.append(Span(end, len(text), Kind.NOTE))
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


def front_matter(
    text: str, paragraphs: list[tuple[int, int]], known_title: str | None
) -> tuple[list[Span], int, str | None, str | None]:
    """NOTE spans for leading `Title: …` field blocks, a title line and a `by X` line; how many
    paragraphs they used; the title and author they give."""
    spans: list[Span] = []
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
        spans.append(Span(start, end, Kind.NOTE))
        used += 1
    if title is None and known_title is None and used + 1 < len(paragraphs):
        start, end = paragraphs[used]
        if _is_title_line(text[start:end]):
            title = text[start:end]
            spans.append(Span(start, end, Kind.NOTE))
            used += 1
    if spans and used + 1 < len(paragraphs):
        start, end = paragraphs[used]
        by = _BY_LINE.fullmatch(text[start:end])
        if by and _is_name(by["author"]):
            author = author or by["author"].strip()
            spans.append(Span(start, end, Kind.NOTE))
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
        and has_alnum(line)
        and _parse_heading(line) is None
        and not MARKER.match(line)
    )


# ── headings on lines of their own ────────────────────────────────────────────────────────────


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


class _Head(NamedTuple):
    title: str
    number: int | None
    titled: bool
    """Whether the line carries a title after the number (`Chapter 2: The Storm`)."""
    markdown_level: int = 0


def _parse_heading(line: str) -> _Head | None:
    """The heading a stripped line spells, or None when it is not a heading."""
    if len(line) > 100:
        return None
    if m := _MARKDOWN.fullmatch(line):
        title = m["title"]
        return _Head(title, None, True, len(m["hashes"])) if has_alnum(title) else None
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
    if not punctuated and not (title[0].isupper() or title[0].isdigit() or title[0] in OPENERS):
        return None
    if len(title) > 80 or not has_alnum(title) or MARKER.match(title):
        return None
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1]
    return _Head(f"{label}: {title}", number, True)


def _is_display_title(line: str, strict: bool) -> bool:
    """A line that can be a chapter's title printed under its number. `strict` (a paragraph of its
    own, which may as well be prose) also wants title case or capitals and no end punctuation."""
    if not line or len(line) > 80 or not has_alnum(line) or line[-1] in ".,;:":
        return False
    if not (line[0].isupper() or line[0].isdigit() or line[0] in OPENERS):
        return False
    if not strict:
        return True
    words = re.findall(r"[^\W\d_]+", line)
    return (
        len(line) <= 60
        and line[0] not in OPENERS
        and line[-1] not in "!?"
        and (line.isupper() or all(w[0].isupper() for w in words if len(w) > 3))
    )


def line_headings(text: str, paragraphs: list[tuple[int, int]]) -> tuple[list[Span], str | None]:
    """HEADING spans for paragraphs that are a heading line (maybe with its title on the next
    line or paragraph); NOTE spans for a contents line and for a book-title markdown heading."""
    found: list[tuple[Span, int]] = []
    i = 0
    while i < len(paragraphs):
        start, end = paragraphs[i]
        i += 1
        if end - start > 200:
            continue
        lines = [trim(text, m.start(), m.end()) for m in _LINE.finditer(text, start, end)]
        lines = [(s, e) for s, e in lines if s < e]
        if len(lines) == 1 and _CONTENTS.fullmatch(text[start:end]):
            found.append((Span(start, end, Kind.NOTE), 0))
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
        found.append((Span(start, end, Kind.HEADING, head.title, head.number), head.markdown_level))
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
