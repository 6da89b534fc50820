"""Ingest of EPUB, HTML and Markdown: chapters, notes, metadata, safety, and choosing the reader.

The EPUBs are built here with zipfile, so each test shows the structure it reads.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ingest import assert_well_formed, kind_of

from narrate.errors import InputError
from narrate.ingest import READERS, find_stories, read_book, reader_for, safe_file_name, zipped
from narrate.model import Book, Kind

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
LONG = (
    "The lamp turned all night and the sea kept its distance, grey and patient, while Mara "
    "counted the ships that did not come and wrote their absence down in the log book. "
)


def well_formed(book: Book) -> Book:
    assert_well_formed(book.text, book.chapters, book.blocks)
    return book


def blocks_of(book: Book) -> list[tuple[int, Kind, str]]:
    return [(b.chapter, b.kind, book.text[b.start : b.end]) for b in book.blocks]


def titles(book: Book) -> list[str]:
    return [c.title for c in book.chapters]


# ── building EPUBs ───────────────────────────────────────────────────────────────────────────


def page(body: str, head: str = "", prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
        f"<head><title>page</title>{head}</head><body>{body}</body></html>"
    )


CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)


def opf(
    items: list[tuple[str, str, str]],
    spine: list[str],
    *,
    metadata: str = "<dc:title>The Salt Road</dc:title><dc:creator>Ines Calloway</dc:creator>"
    "<dc:language>en-GB</dc:language>",
    version: str = "3.0",
    toc: str = "",
    guide: str = "",
) -> str:
    """A package document; items are (id, href, properties), media types from the extension."""
    media = {"xhtml": "application/xhtml+xml", "ncx": "application/x-dtbncx+xml"}
    media |= {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif"}
    manifest = "".join(
        f'<item id="{i}" href="{href}" media-type="{media[href.rsplit(".", 1)[1]]}"'
        + (f' properties="{props}"' if props else "")
        + "/>"
        for i, href, props in items
    )
    refs = "".join(f'<itemref idref="{i}"/>' for i in spine)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" '
        f'version="{version}" unique-identifier="id"><metadata '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">'
        f'<dc:identifier id="id">x</dc:identifier>{metadata}</metadata><manifest>{manifest}'
        f"</manifest><spine{f' toc={chr(34)}{toc}{chr(34)}' if toc else ''}>{refs}</spine>"
        f"{guide}</package>"
    )


def epub(files: dict[str, str | bytes], container: str = CONTAINER) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", container)
        for name, content in files.items():
            archive.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def nav(entries: str, landmarks: str = "") -> str:
    return page(
        f'<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>{entries}</ol></nav>'
        + (f'<nav epub:type="landmarks"><ol>{landmarks}</ol></nav>' if landmarks else "")
    )


def li(href: str, title: str, children: str = "") -> str:
    return (
        f'<li><a href="{href}">{title}</a>' + (f"<ol>{children}</ol>" if children else "") + "</li>"
    )


# An EPUB 3 novel: title page and copyright before the story, an author's note before chapter
# one, part pages, two chapters in one file, chapter notes, acknowledgements after. The table of
# contents names chapters differently from their headings (`I` is `Chapter One: The Lamp`).
EPUB3_FILES: dict[str, str | bytes] = {
    "OEBPS/text/title.xhtml": page(
        '<section epub:type="titlepage"><h1>The Salt Road</h1><p>Ines Calloway</p></section>'
    ),
    "OEBPS/text/copyright.xhtml": page("<p>Copyright © 2024 Ines Calloway.</p>"),
    "OEBPS/text/note.xhtml": page("<h2>A Note</h2><p>This story began on a ferry.</p>"),
    "OEBPS/text/part1.xhtml": page("<h1>Part One</h1>"),
    "OEBPS/text/ch1.xhtml": page(
        '<section epub:type="chapter"><h2>I</h2>'
        '<div class="notes"><p>Notes:</p><p>Thanks to my beta reader!</p></div>'
        f"<p>Mara came to the rock in <em>March</em>.</p><p>{LONG}</p>"
        '<div class="end notes"><p>See you next chapter.</p></div></section>'
    ),
    "OEBPS/text/ch2.xhtml": page(
        f'<h2 id="c2">II</h2><p>The storm came from the west.</p><hr/><p>{LONG}</p>'
        f'<h2 id="c3">III</h2><p>Spring found the lamp still burning.</p>'
    ),
    "OEBPS/text/thanks.xhtml": page("<h2>Thanks</h2><p>To everyone on the coast.</p>"),
    "OEBPS/images/cover.png": PNG,
}
EPUB3_TOC = nav(
    li("text/copyright.xhtml", "Copyright")
    + li("text/note.xhtml", "Author’s Note")
    + li(
        "text/part1.xhtml",
        "Part One: The Coast",
        li("text/ch1.xhtml", "Chapter One: The Lamp") + li("text/ch2.xhtml#c2", "Chapter Two"),
    )
    + li("text/ch2.xhtml#c3", "Part Two", li("text/ch2.xhtml#c3", "Chapter Three: Spring"))
    + li("text/thanks.xhtml", "Acknowledgements"),
    landmarks='<li><a epub:type="titlepage" href="text/title.xhtml">Title Page</a></li>',
)
EPUB3_PAGES = ["title", "nav", "copyright", "note", "part1", "ch1", "ch2", "thanks"]


def epub3(**changes: str | bytes | None) -> bytes:
    files = dict(EPUB3_FILES) | {"OEBPS/nav.xhtml": EPUB3_TOC}
    items = [("nav", "nav.xhtml", "nav"), ("cover", "images/cover.png", "cover-image")]
    items += [(name, f"text/{name}.xhtml", "") for name in EPUB3_PAGES if name != "nav"]
    files["OEBPS/content.opf"] = opf(items, EPUB3_PAGES)
    for name, content in changes.items():
        if content is None:
            files.pop(name)
        else:
            files[name] = content
    return epub(files)


@pytest.fixture
def novel(tmp_path) -> Book:
    return well_formed(read_book(write(tmp_path / "novel.epub", epub3())))


def test_epub_chapters_follow_the_table_of_contents_not_the_files(novel):
    assert titles(novel) == [
        "Part One: The Coast — Chapter One: The Lamp",
        "Chapter Two",
        "Part Two — Chapter Three: Spring",
    ]
    # the pages' own headings stay in the text as headings
    headings = [(c, t) for c, k, t in blocks_of(novel) if k is Kind.HEADING]
    assert headings == [(1, "Part One"), (1, "I"), (2, "II"), (3, "III")]


def test_epub_metadata_and_cover(novel):
    assert (novel.title, novel.author, novel.language) == (
        "The Salt Road",
        "Ines Calloway",
        "en-GB",
    )
    assert novel.slug == "the-salt-road"
    assert novel.cover == PNG


def test_epub_front_and_back_matter_and_notes_are_notes(novel):
    blocks = blocks_of(novel)
    assert blocks[:4] == [
        (1, Kind.NOTE, "The Salt Road\n\nInes Calloway"),  # landmarks: title page
        (1, Kind.NOTE, "Copyright © 2024 Ines Calloway."),  # by its TOC title
        (1, Kind.NOTE, "A Note\n\nThis story began on a ferry."),  # author's note before
        (1, Kind.HEADING, "Part One"),
    ]
    assert blocks[5] == (1, Kind.NOTE, "Notes:\n\nThanks to my beta reader!")
    assert blocks[6][:2] == (1, Kind.NARRATION)
    assert blocks[6][2].startswith("Mara came to the rock in March.\n\nThe lamp turned")
    assert blocks[7] == (1, Kind.NOTE, "See you next chapter.")  # notes after the chapter
    assert blocks[-1] == (3, Kind.NOTE, "Thanks\n\nTo everyone on the coast.")  # back matter
    assert "Contents" not in novel.text  # the navigation page is not story


def test_epub_paragraphs_and_scene_breaks(novel):
    chapter_two = [t for c, k, t in blocks_of(novel) if c == 2 and k is Kind.NARRATION]
    assert chapter_two == [f"The storm came from the west.\n\n* * *\n\n{LONG.strip()}"]


def test_epub_without_cover(tmp_path):
    data = epub3(**{"OEBPS/images/cover.png": None})
    book = well_formed(read_book(write(tmp_path / "b.epub", data)))
    assert book.cover is None
    assert len(book.chapters) == 3


def test_epub_cover_that_is_not_jpeg_or_png_is_left_out(tmp_path):
    data = epub3(**{"OEBPS/images/cover.png": b"GIF89a\x01\x00\x01\x00"})
    assert read_book(write(tmp_path / "b.epub", data)).cover is None


NCX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE ncx PUBLIC "-//NISO//DTD ncx 2005-1//EN" "http://www.daisy.org/z3986/2005/ncx-2005-1.dtd">
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>
<navPoint id="n1" playOrder="1"><navLabel><text>Title Page</text></navLabel><content src="title.xhtml"/></navPoint>
<navPoint id="n2" playOrder="2"><navLabel><text>Book One</text></navLabel><content src="one.xhtml"/>
  <navPoint id="n3" playOrder="3"><navLabel><text>The Departure</text></navLabel><content src="one.xhtml#d"/></navPoint>
  <navPoint id="n4" playOrder="4"><navLabel><text>  The   Crossing </text></navLabel><content src="two.xhtml"/></navPoint>
</navPoint>
<navPoint id="n5" playOrder="5"><navLabel><text>About the Author</text></navLabel><content src="about.xhtml"/></navPoint>
</navMap></ncx>"""


