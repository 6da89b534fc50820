"""Run the static ffmpeg that imageio-ffmpeg ships.

Commands are argument lists (never a shell). stderr goes to a temporary file, not a pipe, so a
process we are feeding through stdin can never block on a full stderr pipe; when ffmpeg fails, its
last meaningful stderr line becomes the EncoderError's message.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from typing import IO

from narrate.errors import EncoderError

Arg = str | os.PathLike[str]

_PREFIX = re.compile(r"^(\[[^\]]*@ 0x[0-9a-f]+\]\s*)+")
"""ffmpeg's `[component @ 0x55f5...] ` (possibly nested) before a message."""
_GENERIC = re.compile(
    r"^(Conversion failed!|Exiting normally|Error opening (input|output) files?\b"
    r"|Error selecting an encoder|Error applying encoder options|Error while filtering"
    r"|Error sending frames to consumers|Task finished with error code"
    r"|Terminating thread with return code|Could not open encoder before EOF"
    r"|Nothing was written into output file)"
)
"""Follow-up lines ffmpeg prints after the one that says what actually went wrong."""


@functools.cache
def executable() -> str:
    """Path of the ffmpeg binary."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as e:
        raise EncoderError(
            f"no ffmpeg found ({e}); reinstall it with `pip install --force-reinstall imageio-ffmpeg`"
        ) from e


@functools.cache
def version() -> str:
    """The ffmpeg binary's version: encoded audio kept from another version is not reused."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_version()


def command(args: Sequence[Arg], loglevel: str = "error") -> list[str]:
    """The full command line for ffmpeg `args`: quiet, never interactive, overwriting outputs."""
    return [executable(), "-hide_banner", "-nostdin", "-loglevel", loglevel, "-y", *map(str, args)]


class Process:
    """A running ffmpeg. `stdin` is a pipe to write PCM into when started with `stdin=True`."""

    def __init__(self, args: Sequence[Arg], what: str, stdin: bool = False) -> None:
        self.what = what
        self._error: str | None = None
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in wait() or kill())
        try:
            self._popen = subprocess.Popen(
                command(args),
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
            )
        except OSError as e:
            self._stderr.close()
            raise EncoderError(f"could not start ffmpeg for {what}: {e}") from e

    @property
    def stdin(self) -> IO[bytes]:
        assert self._popen.stdin is not None, "started without stdin=True"
        return self._popen.stdin

    def done(self) -> bool:
        """Whether ffmpeg has exited (wait() then says how)."""
        return self._popen.poll() is not None

    def wait(self) -> None:
        """Wait for ffmpeg to finish; EncoderError with its own words if it failed. Callable more
        than once."""
        if self._error is None and not self._stderr.closed:
            if self._popen.stdin is not None:
                with contextlib.suppress(BrokenPipeError):
                    self._popen.stdin.close()  # ffmpeg may have quit; its exit code says why
            code = self._popen.wait()
            self._stderr.seek(0)
            stderr = self._stderr.read().decode("utf-8", errors="replace")
            self._stderr.close()
            if code != 0:
                self._error = f"ffmpeg could not make {self.what}: {error_line(stderr, code)}"
        if self._error is not None:
            raise EncoderError(self._error)

    def kill(self) -> None:
        """Stop ffmpeg now if it still runs (after another failure); never raises."""
        if self._popen.poll() is None:
            self._popen.kill()
        if self._popen.stdin is not None:
            with contextlib.suppress(OSError):
                self._popen.stdin.close()
        self._popen.wait()
        self._stderr.close()


def run(args: Sequence[Arg], what: str, loglevel: str = "error") -> str:
    """Run ffmpeg to the end and return its stderr; EncoderError if it fails."""
    result = subprocess.run(
        command(args, loglevel),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    stderr = result.stderr.decode("utf-8", errors="replace")
    if result.returncode != 0:
        raise EncoderError(f"ffmpeg could not make {what}: {error_line(stderr, result.returncode)}")
    return stderr


def output(args: Sequence[Arg], what: str) -> bytes:
    """Run ffmpeg to the end and return what it wrote to stdout (`-` as the output); EncoderError
    if it fails. For small outputs only: it is all held in memory."""
    result = subprocess.run(
        command(args), stdin=subprocess.DEVNULL, capture_output=True, check=False
    )
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", errors="replace")
        raise EncoderError(f"ffmpeg could not make {what}: {error_line(stderr, result.returncode)}")
    return result.stdout


def error_line(stderr: str, code: int | None = None) -> str:
    """The line of ffmpeg's stderr that says what went wrong."""
    lines = [_PREFIX.sub("", line).strip() for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    for line in reversed(lines):
        if not _GENERIC.match(line):
            return line
    if lines:
        return lines[-1]
    return f"it exited with code {code} and said nothing"
