"""Clips in, audiobook files out: `<slug>.m4b` with chapter marks, one mp3 per chapter, an m3u.

The clips are a stream and are never all in memory: each chapter's PCM is written to a raw file in
a hidden work folder inside the output folder. As soon as a chapter is complete, its file is
streamed into the one ffmpeg that encodes the book's AAC and its own mp3 starts encoding, both in
the background while the next chapter's clips arrive. At the end the AAC is copied into the m4b
with the chapter marks. Every file is made under a temporary name in the work folder and renamed
into place only when complete; the work folder is always removed.
"""

from __future__ import annotations

import itertools
import os
import queue
import re
import shutil
import tempfile
import threading
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from narrate import ffmpeg
from narrate.errors import InputError, OutputError
from narrate.model import Book, Clip, Pauses

with warnings.catch_warnings():  # deprecated in 3.11-3.12, provided by audioop-lts from 3.13
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

BITRATE = "64k"
GENRE = "Audiobook"
_WORK_PREFIX = ".narrate-work-"
_BLOCK = 1 << 20
"""Bytes per read when streaming chapter PCM to ffmpeg."""
_BACKGROUND = max(1, (os.cpu_count() or 2) - 2)
"""mp3 encoders running at once beside the m4b's encoder while clips still arrive."""


@dataclass(frozen=True)
class ChapterFile:
    """What was written for one chapter."""

    number: int
    """The chapter's number in the book (Chapter.number)."""
    title: str
    start: float
    """Seconds from the start of the m4b."""
    duration: float
    """Seconds, including the head and tail room tone."""
    mp3: Path


@dataclass(frozen=True)
class BookFiles:
    folder: Path
    m4b: Path
    playlist: Path
    chapters: tuple[ChapterFile, ...]


@dataclass(frozen=True)
class _ChapterAudio:
    """A chapter's PCM in the work folder, and its mp3 being made from it."""

    number: int
    title: str
    pcm: Path
    samples: int
    mp3: Path
    """The mp3's temporary path in the work folder."""


def assemble(book: Book, clips: Iterable[Clip], out_dir: Path, pauses: Pauses) -> BookFiles:
    """Write `out_dir/<book.slug>/` from `clips` (the spoken chunks, in reading order)."""
    folder = _output_folder(Path(out_dir), book.slug)
    work = _work_folder(folder)
    mp3s: list[ffmpeg.Process] = []
    book_audio: _BookAudio | None = None
    try:
        stream = _PcmStream(iter(clips))
        chapters: list[_ChapterAudio] = []
        for audio in _write_chapters(book, stream, work, pauses):
            if book_audio is None:
                book_audio = _BookAudio(stream.rate, work / "audio.m4a", f"{book.slug}.m4b")
            book_audio.add(audio.pcm)
            _make_room(mp3s)
            mp3s.append(_start_mp3(audio, stream.rate))
            chapters.append(audio)
        if book_audio is None:
            raise InputError(f"{book.source}: no spoken text in the book; nothing to narrate")
        book_audio.finish()
        m4b_tmp = work / "book.m4b"
        _add_chapters(book, chapters, stream.rate, book_audio.path, m4b_tmp)
        for encoder in mp3s:
            encoder.wait()
        return _publish(book, chapters, stream.rate, folder, work, m4b_tmp)
    except OSError as e:
        where = e.filename or folder
        raise OutputError(
            f"cannot write {where}: {e.strerror or e}; free some space or choose another --output"
        ) from e
    finally:
        for encoder in mp3s:
            encoder.kill()
        if book_audio is not None:
            book_audio.kill()
        shutil.rmtree(work, ignore_errors=True)


# --- the output folder ---------------------------------------------------------------------------


def _output_folder(out_dir: Path, slug: str) -> Path:
    if slug in ("", ".", "..") or Path(slug).name != slug:
        raise ValueError(f"book slug {slug!r} is not a plain file name")
    folder = out_dir / slug
    for path in (out_dir, folder):
        if path.exists() and not path.is_dir():
            raise OutputError(f"{path} is a file, not a folder; move it or choose another --output")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create {folder}: {e.strerror}; choose another --output") from e
    return folder


def _work_folder(folder: Path) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=_WORK_PREFIX, dir=folder))
    except OSError as e:
        raise OutputError(f"cannot write in {folder}: {e.strerror}; choose another --output") from e


# --- clips to chapter PCM ------------------------------------------------------------------------