def epub2(cover: str = "", files: dict[str, str | bytes] | None = None) -> bytes:
    pages = {
        "title.xhtml": page("<h1>Across</h1><p>by Tom Weir</p>"),
        "one.xhtml": page(f'<h1>Book One</h1><p>{LONG}</p><h2 id="d">1</h2><p>They left.</p>'),
        "two.xhtml": page("<h2>2</h2><p>They crossed.</p>"),
        "about.xhtml": page("<p>Tom Weir lives by the sea.</p>"),
    }
    items = [("ncx", "toc.ncx", ""), ("img", "cover.jpg", "")]
    items += [(name.split(".")[0], name, "") for name in pages]
    metadata = (
        '<dc:title>Across</dc:title><dc:creator opf:role="edt">An Editor</dc:creator>'
        '<dc:creator opf:role="aut">Tom Weir</dc:creator>' + cover
    )
    spine = [name.split(".")[0] for name in pages]
    guide = '<guide><reference type="title-page" href="title.xhtml" title="Title"/></guide>'
    package = opf(items, spine, metadata=metadata, version="2.0", toc="ncx", guide=guide)
    contents = {f"OEBPS/{n}": p for n, p in pages.items()} | {
        "OEBPS/toc.ncx": NCX,
        "OEBPS/content.opf": package,
        "OEBPS/cover.jpg": JPEG,
    }
    return epub(contents | (files or {}))


