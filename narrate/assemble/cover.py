"""The book's cover: the image the user chose, else the one the story came with, else one drawn here
with the title and author, so every player's library shows something recognisable.

Pillow draws it, imported only when a cover is drawn; its bundled font needs no system fonts.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
from pathlib import Path

from narrate.errors import InputError

SIZE = 1400
"""Pixels on a side: what podcast and audiobook apps ask for at least."""
_MARGIN = 130


def image_type(data: bytes | None) -> str | None:
    """The MIME type of a JPEG or PNG, None for anything else."""
    if data and data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data and data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def load(path: Path) -> bytes:
    """A user's cover file; InputError unless it is a JPEG or PNG."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InputError(
            f"{path}: cannot read the cover ({e.strerror}); check the --cover path"
        ) from e
    if image_type(data) is None:
        raise InputError(f"{path}: not a JPEG or PNG image; --cover takes a .jpg or .png file")
    return data


def choose(user: bytes | None, book: bytes | None, title: str, author: str | None) -> bytes | None:
    """The cover to use: the user's, the book's if it is an image players can show, else a drawn
    one (None only when Pillow is missing)."""
    if user is not None:
        return user
    if image_type(book) is not None:
        return book
    return draw(title, author)


def draw(title: str, author: str | None) -> bytes | None:
    """A SIZE x SIZE JPEG: the title large and the author below a rule, light on a dark colour that
    the title picks, so books in a series look related yet tell apart."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        return None
    hue = hashlib.sha256(title.encode("utf-8")).digest()[0] / 255
    background = _rgb(hue, 0.55, 0.30)
    accent = _rgb(hue, 0.35, 0.85)
    image = Image.new("RGB", (SIZE, SIZE), background)
    pen = ImageDraw.Draw(image)
    pen.rectangle((60, 60, SIZE - 60, SIZE - 60), outline=accent, width=4)
    width = SIZE - 2 * _MARGIN

    font, lines = _fit(pen, ImageFont, " ".join(title.split()) or "Untitled", width, 700, 150)
    line_height = font.size * 1.2
    y = 300 + (700 - line_height * len(lines)) / 2
    for line in lines:
        pen.text((SIZE / 2, y), line, font=font, fill=(250, 247, 240), anchor="ma")
        y += line_height

    pen.rectangle((SIZE / 2 - 160, 1080, SIZE / 2 + 160, 1086), fill=accent)
    if author and author.strip():
        small, author_lines = _fit(pen, ImageFont, " ".join(author.split()), width, 130, 72)
        pen.text((SIZE / 2, 1130), author_lines[0], font=small, fill=accent, anchor="ma")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _fit(pen, image_font, text: str, width: int, height: int, size: int):
    """The largest font (from `size` down) at which `text`, wrapped on spaces, fits the box."""
    while True:
        font = image_font.load_default(size=size)
        lines = _wrap(pen, font, text, width)
        fits = all(pen.textlength(line, font=font) <= width for line in lines)
        if size <= 28 or (fits and len(lines) * size * 1.2 <= height):
            return font, lines
        size = int(size * 0.9)


def _wrap(pen, font, text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split(" "):
        if lines and pen.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _rgb(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    red, green, blue = colorsys.hsv_to_rgb(hue, saturation, value)
    return round(red * 255), round(green * 255), round(blue * 255)
