"""A content-addressed store of synthesized chunks, and of encoded pieces of books.

A chunk's key is everything that decides the sound: engine, engine version, voice settings and the words
spoken. So a rerun with nothing changed reuses every chunk, and changing one character's voice misses only
that character's chunks. Chunk entries are written atomically and carry their length and checksum, so a
file cut short by a crash or a full disk is detected and synthesized again, never played.

Encoded pieces (assemble/pieces.py, `<key>.aac` and `<key>.mp3`) are raw frames that are joined into the
books' files as they are; ffmpeg writes them under a temporary name that is renamed once it has finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from narrate.errors import OutputError
from narrate.files import write_atomic
from narrate.model import Voice

MAGIC = b"NRC1"
HEADER = struct.Struct("<4sIQI")  # magic, sample rate, PCM length, crc32 of the PCM
ENTRY = re.compile(r"[0-9a-f]{64}\.(pcm|aac|mp3)|\.tmp-\w+")


def default_dir() -> Path:
    """The user cache dir (XDG_CACHE_HOME moves it on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("narrate")) / "clips"


def key(engine: str, version: str, voice: Voice, text: str) -> str:
    blob = json.dumps([engine, version, asdict(voice), text], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str, suffix: str = ".pcm") -> Path:
        return self.folder / key[:2] / f"{key}{suffix}"

    def get(self, key: str) -> tuple[bytes, int] | None:
        """(pcm, sample_rate), or None when missing or damaged."""
        try:
            data = self.path(key).read_bytes()
        except OSError:
            return None
        if len(data) < HEADER.size:
            return None
        magic, rate, length, crc = HEADER.unpack_from(data)
        pcm = data[HEADER.size :]
        if magic != MAGIC or len(pcm) != length or zlib.crc32(pcm) != crc:
            return None
        return pcm, rate

    def put(self, key: str, pcm: bytes, sample_rate: int) -> None:
        path = self.path(key)
        header = HEADER.pack(MAGIC, sample_rate, len(pcm), zlib.crc32(pcm))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, header + pcm)
        except OSError as e:
            raise OutputError(
                f"cannot write the cache at {self.folder}: {e.strerror}; "
                "free some space, pass --cache-dir, or use --no-cache"
            ) from None

    def entries(self) -> Iterator[Path]:
        """The cache's own files (entries and leftover temporary files), and nothing else: a
        --cache-dir pointed at a folder of the user's must never lose their files."""
        try:
            for sub in self.folder.glob("[0-9a-f][0-9a-f]"):
                if sub.is_dir():
                    yield from (p for p in sub.iterdir() if p.is_file() and ENTRY.fullmatch(p.name))
        except OSError as e:
            raise OutputError(f"cannot read the cache at {self.folder}: {e.strerror}") from None

    def info(self) -> tuple[int, int]:
        """(entries, bytes): chunks and encoded pieces."""
        sizes = [p.stat().st_size for p in self.entries() if not p.name.startswith(".tmp-")]
        return len(sizes), sum(sizes)

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        removed = 0
        for entry in list(self.entries()):
            entry.unlink(missing_ok=True)
            removed += not entry.name.startswith(".tmp-")
        for sub in self.folder.glob("[0-9a-f][0-9a-f]"):
            with contextlib.suppress(OSError):
                sub.rmdir()  # only when nothing else is in it
        return removed