def test_epub2_ncx_nested_entries_and_guide(tmp_path):
    book = well_formed(read_book(write(tmp_path / "across.epub", epub2())))
    assert (book.title, book.author, book.language, book.cover) == (
        "Across",
        "Tom Weir",
        None,
        None,
    )
    # `Book One` opens with story of its own, so it is a chapter; `The Departure` starts at `#d`
    assert titles(book) == ["Book One", "The Departure", "The Crossing"]
    assert blocks_of(book)[0] == (1, Kind.NOTE, "Across\n\nby Tom Weir")
    assert blocks_of(book)[-1] == (3, Kind.NOTE, "Tom Weir lives by the sea.")
    assert kind_of(book.text, book.blocks, "They left.") is Kind.NARRATION


def test_epub2_cover_from_the_cover_meta(tmp_path):
    data = epub2(cover='<meta name="cover" content="img"/>')
    assert read_book(write(tmp_path / "a.epub", data)).cover == JPEG


def test_epub_without_a_table_of_contents_has_a_chapter_per_page(tmp_path):
    items = [(n, f"{n}.xhtml", "") for n in ("a", "b")]
    data = epub(
        {
            "OEBPS/content.opf": opf(items, ["a", "b"]),
            "OEBPS/a.xhtml": page("<h1>Arrival</h1><p>We came.</p>"),
            "OEBPS/b.xhtml": page("<p>We stayed.</p>"),
        }
    )
    book = well_formed(read_book(write(tmp_path / "plain.epub", data)))
    assert titles(book) == ["Arrival", "Chapter 2"]


# ── EPUB safety ──────────────────────────────────────────────────────────────────────────────


