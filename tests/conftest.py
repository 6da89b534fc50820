"""Shared fixtures: every test runs in its own folder with its own config dirs, so a developer's
voices/default.toml or user config never leaks into a test."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    return tmp_path


# Every voice on the fake engine: builds that test the pipeline, not the speech, run in a blink.
FAKE_VOICES = {
    "narrator": {"engine": "fake"},
    "dialogue": {"engine": "fake"},
    "reader": {"engine": "fake"},
}


def fake_settings(**overrides):
    """Built-in settings with every voice on the fake engine; `overrides` shaped like the TOML."""
    from narrate import config

    data = config.deep_merge(config.deep_merge(config.BUILTIN, FAKE_VOICES), overrides)
    return config.build(data)


def fake_voices_file(folder: Path) -> Path:
    """A voices file for the command line that puts every voice on the fake engine."""
    path = folder / "fake.toml"
    path.write_text("".join(f'[{role}]\nengine = "fake"\n' for role in FAKE_VOICES))
    return path
