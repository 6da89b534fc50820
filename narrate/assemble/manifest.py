"""manifest.json: where each chapter and each chunk of a book sits in its audio, for tools that sync
text and audio (highlighting, search, re-cutting).

    {"manifest": 1, "title", "author", "source", "duration", "files": {...}, "loudness": {...},
     "voices": [{"engine", "id", "rate", "pitch", "volume", "measured_lufs"}],
     "chapters": [{"number", "title", "start", "duration", "mp3", "vtt", "srt", "lrc"}],
     "chunks": [{"index", "chapter", "kind", "speaker", "start", "end", "text", "voice",
                 "gain_db", "time", "chapter_time", "duration"}]}

Times are seconds: `start` of a chapter and `time` of a chunk from the start of the whole book
(the m4b or opus), `chapter_time` from the start of its chapter's mp3 and captions. A chunk's
`start`/`end` are character offsets into the story's decoded text, as in `narrate segment`;
`voice` indexes `voices`. Chunks are written to a work file as chapters are mixed and copied into
the manifest at the end, so a long book's chunks are never all in memory.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from narrate.assemble.mix import MixedChapter
from narrate.model import Voice

VERSION = 1


class Manifest:
    def __init__(self, chunks_file: Path) -> None:
        self._chunks_path = chunks_file
        self._chunks = chunks_file.open("w", encoding="utf-8")
        self._voices: dict[Voice, int] = {}

    def add(self, chapter: MixedChapter, times: list[float], chapter_times: list[float]) -> None:
        """Record the chunks of a chapter, whose speech starts at `times` seconds into the book and
        `chapter_times` into the chapter's mp3 (one of each per MixedChapter.placed)."""
        for placed, time, chapter_time in zip(chapter.placed, times, chapter_times, strict=True):
            chunk = placed.chunk
            voice = self._voices.setdefault(placed.voice, len(self._voices))
            record = {
                "index": chunk.index,
                "chapter": chunk.chapter,
                "kind": str(chunk.kind),
                "speaker": chunk.speaker,
                "start": chunk.start,
                "end": chunk.end,
                "text": chunk.text,
                "voice": voice,
                "gain_db": round(placed.gain_db, 2),
                "time": round(time, 3),
                "chapter_time": round(chapter_time, 3),
                "duration": round(placed.samples / chapter.rate, 3),
            }
            self._chunks.write(json.dumps(record, ensure_ascii=False) + "\n")

    def voices(self) -> list[Voice]:
        """Every voice heard, in the order chunks refer to them."""
        return list(self._voices)

    def write(self, path: Path, head: dict[str, Any], voices: list[dict[str, Any]]) -> None:
        """The manifest: `head` (everything but voices and chunks), `voices` (a dict per voice(),
        to which the voice's settings are added), then the chunks recorded."""
        self._chunks.close()
        described = [
            asdict(voice) | extra for voice, extra in zip(self._voices, voices, strict=True)
        ]
        document = {"manifest": VERSION, **head, "voices": described}
        opening = json.dumps(document, ensure_ascii=False, indent=1)[:-2]
        with (
            path.open("w", encoding="utf-8") as out,
            self._chunks_path.open(encoding="utf-8") as chunks,
        ):
            out.write(opening + ',\n "chunks": [\n')
            for i, line in enumerate(chunks):
                out.write(("  " if i == 0 else ",\n  ") + line.rstrip("\n"))
            out.write("\n ]\n}\n")

    def close(self) -> None:
        self._chunks.close()