def one_line_error(path: Path, pattern: str) -> str:
    with pytest.raises(InputError) as caught:
        read_book(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    assert re.search(pattern, message), message
    return message


@pytest.mark.parametrize(
    "data, pattern",
    [
        (b"This is not a zip at all, just words.", "not a valid EPUB .*damaged zip"),
        (epub3()[:300], "not a valid EPUB .*damaged zip"),  # truncated download
        (epub({"story.txt": "hello"}, container="<container>"), "not well-formed XML"),
        (epub3(**{"OEBPS/content.opf": "<package><manifest>"}), r"content\.opf is not well-formed"),
        (epub3(**{"OEBPS/text/ch1.xhtml": None}), r"lists OEBPS/text/ch1\.xhtml but does not"),
    ],
    ids=["not-a-zip", "truncated", "bad-container", "bad-package", "missing-page"],
)
def test_malformed_epub_is_a_one_line_input_error(tmp_path, data, pattern):
    one_line_error(write(tmp_path / "broken.epub", data), pattern)


def test_a_zip_that_is_not_an_epub(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("story.txt", "Once upon a time.")
    path = write(tmp_path / "stories.zip", buffer.getvalue())
    one_line_error(path, r"a zip archive but not an EPUB .*unzip it")


def test_zip_bomb_member_is_refused_before_unpacking(tmp_path):
    buffer = io.BytesIO(epub3(**{"OEBPS/text/ch1.xhtml": None}))
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("OEBPS/text/ch1.xhtml", "w") as member,
    ):
        for _ in range((zipped.MAX_MEMBER_BYTES >> 20) + 1):
            member.write(bytes(1 << 20))
    assert len(buffer.getvalue()) < 200_000  # 65 MB unpacked
    one_line_error(write(tmp_path / "bomb.epub", buffer.getvalue()), "zip bomb")


def test_zip_bomb_that_lies_about_its_size(tmp_path):
    bomb = b"<p>" + b" " * (3 << 20) + b"</p>"
    data = bytearray(epub3(**{"OEBPS/text/ch1.xhtml": bomb}))
    entry = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 1)
    while not data[entry + 46 : entry + 46 + 18].startswith(b"OEBPS/text/ch1.xht"):
        entry = data.index(b"PK\x01\x02", entry + 1)
    data[entry + 24 : entry + 28] = (100).to_bytes(4, "little")  # central directory: 100 bytes
    one_line_error(write(tmp_path / "liar.epub", bytes(data)), r"damaged EPUB: cannot unpack")


def test_total_unpacked_size_is_limited(tmp_path, monkeypatch):
    monkeypatch.setattr(zipped, "MAX_TOTAL_BYTES", 2000)
    one_line_error(write(tmp_path / "big.epub", epub3()), "zip bomb")


@pytest.fixture
def secret(tmp_path) -> Path:
    return write(tmp_path / "secret.txt", "TOP-SECRET-7731")


def xxe(target: Path) -> str:
    return f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{target}">]>'


def test_external_entity_in_a_page_is_refused(tmp_path, secret):
    data = epub3(**{"OEBPS/text/ch1.xhtml": page("<p>Leak: &xxe;</p>", prolog=xxe(secret))})
    message = one_line_error(write(tmp_path / "xxe.epub", data), "declares XML entities")
    assert "TOP-SECRET" not in message


def test_external_entity_in_the_package_is_refused(tmp_path, secret):
    package = opf([("a", "a.xhtml", "")], ["a"], metadata="<dc:title>&xxe;</dc:title>")
    package = package.replace("?>", "?>" + xxe(secret).replace("html", "package"), 1)
    data = epub({"OEBPS/content.opf": package, "OEBPS/a.xhtml": page("<p>Hi.</p>")})
    message = one_line_error(write(tmp_path / "xxe.epub", data), r"content\.opf declares XML")
    assert "TOP-SECRET" not in message


def test_billion_laughs_in_the_ncx_is_refused(tmp_path):
    laughs = '<!DOCTYPE ncx [<!ENTITY a "hahahahahaha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    ncx = NCX.replace(NCX.splitlines()[1], laughs).replace("Title Page", "&b;")
    one_line_error(
        write(tmp_path / "laughs.epub", epub2(files={"OEBPS/toc.ncx": ncx})), "declares XML"
    )


def test_paths_inside_the_epub_never_leave_it(tmp_path):
    escape = nav(li("../../../../etc/passwd", "Passwords") + li("text/ch1.xhtml", "One"))
    data = epub3(**{"OEBPS/nav.xhtml": escape})
    book = well_formed(read_book(write(tmp_path / "b.epub", data)))
    assert "Passwords" not in titles(book) and "root:" not in book.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.epub"]  # nothing written


# ── HTML ─────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def archive() -> Book:
    return well_formed(read_book(FIXTURES / "archive.html"))


