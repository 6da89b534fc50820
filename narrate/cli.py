"""The command line: parse, load the config, call one library function, print.

Heavy modules are imported inside the commands that need them, so `narrate --help` stays instant.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from narrate import __version__
from narrate.errors import NarrateError

if TYPE_CHECKING:  # the build modules are imported only by the commands that need them
    from narrate.build import Begun

EXAMPLES = """
\b
Examples:
  narrate build seeds/                 every story in seeds/ -> output/<story>/
  narrate build story.txt -o ~/Books   one story, somewhere else
  narrate segment story.txt            who says what, as a table
  narrate cast story.txt               the characters found and their voices
  narrate init story.txt               a voices file for that story, ready to edit
  narrate voices                       the voice ids you can put in voices/default.toml
"""


class NarrateGroup(click.Group):
    """Turns a NarrateError into one line on stderr and its exit code; Ctrl-C into exit 130."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NarrateError as e:
            if ctx.meta.get("narrate.debug"):
                raise
            click.echo(f"narrate: error: {e}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("narrate: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=NarrateGroup, epilog=EXAMPLES)
@click.version_option(__version__, prog_name="narrate")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Turn stories into audiobooks, offline.

    narrate reads story files (.txt, including text saved from fan-fiction archives; .md; .html
    downloads; .epub), finds chapters, narration and dialogue and who speaks each line, voices them
    with offline text-to-speech, and writes an .m4b audiobook with named chapters, an .mp3 per chapter
    and a playlist.

    Voices are set in voices/default.toml; see `narrate build --help`.
    """
    ctx.meta["narrate.debug"] = debug


def voice_options(command):
    """Options shared by every command that reads the voices config."""
    options = [
        click.option(
            "--voices",
            "voices_file",
            type=click.Path(path_type=Path),
            help="A voices config (TOML) layered over voices/default.toml.",
        ),
        click.option("--narrator", "narrator_voice", metavar="VOICE", help="Narrator voice id."),
        click.option("--rate", type=int, metavar="WPM", help="Narrator words per minute."),
        click.option("--reader-name", metavar="NAME", help="Name spoken where the text says y/n."),
        click.option(
            "--speak-notes/--skip-notes",
            default=None,
            help="Read author's notes and summaries aloud (default: skip).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def load_settings(voices_file, narrator_voice, rate, reader_name, speak_notes):
    from narrate import config

    flags: dict = {}
    if narrator_voice:
        flags.setdefault("narrator", {})["voice"] = narrator_voice
    if rate is not None:
        flags.setdefault("narrator", {})["rate"] = rate
    if reader_name:
        flags["reader"] = {"name": reader_name}
    if speak_notes is not None:
        flags["text"] = {"speak_notes": speak_notes}
    return config.load(voices_file, flags)


def cache_options(command):
    command = click.option(
        "--no-cache", is_flag=True, help="Synthesize every chunk anew; read and write no cache."
    )(command)
    return click.option(
        "--cache-dir",
        type=click.Path(path_type=Path),
        help="Where synthesized chunks and encoded audio are kept.  [default: the user cache folder]",
    )(command)


def open_cache(cache_dir):
    from narrate.cache import Cache, default_dir

    return Cache(cache_dir or default_dir())


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder for the audiobooks; each story gets a subfolder named after it.",
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    metavar="LIST",
    help="Which of m4b, mp3, opus to write (repeat, or a comma list).  [default: m4b,mp3]",
)
@click.option(
    "--preset",
    type=click.Choice(["acx"]),
    help="acx: the audiobook delivery standard, one 44.1 kHz 192 kbps CBR mp3 per chapter.",
)
@click.option(
    "--cover",
    "cover_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A JPEG or PNG cover.  [default: the story's own, else one drawn with the title]",
)
@voice_options
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    help="Speech processes to run at once.  [default: the number of cores]",
)
@cache_options
@click.option(
    "--keep-going",
    is_flag=True,
    help="When a chunk cannot be spoken, put a short tone in its place, finish, and list it at the end.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show which config files were used.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
def build(
    paths,
    out_dir,
    formats,
    preset,
    cover_file,
    voices_file,
    narrator_voice,
    rate,
    reader_name,
    speak_notes,
    jobs,
    cache_dir,
    no_cache,
    keep_going,
    verbose,
    quiet,
):
    """Narrate story files into audiobooks.

    PATHS are story files or folders of them. For each story, writes OUT/<story>/ with <story>.m4b
    (chapters, tags, cover), one "NN - <chapter>.mp3" per chapter and <story>.m3u, captions per
    chapter (.vtt, .srt, .lrc) and manifest.json, every voice at the audiobook standard's loudness
    (ACX). --format picks the audio files (opus: <story>.opus, with chapters).
    """
    import os

    from narrate import config, engines
    from narrate.assemble import cover
    from narrate.assemble.formats import output as choose_output
    from narrate.build import begin
    from narrate.errors import EngineError
    from narrate.ingest import find_stories
    from narrate.synthesize import executor

    try:
        output = choose_output(formats, preset, cover.load(cover_file) if cover_file else None)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="'--format'") from None
    settings = load_settings(voices_file, narrator_voice, rate, reader_name, speak_notes)
    if verbose:
        click.echo("config (highest priority first): " + " > ".join(settings.sources), err=True)
    config.check_voices(settings, engines.get_engine)
    stories = find_stories(paths)
    cache = None if no_cache else open_cache(cache_dir)
    show = not quiet and sys.stderr.isatty()
    failures: list[str] | None = [] if keep_going else None
    claimed: dict[str, Path] = {}
    # A book is begun (synthesized, mixed, its encoders started) before the one before it is
    # waited for, so that its work overlaps the end of that one's encoding.
    waiting: list[tuple[Begun, bool]] = []
    with executor(jobs or os.cpu_count() or 1) as pool:
        try:
            for number, story in enumerate(stories, 1):
                progress = Progress(f"[{number}/{len(stories)}] {story.name}", show)
                try:
                    begun = begin(
                        story,
                        out_dir,
                        settings,
                        pool=pool,
                        cache=cache,
                        on_start=progress.start,
                        on_clip=progress.advance,
                        failures=failures,
                        output=output,
                        claimed=claimed,
                    )
                finally:
                    progress.finish()  # so an error is printed on a line of its own
                waiting.append((begun, progress.started))
                if len(waiting) > 1:
                    report_book(*waiting.pop(0))
            while waiting:
                report_book(*waiting.pop(0))
        except Exception:
            # The books begun before the failure are mixed: finish them, then say what failed.
            for begun, made in waiting:
                with contextlib.suppress(NarrateError):
                    report_book(begun, made)
            raise
        except BaseException:  # Ctrl-C: stop at once
            for begun, _ in waiting:
                begun.abandon()
            raise
    if failures:
        click.echo(
            f"{len(failures)} chunk(s) could not be spoken; a tone stands in for each:", err=True
        )
        for failure in failures:
            click.echo(f"  {failure}", err=True)
        # The books were written, but not as the story reads: a script must be able to notice.
        sys.exit(EngineError.exit_code)


def report_book(begun: Begun, made: bool) -> None:
    """Wait for a book's files and say where they are."""
    files = begun.result()
    minutes = sum(c.duration for c in files.chapters) / 60
    count = len(files.chapters)
    chapters = f"{count} chapter" + ("" if count == 1 else "s")
    kept = "" if made else "; unchanged since the last build, kept"
    click.echo(f"{files.main}  ({chapters}, {minutes:.1f} min{kept})")


