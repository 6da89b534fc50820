"""Story bytes to text: byte-order marks, legacy Windows encodings, and refusing what is not text."""

from __future__ import annotations

import codecs
from pathlib import Path

from narrate.errors import InputError

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


def not_text(path: Path) -> InputError:
    """The one error for a file that is not a story at all."""
    return InputError(
        f"{path}: looks like a binary file, not text; give narrate a story (.txt, .md, .html or .epub)"
    )


def decode(data: bytes, path: Path) -> str:
    """The text of a story file, exactly as written: newlines and everything else untouched, only a
    byte-order mark dropped. UTF-8, UTF-16/32 with a mark, else Windows-1252, else Latin-1."""
    if looks_binary(data):
        raise not_text(path)
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
