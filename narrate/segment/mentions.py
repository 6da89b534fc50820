"""Names and pronouns in the narration, each resolved to a character as the text is read.

The attribution reads the narration span by span in reading order; every he/she/his/her goes to the
most salient character of that gender at that point (see Resolver).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from narrate.segment.characters import Cast
from narrate.segment.lexicon import (
    NARRATOR,
    PREPOSITIONS,
    PRONOUNS,
    YOU,
    role_gender,
    unqualified,
    words,
)
from narrate.segment.quotes import Span

MARRIED_TITLES = {"male": ("Mr.", "Mr", "Mister"), "female": ("Mrs.", "Mrs", "Missus")}
"""Gender -> the titles of a married man or woman (a parent, a spouse), the usual spelling first."""
_SPOUSE_TITLES = {
    "male": (*MARRIED_TITLES["male"], "Sir", "Lord"),
    "female": (*MARRIED_TITLES["female"], "Lady"),
}
"""A knight's or a lord's wife is `Lady Bertram`."""
_SPOUSE_NOUN = re.compile(r"\s+(wife|husband)\b")
"""After his/her: `his wife met him`, a mention of the spouse."""
_PARENT_NOUN = re.compile(r"\s+(father|mother)\b(?!['’]s)")
"""After a narrator's `my`: `my father was a grave man`, a character the text never names (a
first-person narrator calls their parents so; `said my mother` is her line, not the narrator's)."""


def spouse_of(cast: Cast, name: str | None, gender: str) -> str | None:
    """The `gender` spouse of the character `name` by their married title: `Mrs. Bennet` for Mr.
    Bennet (that name even when the text never writes it), `Lady Bertram` for Sir Thomas Bertram
    when the text has her, else None."""
    person = cast.people.get(name) if name else None
    if person is None or cast.gender(name) == gender:
        return None
    other = "male" if gender == "female" else "female"
    invented = None
    for alias in sorted(person.aliases | {person.name}):
        title, _, rest = alias.partition(" ")
        if rest and title in _SPOUSE_TITLES[other]:
            surname = rest.split()[-1]
            for spouse_title in _SPOUSE_TITLES[gender]:
                found = cast.names.get(f"{spouse_title} {surname}")
                if found:
                    return found
            if title in MARRIED_TITLES[other]:
                invented = invented or f"{MARRIED_TITLES[gender][0]} {surname}"
    return invented


class Mention(NamedTuple):
    start: int
    end: int
    who: str | None
    form: str
    """"name", "subject", "object", "possessive" or "reflexive"."""
    subject: bool
    """Likely the subject of its clause: a name before a verb, he/she/you/I, or a possessive
    starting the sentence."""
    gender: str | None