def test_archive_page_has_its_chapters_and_metadata(archive):
    assert titles(archive) == ["Chapter 1: Arrival", "Chapter 2: The Storm", "Chapter 3"]
    assert (archive.title, archive.author, archive.language) == (
        "The Lighthouse Year",
        "quietgull",
        "en-GB",
    )


def test_archive_summaries_and_notes_are_note_blocks(archive):
    notes = [(c, t) for c, k, t in blocks_of(archive) if k is Kind.NOTE]
    assert (1, "Summary:\n\nMara takes the job nobody wants.") in notes
    assert (
        1,
        "Notes:\n\nFirst chapter, be gentle lol.\n\n(See the end of the chapter for more notes.)",
    ) in notes
    assert (1, "Notes:\n\nMore soon! Comments make my day.") in notes
    assert (3, "Notes:\n\nThe last one. Thank you for reading.") in notes
    assert (3, "End Notes:\n\nThe cat is real. Her name is Biscuit.") in notes
    assert (3, "Series this work belongs to:\n\nPart 2 of the Rock Keepers series") in notes
    # the work's preface (title, author, summary) opens chapter 1 as notes
    assert blocks_of(archive)[0][:2] == (1, Kind.NOTE)
    for phrase in ("The Lighthouse Year", "quietgull", "A keeper, a storm", "General Audiences"):
        assert kind_of(archive.text, archive.blocks, phrase) is Kind.NOTE, phrase


def test_archive_story_text_keeps_paragraphs_and_drops_markup(archive):
    story = [t for c, k, t in blocks_of(archive) if c == 1 and k is Kind.NARRATION]
    assert story == [
        "The ferry left Mara on the rock at noon and did not wait.\n\n"
        "“You’ll be wanting the key,” said the old keeper, and handed it over.\n"
        "It was heavier than it looked.\n\n* * *\n\nBy evening the lamp was lit."
    ]


@pytest.mark.parametrize(
    "furniture",
    [
        "Kudos from otter",  # kudos
        "Wonderful story",  # comments
        "Main Content",  # skip links
        "Fandoms",  # site navigation
        "Archive of Our Own",  # site header and footer
        "window.kudos",  # script
        "display: none",  # style
        "Chapter Text",  # hidden landmark headings
        "Entire Work",  # work navigation
        "↑ Top",  # actions
    ],
)
def test_archive_page_furniture_is_left_out(archive, furniture):
    assert furniture not in archive.text


def test_archive_story_keeps_its_own_styled_text(tmp_path):
    html = (
        '<div id="chapters"><div class="userstuff"><p class="comment">@lena: did you see that??</p>'
        '<p>She had.</p><h3 class="landmark heading">Chapter Text</h3></div></div>'
        '<div id="comments"><p>Great fic!</p></div>'
    )
    book = well_formed(read_book(write(tmp_path / "texts.html", html)))
    assert book.text == "@lena: did you see that??\n\nShe had."


def test_html_saved_as_txt_is_read_as_html(tmp_path, archive):
    saved = write(tmp_path / "story.txt", (FIXTURES / "archive.html").read_bytes())
    book = read_book(saved)
    assert (book.text, book.chapters, book.blocks) == (
        archive.text,
        archive.chapters,
        archive.blocks,
    )


def test_archive_download_has_its_chapters_notes_and_metadata():
    book = well_formed(read_book(FIXTURES / "archive_download.html"))
    assert (book.title, book.author) == ("Salt and Static", "radiowave")
    assert titles(book) == ["Chapter 1: Night Shift", "Chapter 2: The Voice", "Chapter 3"]
    story = [(c, t) for c, k, t in blocks_of(book) if k is Kind.NARRATION]
    assert story == [
        (1, "The static began at midnight, as it always did.\n\n“Anyone there?” Theo asked the dark. Nobody answered."),
        (2, "At two the voice came, faint and patient.\n\n* * *\n\nBy four Theo had written down every word."),
        (3, "The morning crew found him asleep, smiling."),
    ]  # fmt: skip
    for phrase, chapter in [
        ("Teen And Up Audiences", 1),  # the preface's tags
        ("A radio operator hears", 1),  # the work's summary
        ("Theo starts the night shift.", 1),  # the chapter's summary
        ("Unbeta'd, all mistakes are mine.", 1),  # notes before the chapter
        ("Thanks for reading! Kudos feed me.", 1),  # notes after it
        ("Last one!", 3),
        ("The radio is based on", 3),  # the work's end notes
        ("Please drop by the Archive", 3),
    ]:
        block = next(b for b in book.blocks if book.text.find(phrase, b.start, b.end) >= 0)
        assert (block.kind, block.chapter) == (Kind.NOTE, chapter), phrase