class _PcmStream:
    """The clips, with the book's sample rate: the first clip's rate, which later clips are
    resampled to."""

    def __init__(self, clips: Iterator[Clip]) -> None:
        first = next(clips, None)
        self.rate = first.sample_rate if first else 22050
        self.clips: Iterator[Clip] = itertools.chain([first], clips) if first else iter(())

    def pcm(self, clip: Clip) -> bytes:
        pcm = clip.pcm[: len(clip.pcm) // 2 * 2]
        if clip.sample_rate != self.rate:
            pcm, _ = audioop.ratecv(pcm, 2, 1, clip.sample_rate, self.rate, None)
        return pcm


def _write_chapters(
    book: Book, stream: _PcmStream, work: Path, pauses: Pauses
) -> Iterator[_ChapterAudio]:
    """Each chapter's PCM as a raw file: head room tone, every clip followed by its pause, and the
    tail room tone in place of the last clip's pause. Yields each chapter once it is complete."""
    titles = {c.number: c.title for c in book.chapters}
    done: set[int] = set()
    spoken = (clip for clip in stream.clips if clip.pcm)
    for number, chapter_clips in itertools.groupby(spoken, key=lambda clip: clip.chunk.chapter):
        if number in done:
            raise ValueError(f"clips of chapter {number} arrived after a later chapter's")
        done.add(number)
        path = work / f"{number:06d}.pcm"
        samples = 0
        with path.open("wb") as out:
            pause = pauses.head_ms
            for clip in chapter_clips:
                samples += _write_silence(out, pause, stream.rate)
                pcm = stream.pcm(clip)
                out.write(pcm)
                samples += len(pcm) // 2
                pause = pauses.after(clip.chunk.brk)
            samples += _write_silence(out, pauses.tail_ms, stream.rate)
        title = _one_line(titles.get(number) or f"Chapter {number}")
        yield _ChapterAudio(number, title, path, samples, path.with_suffix(".mp3"))


def _write_silence(out, ms: int, rate: int) -> int:
    """Room tone: digital silence for now (real room tone and loudness come with normalisation)."""
    samples = round(ms * rate / 1000)
    out.write(bytes(2 * samples))
    return samples


# --- encoding ------------------------------------------------------------------------------------


def _raw_input(rate: int, source: str | Path) -> list[str | Path]:
    return ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", source]


def _audio_filters() -> list[str]:
    """Where an ffmpeg filter chain (loudness normalisation) goes: `["-af", "..."]`. None yet."""
    return []


def _start_mp3(audio: _ChapterAudio, rate: int) -> ffmpeg.Process:
    args = [
        *_raw_input(rate, audio.pcm),
        *_audio_filters(),
        *["-c:a", "libmp3lame", "-b:a", BITRATE, "-id3v2_version", "3", "-f", "mp3", audio.mp3],
    ]
    return ffmpeg.Process(args, what=f"the mp3 of chapter {audio.number}")


class _BookAudio:
    """The m4b's AAC, encoded while later chapters are still being synthesized: a thread streams
    each finished chapter's PCM file into one ffmpeg. AAC is the slowest step by far, so it starts
    with the first chapter; chapter marks and tags are added at the end by a copy (no re-encode)."""

    def __init__(self, rate: int, path: Path, what: str) -> None:
        self.path = path
        args = [
            *_raw_input(rate, "pipe:0"),
            *_audio_filters(),
            # ffmpeg's "fast" AAC coder: about 5x faster than its default, and its authors find
            # it the better sounding at high bitrates (64k for one 22 kHz channel is high).
            *["-c:a", "aac", "-aac_coder", "fast", "-b:a", BITRATE, "-f", "mp4", path],
        ]
        self._process = ffmpeg.Process(args, what=what, stdin=True)
        self._queue: queue.SimpleQueue[Path | None] = queue.SimpleQueue()
        self._failure: OSError | None = None
        self._thread = threading.Thread(target=self._feed, name="narrate-m4b", daemon=True)
        self._thread.start()

    def add(self, pcm: Path) -> None:
        self._queue.put(pcm)

    def finish(self) -> None:
        """Wait until every chapter added is encoded; EncoderError if ffmpeg failed."""
        self._queue.put(None)
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        self._process.wait()

    def kill(self) -> None:
        self._process.kill()  # first: a feed blocked on a full pipe then fails and ends
        self._queue.put(None)
        self._thread.join()

    def _feed(self) -> None:
        stdin = self._process.stdin
        try:
            while (path := self._queue.get()) is not None:
                with path.open("rb") as pcm:
                    shutil.copyfileobj(pcm, stdin, _BLOCK)
        except (BrokenPipeError, ValueError):
            pass  # ffmpeg quit (its exit code and stderr say why) or was killed
        except OSError as e:
            self._failure = e
            self._process.kill()


def _add_chapters(
    book: Book, chapters: list[_ChapterAudio], rate: int, audio: Path, out: Path
) -> None:
    """Copy the encoded audio into an audiobook MP4 with the book's tags and chapter marks."""
    metadata = audio.with_name("chapters.txt")
    metadata.write_text(_ffmetadata(book, chapters, rate), encoding="utf-8")
    args = [
        *["-i", audio, "-f", "ffmetadata", "-i", metadata],
        *["-map", "0:a", "-map_metadata", "1", "-map_chapters", "1", "-c", "copy"],
        *["-f", "mp4", "-brand", "M4B ", out],
    ]
    ffmpeg.run(args, what=f"{book.slug}.m4b")


def _ffmetadata(book: Book, chapters: list[_ChapterAudio], rate: int) -> str:
    """ffmpeg's metadata file: the book's tags and one [CHAPTER] per chapter, in milliseconds
    from the exact PCM lengths."""
    tags = {"title": book.title, "album": book.title, "artist": book.author, "genre": GENRE}
    lines = [";FFMETADATA1"]
    lines += [f"{key}={_escape(_one_line(value))}" for key, value in tags.items() if value]
    start = 0
    for audio in chapters:
        end = start + audio.samples
        lines += [
            "",
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={start * 1000 // rate}",
            f"END={end * 1000 // rate}",
            f"title={_escape(audio.title)}",
        ]
        start = end
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    """ffmetadata's escaping, so a title can never start a section or add a key."""
    return re.sub(r"([=;#\\\n])", r"\\\1", value)


def _make_room(encoders: list[ffmpeg.Process]) -> None:
    """Wait until fewer than _BACKGROUND encoders run; raise at once if one has failed."""
    for encoder in encoders:
        if encoder.done():
            encoder.wait()
    running = [encoder for encoder in encoders if not encoder.done()]
    for encoder in running[: max(0, len(running) - _BACKGROUND + 1)]:
        encoder.wait()


# --- the final files -----------------------------------------------------------------------------


def _publish(
    book: Book,
    chapters: list[_ChapterAudio],
    rate: int,
    folder: Path,
    work: Path,
    m4b_tmp: Path,
) -> BookFiles:
    """Tag the mp3s, write the playlist, and rename everything into place."""
    written: list[ChapterFile] = []
    moves: list[tuple[Path, Path]] = []
    start = 0
    for track, audio in enumerate(chapters, 1):
        _tag_mp3(audio.mp3, book, audio.title, track, len(chapters))
        final = folder / chapter_file_name(track, len(chapters), audio.title)
        moves.append((audio.mp3, final))
        written.append(
            ChapterFile(audio.number, audio.title, start / rate, audio.samples / rate, final)
        )
        start += audio.samples
    playlist_tmp = work / "playlist.m3u"
    playlist_tmp.write_text(_m3u(written), encoding="utf-8")
    m4b = folder / f"{book.slug}.m4b"
    playlist = folder / f"{book.slug}.m3u"
    moves += [(m4b_tmp, m4b), (playlist_tmp, playlist)]
    if book.cover:
        _add_m4b_cover(m4b_tmp, book.cover)
    for tmp, final in moves:
        os.replace(tmp, final)
    return BookFiles(folder, m4b, playlist, tuple(written))


def _tag_mp3(path: Path, book: Book, title: str, track: int, tracks: int) -> None:
    from mutagen.id3 import APIC, ID3, TALB, TCON, TIT2, TPE1, TRCK, ID3NoHeaderError

    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        tags = ID3()
    tags.add(TIT2(encoding=3, text=title))
    tags.add(TALB(encoding=3, text=_one_line(book.title)))
    if book.author:
        tags.add(TPE1(encoding=3, text=_one_line(book.author)))
    tags.add(TRCK(encoding=3, text=f"{track}/{tracks}"))
    tags.add(TCON(encoding=3, text=GENRE))
    mime = _image_type(book.cover)
    if book.cover and mime:
        tags.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=book.cover))
    tags.save(path, v2_version=3)


