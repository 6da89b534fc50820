"""Clips in, audiobook files out, in `out_dir/<slug>/`:

    <slug>.m4b                       (m4b) AAC, QuickTime and Nero chapters, tags, cover
    <slug>.opus                      (opus) Ogg Opus with chapters, tags, cover
    NN - <chapter>.mp3, <slug>.m3u   (mp3) one tagged mp3 per chapter, and a playlist of them
    NN - <chapter>.vtt .srt .lrc     captions per chapter; <slug>.lrc for the whole book
    cover.jpg (or .png), manifest.json

The clips are a stream and never all in memory: mix.py turns each chapter into PCM pieces in a
hidden work folder inside the output folder, at one loudness per voice and with room tone, and as
soon as a chapter is mixed its pieces are encoded (pieces.py; those an earlier build encoded come
from the cache) while later chapters are still being synthesized. Every file is made under a
temporary name in the work folder and renamed into place only when all are complete; the work
folder is always removed. Files an earlier build listed
in its manifest and this one does not make (another format, renamed chapters) are removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from narrate.assemble import captions, cover, encode, loudness, pieces, tags
from narrate.assemble.formats import Output
from narrate.assemble.manifest import Manifest
from narrate.assemble.mix import MixedChapter, PcmStream, mix_chapters
from narrate.cache import Cache
from narrate.errors import InputError, OutputError
from narrate.ingest import safe_file_name
from narrate.model import Book, Clip, Pauses

_WORK_PREFIX = ".narrate-work-"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ChapterFile:
    """What was written for one chapter."""

    number: int
    """The chapter's number in the book (Chapter.number)."""
    title: str
    start: float
    """Seconds from the start of the book (the m4b or opus)."""
    duration: float
    """Seconds, including the head and tail room tone."""
    mp3: Path | None
    """None unless mp3 is among the formats."""
    captions: tuple[Path, ...]
    """The chapter's .vtt, .srt and .lrc."""


@dataclass(frozen=True)
class BookFiles:
    folder: Path
    chapters: tuple[ChapterFile, ...]
    manifest: Path
    m4b: Path | None = None
    opus: Path | None = None
    playlist: Path | None = None
    """The m3u of the chapter mp3s."""
    cover: Path | None = None

    @property
    def main(self) -> Path:
        """The file to open first: the m4b, else the opus, else the playlist."""
        return next(p for p in (self.m4b, self.opus, self.playlist, self.manifest) if p)


def assemble(
    book: Book,
    clips: Iterable[Clip],
    out_dir: Path,
    pauses: Pauses,
    output: Output | None = None,
    cache: Cache | None = None,
) -> BookFiles:
    """Write `out_dir/<book.slug>/` from `clips` (the spoken chunks, in reading order). Encoded
    pieces are kept in `cache` for the next build (with None, all are encoded anew)."""
    return start(book, clips, out_dir, pauses, output, cache).result()


def start(
    book: Book,
    clips: Iterable[Clip],
    out_dir: Path,
    pauses: Pauses,
    output: Output | None = None,
    cache: Cache | None = None,
) -> Encoding:
    """assemble() up to the last mixed chapter: the encoders are still running when this returns,
    and the Encoding's result() waits for them and puts the files in place. A caller may mix the
    next book meanwhile, so that the other core does not idle while the last encoders end."""
    output = output or Output()
    folder = _output_folder(Path(out_dir), book.slug)
    work = _work_folder(folder)
    run = _Run(book, output, work, cache)
    try:
        with _output_errors(folder):
            stream = PcmStream(clips)
            run.begin(stream.rate)
            for chapter in mix_chapters(book, stream, work, pauses, run.levels, run.lead):
                run.add(chapter)
            if not run.chapters:
                raise InputError(f"{book.source}: no spoken text in the book; nothing to narrate")
    except BaseException:
        _clean_up(run)
        raise
    return Encoding(run, folder)


class Encoding:
    """A book whose chapters are all mixed and handed to the encoders, finishing in a thread."""

    def __init__(self, run: _Run, folder: Path) -> None:
        self._run = run
        self._future: Future[BookFiles] = Future()
        self._thread = threading.Thread(
            target=self._finish, args=(folder,), name="narrate-finish", daemon=True
        )
        self._thread.start()

    def result(self) -> BookFiles:
        """The files, once in place; the build's error if it failed."""
        return self._future.result()

    def abandon(self) -> None:
        """Stop the encoders (another book failed); result() then raises."""
        self._run.kill()
        self._thread.join()

    def _finish(self, folder: Path) -> None:
        try:
            with _output_errors(folder):
                files = self._run.publish(folder)
        except BaseException as e:  # handed to the thread that calls result()
            _clean_up(self._run)
            self._future.set_exception(e)
        else:
            _clean_up(self._run)  # before result() returns: the folder then holds only the files
            self._future.set_result(files)


