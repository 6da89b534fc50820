"""The one interface every text-to-speech engine implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from narrate.model import Voice


@dataclass(frozen=True)
class VoiceInfo:
    """A voice an engine offers, as `narrate voices` lists it."""

    id: str
    """What goes in the config's `voice = ...`."""
    name: str
    language: str | None = None
    gender: str | None = None
    """"male", "female", or None when the engine does not say."""


class Engine(Protocol):
    """Speaks text. One instance per worker process; it may hold a loaded library or model."""

    name: str
    """The config's `engine = ...` value."""
    version: str
    """Part of the cache key: a new engine version re-synthesizes."""
    sample_rate: int
    """The rate of the PCM that synthesize() returns."""

    def synthesize(self, text: str, voice: Voice) -> bytes:
        """Mono signed 16-bit little-endian PCM at sample_rate. `text` is plain text to speak (never
        markup); it may be empty or unspeakable, which gives empty bytes, not an error."""
        ...

    def voices(self) -> list[VoiceInfo]:
        """Every voice id this engine accepts."""
        ...

    def check_voice(self, voice_id: str) -> bool:
        """Whether `voice_id` is one this engine can speak with."""
        ...
