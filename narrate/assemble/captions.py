"""Captions: WebVTT and SubRip with one cue per spoken chunk, and LRC for players that show lyrics.

Cue times come from where the mixer put each chunk's speech, counted in samples, so they hold to
the millisecond in any decoder. Each chapter's first cue is its title, shown through the room tone
before the first words. Cue text is the story's own text (not the spoken form), on one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from narrate.assemble.tags import one_line


@dataclass(frozen=True)
class Cue:
    start: float
    """Seconds from the start of the chapter file."""
    end: float
    text: str


def chapter_cues(title: str, spoken: Iterable[tuple[float, float, str]]) -> list[Cue]:
    """The title cue, then a cue per (start, end, text) of speech, in order; empty ones dropped."""
    cues = [Cue(start, end, one_line(text)) for start, end, text in spoken]
    cues = [cue for cue in cues if cue.text and cue.end > cue.start]
    title_end = cues[0].start if cues else 0.0
    head = [Cue(0.0, title_end, one_line(title))] if title_end > 0 and one_line(title) else []
    return head + cues


def vtt(cues: Sequence[Cue]) -> str:
    blocks = ["WEBVTT\n"]
    for cue in cues:
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{_clock(cue.start, '.')} --> {_clock(cue.end, '.')}\n{text}\n")
    return "\n".join(blocks)


def srt(cues: Sequence[Cue]) -> str:
    blocks = []
    for number, cue in enumerate(cues, 1):
        text = cue.text.replace("-->", "->")
        blocks.append(f"{number}\n{_clock(cue.start, ',')} --> {_clock(cue.end, ',')}\n{text}\n")
    return "\n".join(blocks)


def lrc_header(title: str, album: str, artist: str | None, seconds: float) -> list[str]:
    """LRC's ID tags: what the lyrics belong to, and the length of the audio."""
    minutes, rest = divmod(round(seconds), 60)
    tags = [f"[ti:{one_line(title)}]", f"[al:{one_line(album)}]"]
    if artist:
        tags.append(f"[ar:{one_line(artist)}]")
    return [*tags, f"[length:{minutes:02d}:{rest:02d}]", "[re:narrate]"]


def lrc_lines(cues: Sequence[Cue], offset: float = 0.0) -> list[str]:
    """`[mm:ss.xx]text` per cue, `offset` seconds later (a chapter's start in the whole book), and
    an empty line when the last cue ends so its text does not stay up through the room tone."""
    lines = [f"[{_lrc_clock(offset + cue.start)}]{cue.text}" for cue in cues]
    if cues:
        lines.append(f"[{_lrc_clock(offset + cues[-1].end)}]")
    return lines


def lrc(cues: Sequence[Cue], title: str, album: str, artist: str | None, seconds: float) -> str:
    return "\n".join(lrc_header(title, album, artist, seconds) + lrc_lines(cues)) + "\n"


def _clock(seconds: float, comma: str) -> str:
    """hh:mm:ss.mmm (VTT) or hh:mm:ss,mmm (SRT)."""
    ms = round(seconds * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{comma}{ms:03d}"


def _lrc_clock(seconds: float) -> str:
    """mm:ss.xx, minutes counting past 59 as LRC players expect."""
    cs = round(seconds * 100)
    minutes, cs = divmod(cs, 6000)
    secs, cs = divmod(cs, 100)
    return f"{minutes:02d}:{secs:02d}.{cs:02d}"
