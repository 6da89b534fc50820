"""pyttsx3 over the espeak-ng that espeakng-loader bundles (`engine = "pyttsx3"`).

On Linux the bundled libespeak-ng is loaded and ESPEAK_DATA_PATH set before pyttsx3 starts: pyttsx3
then finds the library already loaded, and without the data path espeak-ng calls exit(1). Other
systems use pyttsx3's native driver through the same code (untested: macOS's driver writes AIFF,
which is refused with an EngineError).

pyttsx3 only saves to files, so each chunk goes through a wav in a per-process temp folder (on
/dev/shm when there is one). Its espeak driver has three traps, each handled below:
- espeak-ng speaks on its own thread, and the first runAndWait() returns before the file is
  written: synthesize() waits for the finished-utterance callback;
- runAndWait() cancels whatever espeak-ng's thread is still doing (such as applying the settings
  just set), and pyttsx3 then cancels the new utterance too: synthesize() starts it only when
  espeak-ng is idle;
- its loop sleeps 10 ms per turn, longer than a sentence takes: see _wake_when_finished().
One call at a time: an engine instance is not thread-safe.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import wave
import weakref
from importlib.metadata import version as package_version
from pathlib import Path
from types import SimpleNamespace

from narrate.engines.base import VoiceInfo
from narrate.errors import EngineError
from narrate.model import Voice

SAMPLE_RATE = 22050
DEFAULT_PITCH = 50
"""espeak-ng's own pitch setting, restored for a Voice with pitch None."""
_VARIANT_LANGUAGES = ("en-us", "en-gb")
"""voices() lists the variants on these languages; check_voice() accepts them on any language."""
_started_in: int | None = None
"""The process that started espeak-ng: its synthesis thread does not survive a fork."""
_TIMEOUT_S = 30.0
"""Longest wait for one chunk beyond its own length: espeak-ng speaks far faster than real time."""


def create() -> Pyttsx3Engine:
    return Pyttsx3Engine()


