"""Reading members of an untrusted zip archive (an EPUB) under a size budget, and parsing its XML
without entity expansion.

Member names are only ever looked up in the archive: nothing is extracted, so a name like
`../../etc/passwd` can at worst fail to be found.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from narrate.errors import InputError

MAX_MEMBER_BYTES = 64 * 2**20
"""A single member larger than this, unpacked, is refused (a zip bomb, not a book page)."""
MAX_TOTAL_BYTES = 256 * 2**20
"""All the members one book reads, unpacked, together."""
MAX_MEMBERS = 20_000

_UNPACK_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,  # an unsupported compression method
    RuntimeError,  # an encrypted member
    ValueError,
    OSError,
)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


class Archive:
    """A zip archive held in memory, read member by member within MAX_* limits."""

    def __init__(self, data: bytes, path: Path, what: str = "EPUB") -> None:
        self.path, self.what, self.total = path, what, 0
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.zip.infolist()
        except _UNPACK_ERRORS as err:
            raise InputError(
                f"{path}: not a valid {what} (damaged zip archive: {_one_line(err)}); "
                "re-download or re-export it"
            ) from None
        if len(self.infos) > MAX_MEMBERS:
            raise InputError(
                f"{path}: {len(self.infos)} files inside, more than a book holds; "
                f"check that it is a real {what}"
            )
        self.names = {info.filename: info for info in self.infos}

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """A member's bytes; InputError when it is missing, damaged or unpacks too large."""
        info = self.names.get(name)
        if info is None:
            raise InputError(
                f"{self.path}: damaged {self.what}: it lists {name} but does not contain it; "
                "re-download or re-export it"
            )
        if info.file_size > MAX_MEMBER_BYTES:
            raise self._too_large(name)
        try:
            with self.zip.open(info) as member:
                data = member.read(MAX_MEMBER_BYTES + 1)
        except _UNPACK_ERRORS as err:
            raise InputError(
                f"{self.path}: damaged {self.what}: cannot unpack {name} ({_one_line(err)}); "
                "re-download or re-export it"
            ) from None
        self.total += len(data)
        if len(data) > MAX_MEMBER_BYTES or self.total > MAX_TOTAL_BYTES:
            raise self._too_large(name)
        return data

    def _too_large(self, name: str) -> InputError:
        return InputError(
            f"{self.path}: {name} inside unpacks to more than {MAX_MEMBER_BYTES >> 20} MB "
            f"(or the {self.what} to more than {MAX_TOTAL_BYTES >> 20} MB): refused as a "
            "possible zip bomb; check where the file came from"
        )

    def xml(self, name: str) -> Element:
        """A member parsed as XML by defusedxml: entity declarations and external references are
        refused, never expanded or fetched."""
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import fromstring

        data = self.read(name)
        try:
            return fromstring(data)
        except DefusedXmlException:
            raise self.entities(name) from None
        except ParseError as err:
            raise InputError(
                f"{self.path}: damaged {self.what}: {name} is not well-formed XML "
                f"({_one_line(err)}); re-download or re-export it"
            ) from None

    def entities(self, name: str) -> InputError:
        return InputError(
            f"{self.path}: {name} declares XML entities, which narrate refuses to expand (they "
            f"can read files or exhaust memory); re-export the {self.what} with a trusted tool"
        )


def local(tag: str) -> str:
    """An XML tag without its namespace: `{http://purl.org/dc/elements/1.1/}title` -> `title`."""
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local(child.tag) == name]


def descendants(element: Element, name: str) -> list[Element]:
    return [child for child in element.iter() if local(child.tag) == name]


def attribute(element: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (`opf:role`, `role`)."""
    for key, value in element.attrib.items():
        if local(key) == name:
            return value
    return None
