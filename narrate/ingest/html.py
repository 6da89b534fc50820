"""HTML stories: a work saved from an archive site (AO3-style markup) or any page with headings.

Book.text is the text narrate extracts from the page, not the HTML: paragraphs separated by one
blank line, italics as plain text (markup.py). Every Block and Chunk offset indexes that extracted
text, so `narrate segment --format jsonl` reports offsets into it, not into the .html file.

Archive pages (`<div id="chapters">` with `<div class="chapter">` each, or one `.userstuff`): one
chapter per chapter element, titled by its `.title` heading; its `.summary` and `.notes` modules,
and everything outside the chapters (the work's preface, tags, end notes, series) are NOTE.
Other pages: `<h1>`/`<h2>` headings start chapters; a lone `<h1>` above `<h2>` chapters is the
book's title. Navigation, site header and footer, scripts, kudos and comments are left out.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from narrate.errors import InputError
from narrate.ingest.decode import looks_binary
from narrate.ingest.layout import Draft, Part, lay_out
from narrate.ingest.markup import (
    Para,
    archive_label,
    classes,
    paragraphs,
    soup,
    strip_boilerplate,
    text_of,
)
from narrate.ingest.reader import Structure
from narrate.model import Kind

_ARCHIVE_SUFFIX = " [Archive of Our Own]"
_FRONT_MATTER_WORDS = 40
"""Text before the first chapter heading with no paragraph this long is front matter (NOTE)."""


def read(data: bytes, path: Path) -> tuple[str, Structure]:
    """The reader for .html/.htm files: extracted text and its structure."""
    if looks_binary(data):
        raise InputError(f"{path}: looks like a binary file, not an HTML page; check the file")
    doc = soup(data)
    box, starts = _archive_layout(doc)
    story = [*starts, box] if box is not None else starts
    strip_boilerplate(doc, keep=story)  # first: the site's own header has headings and links
    author, language = _author(doc, story), _language(doc)
    if story:
        title = _archive_title(doc, story)
        found, _ = paragraphs(doc.body or doc, archive_label, story)
        drafts = _archive_drafts(found, len(starts))
    else:
        found, _ = paragraphs(_story_root(doc))
        drafts, heading_title = by_headings(found)
        title = heading_title or _page_title(doc)
    return extracted(drafts, path, title, author, language)


def extracted(
    drafts: list[Draft],
    path: Path,
    title: str | None,
    author: str | None = None,
    language: str | None = None,
    cover: bytes | None = None,
) -> tuple[str, Structure]:
    """Lay out `drafts`; an InputError when they hold no text at all."""
    if not any(d.parts for d in drafts):
        raise InputError(f"{path}: no story text found in this file; nothing to narrate")
    text, chapters, blocks = lay_out(drafts, title or path.stem or "Untitled")
    return text, Structure(chapters, blocks, title, author, language, cover)


# ── pages with headings (also Markdown, rendered) ────────────────────────────────────────────


def by_headings(found: list[Para]) -> tuple[list[Draft], str | None]:
    """Chapters from h1/h2 headings, and the book title when a lone h1 names the book: `h1` are
    chapters, unless there is one `h1` and some `h2`, which are the chapters then."""
    levels = [p.level for p in found if p.level in (1, 2)]
    if levels.count(1) == 1 and 2 in levels:
        chapter_level, title_level = 2, 1
    else:
        chapter_level = 1 if 1 in levels else 2 if 2 in levels else 0
        title_level = 1 if levels.count(1) == 1 else 0
    title = next((p.text for p in found if title_level and p.level == title_level), None)
    drafts = [Draft(None, matter=True)]
    for p in found:
        if chapter_level and p.level == chapter_level:
            drafts.append(Draft(None, [Part(Kind.HEADING, p.text, p.group)]))
        elif 0 < p.level < chapter_level or p.label == "note":
            drafts[-1].parts.append(Part(Kind.NOTE, p.text, p.group))
        else:
            drafts[-1].parts.append(Part(Kind.NARRATION, p.text))
    prelude = drafts[0]
    if len(drafts) > 1 and _is_front_matter(prelude):
        prelude.parts = [Part(Kind.NOTE, p.text, -1) for p in prelude.parts]
    else:
        prelude.matter = False
    return drafts, " ".join(title.split()) if title else None


def _is_front_matter(draft: Draft) -> bool:
    return all(len(p.text.split()) < _FRONT_MATTER_WORDS for p in draft.parts)


def _story_root(doc: BeautifulSoup) -> Tag:
    if main := doc.find("main"):
        return main
    articles = doc.find_all("article")
    if len(articles) == 1:
        return articles[0]
    return doc.body or doc


def _page_title(doc: BeautifulSoup) -> str | None:
    if doc.title and (title := text_of(doc.title)):
        return title
    return None


# ── archive pages ────────────────────────────────────────────────────────────────────────────


def _archive_layout(doc: BeautifulSoup) -> tuple[Tag | None, list[Tag]]:
    """(the element holding the story, the elements that each open a chapter); (None, []) when
    the page is not from an archive site."""
    box = doc.find(id="chapters")
    if isinstance(box, Tag):
        starts = box.find_all("div", class_="chapter", recursive=False)  # a work's page
        if not starts:  # a download: each chapter opens with a `meta` block holding its heading
            metas = box.find_all("div", class_="meta", recursive=False)
            starts = [meta for meta in metas if meta.find(class_="heading")]
        return box, starts
    starts = [
        tag
        for tag in doc.find_all("div", class_="chapter")
        if "preface" not in classes(tag) and tag.find_parent("div", class_="chapter") is None
    ]
    stuff = None if starts else doc.find(class_="userstuff")
    return (stuff if isinstance(stuff, Tag) else None), starts


def _archive_drafts(found: list[Para], box: int) -> list[Draft]:
    """One draft per chapter; paragraph sections index the chapter elements, `box` is the index
    of the element holding them. Text outside it (the work's preface, tags, end notes, series) is
    NOTE, joined to the first or last chapter by lay_out()."""
    drafts = [Draft(None, matter=True)]
    chapter: int | None = None
    narrated = False
    for p in found:
        if 0 <= p.section < box and p.section != chapter:
            chapter = p.section
            drafts.append(Draft(None))
        elif p.section == box and chapter is None:  # a one-chapter work
            chapter = box
            drafts.append(Draft(None))
        elif p.section < 0 and chapter is not None and not drafts[-1].matter:
            drafts.append(Draft(None, matter=True))
        draft = drafts[-1]
        narrated = bool(draft.parts) and narrated  # the story text of this chapter has begun
        if p.section < 0 or p.label == "note":
            kind = Kind.NOTE
        elif p.label == "story" or narrated:
            kind = Kind.NARRATION
        elif p.label == "heading" or p.level:
            kind = Kind.HEADING
        else:
            kind = Kind.NARRATION
        draft.parts.append(Part(kind, p.text, 0 if kind is Kind.NARRATION else p.group))
        narrated = narrated or kind is Kind.NARRATION
    return drafts


def _outside(tag: Tag, story: list[Tag]) -> bool:
    inside = {id(t) for t in story}
    return not any(id(t) in inside for t in itertools.chain([tag], tag.parents))


def _archive_title(doc: BeautifulSoup, chapters: list[Tag]) -> str | None:
    for tag in doc.find_all(class_="title"):
        if _outside(tag, chapters) and (title := text_of(tag)):
            return title
    heading = doc.find("h1")
    if isinstance(heading, Tag) and _outside(heading, chapters) and (title := text_of(heading)):
        return title
    title = _page_title(doc)
    if title and title.endswith(_ARCHIVE_SUFFIX):  # `Work - Chapter 1 - Author - Fandom [Archive…]`
        title = title.removesuffix(_ARCHIVE_SUFFIX).split(" - ")[0].strip()
    return title or None


def _author(doc: BeautifulSoup, chapters: list[Tag]) -> str | None:
    names = [text_of(a) for a in doc.find_all("a", rel="author") if _outside(a, chapters)]
    if names := [n for n in names if n]:
        return ", ".join(dict.fromkeys(names))
    byline = doc.find(class_="byline")
    if isinstance(byline, Tag) and (name := re.sub(r"^by\s+", "", text_of(byline), flags=re.I)):
        return name
    meta = doc.find("meta", attrs={"name": "author"})
    if isinstance(meta, Tag) and (name := " ".join(str(meta.get("content") or "").split())):
        return name
    return None


def _language(doc: BeautifulSoup) -> str | None:
    for tag in (doc.find("dd", class_="language"), doc.find("html")):
        if isinstance(tag, Tag) and (lang := str(tag.get("lang") or "").strip()):
            return lang
    return None