class Pyttsx3Engine:
    name = "pyttsx3"
    sample_rate = SAMPLE_RATE

    def __init__(self) -> None:
        global _started_in
        if _started_in not in (None, os.getpid()):
            # A forked child inherits a started espeak-ng without its thread: it would hang.
            raise EngineError(
                "pyttsx3 was started before this worker process was forked and cannot speak in it; "
                "start workers with multiprocessing's 'spawn' or 'forkserver' method"
            )
        self._espeak = sys.platform.startswith("linux")
        data_path = _prepare_espeak() if self._espeak else None
        try:
            import pyttsx3

            self._tts = pyttsx3.init()
            _started_in = self._pid = os.getpid()
        except Exception as e:  # the driver's own failure, e.g. no speech library at all
            raise EngineError(
                f"pyttsx3 could not start: {e}; reinstall narrate's dependencies"
            ) from e
        self._finished = threading.Event()
        self._completed = False
        self._errors: list[BaseException] = []
        self._tts.connect("finished-utterance", self._on_finished)
        self._tts.connect("error", self._on_error)
        self._languages = _languages(self._tts.getProperty("voices"))
        self._variants = _variants(data_path) if data_path else {}
        self.version = f"pyttsx3 {package_version('pyttsx3')} {self._tts.driver_name}"
        self._is_busy = lambda: False
        if self._espeak:
            from pyttsx3.drivers import _espeak

            self.version = (
                f"pyttsx3 {package_version('pyttsx3')} espeak-ng {_espeak.Info().decode()}"
            )
            self._is_busy = _espeak.IsPlaying
            _wake_when_finished(self._tts, self._finished)
        # A first, empty run leaves pyttsx3 idle, so later settings apply at once, not queued.
        with contextlib.redirect_stdout(io.StringIO()):
            self._tts.runAndWait()
        root = _fast_temp_root()
        _remove_stale_folders(Path(root or tempfile.gettempdir()))
        self._folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=root))
        weakref.finalize(self, _remove_folder, self._folder, os.getpid())
        self._wav = self._folder / "chunk.wav"

    def voices(self) -> list[VoiceInfo]:
        listed = list({id(info): info for info, _ in self._languages.values()}.values())
        for language in _VARIANT_LANGUAGES:
            if language not in self._languages:
                continue
            base = self._languages[language][0]
            for variant, gender in self._variants.values():
                listed.append(
                    VoiceInfo(
                        f"{base.id}+{variant}", f"{base.name}, {variant}", base.language, gender
                    )
                )
        return listed

    def check_voice(self, voice_id: str) -> bool:
        return self._resolve(voice_id) is not None

    def synthesize(self, text: str, voice: Voice) -> bytes:
        if not text.strip():
            return b""  # pyttsx3 asserts on empty text
        if os.getpid() != self._pid:
            raise EngineError(
                "pyttsx3 engine used in a forked worker; get one there with narrate.engines.get_engine"
            )
        name = self._resolve(voice.id)
        if name is None:
            raise EngineError(
                f"pyttsx3 has no voice {voice.id!r}; run `narrate voices` to list them"
            )
        tts = self._tts
        self._errors.clear()
        # Every setting every time: the engine keeps them, and one chunk's pitch must not leak.
        tts.setProperty("voice", name)
        tts.setProperty("rate", voice.rate)
        if self._espeak:
            tts.setProperty("pitch", DEFAULT_PITCH if voice.pitch is None else voice.pitch)
        tts.setProperty("volume", voice.volume)
        self._wait_until_idle()
        if self._errors:
            raise EngineError(
                f"pyttsx3 refused the settings of voice {voice.id!r}: {self._errors[0]}"
            )
        self._finished.clear()
        with contextlib.suppress(FileNotFoundError):
            self._wav.unlink()
        # pyttsx3 prints "Audio saved to ..." from the driver; nothing may reach our stdout.
        with contextlib.redirect_stdout(io.StringIO()):
            tts.save_to_file(text, str(self._wav))
            tts.runAndWait()
            finished = self._finished.wait(_TIMEOUT_S + len(text) / 10)
        if self._errors:
            raise EngineError(f"pyttsx3 failed: {self._errors[0]}")
        if not finished or not self._completed:
            raise EngineError("pyttsx3 stopped before finishing a chunk; try again")
        return _read_wav(self._wav)

    def _wait_until_idle(self) -> None:
        """Wait for espeak-ng's thread to apply the settings just queued.

        runAndWait() cancels whatever espeak-ng is still doing, and pyttsx3 then also cancels the
        new utterance (it reports completed=False): starting only when idle avoids that race."""
        deadline = time.monotonic() + _TIMEOUT_S
        while self._is_busy():
            if time.monotonic() > deadline:
                raise EngineError("espeak-ng stayed busy for 30 s; try again")
            time.sleep(0.0002)

    def _resolve(self, voice_id: str) -> str | None:
        """The name espeak-ng's SetVoiceByName takes for `voice_id`, or None if there is none.

        pyttsx3 silently ignores names it does not know, so this is the only check there is."""
        language, _, variant = voice_id.strip().lower().partition("+")
        found = self._languages.get(language.rsplit("/", 1)[-1])
        if found is None:
            return None
        name = found[1]
        if not variant:
            return name
        file_name = self._variants.get(variant, (None,))[0]
        return None if file_name is None else f"{name}+{file_name}"

    def _on_finished(self, name: object = None, completed: bool = True, **_: object) -> None:
        self._completed = completed
        self._finished.set()

    def _on_error(self, name: object = None, exception: BaseException | None = None, **_: object):
        self._errors.append(exception or RuntimeError("unknown error"))
        self._finished.set()


def _prepare_espeak() -> str:
    """Load the bundled libespeak-ng and point espeak-ng at its data; returns the data path."""
    try:
        import espeakng_loader

        data_path = espeakng_loader.get_data_path()
        ctypes.CDLL(espeakng_loader.get_library_path())
    except (ImportError, OSError, RuntimeError) as e:
        raise EngineError(
            f"espeak-ng from espeakng-loader could not be loaded: {e}; "
            "reinstall it with `pip install --force-reinstall espeakng-loader`"
        ) from e
    os.environ["ESPEAK_DATA_PATH"] = data_path
    return data_path