@contextlib.contextmanager
def _output_errors(folder: Path) -> Iterator[None]:
    """An OSError becomes the one-line OutputError a person can act on."""
    try:
        yield
    except OSError as e:
        where = e.filename or folder
        raise OutputError(
            f"cannot write {where}: {e.strerror or e}; free some space or choose another --output"
        ) from e


def _clean_up(run: _Run) -> None:
    run.kill()
    shutil.rmtree(run.work, ignore_errors=True)


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
    """A new work folder, marked with this process's id; first, those of builds that were killed
    before they could remove theirs (kill -9, a power cut) are removed."""
    _remove_abandoned_work(folder)
    try:
        work = Path(tempfile.mkdtemp(prefix=_WORK_PREFIX, dir=folder))
        (work / "pid").write_text(str(os.getpid()), encoding="ascii")
    except OSError as e:
        raise OutputError(f"cannot write in {folder}: {e.strerror}; choose another --output") from e
    return work


def _remove_abandoned_work(folder: Path) -> None:
    for work in folder.glob(f"{_WORK_PREFIX}*"):
        try:
            pid = int((work / "pid").read_text(encoding="ascii"))
        except (OSError, ValueError):
            pid = None  # killed between making the folder and marking it
        if pid is None or not _running(pid):
            shutil.rmtree(work, ignore_errors=True)


def _running(pid: int) -> bool:
    """Whether a process with this id exists (another build may be writing the same book)."""
    if os.name == "nt":  # os.kill would terminate it there; keep the folder rather than guess
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- one build -----------------------------------------------------------------------------------


@dataclass
class _Done:
    """A chapter mixed and handed to the encoders."""

    number: int
    title: str
    start: float
    """Seconds from the start of the book."""
    seconds: float
    """Its length in the book (the m4b or opus)."""
    parts: dict[str, list[Path]]
    """Its encoded pieces, by format."""
    mp3: Path | None
    """Its mp3's temporary path in the work folder."""

    @property
    def end(self) -> float:
        return self.start + self.seconds