class Resolver:
    """Finds mentions span by span in reading order and resolves each he/she/his/her to the
    character of that gender who is most salient: an earlier subject in the same sentence, else an
    earlier possessive there (`out of Kylo's mouth before he thought`), else the last subject of
    that gender, where a quote's speaker counts as a subject, unless a whole paragraph lies
    between it and a later mention of that gender (then that mention)."""

    def __init__(self, text: str, cast: Cast) -> None:
        self.text = text
        self.cast = cast
        self.last_subject: dict[str | None, str] = {}
        """Gender (None: not known) -> the last character seen as a subject."""
        self.last_any: dict[str | None, str] = {}
        self.subject_paragraph: dict[str | None, int] = {}
        self.any_paragraph: dict[str | None, int] = {}
        """Gender -> the paragraph of last_subject and of last_any (a speaker: the narration's
        last paragraph before the quote)."""
        self.paragraph = 0
        """The paragraph of the span being scanned, or of the last one committed."""
        self.learned: dict[str, str] = {}
        """Genders learnt from pronouns that could only mean a character of unknown gender."""
        self.mentions: list[Mention] = []
        """Every committed mention, in order (for looking back from a quote)."""
        self.positions: list[int] = []

    def scan(self, span: Span, commit: bool = True) -> list[Mention]:
        """The span's mentions, resolved. Spans must come in reading order; with commit=False the
        scan only looks ahead (the narration after a quote) and leaves the salience as it was."""
        saved = (
            dict(self.last_subject),
            dict(self.last_any),
            dict(self.learned),
            dict(self.subject_paragraph),
            dict(self.any_paragraph),
            self.paragraph,
        )
        self.paragraph = span.paragraph
        text, cast = self.text, self.cast
        found: list[Mention] = []
        for m in cast.mention.finditer(text, span.start, span.end):
            first = not text[span.start : m.start()].strip(" ,—–-\"“”‘’'(")
            if m.group("pro") is None:
                who = cast.named(m)
                possessive = m.group("poss") is not None
                subject = first or (
                    not possessive and _name_is_subject(text, m.start(), m.end(), span)
                )
                form = "possessive" if possessive else "name"
                gender = cast.gender(who)
            else:
                gender, form, who = PRONOUNS[m.group("pro").lower().strip("[]()")]
                if gender is not None:
                    who = self._resolve(gender, form, found)
                subject = form == "subject" or (form == "possessive" and first)
                if subject and who == YOU and _after_preposition(text, m.start(), span.start):
                    subject = False
            mention = Mention(m.start(), m.end(), who, form, subject, gender)
            spouse = _SPOUSE_NOUN.match(text, m.end()) if form == "possessive" else None
            if spouse:
                # `his wife met him`: Mrs. Sedley, the subject if the possessive was
                gender = "female" if spouse.group(1) == "wife" else "male"
                who = spouse_of(cast, who, gender)
                if who:
                    mention = Mention(m.start(), spouse.end(), who, "name", subject, gender)
            elif who == NARRATOR and form == "possessive":
                parent = _PARENT_NOUN.match(text, m.end())
                if parent:
                    gender = role_gender(parent.group(1))
                    subject = first or _name_is_subject(text, m.start(), parent.end(), span)
                    who = f"my {parent.group(1)}"
                    mention = Mention(m.start(), parent.end(), who, "name", subject, gender)
            subordinate = (
                subject
                and any(f.subject for f in found)
                and _after_conjunction(text, m.start(), span.start)
            )
            found.append(mention)
            self._note(mention, salient=not subordinate)
        if commit:
            self.mentions += found
            self.positions += [m.start for m in found]
        else:
            (
                self.last_subject,
                self.last_any,
                self.learned,
                self.subject_paragraph,
                self.any_paragraph,
                self.paragraph,
            ) = saved
        return found

    def speaker(self, who: str | None, listener: str | None = None) -> None:
        """A quote's speaker is the one a following `he` most likely means; when the quote
        addresses someone of another gender by name (`"How did you get here, Jim?"` from the
        narrator), the `he` of the next sentence is the one addressed, who answers."""
        gender = self.gender(who)
        if who:
            self.last_subject[gender] = self.last_any[gender] = who
            self.subject_paragraph[gender] = self.any_paragraph[gender] = self.paragraph
        heard = self.gender(listener)
        if listener and listener != who and heard and heard != gender:
            self.last_subject[heard] = self.last_any[heard] = listener
            self.subject_paragraph[heard] = self.any_paragraph[heard] = self.paragraph

    def gender(self, who: str | None) -> str | None:
        if not who:
            return None
        role = None
        if who.startswith(("the ", "my ")):
            role = role_gender(unqualified(who).split(" ", 1)[1])
        return self.learned.get(who) or self.cast.gender(who) or role

    def _note(self, m: Mention, salient: bool = True) -> None:
        if m.who is None:
            return
        gender = m.gender or self.gender(m.who)
        self.last_any[gender] = m.who
        self.any_paragraph[gender] = self.paragraph
        if m.subject and salient:
            self.last_subject[gender] = m.who
            self.subject_paragraph[gender] = self.paragraph

    def _resolve(self, gender: str, form: str, found: list[Mention]) -> str | None:
        same = [m for m in found if m.who and (m.gender or self.gender(m.who)) == gender]
        if form == "subject":
            subjects = [m for m in same if m.subject]
            if subjects:
                return subjects[-1].who
            same = [m for m in same if m.form == "possessive"]
        if same:
            return same[-1].who
        untold = [m.who for m in found if m.subject and m.form == "name" and not self.gender(m.who)]
        if untold and untold[-1] in self.cast.people and form != "object":
            # `Uriah Heep came in, with his long hands`: the subject before it in the span, whose
            # gender the text has not told till now, rather than a man from a page back (not
            # `him`: `Peggotty looked at him` would be `herself` if it meant her)
            self.learned[untold[-1]] = gender
            return untold[-1]
        who = self.last_subject.get(gender) or self.last_any.get(gender)
        if (
            form == "subject"
            and self.any_paragraph.get(gender, -1) == self.paragraph
            and self.subject_paragraph.get(gender, -1) < self.paragraph
        ):
            # `outside, alone, sat Harvey Stone. He had a pile of saucers`: the one this
            # paragraph named, not a subject from before it
            who = self.last_any[gender]
        elif self.any_paragraph.get(gender, -1) > self.subject_paragraph.get(gender, -1) + 1:
            # `The wind blew the dust into Mrs. Munt's eyes. / "You can well imagine," she
            # said`: a subject a paragraph or more older than the latest mention of that gender
            # has left the scene's focus; the one mentioned since holds it
            who = self.last_any[gender]
        unknown = self.last_subject.get(None)
        if who is None and unknown in self.cast.people:
            # no one of this gender yet: the last named subject whose gender the text has not told
            who = unknown
            self.learned[who] = gender
        return who or self.cast.dominant.get(gender)


