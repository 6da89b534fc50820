"""Who speaks with which voice: the config's cast first, then a stable automatic cast.

Automatic casting hashes each character's name into a pool of voices for their gender, so a character keeps
the same voice in every chapter and on every run, and casting one character by hand never moves another.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from narrate.config import Settings
from narrate.engines.base import VoiceInfo
from narrate.model import Character, Chunk, Kind, Voice

READER = "you"
NARRATOR = "narrator"
# Pitches cross the engine's variants, so small pools still give distinct voices.
POOL_PITCHES = (None, 38, 62)
# The plain male and female variants; espeak-ng also has novelty ones (croak, whisper, UniRobot) that a
# user may choose by hand but that automatic casting should never spring on a listener.
POOL_VARIANT = re.compile(r"\+[mf]\d+$")


@dataclass(frozen=True)
class Role:
    """One line of `narrate cast`."""

    name: str
    aliases: tuple[str, ...]
    gender: str | None
    lines: int
    voice: Voice
    source: str
    """"config", "auto", "dialogue" (no voice left to cast automatically: the dialogue voice), or
    "default" (the fixed roles: narrator, reader, unknown speakers)."""


class Cast:
    def __init__(
        self,
        settings: Settings,
        characters: Sequence[Character],
        engine_voices: Iterable[VoiceInfo],
    ) -> None:
        self.settings = settings
        # The reader and a first-person narrator have fixed voices; keep only their line counts.
        self.fixed_lines = {c.name: c.lines for c in characters if c.name in (READER, NARRATOR)}
        self.characters = [c for c in characters if c.name not in self.fixed_lines]
        self.by_alias = {}
        for configured in settings.characters:
            for name in (configured.name, *configured.aliases):
                self.by_alias[name.casefold()] = configured.voice
        self.pools = voice_pools(settings, list(engine_voices))
        self.by_speaker: dict[str, tuple[Voice, str]] = {
            c.name: self.cast_character(c) for c in self.characters
        }

    def cast_character(self, character: Character) -> tuple[Voice, str]:
        for name in (character.name, *character.aliases):
            voice = self.by_alias.get(name.casefold())
            if voice is not None:
                return voice, "config"
        pool = self.pools.get(character.gender) or self.pools[None]
        if not pool:
            return self.settings.dialogue, "dialogue"
        digest = hashlib.sha256(character.name.casefold().encode()).digest()
        return pool[int.from_bytes(digest[:8], "big") % len(pool)], "auto"

    def voice_for(self, chunk: Chunk) -> Voice:
        if chunk.kind is not Kind.DIALOGUE:
            return self.settings.narrator
        speaker = chunk.speaker
        if speaker == READER:
            return self.settings.reader
        if speaker == NARRATOR:
            return self.settings.narrator
        if speaker in self.by_speaker:
            return self.by_speaker[speaker][0]
        if speaker and speaker.casefold() in self.by_alias:
            return self.by_alias[speaker.casefold()]
        return self.settings.dialogue

    def roles(self) -> list[Role]:
        """The cast as `narrate cast` shows it: most lines first, then the fixed roles."""
        roles = [
            Role(c.name, c.aliases, c.gender, c.lines, *self.by_speaker[c.name])
            for c in sorted(self.characters, key=lambda c: (-c.lines, c.name))
        ]
        s = self.settings
        lines = self.fixed_lines
        roles.append(Role(NARRATOR, (), None, lines.get(NARRATOR, 0), s.narrator, "default"))
        roles.append(Role(READER, ("y/n",), None, lines.get(READER, 0), s.reader, "default"))
        roles.append(Role("(unknown speaker)", (), None, 0, s.dialogue, "default"))
        return roles


def voice_pools(
    settings: Settings, engine_voices: list[VoiceInfo]
) -> dict[str | None, list[Voice]]:
    """Voices for automatic casting by gender (None: any), in the dialogue voice's language and engine,
    never the narrator's or the reader's voice."""
    base = settings.dialogue
    language = base.id.split("+")[0]
    taken = {
        (settings.narrator.id, settings.narrator.pitch),
        (settings.reader.id, settings.reader.pitch),
    }
    pools: dict[str | None, list[Voice]] = {"male": [], "female": [], None: []}
    for info in sorted(engine_voices, key=lambda v: v.id):
        if info.id.split("+")[0] != language or not POOL_VARIANT.search(info.id):
            continue
        if info.gender not in pools:
            continue
        for pitch in POOL_PITCHES:
            if (info.id, pitch) in taken:
                continue
            voice = replace(base, id=info.id, pitch=pitch)
            pools[info.gender].append(voice)
            pools[None].append(voice)
    return pools