class Progress:
    """click's progress bar on stderr: chunks done of total, audio made, speed, time left."""

    def __init__(self, label: str, show: bool) -> None:
        self.label, self.show, self.bar = label, show, None
        self.started, self.seconds, self.began = False, 0.0, 0.0

    def start(self, plan, total: int) -> None:
        import time

        self.started, self.began = True, time.monotonic()
        if self.show:
            self.bar = click.progressbar(
                length=total,
                label=self.label,
                file=sys.stderr,
                show_pos=True,
                show_eta=True,
                item_show_func=self.describe,
            )
            self.bar.__enter__()

    def describe(self, _clip) -> str:
        import time

        elapsed = max(time.monotonic() - self.began, 1e-6)
        return f"{self.seconds / 60:.1f} min of audio, {self.seconds / elapsed:.0f}x real time"

    def advance(self, clip, cached: bool) -> None:
        self.seconds += clip.seconds
        if self.bar is not None:
            self.bar.update(1, clip)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "jsonl"]),
    default="table",
    show_default=True,
    help="table: for people; jsonl: one JSON object per chunk, for tools.",
)
@click.option("--spoken", is_flag=True, help="Show each chunk as it will be spoken.")
@voice_options
def segment(file, fmt, spoken, voices_file, narrator_voice, rate, reader_name, speak_notes):
    """Show how a story is split into narration, dialogue, headings and notes, and who speaks.

    jsonl fields: chapter, index, kind, speaker, start, end, text, spoken. start/end are character
    offsets into the file's decoded text, and text == decoded[start:end].
    """
    import json

    from narrate.ingest import read_book
    from narrate.segment import segment as segment_book
    from narrate.speech import to_speech

    settings = load_settings(voices_file, narrator_voice, rate, reader_name, speak_notes)
    chunks = segment_book(read_book(file), speak_notes=settings.speak_notes)
    say = (
        (lambda c: to_speech(c.text, settings.reader_name, settings.pronunciations))
        if spoken
        else None
    )
    if fmt == "jsonl":
        for chunk in chunks:
            record = chunk.contract()
            if say:
                record["speech"] = say(chunk) if chunk.spoken else ""
            click.echo(json.dumps(record, ensure_ascii=False))
        return
    width = terminal_width()
    click.echo(f"{'ch':>3} {'#':>5}  {'kind':<9} {'speaker':<16} text")
    for chunk in chunks:
        text = (say(chunk) if say else chunk.text) if chunk.spoken else f"({chunk.text})"
        text = " ".join(text.split())
        speaker = chunk.speaker or ""
        line = f"{chunk.chapter:>3} {chunk.index:>5}  {chunk.kind:<9} {speaker[:16]:<16} {text}"
        click.echo(line[:width])