def _after_preposition(text: str, pos: int, floor: int) -> bool:
    before = text[max(floor, pos - 16) : pos].split()
    return bool(before) and (before[-1].lower() in PREPOSITIONS or before[-1].endswith("ing"))


_SUBORDINATORS = words(
    "when as after before until till because if though although since once whenever unless"
)
"""Conjunctions of background clauses; `while` and `whereas` join parallel ones, kept salient."""


def _after_conjunction(text: str, pos: int, floor: int) -> bool:
    """Whether a subordinating conjunction comes right before pos (`… when Bodie came in`)."""
    before = text[max(floor, pos - 12) : pos].split()
    return bool(before) and before[-1].lower() in _SUBORDINATORS


_APPOSITIVE = re.compile(
    r",\s+(?:the|a|an|his|her|their|our|my)\s+[^,.;:!?\"“”\n]{1,60},(?=\s+[a-z])"
)
"""After a name, a description between commas: `Mr. Lucian Gregory, the anarchic poet, connected`."""


def _name_is_subject(text: str, start: int, end: int, span: Span) -> bool:
    """A name before a lowercase word (a verb, mostly), past a description between commas, unless
    a preposition governs it; `like`, `as` and `than` may start a clause instead (`it sounded like
    Hux cared`)."""
    appositive = _APPOSITIVE.match(text, end, span.end)
    if appositive:
        end = appositive.end()
    if not _LOWER_NEXT.match(text, end, span.end):
        return False  # `Winnie-the-Pooh\nwalked`: a printed line may break between them
    if _after_preposition(text, start, span.start):
        previous = text[max(span.start, start - 8) : start].split()
        if previous and previous[-1].lower() in ("like", "as", "than"):
            return True
        if previous and previous[-1].lower() == "of":
            return False  # `a man of the type of Tim Healy detached himself`: the man did
        # `By and by Piglet woke up`: no object of a preposition goes on with a finite verb
        verb = _FOLLOWING_WORD.match(text, end)
        return verb is not None and _finite(verb.group(1))
    return True


_LOWER_NEXT = re.compile(r"[ \t]*\n?[ \t]*(?<=\s)[a-z]")
_FOLLOWING_WORD = re.compile(r"\s+([a-z]+)\b")
_FINITE = words(
    "was were is are had has did does could would should might must will can shall may "
    "woke came went saw took made got sat stood ran felt knew thought found began "
    "gave put kept left heard held told rose fell"
)
"""Common finite verbs with no -ed: only a subject comes right before them."""


def _finite(word: str) -> bool:
    return word in _FINITE or (len(word) > 4 and word.endswith("ed"))
