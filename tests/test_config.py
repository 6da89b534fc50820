from pathlib import Path

import pytest

from narrate import config
from narrate.engines.base import VoiceInfo
from narrate.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_is_valid_and_matches_builtins():
    data = config.read_toml(ROOT / "voices" / "default.toml")
    config.validate(data, "voices/default.toml")
    shipped = config.build(config.deep_merge(config.BUILTIN, data))
    builtin = config.defaults()
    assert shipped.narrator == builtin.narrator
    assert shipped.dialogue == builtin.dialogue
    assert shipped.pauses == builtin.pauses
    assert shipped.speak_notes is False


def test_layers_lowest_first(tmp_path):
    write(Path("voices/default.toml"), '[narrator]\nvoice = "en-gb"\nrate = 150\n')
    user = write(tmp_path / "config-home" / "narrate" / "voices.toml", "[narrator]\nrate = 120\n")
    mine = write(tmp_path / "mine.toml", "[pauses]\nsentence_ms = 400\n")
    s = config.load(mine, {"narrator": {"rate": 200}})
    assert s.narrator.id == "en-gb"  # project file beats the built-in
    assert s.narrator.rate == 200  # flags beat every file
    assert s.pauses.sentence_ms == 400
    assert s.sources == (
        config.FLAGS,
        str(mine),
        "voices/default.toml",
        str(user),
        "built-in defaults",
    )


def test_sections_inherit_what_they_leave_out(tmp_path):
    f = write(
        tmp_path / "v.toml",
        '[narrator]\nrate = 190\n[dialogue]\npitch = 60\n[characters."Kylo Ren"]\nvoice = "en-us+m3"\n',
    )
    s = config.load(f)
    assert s.dialogue.rate == 190 and s.dialogue.pitch == 60
    kylo = s.characters[0]
    assert kylo.voice.id == "en-us+m3" and kylo.voice.pitch == 60 and kylo.voice.rate == 190
    assert s.reader.rate == 190


@pytest.mark.parametrize(
    "text, message",
    [
        ("[narrator\nvoice = 1", "invalid TOML"),
        ("[narator]\nvoice = 'en-us'", "unknown section 'narator'; did you mean 'narrator'?"),
        ("[narrator]\nrat = 170", "unknown key 'narrator.rat'; did you mean 'narrator.rate'?"),
        ("[narrator]\nrate = -5", "narrator.rate = -5 is out of range; use 80 to 450"),
        ("[dialogue]\nvolume = 1.5", "dialogue.volume = 1.5 is out of range; use 0.0 to 1.0"),
        ("[narrator]\nrate = 'fast'", "narrator.rate = 'fast' must be a whole number"),
        ("[narrator]\nrate = true", "narrator.rate = True must be a whole number"),
        ('[characters."Hux"]\npich = 3', "unknown key 'characters.\"Hux\".pich'; did you mean"),
        ("[pauses]\nhead_ms = 99999", "pauses.head_ms = 99999 is out of range"),
        ("[pauses]\nhead_ms = 200", "pauses.head_ms = 200 is out of range; use 500 to 950"),
        ("[pauses]\ntail_ms = 6000", "pauses.tail_ms = 6000 is out of range; use 1000 to 5000"),
        ("[text]\nspeak_notes = 'yes'", "text.speak_notes = 'yes' must be true or false"),
        ("narrator = 3", "[narrator] must be a table"),
    ],
)
def test_invalid_configs_name_file_and_key(tmp_path, text, message):
    f = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as e:
        config.load(f)
    assert message in str(e.value)
    assert str(f) in str(e.value)
    assert "\n" not in str(e.value)


def test_invalid_toml_names_the_line(tmp_path):
    f = write(tmp_path / "bad.toml", '[narrator]\nvoice = "en-us"\nrate = = 3\n')
    with pytest.raises(ConfigError, match="line 3"):
        config.load(f)


def test_missing_voices_file(tmp_path):
    with pytest.raises(ConfigError, match="no such voices file"):
        config.load(tmp_path / "nope.toml")


class Engine:
    def check_voice(self, voice_id):
        return voice_id in {"en-us", "en-us+f3", "en-us+f2"}

    def voices(self):
        return [VoiceInfo(v, v) for v in ("en-us", "en-us+f3", "en-us+f2")]


def test_unknown_voice_id_points_to_narrate_voices(tmp_path):
    f = write(tmp_path / "v.toml", '[characters."Hux"]\nvoice = "en-zz+q9"\n')
    with pytest.raises(ConfigError) as e:
        config.check_voices(config.load(f), lambda name: Engine())
    assert "characters.\"Hux\".voice = 'en-zz+q9'" in str(e.value)
    assert "narrate voices" in str(e.value)


def test_known_voices_pass():
    config.check_voices(config.defaults(), lambda name: Engine())
