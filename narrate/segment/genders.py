"""Each character's gender and each gender's lead, learnt from the narration.

A gendered title (discover()) outweighs everything; then the pronouns that follow the name in the
narration; then common given names, a weak prior. The lead of each gender, the most mentioned
character, is where a pronoun with no one else to mean goes.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from narrate.model import Book
from narrate.segment.characters import KIN_NAMES, TITLES, Cast, Person, discover, mention_pattern
from narrate.segment.lexicon import GIVEN_NAMES, NARRATOR, NICKNAMES, words
from narrate.segment.mentions import MARRIED_TITLES
from narrate.segment.quotes import Span

GIVEN_NAME_WEIGHT = 3
"""A common given name counts as much as one and a half `he`/`she`: a stray pronoun that means
someone else (`Mary wished to speak. … he continued`) does not turn Mary into a man."""


def profile(book: Book, spans: Sequence[Span]) -> Cast:
    """The book's cast with genders and leads learnt from its narration (never from speech, where
    names and pronouns are about other people): after each name, the first he/she in its sentence
    or the next counts twice, the first his/her/himself/herself once (`her`, object as often as
    possessive, half); a gendered title outweighs them all."""
    cast = discover(book)
    text = book.text
    mentions: Counter[str] = Counter()
    by_title: Counter[str] = Counter()
    pronouns: list[_Pronoun] = []
    for k, span in enumerate(spans):
        following = spans[k + 1] if k + 1 < len(spans) else None
        if following is not None and following.paragraph != span.paragraph:
            following = None  # `Mary wished to say something.` / `"…," he continued.`
        found = list(cast.mention.finditer(text, span.start, span.end))
        later = found + (
            list(cast.mention.finditer(text, following.start, following.end)) if following else []
        )
        named = [(n.start(), cast.named(n)) for n in later if n.group("name")]
        for m in found:
            if not m.group("name"):
                mentions[NARRATOR] += m.group("pro") in _FIRST_PERSON
                continue
            who = cast.named(m)
            mentions[who] += 1
            if " ".join(m.group("name").split()) not in cast.people[who].aliases | {who}:
                by_title[who] += 1  # `the captain` for Captain Bildad: not his name
            subject = _search(_SUBJECT_PRONOUN, text, m.end(), span, following)
            if subject:
                gender = "male" if subject.group(1).lower() == "he" else "female"
                pronouns.append(_Pronoun(who, gender, 2, _between(named, m, subject, who)))
            other = _search(_OTHER_PRONOUN, text, m.end(), span, following)
            if other:
                word = other.group(1).lower()
                gender = "male" if word in ("his", "himself") else "female"
                weight = 0.5 if word == "her" else 1
                pronouns.append(_Pronoun(who, gender, weight, _between(named, m, other, who)))
    cast = _unname_titles(cast, mentions, by_title)
    families = _families(cast)
    # twice: the first count tells whose gender a pronoun past another name may be (see _tally)
    genders = _genders(cast, _tally(pronouns, {}), families)
    genders = _genders(cast, _tally(pronouns, genders), families)
    cast = _merge_nicknames(cast, genders, mentions)
    cast = _merge_titled(cast, genders, mentions)
    cast = _claim_surname(cast, genders)
    genders = {name: genders[name] for name in cast.people}
    dominant: dict[str, str] = {}
    leads = sorted(cast.people, key=lambda name: (-mentions[name], -cast.people[name].mentions))
    leads = [name for name in leads if mentions[name]]
    for name in leads:
        if genders[name]:
            dominant.setdefault(genders[name], name)
    for name in leads:
        if genders[name] is None:
            # an ungendered lead is a better guess for "he" than nobody
            for gender in ("male", "female"):
                dominant.setdefault(gender, name)
    return replace(cast, genders=genders, dominant=dominant, narrated=mentions)


def _unname_titles(cast: Cast, mentions: Counter[str], by_title: Counter[str]) -> Cast:
    """`The captain was shouting for grog` where `Captain Bildad` turns up only in the speech: the
    title names its one bearer (`the captain`) only when the narration names them too; otherwise
    the captain in the room is somebody else, a role of their own."""
    strays = {
        who
        for who in by_title
        if mentions[who] == by_title[who] and cast.people.get(who) is not None
    }
    if not strays:
        return cast
    names = {
        surface: who
        for surface, who in cast.names.items()
        if who not in strays or surface in cast.people[who].aliases | {who}
    }
    for who in strays:
        mentions[who] = 0
    return replace(cast, names=names, mention=mention_pattern(names))


class _Pronoun(NamedTuple):
    """A pronoun after a name in the narration, and the other characters named between them."""

    who: str
    gender: str
    weight: float
    between: frozenset[str]


def _between(
    named: list[tuple[int, str]], m: re.Match[str], pronoun: re.Match[str], who: str
) -> frozenset[str]:
    """The other characters named between a name and a pronoun after it."""
    return frozenset(
        other for at, other in named if m.start() < at < pronoun.start() and other != who
    )


def _tally(pronouns: list[_Pronoun], genders: dict[str, str | None]) -> dict[str, Counter[str]]:
    """Each name's pronoun counts, leaving out a pronoun that could as well mean a character of
    its gender (by `genders`) named between them: `The Mouse did not answer, so Alice went on:
    she…` says nothing of the Mouse."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for p in pronouns:
        if not any(genders.get(other) == p.gender for other in p.between):
            counts[p.who][p.gender] += p.weight
    return counts


