"""The voices config: layered TOML files validated once, on load, into Settings.

Layers, lowest first: built-in defaults < the user's config dir < ./voices/default.toml < --voices FILE < flags.
A voice section inherits the keys it leaves out: characters and [reader] from [dialogue], [dialogue] from
[narrator]. Every mistake is a ConfigError naming the file and the key.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from narrate.errors import ConfigError
from narrate.model import Pauses, Voice

PROJECT_CONFIG = Path("voices") / "default.toml"
FLAGS = "command-line flags"
BUILTIN_SOURCE = "built-in defaults"


@dataclass(frozen=True)
class CharacterVoice:
    """A character the user cast by hand."""

    name: str
    aliases: tuple[str, ...]
    voice: Voice


@dataclass(frozen=True)
class Settings:
    narrator: Voice = field(default_factory=Voice)
    dialogue: Voice = field(default_factory=Voice)
    reader: Voice = field(default_factory=Voice)
    reader_name: str | None = None
    """Spoken where the text says y/n."""
    characters: tuple[CharacterVoice, ...] = ()
    pronunciations: tuple[tuple[str, str], ...] = ()
    """(written, spoken) pairs, applied on word boundaries."""
    pauses: Pauses = field(default_factory=Pauses)
    speak_notes: bool = False
    sources: tuple[str, ...] = ()
    """The config layers that were used, highest priority first."""

    def voices(self) -> list[tuple[str, Voice]]:
        """Every voice the settings name, labelled by where it is set."""
        named = [("narrator", self.narrator), ("dialogue", self.dialogue), ("reader", self.reader)]
        return named + [(f'characters."{c.name}"', c.voice) for c in self.characters]


# What each section accepts: key -> (type, (low, high) or None).
VOICE_KEYS: dict[str, tuple[type | tuple[type, ...], tuple[float, float] | None]] = {
    "engine": (str, None),
    "voice": (str, None),
    "rate": (int, (80, 450)),
    "pitch": (int, (0, 100)),
    "volume": ((int, float), (0.0, 1.0)),
    "speaker": ((str, int), None),
    "sentence_silence_ms": (int, (0, 10_000)),
}
CHARACTER_KEYS = {**VOICE_KEYS, "aliases": (list, None)}
READER_KEYS = {**VOICE_KEYS, "name": (str, None)}
PAUSE_KEYS = {f.name: (int, (0, 10_000)) for f in fields(Pauses)} | {
    # The audiobook standard (ACX) asks for 0.5-1 s of room tone at the head and 1-5 s at the tail;
    # espeak-ng's clips open with up to 50 ms of near-silence, so the head stops short of 1 s.
    "head_ms": (int, (500, 950)),
    "tail_ms": (int, (1000, 5000)),
}
TEXT_KEYS = {"speak_notes": (bool, None)}
SECTIONS = {
    "narrator": VOICE_KEYS,
    "dialogue": VOICE_KEYS,
    "reader": READER_KEYS,
    "characters": None,  # a table of character tables, checked one by one
    "pronunciations": None,  # free-form word = "spoken form"
    "pauses": PAUSE_KEYS,
    "text": TEXT_KEYS,
}


# The lowest layer. Voice sections inherit what they leave out (see build), so this is all it takes.
BUILTIN: dict[str, Any] = {
    "narrator": {"engine": "pyttsx3", "voice": "en-us", "rate": 170},
    "dialogue": {"voice": "en-us+f3"},
    "reader": {"voice": "en-us+f2"},
}


def default_layers() -> list[Path]:
    """The config files narrate reads without being asked, lowest priority first, that exist."""
    import platformdirs

    user = Path(platformdirs.user_config_dir("narrate")) / "voices.toml"
    return [p for p in (user, PROJECT_CONFIG) if p.is_file()]


def load(voices_file: Path | None = None, flags: dict[str, Any] | None = None) -> Settings:
    """Settings from the default layers, then `voices_file`, then `flags` (a dict shaped like the TOML)."""
    layers: list[tuple[str, dict]] = [(str(p), read_toml(p)) for p in default_layers()]
    if voices_file is not None:
        layers.append((str(voices_file), read_toml(voices_file)))
    if flags:
        layers.append((FLAGS, flags))
    for origin, data in layers:
        validate(data, origin)
    merged: dict[str, Any] = BUILTIN
    for _, data in layers:
        merged = deep_merge(merged, data)
    sources = tuple(origin for origin, _ in reversed(layers)) + (BUILTIN_SOURCE,)
    return build(merged, sources=sources)


def defaults() -> Settings:
    """The built-in settings alone, with no file read: what tests and library callers start from."""
    return build(BUILTIN, sources=(BUILTIN_SOURCE,))


def read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such voices file; check the --voices path") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder; --voices takes a .toml file") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save the voices file as UTF-8") from None
    except OSError as e:
        raise ConfigError(
            f"{path}: cannot read it ({e.strerror}); check the --voices path"
        ) from None


def validate(data: dict, origin: str) -> None:
    """Raise ConfigError for the first unknown key, wrong type or out-of-range value."""
    for section, value in data.items():
        if section not in SECTIONS:
            raise unknown_key(origin, section, SECTIONS, "section")
        if not isinstance(value, dict):
            raise ConfigError(
                f"{origin}: [{section}] must be a table, like [{section}] on its own line"
            )
        if section == "characters":
            for name, entry in value.items():
                if not isinstance(entry, dict):
                    raise ConfigError(
                        f'{origin}: [characters."{name}"] must be a table of voice keys'
                    )
                check_keys(entry, CHARACTER_KEYS, origin, f'characters."{name}"')
                for alias in entry.get("aliases", []):
                    if not isinstance(alias, str) or not alias.strip():
                        raise ConfigError(f'{origin}: characters."{name}".aliases must be names')
        elif section == "pronunciations":
            for word, spoken in value.items():
                if not word.strip():
                    raise ConfigError(f"{origin}: pronunciations has an empty word; remove it")
                if not isinstance(spoken, str):
                    raise ConfigError(
                        f'{origin}: pronunciations.{word} must be a string, like "Kai-low"'
                    )
        else:
            check_keys(value, SECTIONS[section], origin, section)


def check_keys(table: dict, allowed: dict, origin: str, where: str) -> None:
    for key, value in table.items():
        if key not in allowed:
            raise unknown_key(origin, f"{where}.{key}", allowed, "key", prefix=f"{where}.")
        kind, bounds = allowed[key]
        # bool is an int in Python; a rate of `true` is a mistake, not 1.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise ConfigError(f"{origin}: {where}.{key} = {value!r} must be {type_name(kind)}")
        if bounds and not bounds[0] <= value <= bounds[1]:
            low, high = bounds
            raise ConfigError(
                f"{origin}: {where}.{key} = {value!r} is out of range; use {low} to {high}"
            )


def unknown_key(origin: str, key: str, allowed: dict, what: str, prefix: str = "") -> ConfigError:
    name = key.removeprefix(prefix)
    close = difflib.get_close_matches(name, list(allowed), n=1)
    hint = f"; did you mean '{prefix}{close[0]}'?" if close else f"; known: {', '.join(allowed)}"
    return ConfigError(f"{origin}: unknown {what} '{key}'{hint}")


def type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", bool: "true or false", list: "a list"}
    if kind == (str, int):
        return "a name or a number"
    if isinstance(kind, tuple):
        return "a number"
    return names.get(kind, kind.__name__)


def deep_merge(low: dict, high: dict) -> dict:
    merged = dict(low)
    for key, value in high.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def voice_from(table: dict, base: Voice) -> Voice:
    keys = {k: table[k] for k in VOICE_KEYS if k in table}
    if "voice" in keys:
        keys["id"] = keys.pop("voice")
    if "volume" in keys:
        keys["volume"] = float(keys["volume"])
    if "speaker" in keys:
        keys["speaker"] = str(keys["speaker"])
    return replace(base, **keys)


def build(data: dict, sources: tuple[str, ...] = ()) -> Settings:
    """Settings from one merged, validated dict."""
    defaults = Settings()
    # Inheritance makes one edit carry: a narrator's rate paces everyone who does not set their own.
    narrator = voice_from(data.get("narrator", {}), defaults.narrator)
    dialogue = voice_from(data.get("dialogue", {}), narrator)
    reader_table = data.get("reader", {})
    reader = voice_from(reader_table, dialogue)
    characters = tuple(
        CharacterVoice(
            name=name,
            aliases=tuple(entry.get("aliases", ())),
            voice=voice_from(entry, dialogue),
        )
        for name, entry in data.get("characters", {}).items()
    )
    return Settings(
        narrator=narrator,
        dialogue=dialogue,
        reader=reader,
        reader_name=reader_table.get("name") or None,
        characters=characters,
        pronunciations=tuple(data.get("pronunciations", {}).items()),
        pauses=replace(defaults.pauses, **data.get("pauses", {})),
        speak_notes=data.get("text", {}).get("speak_notes", defaults.speak_notes),
        sources=sources,
    )


def check_voices(settings: Settings, engine_for) -> None:
    """Raise ConfigError for a voice id the engine does not have. `engine_for(name)` gives an Engine."""
    for where, voice in settings.voices():
        engine = engine_for(voice.engine)
        if not engine.check_voice(voice.id):
            raise ConfigError(
                f"{where}.voice = '{voice.id}' is not a {voice.engine} voice; "
                f"run `narrate voices --engine {voice.engine}` to list them"
            )


def starter_toml(title: str, roles) -> str:
    """A voices file for one story: the shipped defaults' shape with every discovered character listed
    under the voice automatic casting gives them, ready to edit. `roles` are cast.Role records."""
    lines = [
        f"# Voices for {title}, written by `narrate init`. Edit freely; keys you delete fall back to",
        "# voices/default.toml. Use it with: narrate build STORY --voices THIS_FILE",
        "# Voice ids: `narrate voices`. Ranges: rate 80-450 wpm, pitch 0-100, volume 0.0-1.0.",
        "",
    ]
    fixed = {r.name: r for r in roles if r.source == "default"}
    for section, role in (("narrator", "narrator"), ("reader", "you")):
        voice = fixed[role].voice
        lines += [f"[{section}]", f"voice = {toml_string(voice.id)}", f"rate = {voice.rate}"]
        if section == "reader":
            lines.append('# name = "Alex"   # spoken where the text says y/n')
        lines.append("")
    for role in roles:
        if role.source == "default":
            continue
        voice = role.voice
        gender = role.gender or "unknown gender"
        lines.append(f"# {role.lines} lines, {gender}")
        lines.append(f"[characters.{toml_string(role.name)}]")
        if role.aliases:
            lines.append("aliases = [" + ", ".join(toml_string(a) for a in role.aliases) + "]")
        lines.append(f"voice = {toml_string(voice.id)}")
        if voice.pitch is not None:
            lines.append(f"pitch = {voice.pitch}")
        lines.append("")
    return "\n".join(lines)


def toml_string(text: str) -> str:
    """A TOML basic string; JSON's escaping is a subset TOML reads the same way."""
    import json

    return json.dumps(text, ensure_ascii=False)
