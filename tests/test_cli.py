"""The command line: one actionable line and a stable exit code for every mistake, no traceback."""

import json

import pytest
from click.testing import CliRunner
from conftest import SEEDS, fake_voices_file

from narrate.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_one_line_error(result, code, *fragments):
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("narrate: error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_help_teaches_every_command():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("build", "segment", "cast", "voices", "cache"):
        assert command in result.output
        sub = run(command, "--help")
        assert sub.exit_code == 0 and len(sub.output.splitlines()) > 3


def test_missing_path(tmp_path):
    assert_one_line_error(run("build", tmp_path / "nope.txt"), 2, "nope.txt")


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda p: p.joinpath("nope.txt"), "nope.txt"),
        (lambda p: (p / "empty-folder").mkdir() or p / "empty-folder", "empty-folder"),
        (lambda p: p.joinpath("empty.txt").write_text("") and None or p / "empty.txt", "empty"),
        (
            lambda p: p.joinpath("blank.txt").write_text("  \n\t ") and None or p / "blank.txt",
            "blank.txt",
        ),
        (
            lambda p: (
                p.joinpath("bin.txt").write_bytes(bytes(range(256)) * 4) and None or p / "bin.txt"
            ),
            "binary",
        ),
    ],
)
def test_bad_input_is_one_line(tmp_path, make, fragment):
    path = make(tmp_path)
    result = run("build", path, "-o", tmp_path / "out", "--no-cache")
    assert_one_line_error(result, 2, fragment)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.m4b"))


def test_output_path_that_is_a_file(tmp_path):
    story = tmp_path / "s.txt"
    story.write_text("Once upon a time.", encoding="utf-8")
    blocker = tmp_path / "out"
    blocker.write_text("I am a file")
    result = run(
        "build", story, "-o", blocker, "--no-cache", "--voices", fake_voices_file(tmp_path)
    )
    assert_one_line_error(result, 5, str(blocker))
    assert blocker.read_text() == "I am a file"


def test_bad_config_is_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[narrator]\nrate = 9000\n")
    result = run("build", SEEDS[3], "--voices", bad)
    assert_one_line_error(result, 3, "narrator.rate", "80 to 450")