def _genders(
    cast: Cast, counts: dict[str, Counter[str]], families: set[str]
) -> dict[str, str | None]:
    """Each character's gender: a title, a kin name, else the pronouns, else a given name."""
    genders: dict[str, str | None] = {}
    for name in cast.people:
        if name in families:  # `the Hilberys said`: a family, never the `he` after it
            genders[name] = None
            continue
        if name in KIN_NAMES:  # `Mother` says her gender as a title would
            genders[name] = KIN_NAMES[name]
            continue
        given = GIVEN_NAMES.get(name.split()[0].lower())
        tally = Counter(counts.get(name, Counter()))
        if given:
            tally[given] += GIVEN_NAME_WEIGHT
        genders[name] = cast.genders.get(name) or _pronoun_gender(tally) or given
    return genders


def _families(cast: Cast) -> set[str]:
    """Names that are a family or a set of people, plural of another name's surname: `the
    Hilberys` beside Mr. Hilbery, `Miss Bertrams` beside Sir Thomas Bertram, `Bears` beside Edward
    Bear. A `he` or `she` never means them; `Mr. Williams` (a title for one man) is not plural."""
    surnames = {
        form.split()[-1]
        for name, person in cast.people.items()
        for form in person.aliases | {name}
        if len(form.split()) > 1
    }
    found = set()
    for name in cast.people:
        words_ = name.split()
        last = words_[-1]
        if len(words_) > 2 or (len(words_) == 2 and words_[0] not in ("the", "The", "Miss")):
            continue
        if last.endswith("s") and (last[:-1] in surnames or last[:-2] in surnames):
            found.add(name)
    return found


_FIRST_PERSON = words("I me my myself Me My Myself")
_SUBJECT_PRONOUN = re.compile(r"\b([Hh]e|[Ss]he)\b")
_OTHER_PRONOUN = re.compile(r"\b([Hh]is|[Hh]er|[Hh]imself|[Hh]erself)\b")


def _search(
    pattern: re.Pattern[str], text: str, start: int, span: Span, following: Span | None
) -> re.Match[str] | None:
    """Search the rest of a narration span, then the next one (never the speech between them)."""
    found = pattern.search(text, start, span.end)
    if found is None and following is not None:
        found = pattern.search(text, following.start, following.end)
    return found


def _pronoun_gender(counts: Counter[str]) -> str | None:
    male, female = counts["male"], counts["female"]
    if male + female < 2:
        return None
    if male > 1.5 * female:
        return "male"
    if female > 1.5 * male:
        return "female"
    return None


def _merge_nicknames(cast: Cast, genders: dict[str, str | None], mentions: Counter[str]) -> Cast:
    """`Lizzy` and `Elizabeth`, `Bobbie` and `Roberta`: one person when the book uses both forms as
    single given names, of no other gender, and the full name is not shared (two Elizabeths would
    make `Lizzy` anyone's). The name the narration uses more is the canonical one. `genders` and
    `mentions` are updated in place for the merged person."""
    by_first: dict[str, list[str]] = defaultdict(list)
    for name in cast.people:
        by_first[name.split()[0].lower()].append(name)
    merges: dict[str, str] = {}
    for name in cast.people:
        if " " in name or name.lower() not in NICKNAMES:
            continue
        fulls = [f for full in NICKNAMES[name.lower()] for f in by_first.get(full, [])]
        if len(fulls) != 1 or fulls[0] in merges:
            continue
        full = fulls[0]
        if genders.get(name) and genders.get(full) and genders[name] != genders[full]:
            continue  # `Phil` the brother is not `Phyllis`
        keep, drop = (name, full) if mentions[name] > mentions[full] else (full, name)
        merges[drop] = keep
    return _apply_merges(cast, merges, genders, mentions)


_MISTER = frozenset(MARRIED_TITLES["male"])
_UNMARRIED = frozenset(("Miss",))
_TITLE_GENDER = {**dict.fromkeys(_MISTER, "male"), **dict.fromkeys(_UNMARRIED, "female")}


