"""EPUB 2 and 3 books: chapters from the table of contents, metadata from the package document.

Book.text is the text narrate extracts from the book's XHTML pages, not any file inside the EPUB:
paragraphs separated by one blank line, italics as plain text (markup.py). Every Block and Chunk
offset indexes that extracted text.

Chapters follow the navigation document (EPUB 3) or the NCX (EPUB 2), not file boundaries: a
table-of-contents entry starts a chapter at the page or anchor it points to, nested entries are
flattened in reading order, and the entry's label is the chapter title even when the page's own
heading says otherwise. Without a table of contents, each page of the spine is a chapter. Front
and back matter (title page, copyright, contents, acknowledgements, author's notes), known by
`epub:type`, the EPUB 2 guide, the EPUB 3 landmarks or the entry's title, is NOTE and never a
chapter of its own.

Why not ebooklib: it reads every member whole (no size limit, so a zip bomb gets through),
parses with lxml's defaults, and splits chapters at file boundaries. narrate needs a few members
read under a budget (zipped.py), defusedxml for the package XML, and chapters from the table of
contents, which is less code on zipfile than on top of ebooklib.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

from bs4 import BeautifulSoup, Doctype, Tag
from bs4.element import Declaration

from narrate.errors import InputError
from narrate.ingest.html import extracted
from narrate.ingest.layout import Draft, Part
from narrate.ingest.markup import Label, Para, archive_label, paragraphs, soup, text_of, tokens
from narrate.ingest.reader import Structure
from narrate.ingest.spans import word_set
from narrate.ingest.zipped import Archive, attribute, children, descendants
from narrate.model import Kind

# EPUB 3 structural semantics and EPUB 2 guide types that mark pages nobody narrates
_MATTER_TYPES = word_set(
    """cover titlepage halftitlepage title-page seriespage copyright-page imprint imprimatur
    colophon toc toc-brief landmarks loa loi lot lov dedication acknowledgments acknowledgements
    contributors other-credits errata revision-history index glossary bibliography footnotes
    endnotes rearnotes footnote endnote rearnote notes"""
)
_MATTER_TITLE = re.compile(
    r"(?:the )?(?:cover(?: page)?|title(?: page)?|half[- ]title|copyright(?: page)?"
    r"|(?:table of )?contents|dedication|acknowledge?ments?|about the (?:author|authors|publisher)"
    r"|(?:also|other (?:books|works|titles)) by .*|books by .*|praise for .*|(?:author'?s'? )?notes?"
    r"|a note (?:from|by) the author|authors?'? notes?|an? (?:word|note) from the author"
    r"|colophon|imprint|credits|index|bibliography|newsletter|sign up.*|endnotes|footnotes)",
    re.I,
)
_XHTML = frozenset(["application/xhtml+xml", "text/html", "application/xml"])
_IMAGES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")  # JPEG and PNG: what players show as a cover
_FRONT_MATTER_WORDS = 40


@dataclass
class _Package:
    title: str | None = None
    author: str | None = None
    language: str | None = None
    base: str = ""
    """The package document's folder, which manifest hrefs are relative to."""
    items: dict[str, tuple[str, str, set[str]]] = field(default_factory=dict)
    """id -> (member name, media type, properties)."""
    spine: list[str] = field(default_factory=list)
    """Member names of the pages, in reading order."""
    toc_id: str | None = None
    matter: set[tuple[str, str | None]] = field(default_factory=set)
    """(member, fragment) pairs the guide or landmarks call front or back matter."""
    cover: bytes | None = None


def read(data: bytes, path: Path) -> tuple[str, Structure]:
    """The reader for .epub files: extracted text and its structure."""
    book = Archive(data, path)
    if not book.has("META-INF/container.xml"):
        raise InputError(
            f"{path}: a zip archive but not an EPUB (no META-INF/container.xml); "
            "unzip it and name the story inside"
        )
    package = _package(book)
    entries = _contents(book, package)
    drafts = _drafts(book, package, entries)
    return extracted(drafts, path, package.title, package.author, package.language, package.cover)


# ── the package document ─────────────────────────────────────────────────────────────────────


