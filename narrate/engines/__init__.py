"""The text-to-speech engines, by the name a voices config gives them (`engine = "pyttsx3"`).

Each engine module is imported only when first asked for, so `narrate --help` never loads a speech
library, and each process gets one instance per engine (engines hold loaded libraries).
"""

from __future__ import annotations

import importlib
import os

from narrate.engines.base import Engine, VoiceInfo
from narrate.errors import ConfigError

ENGINE_NAMES: tuple[str, ...] = ("pyttsx3", "fake", "piper")
"""Every engine name a voices config may use."""

_instances: dict[str, tuple[int, Engine]] = {}

__all__ = ["ENGINE_NAMES", "Engine", "VoiceInfo", "get_engine"]


def get_engine(name: str) -> Engine:
    """The engine called `name`, made on first use in this process and reused after."""
    if name not in ENGINE_NAMES:
        raise ConfigError(f"unknown engine {name!r}; use one of: {', '.join(ENGINE_NAMES)}")
    pid = os.getpid()
    cached = _instances.get(name)
    # A forked worker must not share its parent's instance: it owns temp files and a callback.
    if cached is not None and cached[0] == pid:
        return cached[1]
    module = importlib.import_module(f"narrate.engines.{name}")
    engine = module.create()
    _instances[name] = (pid, engine)
    return engine