def test_archive_epub_preface_and_afterword_are_notes(tmp_path):
    """AO3's EPUBs are its download pages split into files: a preface, the chapters, an afterword."""
    download = (FIXTURES / "archive_download.html").read_text(encoding="utf-8")
    body = download[download.index("<body>") + 6 : download.index("</body>")]
    preface = body[: body.index('<div id="chapters"')]
    chapters = body[body.index('<div id="chapters"') : body.index('<div id="afterword"')]
    cut = [m.start() for m in re.finditer('<div class="meta group">', chapters)]
    pages = {"preface": preface, "afterword": body[body.index('<div id="afterword"') :]}
    for n, (start, end) in enumerate(zip(cut, [*cut[1:], len(chapters)], strict=True), 1):
        pages[f"ch{n}"] = chapters[start:end]
    order = ["preface", "ch1", "ch2", "ch3", "afterword"]
    labels = ["Preface", "Chapter 1: Night Shift", "Chapter 2: The Voice", "Chapter 3", "Afterword"]
    ncx = (
        NCX.split("<navMap>")[0]
        + "<navMap>"
        + "".join(
            f'<navPoint id="p{n}"><navLabel><text>{label}</text></navLabel>'
            f'<content src="{name}.xhtml"/></navPoint>'
            for n, (name, label) in enumerate(zip(order, labels, strict=True))
        )
        + "</navMap></ncx>"
    )
    items = [("ncx", "toc.ncx", "")] + [(n, f"{n}.xhtml", "") for n in order]
    files: dict[str, str | bytes] = {f"OEBPS/{n}.xhtml": page(pages[n]) for n in order}
    files |= {"OEBPS/toc.ncx": ncx, "OEBPS/content.opf": opf(items, order, toc="ncx")}
    book = well_formed(read_book(write(tmp_path / "ao3.epub", epub(files))))
    assert titles(book) == labels[1:4]
    html = read_book(FIXTURES / "archive_download.html")
    assert [(b.chapter, b.kind) for b in book.blocks if b.kind is not Kind.NOTE] == [
        (b.chapter, b.kind) for b in html.blocks if b.kind is not Kind.NOTE
    ]
    assert kind_of(book.text, book.blocks, "Teen And Up Audiences") is Kind.NOTE
    assert kind_of(book.text, book.blocks, "Please drop by the Archive") is Kind.NOTE


GENERIC = """<!doctype html><html lang="fr"><head><title>Le Phare | My Blog</title>
<meta name="author" content="Jeanne Roux"><script>track()</script></head><body>
<header><h1>My Blog</h1><nav><a href="/">Home</a></nav></header>
<main><h1>Le Phare</h1><p>Pour ma sœur.</p>
<h2>Un</h2><p>Il pleuvait <b>fort</b>.</p><h3>Plus tard</h3><p>Le soir vint.</p>
<h2>Deux</h2><p>Le vent tomba.</p>
<section id="comments"><h2>3 Comments</h2><p>Superbe !</p></section></main>
<footer><p>© My Blog</p></footer></body></html>"""


def test_generic_html_lone_h1_is_the_title_and_h2_are_chapters(tmp_path):
    book = well_formed(read_book(write(tmp_path / "phare.html", GENERIC)))
    assert (book.title, book.author, book.language) == ("Le Phare", "Jeanne Roux", "fr")
    assert titles(book) == ["Un", "Deux"]
    assert blocks_of(book) == [
        (1, Kind.NOTE, "Le Phare\n\nPour ma sœur."),
        (1, Kind.HEADING, "Un"),
        (1, Kind.NARRATION, "Il pleuvait fort.\n\nPlus tard\n\nLe soir vint."),
        (2, Kind.HEADING, "Deux"),
        (2, Kind.NARRATION, "Le vent tomba."),
    ]


def test_generic_html_h1_chapters_and_title_from_the_page(tmp_path):
    html = "<html><head><title>Two Days</title></head><body>" + "".join(
        f"<h1>Day {n}</h1><p>It was day {n}.</p>" for n in (1, 2)
    )
    book = well_formed(read_book(write(tmp_path / "days.htm", html)))
    assert (book.title, titles(book)) == ("Two Days", ["Day 1", "Day 2"])


