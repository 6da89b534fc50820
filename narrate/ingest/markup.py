"""HTML elements to paragraphs of plain text: the extraction HTML, EPUB and Markdown share.

Paragraph breaks come from block elements (`p`, `div`, `li`, headings …); inside a paragraph,
whitespace runs become one space and `<br>` a newline. `<hr>` becomes a `* * *` scene break.
Italics and bold are kept as plain text: the speech stage has nothing to do with markup, and a
marker like `/word/` would collide with `y/n` and paths. Images, scripts, forms and page furniture
(navigation, site header and footer, kudos and comments) are left out.

Each paragraph remembers what the reader needs to place it: its heading level, whether an
enclosing element was labelled a note or story text, the element ids (link targets) that open
at it, and which chapter element holds it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from narrate.ingest.spans import word_set

BLOCK_TAGS = word_set(
    """address article aside blockquote body caption center dd details dialog div dl dt fieldset
    figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup hr html li main nav ol p pre section
    summary table tbody td tfoot th thead tr ul"""
)
_LEFT_OUT = word_set(
    """script style noscript template head title meta link iframe object embed svg math canvas
    audio video img picture source form button input select textarea nav"""
)
_WHITESPACE = re.compile(r"\s+")
HEADING_LEVELS = {f"h{n}": n for n in range(1, 7)}
_NAVIGATION_ROLES = frozenset(["navigation", "banner", "contentinfo", "search"])
# ids and classes of page furniture: `#feedback` holds AO3's kudos and comments, `comments-area`
# is WordPress's, `landmark` AO3's hidden `Chapter Text` heading
_FURNITURE = re.compile(
    r"(?:comments?|kudos|feedback|skiplinks|navigation|actions|landmark|login|share)(?:[-_].*)?",
    re.I,
)
# a site's own header and footer, removed only outside the story's article
_SITE = re.compile(r"(?:header|footer|sidebar|menu|breadcrumbs?)(?:[-_].*)?", re.I)
_NOTE_CLASSES = frozenset(
    ["summary", "notes", "endnotes", "endnote-link", "jump", "byline", "series"]
)
_NOTE_ID = re.compile(r"(?:work_|chapter_\d+_)?(?:summary|notes|endnotes)", re.I)
_FURNITURE_HEADING = re.compile(r"(?:kudos|comments?|leave a comment)(?:\s*\(\d+\))?:?", re.I)

Label = str | None
"""What a classifier calls an element: "note" (not narrated), "story" (story text: its headings
are prose), "heading" (a chapter title), or None (no opinion: inherit)."""


class Para(NamedTuple):
    text: str
    level: int
    """1-6 inside <h1>…<h6>, else 0."""
    label: Label
    """The innermost label an enclosing element was given ("note" wins over everything inside)."""
    group: int
    """Paragraphs of one labelled element or heading share a group: they may form one block."""
    anchors: tuple[str, ...]
    """Ids of elements that open before this paragraph's first word (and after the previous one's)."""
    section: int
    """Index of the innermost enclosing element of `sections`, or -1."""


def soup(data: bytes | str) -> BeautifulSoup:
    """Parsed HTML or XHTML. html.parser: in the standard library, never fetches anything, and never
    expands entities other than HTML's own named ones (`&nbsp;`)."""
    return BeautifulSoup(data, "html.parser")


def classes(tag: Tag) -> set[str]:
    value = tag.get("class") or []
    return {c.lower() for c in ([value] if isinstance(value, str) else value)}


def tokens(tag: Tag, attribute: str) -> set[str]:
    """Whitespace-separated values of `attribute` (`epub:type="frontmatter titlepage"`)."""
    value = tag.get(attribute) or ""
    return set((" ".join(value) if isinstance(value, list) else value).lower().split())


def text_of(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())


def strip_boilerplate(root: Tag, keep: Iterable[Tag] = ()) -> None:
    """Remove page furniture in place: navigation, forms, scripts, the site's header and footer,
    kudos and comments. Elements in `keep` (the story's chapters) and what holds them stay, and
    inside them only scripts and hidden landmarks go: a story may style its own text messages
    with a `comment` class."""
    kept = {id(tag) for tag in keep}
    for tag in keep:
        kept.update(id(parent) for parent in tag.parents)
    story = {id(inner) for tag in keep for inner in tag.descendants}

    def furniture(tag: Tag) -> bool:
        if id(tag) in kept or tag.name in ("body", "html", "head", "title", "meta", "link"):
            return False  # the page's metadata is not text, but the reader may want it
        if id(tag) in story:
            return tag.name in _LEFT_OUT or "landmark" in classes(tag)
        names = [name for name in (tag.get("id"), *classes(tag)) if name]
        if tag.name in _LEFT_OUT or tag.get("role") in _NAVIGATION_ROLES:
            return True
        if any(_FURNITURE.fullmatch(name) for name in names):
            return True
        site = tag.name in ("header", "footer") or any(_SITE.fullmatch(n) for n in names)
        return site and tag.find_parent(["article", "main"]) is None

    doomed = [tag for tag in root.find_all(True) if furniture(tag)]
    for heading in root.find_all(list(HEADING_LEVELS)):
        box = heading.parent
        if (
            _FURNITURE_HEADING.fullmatch(text_of(heading))
            and isinstance(box, Tag)
            and box.name in ("div", "section", "aside")
            and id(box) not in kept
            and id(box) not in story
            and len(box.find_all(list(HEADING_LEVELS))) == 1
        ):
            doomed.append(box)
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()