def _package(book: Archive) -> _Package:
    container = book.xml("META-INF/container.xml")
    rootfiles = descendants(container, "rootfile")
    opf = next((r.get("full-path") for r in rootfiles if r.get("full-path")), None)
    if not opf:
        raise InputError(
            f"{book.path}: damaged EPUB: META-INF/container.xml names no package document; "
            "re-download or re-export it"
        )
    root = book.xml(opf)
    package = _Package(base=posixpath.dirname(opf))
    metadata = next(iter(descendants(root, "metadata")), None)
    if metadata is not None:
        _metadata(metadata, package)
    for item in descendants(root, "item"):
        name = _resolve(package.base, item.get("href") or "")[0]
        if item.get("id") and name:
            props = set((item.get("properties") or "").split())
            package.items[item.get("id") or ""] = (name, item.get("media-type") or "", props)
    spine = next(iter(descendants(root, "spine")), None)
    if spine is not None:
        package.toc_id = spine.get("toc")
        for ref in children(spine, "itemref"):
            name, media, _ = package.items.get(ref.get("idref") or "", ("", "", set()))
            linear = (ref.get("linear") or "yes").lower() != "no"  # `no`: footnotes, pop-ups
            if name and linear and _is_page(name, media) and name not in package.spine:
                package.spine.append(name)
    for ref in descendants(root, "reference"):  # the EPUB 2 guide
        name, fragment = _resolve(package.base, ref.get("href") or "")
        kind = (ref.get("type") or "").lower()
        if name and kind in _MATTER_TYPES:
            package.matter.add((name, fragment))
        if name and kind == "cover" and package.cover is None:
            package.cover = _cover_in_page(book, name)
    package.cover = _cover(book, root, package) or package.cover
    return package


def _metadata(metadata: Element, package: _Package) -> None:
    def texts(name: str) -> list[tuple[Element, str]]:
        found = []
        for element in children(metadata, name):
            text = " ".join("".join(element.itertext()).split())
            if text:
                found.append((element, text))
        return found

    titles = texts("title")
    package.title = titles[0][1] if titles else None
    languages = texts("language")
    package.language = languages[0][1] if languages else None
    roles = {  # EPUB 3: <meta refines="#id" property="role">aut</meta>
        (m.get("refines") or "").lstrip("#"): " ".join("".join(m.itertext()).split())
        for m in children(metadata, "meta")
        if m.get("property") == "role"
    }
    creators = []
    for element, name in texts("creator"):
        role = attribute(element, "role") or roles.get(element.get("id") or "")
        creators.append((name, role))
    authors = [name for name, role in creators if role in (None, "aut")] or [n for n, _ in creators]
    package.author = ", ".join(dict.fromkeys(authors)) or None


def _cover(book: Archive, root: Element, package: _Package) -> bytes | None:
    names = [name for name, _, props in package.items.values() if "cover-image" in props]
    for meta in descendants(root, "meta"):  # EPUB 2: <meta name="cover" content="item id">
        if meta.get("name") == "cover" and (content := meta.get("content")):
            item = package.items.get(content)
            names.append(item[0] if item else _resolve(package.base, content)[0] or "")
    for name in names:
        if book.has(name) and (image := book.read(name)).startswith(_IMAGES):
            return image
    return None


def _cover_in_page(book: Archive, name: str) -> bytes | None:
    """The first image on an EPUB 2 guide's cover page."""
    if not book.has(name) or not _is_page(name, ""):
        return None
    page = soup(book.read(name))
    for image in page.find_all(["img", "image"]):
        src = image.get("src") or image.get("xlink:href") or image.get("href")
        target = _resolve(posixpath.dirname(name), str(src or ""))[0]
        if target and book.has(target) and (data := book.read(target)).startswith(_IMAGES):
            return data
    return None


def _is_page(name: str, media: str) -> bool:
    return media in _XHTML or name.lower().endswith((".xhtml", ".html", ".htm"))


def _resolve(base: str, href: str) -> tuple[str | None, str | None]:
    """(member name, fragment) for an href relative to the folder `base`; no name for links that
    leave the book (`http:`, `../../x`)."""
    parts = urlsplit(href.strip())
    fragment = unquote(parts.fragment) or None
    if parts.scheme or parts.netloc:
        return None, fragment
    if not parts.path:
        return "", fragment
    name = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    if name.startswith(("../", "/")) or name == "..":
        return None, fragment
    return name, fragment


# ── the table of contents ────────────────────────────────────────────────────────────────────


class _Entry(NamedTuple):
    title: str
    name: str
    """The page's member name."""
    fragment: str | None


def _contents(book: Archive, package: _Package) -> list[_Entry]:
    """Table-of-contents entries in reading order (nested ones flattened: parent, then children),
    from the EPUB 3 navigation document, else the NCX. Also notes the landmarks' front matter."""
    nav = next((name for name, _, props in package.items.values() if "nav" in props), None)
    if nav and book.has(nav):
        package.matter.add((nav, None))  # a contents page when it is in the spine too
        page = _page(book, nav)
        navs = page.find_all("nav")
        toc = next((n for n in navs if "toc" in tokens(n, "epub:type")), navs[0] if navs else None)
        for landmarks in (n for n in navs if "landmarks" in tokens(n, "epub:type")):
            for link in landmarks.find_all("a", href=True):
                name, fragment = _resolve(posixpath.dirname(nav), str(link["href"]))
                if name and tokens(link, "epub:type") & _MATTER_TYPES:
                    package.matter.add((name, fragment))
        if toc is not None:
            found = [_link(nav, text_of(a), str(a["href"])) for a in toc.find_all("a", href=True)]
            if entries := [e for e in found if e is not None]:
                return entries
    ncx = package.items.get(package.toc_id or "", ("", "", set()))[0] or next(
        (name for name, media, _ in package.items.values() if media == "application/x-dtbncx+xml"),
        None,
    )
    if not ncx or not book.has(ncx):
        return []
    entries = []
    for point in descendants(book.xml(ncx), "navPoint"):  # document order: parents first
        label = next(iter(children(point, "navLabel")), None)
        content = next(iter(children(point, "content")), None)
        title = " ".join("".join(label.itertext()).split()) if label is not None else ""
        if content is not None and (entry := _link(ncx, title, content.get("src") or "")):
            entries.append(entry)
    return entries