@dataclass
class _Run:
    book: Book
    output: Output
    work: Path
    cache: Cache | None
    tags: tags.Tags = field(init=False)
    chapters: list[_Done] = field(default_factory=list)
    opus: encode.BookStream | None = None
    encoders: pieces.Encoders | None = None
    lead: int = 0
    """Samples of room tone each piece begins with (pieces.lead)."""
    book_time: pieces.Timeline = field(init=False)
    """The m4b's and opus's timeline: the chapter marks, the book's captions and the manifest."""
    chapter_time: pieces.Timeline = field(init=False)
    """The chapter mp3s' timeline, which the chapters' captions follow."""
    manifest: Manifest = field(init=False)
    levels: loudness.VoiceLevels = field(default_factory=loudness.VoiceLevels)

    def __post_init__(self) -> None:
        self.tags = tags.Tags.of(self.book)
        self.manifest = Manifest(self.work / "chunks.jsonl")

    def begin(self, rate: int) -> None:
        """Start the encoders for PCM at `rate` Hz."""
        codecs = pieces.codecs(self.output, rate)
        self.lead = pieces.lead(codecs, rate)
        self.encoders = pieces.Encoders(codecs, rate, self.cache, self.work)
        self.book_time = pieces.Timeline(codecs.get("m4b"), rate)
        self.chapter_time = (
            pieces.Timeline(codecs["mp3"], rate) if "mp3" in codecs else self.book_time
        )
        if "opus" in self.output.formats:
            args = encode.opus_args(self.output)
            what = f"{self.book.slug}.opus"
            self.opus = encode.BookStream(rate, args, self.work / "audio.opus", what)

    def add(self, chapter: MixedChapter) -> None:
        """Check, encode and caption a chapter that has just been mixed."""
        limit = self.output.max_chapter_minutes
        if limit is not None and chapter.seconds > limit * 60:
            raise InputError(
                f"{self.book.source}: chapter {chapter.number} ({chapter.title!r}) runs "
                f"{chapter.seconds / 60:.1f} min, over the {limit:g} min a file may run in this "
                "preset; split it with a chapter heading in the story, or drop --preset"
            )
        assert self.encoders is not None, "begin() comes first"
        parts = self.encoders.add(chapter)
        if self.opus is not None:
            for piece in chapter.pieces:
                padded = self.book_time.samples(piece) * chapter.rate // self.book_time.rate
                self.opus.add(piece.pcm, silence=padded - piece.samples)
        start = self.chapters[-1].end if self.chapters else 0.0
        seconds = self.book_time.seconds(chapter)
        mp3 = self.work / f"{chapter.number:06d}.mp3" if "mp3" in parts else None
        done = _Done(chapter.number, chapter.title, start, seconds, parts, mp3)
        self._write_captions(chapter, done)
        self.manifest.add(
            chapter,
            [start + t for t in self.book_time.chunk_seconds(chapter)],
            self.chapter_time.chunk_seconds(chapter),
        )
        self.chapters.append(done)

    def _write_captions(self, chapter: MixedChapter, done: _Done) -> None:
        def cues(timeline: pieces.Timeline) -> list[captions.Cue]:
            starts = timeline.chunk_seconds(chapter)
            spoken = (
                (t, t + p.samples / chapter.rate, p.chunk.text)
                for t, p in zip(starts, chapter.placed, strict=True)
            )
            return captions.chapter_cues(chapter.title, spoken)

        own = cues(self.chapter_time)
        stem = self.work / f"{chapter.number:06d}"
        stem.with_suffix(".vtt").write_text(captions.vtt(own), encoding="utf-8")
        stem.with_suffix(".srt").write_text(captions.srt(own), encoding="utf-8")
        seconds = self.chapter_time.seconds(chapter)
        lrc = captions.lrc(own, chapter.title, self.tags.title, self.tags.artist, seconds)
        stem.with_suffix(".lrc").write_text(lrc, encoding="utf-8")
        in_book = own if self.chapter_time is self.book_time else cues(self.book_time)
        with (self.work / "book.lrc").open("a", encoding="utf-8") as book_lrc:
            book_lrc.write("\n".join(captions.lrc_lines(in_book, done.start)) + "\n")

    def publish(self, folder: Path) -> BookFiles:
        """Finish the encoders, add chapters, tags and cover, and move everything into place."""
        art = cover.choose(self.output.cover, self.book.cover, self.tags.title, self.tags.artist)
        moves: list[tuple[Path, Path]] = []
        finals: dict[str, Path] = {}
        metadata = self.work / "chapters.txt"
        metadata.write_text(encode.ffmetadata(self.tags.ffmetadata(), self._marks()), "utf-8")
        assert self.encoders is not None
        self.encoders.wait()
        encoded: dict[str, Path] = {}
        if "m4b" in self.output.formats:
            frames = self.work / "audio.aac"
            pieces.join([part for c in self.chapters for part in c.parts["m4b"]], frames)
            encoded["m4b"] = self.work / "audio.m4a"
            encode.adts_to_mp4(frames, encoded["m4b"], f"{self.book.slug}.m4b")
        if self.opus is not None:
            self.opus.finish()
            encoded["opus"] = self.opus.path
        for fmt, audio in encoded.items():
            muxer = {"m4b": "mp4", "opus": "opus"}[fmt]
            made = self.work / f"book.{fmt}"
            encode.add_chapters(audio, metadata, made, muxer, f"{self.book.slug}.{fmt}")
            if art:
                (tags.cover_m4b if fmt == "m4b" else tags.cover_opus)(made, art)
            finals[fmt] = folder / f"{self.book.slug}.{fmt}"
            moves.append((made, finals[fmt]))

        written: list[ChapterFile] = []
        tracks = len(self.chapters)
        for track, done in enumerate(self.chapters, 1):
            stem = chapter_stem(track, tracks, done.title)
            work_stem = self.work / f"{done.number:06d}"
            mp3 = None
            if done.mp3 is not None:
                frames = work_stem.with_suffix(".frames")
                pieces.join(done.parts["mp3"], frames)
                encode.remux_mp3(frames, done.mp3, f"the mp3 of chapter {done.number}")
                tags.tag_mp3(done.mp3, self.tags, done.title, track, tracks, art)
                mp3 = folder / f"{stem}.mp3"
                moves.append((done.mp3, mp3))
            texts = tuple(folder / f"{stem}.{kind}" for kind in ("vtt", "srt", "lrc"))
            moves += [(work_stem.with_suffix(p.suffix), p) for p in texts]
            written.append(
                ChapterFile(done.number, done.title, done.start, done.seconds, mp3, texts)
            )

        if "mp3" in self.output.formats:
            finals["playlist"] = folder / f"{self.book.slug}.m3u"
            playlist = self.work / "playlist.m3u"
            playlist.write_text(_m3u(written), encoding="utf-8")
            moves.append((playlist, finals["playlist"]))
        finals["lrc"] = folder / f"{self.book.slug}.lrc"
        moves.append((self._book_lrc(), finals["lrc"]))
        if art:
            finals["cover"] = folder / (
                "cover.png" if cover.image_type(art) == "image/png" else "cover.jpg"
            )
            (self.work / "cover").write_bytes(art)
            moves.append((self.work / "cover", finals["cover"]))
        manifest = self.work / MANIFEST
        self.manifest.write(manifest, self._manifest_head(written, finals), self._voices())
        moves.append((manifest, folder / MANIFEST))

        stale = _previous_files(folder)
        for tmp, final in moves:
            os.replace(tmp, final)
        for name in stale - {final.name for _, final in moves}:
            (folder / name).unlink(missing_ok=True)
        return BookFiles(
            folder,
            tuple(written),
            folder / MANIFEST,
            m4b=finals.get("m4b"),
            opus=finals.get("opus"),
            playlist=finals.get("playlist"),
            cover=finals.get("cover"),
        )

    def kill(self) -> None:
        """Stop every encoder still running (after a failure); never raises."""
        if self.encoders is not None:
            self.encoders.kill()
        if self.opus is not None:
            self.opus.kill()
        self.manifest.close()

    def _marks(self) -> list[tuple[int, int, str]]:
        """Each chapter's (start_ms, end_ms, title) in the book."""
        return [(round(c.start * 1000), round(c.end * 1000), c.title) for c in self.chapters]

    def _book_lrc(self) -> Path:
        seconds = self.chapters[-1].end
        header = captions.lrc_header(self.tags.title, self.tags.title, self.tags.artist, seconds)
        path = self.work / "book-final.lrc"
        with (
            path.open("w", encoding="utf-8") as out,
            (self.work / "book.lrc").open(encoding="utf-8") as lines,
        ):
            out.write("\n".join(header) + "\n")
            shutil.copyfileobj(lines, out)
        return path

    def _manifest_head(self, written: list[ChapterFile], finals: dict[str, Path]) -> dict:
        return {
            "title": self.tags.title,
            "author": self.tags.artist,
            "source": self.book.source.name,
            "duration": round(self.chapters[-1].end, 3),
            "files": {key: path.name for key, path in finals.items()},
            "loudness": {
                "target_lufs": loudness.TARGET_LUFS,
                "peak_limit_db": loudness.PEAK_LIMIT_DB,
                "room_tone_db": loudness.ROOM_TONE_DB,
            },
            "chapters": [
                {
                    "number": c.number,
                    "title": c.title,
                    "start": round(c.start, 3),
                    "duration": round(c.duration, 3),
                    "mp3": c.mp3.name if c.mp3 else None,
                    **{p.suffix[1:]: p.name for p in c.captions},
                }
                for c in written
            ],
        }

    def _voices(self) -> list[dict]:
        """What each voice measured before its gain (None: never measurably above silence)."""
        measured = (self.levels.loudness(voice) for voice in self.manifest.voices())
        return [{"measured_lufs": round(m, 2) if m is not None else None} for m in measured]


def _previous_files(folder: Path) -> set[str]:
    """The plain file names the folder's manifest lists: what an earlier build wrote."""
    try:
        previous = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        names = list(previous["files"].values())
        for chapter in previous["chapters"]:
            names += [chapter.get(key) for key in ("mp3", "vtt", "srt", "lrc")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
    return {n for n in names if isinstance(n, str) and n and Path(n).name == n and n[0] != "."}


def _m3u(chapters: list[ChapterFile]) -> str:
    lines = ["#EXTM3U"]
    for chapter in chapters:
        if chapter.mp3 is not None:
            lines.append(f"#EXTINF:{round(chapter.duration)},{chapter.title}")
            lines.append(chapter.mp3.name)
    return "\n".join(lines) + "\n"


def chapter_stem(track: int, tracks: int, title: str) -> str:
    """`NN - <title>`: NN zero-padded to 2 digits, or more for 100 chapters and up."""
    width = max(2, len(str(tracks)))
    return f"{track:0{width}d} - {safe_file_name(title, f'Chapter {track}')}"


def chapter_file_name(track: int, tracks: int, title: str) -> str:
    """The chapter's mp3: `NN - <title>.mp3`."""
    return f"{chapter_stem(track, tracks, title)}.mp3"
