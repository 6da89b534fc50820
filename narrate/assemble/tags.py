"""Tags players show: title, author, album, genre, year and the cover, in each format's own way.

ffmpeg writes the m4b's and the opus file's text tags with their chapters (see encode.py); mutagen
adds covers, and everything in the chapter mp3s' ID3.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from narrate.assemble.cover import image_type
from narrate.model import Book

GENRE = "Audiobook"


@dataclass(frozen=True)
class Tags:
    """One book's tags; each is on one line."""

    title: str
    artist: str | None = None
    """The author."""
    year: str | None = None
    genre: str = GENRE

    @classmethod
    def of(cls, book: Book) -> Tags:
        # Book does not carry a year yet; Tags.year is tagged as soon as a reader can fill it.
        return cls(
            title=one_line(book.title), artist=one_line(book.author) if book.author else None
        )

    def ffmetadata(self) -> dict[str, str]:
        """Keys ffmpeg's mp4 and ogg muxers turn into ©nam/©alb/©ART/aART/©gen/©day and
        TITLE/ALBUM/ARTIST/ALBUMARTIST/GENRE/DATE."""
        keys = {"title": self.title, "album": self.title, "genre": self.genre}
        if self.artist:
            keys |= {"artist": self.artist, "album_artist": self.artist}
        if self.year:
            keys["date"] = self.year
        return keys


def tag_mp3(
    path: Path, tags: Tags, title: str, track: int, tracks: int, cover: bytes | None
) -> None:
    from mutagen.id3 import APIC, ID3, TALB, TCON, TIT2, TPE1, TPE2, TRCK, TYER, ID3NoHeaderError

    try:
        id3 = ID3(path)
    except ID3NoHeaderError:
        id3 = ID3()
    id3.add(TIT2(encoding=3, text=title))
    id3.add(TALB(encoding=3, text=tags.title))
    if tags.artist:
        id3.add(TPE1(encoding=3, text=tags.artist))
        id3.add(TPE2(encoding=3, text=tags.artist))
    if tags.year:
        id3.add(TYER(encoding=3, text=tags.year))
    id3.add(TRCK(encoding=3, text=f"{track}/{tracks}"))
    id3.add(TCON(encoding=3, text=tags.genre))
    mime = image_type(cover)
    if cover and mime:
        id3.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=cover))
    id3.save(path, v2_version=3)


def cover_m4b(path: Path, cover: bytes) -> None:
    from mutagen.mp4 import MP4, MP4Cover

    kind = MP4Cover.FORMAT_PNG if image_type(cover) == "image/png" else MP4Cover.FORMAT_JPEG
    m4b = MP4(path)
    m4b["covr"] = [MP4Cover(cover, imageformat=kind)]
    m4b.save()


def cover_opus(path: Path, cover: bytes) -> None:
    """The cover as a METADATA_BLOCK_PICTURE comment, the Ogg way (a FLAC picture block)."""
    from mutagen.flac import Picture
    from mutagen.oggopus import OggOpus

    picture = Picture()
    picture.type = 3  # front cover
    picture.mime = image_type(cover) or "image/jpeg"
    picture.desc = "Cover"
    picture.data = cover
    opus = OggOpus(path)
    opus["metadata_block_picture"] = [base64.b64encode(picture.write()).decode("ascii")]
    opus.save()


def one_line(text: str) -> str:
    """Titles and tags are one line: players show no line breaks, and a newline in a tag value
    would be a way to inject keys into a metadata file."""
    return " ".join(text.split())
