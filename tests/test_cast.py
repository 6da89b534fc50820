from dataclasses import replace

from narrate import config
from narrate.cast import Cast
from narrate.config import CharacterVoice
from narrate.engines.base import VoiceInfo
from narrate.model import Character, Chunk, Kind, Voice

VOICES = [VoiceInfo("en-us", "English", "en-us", None)] + [
    VoiceInfo(f"en-us+{v}", v, "en-us", "male" if v[0] == "m" else "female")
    for v in ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5")
]
CHARACTERS = [
    Character("Kylo Ren", ("Kylo", "Ren", "Commander Ren"), "male", 12),
    Character("Hux", ("General Hux",), "male", 5),
    Character("Rey", (), "female", 7),
    Character("Phasma", (), None, 1),
]


def line(speaker, index=0):
    return Chunk(1, index, Kind.DIALOGUE, speaker, 0, 1, '"', True)


def voices_of(cast):
    return {c.name: cast.voice_for(line(c.name)) for c in CHARACTERS}


def test_fixed_roles():
    s = config.defaults()
    cast = Cast(s, CHARACTERS, VOICES)
    assert cast.voice_for(Chunk(1, 0, Kind.NARRATION, None, 0, 1, "x", True)) == s.narrator
    assert cast.voice_for(line("you")) == s.reader
    assert cast.voice_for(line("narrator")) == s.narrator
    assert cast.voice_for(line(None)) == s.dialogue


def test_automatic_cast_follows_gender_and_avoids_narrator():
    s = config.defaults()
    voices = voices_of(Cast(s, CHARACTERS, VOICES))
    assert "+m" in voices["Kylo Ren"].id and "+m" in voices["Hux"].id
    assert "+f" in voices["Rey"].id
    for v in voices.values():
        assert (v.id, v.pitch) not in {
            (s.narrator.id, s.narrator.pitch),
            (s.reader.id, s.reader.pitch),
        }


def test_config_cast_by_name_or_alias():
    mine = Voice(id="en-us+m7", pitch=20)
    s = replace(config.defaults(), characters=(CharacterVoice("Commander Ren", (), mine),))
    cast = Cast(s, CHARACTERS, VOICES)
    assert cast.voice_for(line("Kylo Ren")) == mine
    assert cast.voice_for(line("Commander Ren")) == mine


def test_stable_across_runs_order_and_added_characters():
    s = config.defaults()
    before = voices_of(Cast(s, CHARACTERS, VOICES))
    assert before == voices_of(Cast(s, list(reversed(CHARACTERS)), list(reversed(VOICES))))
    # casting Hux by hand changes Hux and nobody else
    hux = Voice(id="en-us+m1", pitch=10)
    s2 = replace(s, characters=(CharacterVoice("Hux", (), hux),))
    after = voices_of(Cast(s2, CHARACTERS, VOICES))
    assert after["Hux"] == hux
    assert {k: v for k, v in after.items() if k != "Hux"} == {
        k: v for k, v in before.items() if k != "Hux"
    }
    # a newly discovered character leaves the others alone
    more = voices_of(Cast(s, CHARACTERS + [Character("Finn", (), "male", 3)], VOICES))
    assert {k: more[k] for k in before} == before


def test_roles_list_everyone():
    roles = Cast(config.defaults(), CHARACTERS, VOICES).roles()
    names = [r.name for r in roles]
    assert names[:4] == ["Kylo Ren", "Rey", "Hux", "Phasma"]
    assert {"narrator", "you"} <= set(names)
    assert roles[0].aliases == ("Kylo", "Ren", "Commander Ren")


def test_reader_and_narrator_keep_fixed_voices_even_when_discovered():
    s = config.defaults()
    found = CHARACTERS + [Character("you", (), None, 9), Character("narrator", (), None, 2)]
    cast = Cast(s, found, VOICES)
    assert cast.voice_for(line("you")) == s.reader
    roles = {r.name: r for r in cast.roles()}
    assert roles["you"].lines == 9 and roles["you"].source == "default"
    assert [r.name for r in cast.roles()].count("you") == 1


def test_editing_one_characters_voice_changes_only_their_lines():
    """Acceptance: chunk -> voice assignments differ exactly on that character's chunks."""
    from conftest import SEEDS, fake_settings

    from narrate.build import plan

    before = plan(SEEDS[2], fake_settings())
    after = plan(SEEDS[2], fake_settings(characters={"Hux": {"voice": "en-us+m2", "pitch": 20}}))
    old = {j.chunk.index: j.voice for j in before.jobs(config.defaults())}
    new = {j.chunk.index: j.voice for j in after.jobs(config.defaults())}
    assert old.keys() == new.keys()
    changed = {i for i in old if old[i] != new[i]}
    hux_lines = {c.index for c in before.chunks if c.speaker == "Hux" and c.spoken}
    assert hux_lines and changed == hux_lines
