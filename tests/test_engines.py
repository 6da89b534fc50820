"""The engine registry, the fake engine, and real speech through pyttsx3 + espeak-ng."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from probe import longest_silence, pcm_level, pitch_hz

from narrate.engines import ENGINE_NAMES, get_engine
from narrate.errors import ConfigError, EngineError
from narrate.model import Voice

SENTENCE = "She sells sea shells by the sea shore, and the shells she sells are surely sea shells."


# --- the registry ----------------------------------------------------------------------------------


def test_engine_names():
    assert ENGINE_NAMES == ("pyttsx3", "fake", "piper")


def test_one_instance_per_process():
    assert get_engine("fake") is get_engine("fake")


def test_unknown_engine_names_the_known_ones():
    with pytest.raises(ConfigError, match="pyttsx3, fake"):
        get_engine("festival")


def test_importing_the_registry_loads_no_engine():
    code = (
        "import sys, narrate.engines, narrate.assemble; "
        "heavy = {'pyttsx3', 'espeakng_loader', 'narrate.engines.pyttsx3', 'mutagen', "
        "'imageio_ffmpeg'} & set(sys.modules); "
        "sys.exit(', '.join(sorted(heavy)) or 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- the fake engine -------------------------------------------------------------------------------


def fake_voice(**kwargs) -> Voice:
    return Voice(engine="fake", **kwargs)


def test_fake_is_deterministic():
    fake = get_engine("fake")
    assert fake.synthesize(SENTENCE, fake_voice()) == fake.synthesize(SENTENCE, fake_voice())


def test_fake_length_follows_text_and_rate():
    fake = get_engine("fake")
    seconds = len(fake.synthesize(SENTENCE, fake_voice())) / 2 / fake.sample_rate
    assert seconds == pytest.approx(len(SENTENCE) / 14, rel=0.1)
    faster = len(fake.synthesize(SENTENCE, fake_voice(rate=340))) / 2 / fake.sample_rate
    assert faster == pytest.approx(seconds / 2, rel=0.05)


def test_fake_sounds_like_speech_in_level():
    fake = get_engine("fake")
    pcm = fake.synthesize(SENTENCE, fake_voice())
    rms, peak = pcm_level(pcm)
    assert -23 < rms < -17
    assert peak < -3
    assert 0 < longest_silence(pcm, fake.sample_rate) < 0.2  # gaps between words, no more


def test_fake_voice_and_pitch_change_the_tone():
    fake = get_engine("fake")
    rate = fake.sample_rate
    base = pitch_hz(fake.synthesize(SENTENCE, fake_voice(id="en-us")), rate)
    other = pitch_hz(fake.synthesize(SENTENCE, fake_voice(id="en-gb+f2")), rate)
    higher = pitch_hz(fake.synthesize(SENTENCE, fake_voice(id="en-us", pitch=75)), rate)
    assert abs(other - base) > 5
    assert higher == pytest.approx(base * 2**0.5, rel=0.05)


def test_fake_empty_text_is_empty_audio():
    fake = get_engine("fake")
    assert fake.synthesize("", fake_voice()) == b""
    assert fake.synthesize(" \n\t", fake_voice()) == b""


def test_fake_voices_have_espeak_shapes_and_genders():
    fake = get_engine("fake")
    by_id = {v.id: v for v in fake.voices()}
    assert {"en-us", "en-gb", "en-us+m7", "en-gb+f5"} <= set(by_id)
    assert by_id["en-us+m3"].gender == "male"
    assert by_id["en-gb+f1"].gender == "female"
    assert all(fake.check_voice(voice_id) for voice_id in by_id)
    assert fake.check_voice("EN-US+F3")
    assert not fake.check_voice("en-us+f6")
    assert not fake.check_voice("fr")
    with pytest.raises(EngineError, match="en-us\\+x9"):
        fake.synthesize("Hello.", fake_voice(id="en-us+x9"))


# --- pyttsx3 ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def espeak():
    return get_engine("pyttsx3")


@pytest.mark.e2e
def test_real_speech(espeak):
    pcm = espeak.synthesize("The quick brown fox jumps over the lazy dog.", Voice())
    assert espeak.sample_rate == 22050
    seconds = len(pcm) / 2 / espeak.sample_rate
    assert 1.5 < seconds < 6  # nine words at 170 words a minute: about 3 s
    rms, peak = pcm_level(pcm)
    assert rms > -35
    assert peak <= 0


@pytest.mark.e2e
def test_version_names_both_libraries(espeak):
    assert espeak.version.startswith("pyttsx3 2.")
    assert " espeak-ng 1." in espeak.version


@pytest.mark.e2e
def test_rate_changes_duration(espeak):
    slow = len(espeak.synthesize(SENTENCE, Voice(rate=120)))
    fast = len(espeak.synthesize(SENTENCE, Voice(rate=240)))
    assert fast < slow * 0.7


@pytest.mark.e2e
def test_variants_differ_in_pitch(espeak):
    male = pitch_hz(espeak.synthesize(SENTENCE, Voice(id="en-us+m3")), 22050)
    female = pitch_hz(espeak.synthesize(SENTENCE, Voice(id="en-us+f3")), 22050)
    assert female > male * 1.4


@pytest.mark.e2e
def test_pitch_applies_and_does_not_leak(espeak):
    before = pitch_hz(espeak.synthesize(SENTENCE, Voice()), 22050)
    raised = pitch_hz(espeak.synthesize(SENTENCE, Voice(pitch=90)), 22050)
    after = pitch_hz(espeak.synthesize(SENTENCE, Voice()), 22050)
    assert raised > before * 1.25
    assert after == pytest.approx(before, rel=0.05)


@pytest.mark.e2e
def test_empty_text_is_empty_audio(espeak):
    assert espeak.synthesize("", Voice()) == b""
    assert espeak.synthesize("  \n ", Voice()) == b""


@pytest.mark.e2e
def test_nothing_reaches_stdout(espeak, capfd):
    espeak.synthesize("Hello there.", Voice())
    espeak.synthesize("And again.", Voice(id="en-gb+f2"))
    out, _ = capfd.readouterr()
    assert out == ""


@pytest.mark.e2e
@pytest.mark.parametrize(
    "voice_id", ["en-us", "gmw/en-us", "EN-US", "en-gb", "gmw/en", "en-us+f3", "en-gb+M3"]
)
def test_accepted_voice_ids(espeak, voice_id):
    assert espeak.check_voice(voice_id)
    assert espeak.synthesize("Yes.", Voice(id=voice_id))


@pytest.mark.e2e
@pytest.mark.parametrize("voice_id", ["nonexistent", "en-us+nobody", "en-zz", "+f3", ""])
def test_unknown_voice_ids(espeak, voice_id):
    assert not espeak.check_voice(voice_id)
    with pytest.raises(EngineError, match="narrate voices"):
        espeak.synthesize("Hello.", Voice(id=voice_id))


@pytest.mark.e2e
def test_voices_list_languages_and_gendered_variants(espeak):
    by_id = {v.id: v for v in espeak.voices()}
    assert {"en-us", "en-gb", "fr-fr", "de"} <= set(by_id)  # listed by language code
    assert espeak.check_voice("fr") and espeak.check_voice("roa/fr")  # or espeak-ng's file name
    assert by_id["en-us+f3"].gender == "female"
    assert by_id["en-gb+m3"].gender == "male"
    assert by_id["en-us"].language == "en-us"
    assert all(espeak.check_voice(voice_id) for voice_id in by_id)


@pytest.mark.e2e
@pytest.mark.parametrize(
    "text",
    [
        "<speak><break time='3s'/></speak>",
        '<break time="3s"/><prosody rate="x-slow">',
        "&amp; &lt; &gt;",
        "[[h@l'oU]]",
    ],
)
def test_markup_is_spoken_not_obeyed(espeak, text):
    pcm = espeak.synthesize(text, Voice())
    seconds = len(pcm) / 2 / espeak.sample_rate
    assert seconds > 0.8  # the symbols and words are read out
    assert longest_silence(pcm, espeak.sample_rate) < 1.0  # no 3 s break was obeyed


@pytest.mark.e2e
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_worker_gets_an_error_not_a_hang(espeak):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: espeak-ng's thread did not survive the fork
        os.close(read)
        try:
            get_engine("pyttsx3").synthesize("Hello.", Voice())
            message = b"spoke"
        except EngineError as e:
            message = str(e).encode()
        except BaseException as e:  # noqa: BLE001 - report anything to the parent
            message = repr(e).encode()
        os.write(write, message)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    assert "spawn" in message


def test_scratch_folders_of_dead_engines_are_removed(tmp_path):
    from narrate.engines import pyttsx3 as engine

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = tmp_path / f"narrate-pyttsx3-{gone.pid}-abc"
    live = tmp_path / f"narrate-pyttsx3-{os.getpid()}-def"
    other = tmp_path / "narrate-pyttsx3-oldstyle"
    for folder in (stale, live, other):
        folder.mkdir()
        (folder / "chunk.wav").write_bytes(b"RIFF")
    engine._remove_stale_folders(tmp_path)
    assert not stale.exists()
    assert live.exists() and other.exists()
