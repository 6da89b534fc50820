"""Where an author's note ends when no marker says so: the heuristic for flattened archive text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from narrate.ingest.spans import word_set

_SENTENCE_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[^\sa-z.,;:!?…\-–—])")
_DIALOGUE = re.compile(r"[\"“”]")
_QUOTED = re.compile(r"[\"“][^\"“”]{0,2000}[\"”]")
_TOKEN = re.compile(r"[a-z0-9][a-z0-9/'’-]*")
_EMOTICON = re.compile(r"(?<!\w)(?:[:;=]-?[()DPp3]|<3|xx+|\^\^)(?!\w)|!\s*$")
# Words an author uses about the work and its readers, and story prose almost never does.
_META = word_set(
    """chapter chapters fic fics fanfic fanfiction oneshot one-shot drabble prompt prompts kudos
    comment comments commenting review reviews update updates updated updating upload uploaded
    posted posting beta betaed unbeta'd unbetaed readers tumblr wattpad ao3 au ooc lol lmao omg
    tbh btw guys y'all yall smut otp fandom canon sequel a/n feedback fluff angst"""
)
# Words that lean authorial but also occur in prose: they keep a note going, never bridge a gap.
_LEANING = word_set(
    """story stories write writing wrote written enjoy enjoyed enjoying thanks thank sorry hope
    series reading warning warnings inspired request requested requests"""
)
_FIRST_PERSON = word_set("i i'm i've i'd i'll me my mine myself we we're we've our ours us")
_NOTE_WINDOW = 3000
"""An unmarked note longer than this is not believed: the story has started by then."""
_FIRST_SENTENCE = 1500


def _sentences(text: str, start: int, stop: int) -> Iterator[tuple[int, int]]:
    pos = start
    for m in _SENTENCE_END.finditer(text, start, stop):
        yield pos, m.end()
        pos = m.end()
    if text[pos:stop].strip():
        yield pos, stop


def note_end(text: str, start: int, stop: int) -> int:
    """Where a note starting at `start` (just after its marker) ends, when no marker says so.

    The heuristic: the note's first sentence is always its own. After that, a sentence stays in
    the note while it sounds like an author talking to readers: it names the work or its readers
    (`chapter`, `fic`, `kudos`, `update`, `you guys`, `lol`), or leans that way (`hope`, `thanks`,
    `sorry`, `writing`, first person when the story is not told in the first person, an
    exclamation or emoticon). One plain sentence may sit between two authorial ones if the second
    is clearly authorial; a second plain sentence, any dialogue (quotation marks), or the end of a
    3000-character window ends the note after the last authorial sentence.
    """
    first_person: bool | None = None  # sampled only when a pronoun is a sentence's only cue
    end: int | None = None
    gap = False
    for s, e in _sentences(text, start, stop):
        if end is None:
            end = (
                e
                if e - start <= _FIRST_SENTENCE
                else _last_space(text, start, start + _FIRST_SENTENCE)
            )
            continue
        if s - start > _NOTE_WINDOW:
            break
        sentence = text[s:e]
        if _DIALOGUE.search(sentence):
            break
        score = _authorial(sentence)
        if score < 0:
            if first_person is None:
                first_person = _told_in_first_person(text, start, stop)
            score = 0 if first_person else 1
        if score == 2 or (score == 1 and not gap):
            end, gap = e, False
        elif gap:
            break
        else:
            gap = True
    return stop if end is None else end


def _last_space(text: str, start: int, pos: int) -> int:
    cut = max(text.rfind(" ", start, pos), text.rfind("\n", start, pos))
    return cut if cut > start else pos


def _authorial(sentence: str) -> int:
    """2: clearly an author talking; 1: leaning that way; 0: plain prose; -1: first person is
    the only cue, which counts when the story itself is not told in the first person."""
    tokens = set(_TOKEN.findall(sentence.lower().replace("’", "'")))
    if tokens & _META:
        return 2
    if tokens & _LEANING or _EMOTICON.search(sentence):
        return 1
    return -1 if tokens & _FIRST_PERSON else 0


def _told_in_first_person(text: str, start: int, stop: int) -> bool:
    """Whether the story around `start` is told in the first person (outside dialogue), which
    makes `I` and `my` useless as signs of an author's note."""
    sample = _QUOTED.sub(" ", text[start : min(stop, start + 6000)]).lower().replace("’", "'")
    tokens = _TOKEN.findall(sample)
    mine = sum(1 for t in tokens if t in _FIRST_PERSON)
    return len(tokens) >= 50 and mine > 0.02 * len(tokens)