def _link(document: str, title: str, href: str) -> _Entry | None:
    name, fragment = _resolve(posixpath.dirname(document), href)
    if name == "":
        name = document
    return _Entry(title, name, fragment) if name else None


# ── pages to chapters ────────────────────────────────────────────────────────────────────────


def _page(book: Archive, name: str) -> BeautifulSoup:
    """A page parsed as HTML. html.parser never expands declared entities, but it mangles a DTD
    that declares them, and such a page is an attack more likely than a book: refused."""
    page = soup(book.read(name))
    for node in page.contents:
        if isinstance(node, Doctype | Declaration) and "ENTITY" in node.upper():
            raise book.entities(name)
    return page


def _label(tag: Tag) -> Label:
    if tokens(tag, "epub:type") & _MATTER_TYPES:
        return "note"
    # AO3's EPUBs: the work's preface (tags, summary) and afterword pages
    if tag.get("id") in ("preface", "afterword") and tag.find(class_=["meta", "message"]):
        return "note"
    return archive_label(tag)


def _drafts(book: Archive, package: _Package, entries: list[_Entry]) -> list[Draft]:
    """Drafts cut from the pages' paragraphs at the table of contents' entries."""
    matter_groups = itertools.count(-1, -1)  # one NOTE block per matter page or entry
    matter_pages = {name: next(matter_groups) for name, frag in package.matter if frag is None}
    stream: list[tuple[int, Para]] = []  # (matter page's group or 0, paragraph)
    starts: dict[str, int] = {}
    anchors: dict[tuple[str, str], int] = {}
    groups = 0
    for name in package.spine:
        page = _page(book, name)
        found, trailing = paragraphs(page.body or page, _label)
        starts[name] = len(stream)
        for para in found:
            for anchor in para.anchors:
                anchors.setdefault((name, anchor), len(stream))
            para = para._replace(group=para.group + groups)  # each page numbers its own from 0
            stream.append((matter_pages.get(name, 0), para))
        groups += max((p.group for p in found), default=0) + 1
        for anchor in trailing:
            anchors.setdefault((name, anchor), len(stream))
    cuts: list[tuple[int, Draft]] = []
    for entry in entries:
        if entry.name not in starts:
            continue  # outside the spine, or a non-linear page
        at = anchors.get((entry.name, entry.fragment or ""), starts[entry.name])
        matter = (
            _MATTER_TITLE.fullmatch(entry.title.replace("’", "'").strip(" .:")) is not None
            or (entry.name, entry.fragment) in package.matter
            or (not entry.fragment and entry.name in matter_pages)
        )
        cuts.append((at, Draft(entry.title or None, matter=matter)))
    if not cuts:  # no usable table of contents: a chapter per page
        cuts = [(starts[name], Draft(None, matter=name in matter_pages)) for name in package.spine]
    cuts.sort(key=lambda cut: cut[0])  # stable: entries at one place keep their order
    bounds = [0] + [at for at, _ in cuts] + [len(stream)]
    # before the first entry: front matter, unless a long paragraph says the story has begun
    story = any(len(p.text.split()) >= _FRONT_MATTER_WORDS for _, p in stream[: bounds[1]])
    drafts = [Draft(None, matter=not story)] + [draft for _, draft in cuts]
    for draft, start, end in zip(drafts, bounds[:-1], bounds[1:], strict=True):
        group = next(matter_groups) if draft.matter else 0
        narrated = False
        for page_group, para in stream[start:end]:
            part = _part(para, page_group or group, narrated)
            draft.parts.append(part)
            narrated = narrated or part.kind is Kind.NARRATION
    return drafts


def _part(para: Para, matter_group: int, narrated: bool) -> Part:
    """`matter_group`: 0 for story, else the NOTE block of the matter page or entry it is in;
    `narrated`: whether the chapter's story text has begun (headings after that are prose)."""
    if matter_group:
        return Part(Kind.NOTE, para.text, matter_group)
    if para.label == "note":
        return Part(Kind.NOTE, para.text, para.group)
    if not narrated and para.label != "story" and (para.level or para.label == "heading"):
        return Part(Kind.HEADING, para.text, para.group)
    return Part(Kind.NARRATION, para.text)