def _add_m4b_cover(path: Path, cover: bytes) -> None:
    from mutagen.mp4 import MP4, MP4Cover

    mime = _image_type(cover)
    if mime is None:
        return
    kind = MP4Cover.FORMAT_PNG if mime == "image/png" else MP4Cover.FORMAT_JPEG
    m4b = MP4(path)
    m4b["covr"] = [MP4Cover(cover, imageformat=kind)]
    m4b.save()


def _image_type(data: bytes | None) -> str | None:
    if data and data.startswith(b"\x89PNG"):
        return "image/png"
    if data and data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return None


def _m3u(chapters: list[ChapterFile]) -> str:
    lines = ["#EXTM3U"]
    for chapter in chapters:
        lines.append(f"#EXTINF:{round(chapter.duration)},{chapter.title}")
        lines.append(chapter.mp3.name)
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    """Titles and tags are one line: players show no line breaks, and a newline in a tag value
    would be a way to inject keys into a metadata file."""
    return " ".join(text.split())


def chapter_file_name(track: int, tracks: int, title: str) -> str:
    """`NN - <title>.mp3`: NN zero-padded to 2 digits, or more for 100 chapters and up."""
    width = max(2, len(str(tracks)))
    return f"{track:0{width}d} - {_file_name(title, track)}.mp3"


_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def _file_name(title: str, track: int) -> str:
    """The title as a file name on any system: case and spaces kept, reserved characters out.
    (A private helper until narrate.ingest has a shared one.)"""
    name = unicodedata.normalize("NFC", title)
    name = _UNSAFE.sub(" ", name)
    name = " ".join(name.split()).strip(" .")
    name = name[:80].rstrip(" .")
    return name or f"Chapter {track}"
