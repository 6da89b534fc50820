"""The small records passed between the pipeline's stages.

    ingest ──▶ Book(blocks) ──segment──▶ Chunk ──cast──▶ Voice ──synthesize──▶ Clip ──assemble──▶ files

All are frozen: a stage never changes what an earlier stage produced, it makes new records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Kind(StrEnum):
    """What a span of text is; the values are the `kind` field of `narrate segment --format jsonl`."""

    NARRATION = "narration"
    DIALOGUE = "dialogue"
    HEADING = "heading"
    NOTE = "note"


class Break(StrEnum):
    """The pause that follows a chunk, from shortest to longest."""

    CLAUSE = "clause"
    """Mid-sentence: a quote followed by its attribution (`"Stay," he said`)."""
    SENTENCE = "sentence"
    PARAGRAPH = "paragraph"
    SCENE = "scene"
    CHAPTER = "chapter"


@dataclass(frozen=True)
class Block:
    """A structural span of a book's text, found by the format's reader."""

    kind: Kind
    """HEADING (a chapter title), NOTE (summary, author's note, archive furniture), or NARRATION:
    story text that the segmenter splits further into narration and dialogue."""
    chapter: int
    """1-based number of the chapter the block belongs to."""
    start: int
    """Offset of the first character in Book.text."""
    end: int
    """Offset one past the last character in Book.text."""


@dataclass(frozen=True)
class Chapter:
    number: int
    """1-based, in reading order."""
    title: str
    """What players show in their chapter list: the heading's text, or "Chapter N" when there is none."""


@dataclass(frozen=True)
class Book:
    """One story, decoded, with its structure but not yet segmented."""

    source: Path
    """The file it was read from."""
    title: str
    """From the text or the format's metadata when it has one, else from the file name."""
    slug: str
    """A file-name-safe form of the title, used for the output folder and files."""
    text: str
    """The decoded text; every offset in Block and Chunk indexes this string."""
    chapters: tuple[Chapter, ...]
    blocks: tuple[Block, ...]
    """Non-overlapping, in reading order, together covering every non-whitespace character of text."""
    author: str | None = None
    language: str | None = None
    cover: bytes | None = None
    """Image bytes (JPEG or PNG) from the source, if it has one."""


@dataclass(frozen=True)
class Chunk:
    """The unit of narration: one voice, one synthesis call, one caption cue."""

    chapter: int
    index: int
    """0-based position in the book, in reading order."""
    kind: Kind
    speaker: str | None
    """A character's canonical name, "you" for the second-person reader, "narrator" for a first-person
    narrator, or None when unknown (narration chunks have None)."""
    start: int
    end: int
    text: str
    """Exactly Book.text[start:end]; what is spoken is derived from it by speech.py."""
    spoken: bool
    """Whether the chunk is voiced under the current settings (notes are not, by default)."""
    brk: Break = Break.SENTENCE
    """The pause after this chunk."""

    def contract(self) -> dict:
        """The fields of the `narrate segment --format jsonl` contract, in its order."""
        return {
            "chapter": self.chapter,
            "index": self.index,
            "kind": str(self.kind),
            "speaker": self.speaker,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "spoken": self.spoken,
        }


@dataclass(frozen=True)
class Character:
    """Someone who speaks in a book, as the segmenter discovered them."""

    name: str
    """Canonical name: the longest full form seen (`Kylo Ren`)."""
    aliases: tuple[str, ...] = ()
    """Other names the text uses for them (`Kylo`, `Ren`, `Commander Ren`)."""
    gender: str | None = None
    """"male", "female", or None when the text does not say."""
    lines: int = 0
    """How many dialogue chunks are attributed to them."""


@dataclass(frozen=True)
class Voice:
    """How one speaker sounds. None means "the engine's default"."""

    engine: str = "pyttsx3"
    """Which engine speaks: a name from narrate.engines."""
    id: str = "en-us"
    """An engine voice id, as `narrate voices` lists them (espeak-ng variants as `en-us+f3`)."""
    rate: int = 170
    """Words per minute."""
    pitch: int | None = None
    """0-100 on espeak-ng; None keeps the voice's own."""
    volume: float = 1.0
    """0.0-1.0, before loudness normalisation."""
    speaker: str | None = None
    """Piper: a multi-speaker model's speaker, by name or number; None is its default speaker."""
    sentence_silence_ms: int | None = None
    """Piper: silence between the sentences of one chunk; None is the engine's default (250 ms)."""


@dataclass(frozen=True)
class Pauses:
    """Silence, in milliseconds, that the assembler puts between and around chunks."""

    clause_ms: int = 150
    """After a chunk that ends mid-sentence (a quote before its attribution)."""
    sentence_ms: int = 250
    paragraph_ms: int = 650
    scene_ms: int = 1500
    """At a scene break (`* * *`)."""
    head_ms: int = 750
    """Room tone at the start of every chapter (the audiobook standard asks for 0.5-1 s)."""
    tail_ms: int = 2000
    """Room tone at the end of every chapter (1-5 s)."""

    def after(self, brk: Break) -> int:
        """Milliseconds of silence after a chunk followed by `brk` (a chapter's end is its tail)."""
        return {
            Break.CLAUSE: self.clause_ms,
            Break.SENTENCE: self.sentence_ms,
            Break.PARAGRAPH: self.paragraph_ms,
            Break.SCENE: self.scene_ms,
            Break.CHAPTER: 0,
        }[brk]


@dataclass(frozen=True)
class Clip:
    """Synthesized audio for one chunk: mono signed 16-bit little-endian PCM."""

    chunk: Chunk
    pcm: bytes
    sample_rate: int
    voice: Voice = field(default_factory=Voice)

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate
