"""What to write for a book: which formats, at which rate and bitrate, with which cover.

    m4b   <slug>.m4b: AAC with QuickTime and Nero chapter lists, tags, cover (the default, with mp3)
    mp3   "NN - <chapter>.mp3" per chapter, ID3-tagged, and <slug>.m3u listing them (the default, with m4b)
    opus  <slug>.opus: Ogg Opus with chapters (Vorbis CHAPTERnnn comments), tags, cover

Captions (.vtt, .srt, .lrc per chapter) and manifest.json are written whatever the formats.
The `acx` preset is the audiobook delivery standard: one 44.1 kHz, 192 kbps CBR mp3 per chapter,
none longer than 120 minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

FORMATS = ("m4b", "mp3", "opus")
DEFAULT_FORMATS = frozenset({"m4b", "mp3"})
PRESETS = ("acx",)


@dataclass(frozen=True)
class Output:
    """The files assemble() writes and how they are encoded."""

    formats: frozenset[str] = DEFAULT_FORMATS
    """A non-empty subset of FORMATS."""
    sample_rate: int | None = None
    """Hz of the m4b and mp3s; None keeps the speech engine's own rate (opus picks its own)."""
    aac_bitrate: str = "64k"
    mp3_bitrate: str = "64k"
    """Constant bitrate: libmp3lame encodes CBR when given a bitrate."""
    opus_bitrate: str = "32k"
    max_chapter_minutes: float | None = None
    """A chapter longer than this fails the build (the ACX limit is 120)."""
    cover: bytes | None = None
    """A JPEG or PNG the user chose; else the book's own cover; else one is drawn."""


def output(
    formats: Iterable[str] = (),
    preset: str | None = None,
    cover: bytes | None = None,
) -> Output:
    """The Output for command-line choices: `formats` as given to --format (repeated values or
    comma lists; empty for the preset's or the default set) and an optional preset name.
    ValueError, saying what is allowed, for an unknown format or preset."""
    chosen = parse_formats(formats)
    if preset is None:
        return Output(formats=chosen or DEFAULT_FORMATS, cover=cover)
    if preset == "acx":
        return Output(
            formats=chosen or frozenset({"mp3"}),
            sample_rate=44100,
            mp3_bitrate="192k",
            max_chapter_minutes=120,
            cover=cover,
        )
    raise ValueError(f"unknown preset {preset!r}; use one of: {', '.join(PRESETS)}")


def parse_formats(values: Iterable[str]) -> frozenset[str]:
    """`["m4b,mp3", "opus"]` -> {"m4b", "mp3", "opus"}; case and spaces do not matter."""
    chosen = set()
    for value in values:
        for name in value.split(","):
            name = name.strip().lower().lstrip(".")
            if not name:
                continue
            if name not in FORMATS:
                raise ValueError(f"unknown format {name!r}; use any of: {', '.join(FORMATS)}")
            chosen.add(name)
    return frozenset(chosen)