def test_unknown_voice_points_to_narrate_voices(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[narrator]\nvoice = "xx-nowhere"\n')
    assert_one_line_error(run("build", SEEDS[3], "--voices", bad), 3, "narrate voices")


def test_debug_shows_the_traceback(tmp_path):
    result = run("--debug", "build", tmp_path / "nope.txt")
    assert result.exit_code != 0 and result.exception is not None


def test_build_with_fake_engine_names_files_after_the_story(tmp_path):
    story = tmp_path / "My Story.txt"
    story.write_text('Chapter 1\n\n"Hi," said Bo.\n\nChapter 2\n\nThe end.\n', encoding="utf-8")
    result = run(
        "build", story, "-o", tmp_path / "out", "--voices", fake_voices_file(tmp_path), "--no-cache"
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "my-story"
    assert (folder / "my-story.m4b").is_file() and (folder / "my-story.m3u").is_file()
    assert sorted(p.name for p in folder.glob("*.mp3")) == [
        "01 - Chapter 1.mp3",
        "02 - Chapter 2.mp3",
    ]
    assert "2 chapters" in result.output


def test_books_are_reported_in_order_while_the_next_one_is_made(tmp_path):
    # Each book is begun before the one before it has finished encoding; the lines still come in
    # story order, one per book, each after its files are in place.
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(f'"Hi," said Bo in {name}.\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run("build", tmp_path, "-o", out, "--voices", fake_voices_file(tmp_path), "--no-cache")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 3
    for line, name in zip(lines, "abc", strict=True):
        assert line.startswith(f"{out / name / name}.m4b  (1 chapter, ")
        assert (out / name / f"{name}.m4b").is_file()


def test_a_failing_story_still_lets_the_one_before_it_finish(tmp_path):
    (tmp_path / "a.txt").write_text('"Hi," said Bo.\n', encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    out = tmp_path / "out"
    result = run("build", tmp_path, "-o", out, "--voices", fake_voices_file(tmp_path), "--no-cache")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"{out / 'a' / 'a'}.m4b")
    assert lines[1].startswith("narrate: error: ") and "b.txt" in lines[1]
    assert (out / "a" / "a.m4b").is_file()
    assert not list((out / "a").glob(".narrate-work-*"))


def test_segment_jsonl_contract_on_seeds():
    for seed in SEEDS:
        result = run("segment", seed, "--format", "jsonl")
        assert result.exit_code == 0, result.output
        decoded = seed.read_bytes().decode("utf-8")
        covered = [False] * len(decoded)
        previous_end = 0
        for line in result.output.splitlines():
            row = json.loads(line)
            assert list(row) == [
                "chapter",
                "index",
                "kind",
                "speaker",
                "start",
                "end",
                "text",
                "spoken",
            ]
            assert row["text"] == decoded[row["start"] : row["end"]]
            assert row["start"] >= previous_end
            previous_end = row["end"]
            for i in range(row["start"], row["end"]):
                covered[i] = True
        assert all(covered[i] for i, ch in enumerate(decoded) if not ch.isspace())


def test_segment_table_and_spoken_view():
    result = run("segment", SEEDS[1], "--spoken")
    assert result.exit_code == 0
    assert "dialogue" in result.output and "heading" in result.output
    assert "y/n" not in result.output.split("(")[0]


def test_cast_lists_kylo_ren_and_the_reader():
    result = run("cast", SEEDS[1])
    assert result.exit_code == 0, result.output
    assert "Kylo" in result.output and "you" in result.output


def test_voices_lists_variants():
    result = run("voices")
    assert result.exit_code == 0
    assert "en-us+f3" in result.output


@pytest.mark.parametrize(
    "toml, fragments",
    [
        ("[narrator\n", ["invalid TOML", "line 1"]),
        ("[narrator]\nrat = 170\n", ["unknown key 'narrator.rat'", "did you mean 'narrator.rate'"]),
        ("[narrator]\nvoice = 'zz-top'\n", ["'zz-top'", "narrate voices"]),
        ("[narrator]\nrate = -3\n", ["narrator.rate = -3", "80 to 450"]),
        ("[dialogue]\nvolume = 2\n", ["dialogue.volume = 2", "0.0 to 1.0"]),
    ],
)
def test_every_config_error_is_one_line_with_exit_3(tmp_path, toml, fragments):
    bad = tmp_path / "bad.toml"
    bad.write_text(toml)
    for command in ("build", "cast", "init"):
        assert_one_line_error(run(command, SEEDS[3], "--voices", bad), 3, *fragments)


def test_init_writes_a_starter_that_build_accepts(tmp_path):
    result = run("init", SEEDS[2], "-o", tmp_path / "v.toml")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "v.toml").read_text(encoding="utf-8")
    # this story mostly says `Kylo`, so that is his name here; `Kylo Ren` is an alias
    assert '[characters."Hux"]' in text and '[characters."Kylo"]' in text
    from narrate import config

    settings = config.load(tmp_path / "v.toml")
    assert {c.name for c in settings.characters} >= {"Hux", "Kylo"}
    kylo = next(c for c in settings.characters if c.name == "Kylo")
    assert "Kylo Ren" in kylo.aliases
    again = run("init", SEEDS[2], "-o", tmp_path / "v.toml")
    assert_one_line_error(again, 5, "--force")


def test_verbose_shows_the_config_layers_highest_first(tmp_path):
    story = tmp_path / "s.txt"
    story.write_text("Once upon a time.", encoding="utf-8")
    voices = fake_voices_file(tmp_path)
    result = CliRunner().invoke(
        cli,
        [
            "build",
            str(story),
            "-o",
            str(tmp_path / "out"),
            "-v",
            "-j",
            "1",
            "--voices",
            str(voices),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"config (highest priority first): {voices} > built-in defaults" in result.output
