"""Errors a user can act on.

Every error the library raises on purpose is a NarrateError whose message is one line saying what is
wrong and what to do. cli.py turns it into that line on stderr and the class's exit code; anything
else is a bug and shows a traceback only with --debug.
"""


class NarrateError(Exception):
    """Base class: one actionable line, a stable exit code."""

    exit_code = 1


class InputError(NarrateError):
    """A story path that is missing, empty, binary or unreadable."""

    exit_code = 2


class ConfigError(NarrateError):
    """A voices config that is not valid TOML or names an unknown key, voice or value."""

    exit_code = 3


class EngineError(NarrateError):
    """A text-to-speech engine that is missing or failed on a chunk."""

    exit_code = 4


class OutputError(NarrateError):
    """An output path that cannot be written (a file where a folder should be, no permission, disk full)."""

    exit_code = 5


class EncoderError(NarrateError):
    """ffmpeg failed to encode a file."""

    exit_code = 6