def _merge_titled(cast: Cast, genders: dict[str, str | None], mentions: Counter[str]) -> Cast:
    """One person under a title and under a given name:
    - `Mr. Sedley` and `John Sedley`, `Miss Woodhouse` and `Emma Woodhouse`: when that is the only
      man (woman) the narration gives the surname with a given name, and the only Mr. (Miss) of
      it (two Bertram sons make `Mr. Bertram` either). `Mrs.` is left apart: a mother shares her
      daughter's surname (`Elizabeth Bennet` is not `Mrs. Bennet`).
    - `Mrs. Rachel`, `Mrs. Rachel Lynde` and `Rachel Lynde`: a title on a woman's given name (or
      her whole name) is hers, when one woman bears it (`Mrs. Joe` on a man's name is his wife).
    The given-name person keeps their canonical name."""
    titled: dict[tuple[str, str], list[str]] = defaultdict(list)
    given: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, person in cast.people.items():
        parts = name.split()
        if len(parts) == 2 and parts[0] in _TITLE_GENDER:
            titled[(_TITLE_GENDER[parts[0]], parts[1])].append(name)
            continue
        gender = genders.get(name)
        if not gender or not mentions[name]:
            continue  # only a name the narration uses: a first-person narrator's is heard in quotes
        for surname in {parts[-1] for parts in _full_names(person)}:
            given[(gender, surname)].append(name)
    merges: dict[str, str] = {}
    for key, fulls in given.items():
        bearers = titled.get(key, ())
        if len(fulls) == 1 and len(bearers) == 1:
            merges[bearers[0]] = fulls[0]
    by_given: dict[str, list[str]] = defaultdict(list)
    for name, person in cast.people.items():
        if genders.get(name) == "female" and name not in merges:
            for parts in _full_names(person):
                by_given[" ".join(parts)].append(name)
                by_given[parts[0]].append(name)
    for name in cast.people:
        title, _, rest = name.partition(" ")
        if title not in MARRIED_TITLES["female"] or not rest or name in merges:
            continue
        owners = set(by_given.get(rest, ())) - {name}
        if len(owners) == 1 and genders.get(name) in (None, "female"):
            merges[name] = owners.pop()
    return _apply_merges(cast, merges, genders, mentions)


def _full_names(person: Person) -> list[list[str]]:
    """The person's names that are a given name and more, as words (`Emma Woodhouse`, not `Miss
    Woodhouse`)."""
    names = (alias.split() for alias in person.aliases | {person.name})
    return [
        parts for parts in names if len(parts) >= 2 and parts[0].rstrip(".").lower() not in TITLES
    ]


def _claim_surname(cast: Cast, genders: dict[str, str | None]) -> Cast:
    """`Gregory` when the book has Lucian Gregory and his sister Rosamond (`Miss Gregory`): the
    man, whom the narration calls by surname as it never calls a lady. A surname shared by two
    men, or by no man with a given name, stays nobody's."""
    bearers: dict[str, list[str]] = defaultdict(list)
    for name in cast.people:
        parts = name.split()
        if len(parts) >= 2:
            bearers[parts[-1]].append(name)
    claimed = {}
    for surname, names in bearers.items():
        if surname in cast.names or len(names) < 2:
            continue
        men = [n for n in names if genders.get(n) == "male" and n.split()[0] not in _MISTER]
        women = [n for n in names if genders.get(n) == "female"]
        # `Comrade Gregory`: a title that tells no gender, before the surname alone, is one of them
        titled = [n for n in names if not genders.get(n) and _untold_title(n)]
        if len(men) == 1 and len(men) + len(women) + len(titled) == len(names):
            claimed[surname] = men[0]
    if not claimed:
        return cast
    names = {**cast.names, **claimed}
    people = dict(cast.people)
    for surname, who in claimed.items():
        people[who] = replace(people[who], aliases=people[who].aliases | {surname})
    return replace(cast, people=people, names=names, mention=mention_pattern(names))


def _untold_title(name: str) -> bool:
    title, _, surname = name.partition(" ")
    key = title.lower().rstrip(".")
    return bool(surname) and " " not in surname and key in TITLES and TITLES[key] is None


def _apply_merges(
    cast: Cast, merges: dict[str, str], genders: dict[str, str | None], mentions: Counter[str]
) -> Cast:
    """The cast with each `drop -> keep` merged into one person named `keep`."""
    if not merges:
        return cast
    people = dict(cast.people)
    for drop, keep in merges.items():
        person, gone = people[keep], people.pop(drop)
        people[keep] = replace(
            person,
            aliases=person.aliases | gone.aliases | {gone.name},
            titles=person.titles + gone.titles,
            mentions=person.mentions + gone.mentions,
        )
        genders[keep] = genders.get(keep) or genders.get(drop)
        mentions[keep] += mentions.pop(drop, 0)
    names = {form: merges.get(who, who) for form, who in cast.names.items()}
    return replace(cast, people=people, names=names)
