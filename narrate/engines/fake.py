"""A deterministic stand-in for a speech engine, for fast tests (`engine = "fake"`).

It "speaks" a tone, one burst per word with a short gap between words, so the audio has speech-like
length (about 14 characters a second at 170 wpm), level (RMS near -20 dBFS) and silences. The tone's
frequency depends on the voice id and pitch, so different voices give different audio.
"""

from __future__ import annotations

import math
import sys
import zlib
from array import array

from narrate.engines.base import VoiceInfo
from narrate.errors import EngineError
from narrate.model import Voice

SAMPLE_RATE = 22050
CHARS_PER_SECOND = 14.0
"""At Voice.rate 170 wpm; a faster rate shortens the audio in proportion."""
_LANGUAGES = {"en-us": "English (America)", "en-gb": "English (Great Britain)"}
_VARIANTS = {f"m{n}": "male" for n in range(1, 8)} | {f"f{n}": "female" for n in range(1, 6)}
_AMPLITUDE = 0.16
"""Peak of the tone as a fraction of full scale: with the gaps between words, RMS is about -20 dBFS."""
_WORD_GAINS = (1.0, 0.8, 1.15, 0.9, 1.05, 0.75, 1.2)
"""Per-word loudness, cycled, so the level moves like speech."""


def create() -> FakeEngine:
    return FakeEngine()


class FakeEngine:
    name = "fake"
    version = "fake-1"
    sample_rate = SAMPLE_RATE

    def __init__(self) -> None:
        self._voices = _voice_list()
        self._ids = {v.id for v in self._voices}

    def voices(self) -> list[VoiceInfo]:
        return list(self._voices)

    def check_voice(self, voice_id: str) -> bool:
        return _canonical(voice_id) in self._ids

    def synthesize(self, text: str, voice: Voice) -> bytes:
        if not self.check_voice(voice.id):
            raise EngineError(
                f"fake engine has no voice {voice.id!r}; run `narrate voices --engine fake`"
            )
        words = text.split()
        if not words:
            return b""
        samples_per_char = SAMPLE_RATE / CHARS_PER_SECOND * 170 / max(voice.rate, 1)
        frequency = _frequency(voice)
        cycles = [_tone_cycle(frequency, voice.volume * gain) for gain in _WORD_GAINS]
        gap = bytes(round(samples_per_char) * 2)
        out = bytearray()
        for i, word in enumerate(words):
            cycle = cycles[i % len(cycles)]
            size = round(len(word) * samples_per_char) * 2
            out += (cycle * (size // len(cycle) + 1))[:size]
            out += gap
        return bytes(out)


def _canonical(voice_id: str) -> str:
    voice_id = voice_id.strip().lower()
    return voice_id.removeprefix("gmw/")


def _voice_list() -> list[VoiceInfo]:
    voices = []
    for language, name in _LANGUAGES.items():
        voices.append(VoiceInfo(id=language, name=name, language=language, gender="male"))
        for variant, gender in _VARIANTS.items():
            voices.append(
                VoiceInfo(f"{language}+{variant}", f"{name}, {variant}", language, gender)
            )
    return voices


def _frequency(voice: Voice) -> float:
    """90-250 Hz from the voice id, moved an octave up or down across the pitch range."""
    base = 90 + zlib.crc32(_canonical(voice.id).encode()) % 160
    pitch = 50 if voice.pitch is None else voice.pitch
    return base * 2 ** ((pitch - 50) / 50)


def _tone_cycle(frequency: float, volume: float) -> bytes:
    """One period of a sine, as 16-bit little-endian PCM."""
    period = max(2, round(SAMPLE_RATE / frequency))
    peak = 32767 * _AMPLITUDE * max(0.0, min(volume, 1.5))
    samples = array("h", (round(peak * math.sin(2 * math.pi * n / period)) for n in range(period)))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()