def test_html_without_headings_is_one_chapter(tmp_path):
    book = well_formed(read_book(write(tmp_path / "flash.html", "<p>One.</p><p>Two.</p>")))
    assert (book.title, titles(book), book.text) == ("flash", ["flash"], "One.\n\nTwo.")


@pytest.mark.parametrize(
    "html", ["", "<html><body><nav>Home</nav><script>x()</script></body></html>"]
)
def test_html_without_story_text(tmp_path, html):
    one_line_error(write(tmp_path / "empty.html", html), "no story text found")


# ── Markdown ─────────────────────────────────────────────────────────────────────────────────


def test_markdown_front_matter_and_chapters():
    book = well_formed(read_book(FIXTURES / "story.md"))
    assert (book.title, book.author, book.language) == ("Tidewater", "Ana Reyes, Sam Ortiz", "en")
    assert titles(book) == ["The Harbour", "The Ferry", "Home"]
    assert blocks_of(book)[:3] == [
        (
            1,
            Kind.NOTE,
            'title: "Tidewater"\nauthor:\n- Ana Reyes\n- Sam Ortiz\nlang: en\n'
            "tags: [harbour, ferry]",
        ),
        (1, Kind.HEADING, "The Harbour"),
        (
            1,
            Kind.NARRATION,
            "The boats came in slowly, one by one, and nobody on the quay said a word.\n\n"
            '"Is that him?" asked Lena. She pointed at the last boat.\n\n* * *\n\n'
            "By dark the harbour was empty again.",
        ),
    ]
    assert kind_of(book.text, book.blocks, "Morning") is Kind.NARRATION  # a subheading
    assert book.text.endswith("See the map for the route.")


def test_markdown_lone_top_heading_is_the_title(tmp_path):
    source = "# The Map\n\n## One\n\nWe left.\n\n## Two\n\nWe came back.\n"
    book = well_formed(read_book(write(tmp_path / "map.md", source)))
    assert (book.title, titles(book)) == ("The Map", ["One", "Two"])
    assert blocks_of(book)[0] == (1, Kind.NOTE, "The Map")


def test_markdown_without_front_matter_or_headings(tmp_path):
    source = "It was *very* dark.\n\n---\n\nThen it was light.\n"
    book = well_formed(read_book(write(tmp_path / "dark.markdown", source)))
    assert (book.title, book.author, titles(book)) == ("dark", None, ["dark"])
    assert book.text == "It was very dark.\n\n* * *\n\nThen it was light."


def test_markdown_fixture_as_plain_text_still_works():
    book = well_formed(read_book(FIXTURES / "markdown.txt"))
    assert titles(book) == ["Departure", "Arrival"]


# ── choosing the reader ──────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "name, data, reader",
    [
        ("a.txt", b"Once upon a time.", ".txt"),
        ("a.txt", b"\xef\xbb\xbf  <!DOCTYPE html><html><body><p>Hi", ".html"),
        ("a.txt", b"<p>not a page, a story that starts with a tag</p>", ".txt"),
        ("a.md", b"<html><body>inline html in markdown", ".md"),
        ("a.htm", b"just words", ".html"),
        ("a.zip", b"PK\x03\x04rest", ".epub"),
        ("story", b"PK\x03\x04rest", ".epub"),
        ("a.EPUB", b"not a zip", ".epub"),
        ("a.log", b"<html><head></head></html>", ".html"),
        ("a.log", b"words", ".txt"),
    ],
)
def test_reader_is_chosen_by_content_then_extension(name, data, reader):
    assert reader_for(Path(name), data) is READERS[reader]


def test_a_named_zip_that_is_an_epub_is_found_and_read(tmp_path):
    path = write(tmp_path / "download.zip", epub3())
    assert find_stories([path]) == [path]
    assert read_book(path).title == "The Salt Road"


def test_folders_hold_stories_of_every_format(tmp_path):
    story = tmp_path / "lib"
    story.mkdir()
    paths = [write(story / n, "x") for n in ("a.epub", "b.html", "c.md", "d.txt", "README.md")]
    assert find_stories([story]) == paths[:4]