def archive_label(tag: Tag) -> Label:
    """Archive-site markup (AO3's pages, downloads and EPUBs): summaries and notes are NOTE,
    `.userstuff` is story text, a `.title` is a chapter heading."""
    names = classes(tag)
    if names & _NOTE_CLASSES or _NOTE_ID.fullmatch(str(tag.get("id") or "")):
        return "note"
    # AO3's downloads put a chapter's heading, summary and notes in one `meta` block
    parent = tag.parent
    if isinstance(parent, Tag) and "meta" in classes(parent) and tag.name not in HEADING_LEVELS:
        return "note"
    if "userstuff" in names:
        return "story"
    if "title" in names or ("heading" in names and tag.name in ("h1", "h2", "h3", "h4")):
        return "heading"
    return None


def paragraphs(
    root: Tag,
    classify: Callable[[Tag], Label] = lambda tag: None,
    sections: Iterable[Tag] = (),
) -> tuple[list[Para], tuple[str, ...]]:
    """The paragraphs of `root` in document order, and the ids that open after the last one."""
    walker = _Walker({id(tag): n for n, tag in enumerate(sections)})
    walker.walk(root, classify)
    walker.flush()
    return walker.found, tuple(walker.anchors)


class _Frame(NamedTuple):
    label: Label
    group: int
    level: int
    section: int
    block: bool


class _Walker:
    """A depth-first walk with an explicit stack: badly nested pages can be deeper than Python's
    recursion limit."""

    def __init__(self, sections: dict[int, int]) -> None:
        self.sections = sections
        self.found: list[Para] = []
        self.anchors: list[str] = []
        self.words: list[str] = []
        self.start: _Frame | None = None
        self.opened: tuple[str, ...] = ()
        self.groups = 0

    def walk(self, root: Tag, classify: Callable[[Tag], Label]) -> None:
        top = _Frame(None, 0, 0, -1, True)
        stack: list[tuple[_Frame, Iterator]] = [(self.enter(root, top, classify), iter(root))]
        while stack:
            frame, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if frame.block or (stack and frame.group != stack[-1][0].group):
                    self.flush()
            elif isinstance(child, Tag):
                if child.name in _LEFT_OUT:
                    continue
                if child.name == "br":
                    self.words.append("\n")
                elif child.name == "hr":
                    self.flush()
                    self.add("* * *", frame)
                    self.flush()
                else:
                    inner = self.enter(child, frame, classify)
                    if inner.block or inner.group != frame.group:
                        self.flush()
                    stack.append((inner, iter(child)))
            elif isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
                self.add(str(child), frame)

    def enter(self, tag: Tag, outer: _Frame, classify: Callable[[Tag], Label]) -> _Frame:
        for name in ("id", "name") if tag.name == "a" else ("id",):
            if value := tag.get(name):
                self.anchors.append(str(value))
        label, group = outer.label, outer.group
        own = None if label == "note" else classify(tag)  # nothing inside a note is story
        level = HEADING_LEVELS.get(tag.name or "", outer.level)
        if (own is not None and own != label) or (level != outer.level and label != "note"):
            self.groups += 1
            label, group = own or label, self.groups
        section = self.sections.get(id(tag), outer.section)
        return _Frame(label, group, level, section, tag.name in BLOCK_TAGS)

    def add(self, text: str, frame: _Frame) -> None:
        if not self.words or self.start is None:
            if not text.strip():
                return
            self.start = frame
            self.opened, self.anchors = tuple(self.anchors), []
        self.words.append(_WHITESPACE.sub(" ", text))  # source newlines are spaces; <br> is "\n"

    def flush(self) -> None:
        lines = "".join(self.words).split("\n")
        text = "\n".join(" ".join(line.split()) for line in lines if line.split())
        if text and self.start is not None:
            f = self.start
            self.found.append(Para(text, f.level, f.label, f.group, self.opened, f.section))
        self.words, self.start = [], None
