"""Hostile and unusual input: each gets a correct audiobook with nothing dropped, or one line of error.
Never a traceback, never a hang, never a file outside the output folder."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import fake_settings, fake_voices_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrate.build import build
from narrate.cli import cli
from narrate.errors import NarrateError
from narrate.ingest import read_book
from narrate.model import Kind
from narrate.segment import segment


def assert_lossless(path: Path):
    """Every non-whitespace character of the decoded text is in exactly one chunk."""
    book = read_book(path)
    chunks = segment(book)
    covered = bytearray(len(book.text))
    for c in chunks:
        assert c.text == book.text[c.start : c.end]
        for i in range(c.start, c.end):
            assert not covered[i]
            covered[i] = 1
    missing = [i for i, ch in enumerate(book.text) if not ch.isspace() and not covered[i]]
    assert not missing, f"dropped: {book.text[missing[0] : missing[0] + 20]!r}"
    return book, chunks


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "name, data",
    [
        ("cp1252.txt", b"\x93Stay,\x94 he said. \x93Please.\x94 It was a caf\xe9."),
        ("latin1.txt", b'"Ol\xe9," said Jos\xe9, "se\xf1or."'),
        ("bom8.txt", '\ufeff"Hello," said Ann.'.encode()),
        ("bom16.txt", '"Hello," said Ann. “Again,” she said.'.encode("utf-16")),
        (
            "unbalanced.txt",
            b'"Where are you going? he asked.\n\nShe left. The door shut.\n\n"Fine," he said.',
        ),
        (
            "unclosed.txt",
            b'He said: "and then nothing ever closed this quote.\n\nThe next paragraph.',
        ),
        ("world.txt", "Привет, мир. “你好，世界。” שלום עולם. Emoji 🎧📚 too.".encode()),
        ("markup.txt", b"\"<speak>Run</speak> & <break time='3s'/> now,\" said Ann. 5 < 6 > 2."),
        ("control.txt", b"Line one.\x07\x1b[31m Red?\x0c Form feed.\r\n\r\nWindows lines."),
        ("long-word.txt", b"A" * 20_000 + b". Then a normal sentence."),
    ],
)
def test_unusual_text_makes_a_complete_audiobook(tmp_path, name, data):
    story = tmp_path / name
    story.write_bytes(data)
    book, chunks = assert_lossless(story)
    out = tmp_path / "out"
    voices = fake_voices_file(tmp_path)
    result = CliRunner().invoke(
        cli, ["build", str(story), "-o", str(out), "-j", "1", "--no-cache", "--voices", str(voices)]
    )
    assert result.exit_code == 0, result.output
    written = files_under(tmp_path) - {story, voices}
    assert written and all(p.is_relative_to(out) for p in written)
    assert list(out.glob("*/*.m4b"))


def test_windows_1252_curly_quotes_become_dialogue(tmp_path):
    story = tmp_path / "cp1252.txt"
    story.write_bytes(b"\x93Stay,\x94 he said. \x93Please.\x94")
    _, chunks = assert_lossless(story)
    assert [c.text for c in chunks if c.kind is Kind.DIALOGUE] == ["“Stay,”", "“Please.”"]


def test_nul_bytes_are_refused_in_one_line(tmp_path):
    story = tmp_path / "nul.txt"
    story.write_bytes(b"Some text\x00\x00\x00 with NULs\x00 inside." * 20)
    result = CliRunner().invoke(cli, ["build", str(story), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "title",
    ["../../escape", "CON", 'a:b*c?"<d>|e', "..", "/etc/passwd", "nul.txt"],
)
def test_hostile_titles_stay_inside_the_output_folder(tmp_path, title):
    story = tmp_path / "story.txt"
    story.write_text(f'Title: {title}\n\n"Hi," said Bo. Then nothing.\n', encoding="utf-8")
    out = tmp_path / "out"
    build(story, out, fake_settings())
    written = files_under(tmp_path) - {story}
    assert written and all(p.resolve().is_relative_to(out.resolve()) for p in written)
    for p in written:
        assert not set(p.relative_to(out).as_posix()) & set(':*?"<>|\\')


def test_unwritable_output_folder_is_one_line(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("Once upon a time.", encoding="utf-8")
    # /proc refuses new folders even to root, which chmod would not stop.
    result = CliRunner().invoke(
        cli,
        [
            "build",
            str(story),
            "-o",
            "/proc/narrate-out",
            "--voices",
            str(fake_voices_file(tmp_path)),
        ],
    )
    assert result.exit_code == 5, result.output
    assert len(result.output.strip().splitlines()) == 1 and "/proc/narrate-out" in result.output


text_with_structure = st.lists(
    st.sampled_from(
        list("abc XYZ.,!?'\"“”‘’—…\n*#") + ["Chapter 2", "Notes:", "said Ann", " y/n "]
    ),
    max_size=120,
).map("".join)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(text_with_structure, st.text(max_size=200)))
def test_any_text_builds_or_fails_in_one_line(tmp_path, text):
    story = tmp_path / "any.txt"
    story.write_text(text, encoding="utf-8", errors="surrogatepass")
    out = tmp_path / "out"
    try:
        files = build(story, out, fake_settings())
    except NarrateError as e:
        assert "\n" not in str(e) and str(e)
        return
    assert files.m4b.is_file() and files.m4b.resolve().is_relative_to(out.resolve())


def test_segment_jsonl_round_trips_unicode(tmp_path):
    story = tmp_path / "u.txt"
    story.write_text("“Привет,” сказал Иван. 🎧 “你好。”", encoding="utf-8")
    result = CliRunner().invoke(cli, ["segment", str(story), "--format", "jsonl"])
    decoded = story.read_text(encoding="utf-8")
    for line in result.output.splitlines():
        row = json.loads(line)
        assert decoded[row["start"] : row["end"]] == row["text"]


def test_two_stories_with_one_title_never_overwrite_each_other(tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / "two").mkdir(exist_ok=True)
        (tmp_path / "two" / name).write_text("Title: Same\n\nOnce upon a time.\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["build", str(tmp_path / "two"), "-o", str(tmp_path / "out"), "-j", "1", "--voices"]
        + [str(fake_voices_file(tmp_path))],
    )
    assert result.exit_code == 2
    last = result.output.strip().splitlines()[-1]
    assert "would both be written to" in last and "a.txt" in last and "b.txt" in last


def test_a_path_the_system_refuses_is_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["build", str(tmp_path / ("x" * 300))])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_pronunciations_are_literal_text(tmp_path):
    from narrate.speech import to_speech

    assert (
        to_speech("Bo said hi.", pronunciations=[("Bo", r"B\\o \1 \g<0>")])
        == r"B\\o \1 \g<0> said hi."
    )