def terminal_width() -> int:
    import shutil

    return max(60, shutil.get_terminal_size((120, 24)).columns)


@cli.command()
@click.option("--engine", default="pyttsx3", show_default=True, help="Which engine's voices.")
def voices(engine):
    """List the voice ids an engine offers, for voices/default.toml."""
    from narrate.engines import get_engine

    listed = get_engine(engine).voices()
    click.echo(f"{'id':<28} {'language':<10} {'gender':<7} name")
    for info in listed:
        click.echo(f"{info.id:<28} {info.language or '':<10} {info.gender or '':<7} {info.name}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@voice_options
def cast(file, voices_file, narrator_voice, rate, reader_name, speak_notes):
    """Show the characters found in a story and the voice each one gets."""
    from narrate import config, engines
    from narrate.build import plan

    settings = load_settings(voices_file, narrator_voice, rate, reader_name, speak_notes)
    config.check_voices(settings, engines.get_engine)
    roles = plan(file, settings).cast.roles()
    click.echo(f"{'character':<22} {'gender':<7} {'lines':>5}  {'voice':<22} {'from':<8} aliases")
    for r in roles:
        voice = r.voice.id + (f" pitch {r.voice.pitch}" if r.voice.pitch is not None else "")
        aliases = ", ".join(r.aliases)
        click.echo(
            f"{r.name[:22]:<22} {r.gender or '?':<7} {r.lines:>5}  {voice:<22} {r.source:<8} {aliases}"
        )


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "target",
    type=click.Path(path_type=Path),
    help="Where to write it.  [default: voices/<story>.toml]",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@voice_options
def init(file, target, force, voices_file, narrator_voice, rate, reader_name, speak_notes):
    """Write a starter voices file for a story, its characters already listed.

    Edit the voices in it, then: narrate build FILE --voices voices/<story>.toml
    """
    from narrate import config, engines
    from narrate.build import plan
    from narrate.errors import OutputError
    from narrate.files import write_atomic

    settings = load_settings(voices_file, narrator_voice, rate, reader_name, speak_notes)
    config.check_voices(settings, engines.get_engine)
    the_plan = plan(file, settings)
    target = target or Path("voices") / f"{the_plan.book.slug}.toml"
    if target.exists() and not force:
        raise OutputError(f"{target} exists; pass --force to replace it, or -o another path")
    text = config.starter_toml(the_plan.book.title, the_plan.cast.roles())
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text.encode())
    except OSError as e:
        raise OutputError(f"cannot write {target}: {e.strerror}") from None
    click.echo(f"wrote {target}; edit it, then: narrate build {file} --voices {target}")


@cli.group()
def cache():
    """Look at or empty the cache of synthesized chunks and encoded audio."""


@cache.command("info")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="The cache folder to look at.")
def cache_info(cache_dir):
    """Where the cache is and how much it holds."""
    store = open_cache(cache_dir)
    count, size = store.info()
    click.echo(f"{store.folder}: {count} entries, {size / 1e6:.1f} MB")


@cache.command("clear")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="The cache folder to empty.")
def cache_clear(cache_dir):
    """Remove every entry (the next build synthesizes and encodes everything again)."""
    store = open_cache(cache_dir)
    click.echo(f"removed {store.clear()} entries from {store.folder}")


def main() -> None:
    cli(prog_name="narrate")