def test_parsers_are_imported_only_when_a_format_needs_them():
    code = (
        "import sys, narrate.cli, narrate.ingest; "
        "print(sorted(m for m in ('bs4', 'defusedxml', 'markdown_it') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ── never fails, never loses text ────────────────────────────────────────────────────────────

HTML_PIECES = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<h1>",
        "</h1>",
        "<h2>",
        "</h2>",
        "<h3 class='title'>",
        "<br>",
        "<hr>",
        "<i>",
        "</i>",
        "<div id='chapters'>",
        "<div class='chapter'>",
        "<div class='summary module'>",
        "<div class='notes'>",
        "<div class='meta group'>",
        "<div class='userstuff'>",
        "<blockquote>",
        "<nav>",
        "</nav>",
        "<script>",
        "</script>",
        "<a id='x'>",
        "&nbsp;",
        "&amp;",
        "<!-- c -->",
        " ",
        "\n",
        "Chapter 1",
        "“Run,” she said.",
    ]
)
MARKDOWN_PIECES = st.sampled_from(
    [
        "# ",
        "## ",
        "\n",
        "\n\n",
        "---\n",
        "title: X\n",
        "*",
        "_",
        "**",
        "***",
        "`",
        "> ",
        "- ",
        "[a](b)",
        "<b>",
        "word ",
    ]
)


@given(st.lists(st.one_of(st.text(max_size=8), HTML_PIECES), max_size=40).map("".join))
@settings(max_examples=200, deadline=None)
def test_html_never_fails_and_covers_its_text(html):
    from narrate.ingest import html as reader

    try:
        text, found = reader.read(html.encode("utf-8"), Path("x.html"))
    except InputError as err:
        assert "no story text found" in str(err) or "binary" in str(err)
        return
    assert_well_formed(text, found.chapters, found.blocks)
    assert "\n\n\n" not in text and text == text.strip()


@given(st.lists(st.one_of(st.text(max_size=8), MARKDOWN_PIECES), max_size=40).map("".join))
@settings(max_examples=200, deadline=None)
def test_markdown_never_fails_and_covers_its_text(source):
    from narrate.ingest import markdown as reader

    try:
        text, found = reader.read(source.encode("utf-8"), Path("x.md"))
    except InputError as err:
        assert re.search("no story text found|nothing to narrate|binary", str(err))
        return
    assert_well_formed(text, found.chapters, found.blocks)


# ── file names ───────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "title, name",
    [
        ("The Beginning", "The Beginning"),
        ("Case Kept,  spaces\tkept", "Case Kept, spaces kept"),
        ('Who? What: "this" / that\\ <x>|*', "Who What this that x"),
        ("Chapter 1: The Storm", "Chapter 1 The Storm"),
        ("Ünïcødé — fine", "Ünïcødé — fine"),
        ("吾輩は猫である", "吾輩は猫である"),
        ("../etc/passwd", "etc passwd"),
        (".hidden", "hidden"),
        ("Ends with dots...", "Ends with dots"),
        ("tab\x00nul\x1fcontrol\x85c1", "tab nul control c1"),
        ("CON", "CON_"),
        ("con.txt", "con_.txt"),
        ("Lpt9 ", "Lpt9_"),
        ("Console", "Console"),
        ("...", "Untitled"),
        ("", "Untitled"),
        ("x" * 100, "x" * 80),
    ],
)
def test_safe_file_name(title, name):
    assert safe_file_name(title) == name


def test_safe_file_name_fallback_is_made_safe_too():
    assert safe_file_name("???", fallback="Chapter 4") == "Chapter 4"
    assert safe_file_name("???", fallback="a/b") == "a b"
    assert safe_file_name("???", fallback="") == "Untitled"


def test_safe_file_name_counts_bytes_for_wide_characters():
    name = safe_file_name("📚" * 80)
    assert len(name.encode("utf-8")) <= 200 and name == "📚" * 50


@given(st.text())
def test_safe_file_name_is_always_legal_and_stable(title):
    name = safe_file_name(title)
    assert name and len(name) <= 80 and len(name.encode("utf-8")) <= 200
    assert not re.search(r'[<>:"/\\|?*]', name)
    assert not any(unicodedata.category(c) == "Cc" for c in name)
    assert not name.startswith(".") and not name.endswith((".", " ")) and name == name.strip()
    assert name.split(".")[0].strip().lower() not in {"con", "prn", "aux", "nul", "com1", "lpt1"}
    assert safe_file_name(name) == name