def _languages(pyttsx3_voices) -> dict[str, tuple[VoiceInfo, str]]:
    """Every way a config may name a language voice -> (how it is listed, espeak-ng's id).

    pyttsx3 ids carry a family (`gmw/en-us`); a language code (`en-gb` for `gmw/en`) is accepted
    too when no other voice shares it."""
    by_code: dict[str, list] = {}
    for v in pyttsx3_voices:
        for code in v.languages or []:
            by_code.setdefault(code.lower(), []).append(v)
    found: dict[str, tuple[VoiceInfo, str]] = {}
    for v in pyttsx3_voices:
        short = v.id.lower().rsplit("/", 1)[-1]
        codes = [c.lower() for c in v.languages or [] if len(by_code[c.lower()]) == 1]
        listed_id = codes[0] if codes else short
        gender = v.gender.lower() if isinstance(v.gender, str) else None
        info = VoiceInfo(listed_id, v.name, codes[0] if codes else short, gender)
        for key in {listed_id, short, *codes}:
            found.setdefault(key, (info, v.id))
    return found


def _variants(data_path: str) -> dict[str, tuple[str, str | None]]:
    """espeak-ng's voice variants: lowercased name -> (file name, gender or None)."""
    folder = Path(data_path) / "voices" / "!v"
    found: dict[str, tuple[str, str | None]] = {}
    for path in sorted(folder.iterdir()):
        if path.is_file():
            found[path.name.lower()] = (path.name, _variant_gender(path))
    return found


def _variant_gender(path: Path) -> str | None:
    text = path.read_text(encoding="utf-8", errors="replace")
    match = re.search(r"^\s*gender\s+(male|female)\b", text, re.IGNORECASE | re.MULTILINE)
    if match:
        return match.group(1).lower()
    # The numbered variants are m1..m8 and f1..f5; espeak-ng names them by gender.
    if re.fullmatch(r"m\d+", path.name):
        return "male"
    if re.fullmatch(r"f\d+", path.name):
        return "female"
    return None


def _fast_temp_root() -> str | None:
    """/dev/shm when it is a writable folder: every chunk is a file write and read."""
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return None


_PREFIX = "narrate-pyttsx3-"
_OWNED = re.compile(rf"{_PREFIX}(\d+)-")


def _remove_stale_folders(root: Path) -> None:
    """Remove the scratch folders of engines whose process is gone: a worker killed for taking
    too long (or by Ctrl-C) never runs its finalizer, and /dev/shm is memory."""
    for folder in root.glob(f"{_PREFIX}*"):
        owner = _OWNED.match(folder.name)
        if owner and not _alive(int(owner.group(1))):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _remove_folder(folder: Path, owner_pid: int) -> None:
    if os.getpid() == owner_pid:  # a forked child must not remove its parent's folder
        shutil.rmtree(folder, ignore_errors=True)


def _read_wav(path: Path) -> bytes:
    try:
        with wave.open(str(path), "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2 or w.getframerate() != SAMPLE_RATE:
                raise EngineError(
                    f"pyttsx3 wrote {w.getnchannels()} channel(s), {8 * w.getsampwidth()}-bit, "
                    f"{w.getframerate()} Hz audio; narrate needs mono 16-bit {SAMPLE_RATE} Hz"
                )
            return w.readframes(w.getnframes())
    except (OSError, EOFError, wave.Error) as e:
        raise EngineError(f"pyttsx3 wrote no readable audio ({e}); try again") from e


def _wake_when_finished(tts, finished: threading.Event) -> None:
    """Let pyttsx3's espeak loop wake as soon as the utterance is done instead of polling.

    The driver's loop runs `while looping: ...; time.sleep(0.01)` until espeak-ng's thread ends it,
    which adds up to 10 ms to every chunk (most of the time a sentence takes). The stand-in sleeps
    the same 10 ms at most but returns when `finished` is set; it is not installed if the driver
    does not look like the one this was written for (pyttsx3 2.99)."""
    from pyttsx3.drivers import espeak as driver_module

    driver = getattr(getattr(tts, "proxy", None), "_driver", None)
    if getattr(driver_module, "time", None) is not time or not hasattr(driver, "_looping"):
        return

    def sleep(seconds: float) -> None:
        if driver._looping:
            finished.wait(seconds)

    driver_module.time = SimpleNamespace(sleep=sleep)
