"""Who speaks each quotation: rule-based, offline, linear in the length of the book.

1. discover(): the book's characters, from capitalised words that behave like names (seen
   mid-sentence or with a person's signs, never lowercase, rarely "the X"), merged into people by
   shared tokens and titles (`Kylo Ren`, `Kylo`, `Ren`, `Commander Ren`; but `Mr. Bennet` and
   `Mrs. Bennet` are two). A title borne by one character also names them (`the general`).
   profile() adds genders (titles, then the pronouns after the name in the narration, then common
   given names) and each gender's lead.
2. mentions: names, pronouns and titles in the narration, read in order with the quotes; each
   he/she/his/her goes to the most salient character of that gender: an earlier subject in the
   sentence, else the last main-clause subject or speaker.
3. evidence for each quotation, strongest first: a speech tag beside it (`said Hux`, `she demands`,
   `you whisper`, `I said`, `said his wife`, `said the coachman`), a tag-like beat (`You
   whimper.`), a speech its paragraph continues, a sentence about the speaker's voice (`His voice is
   flat.`), the rest of the same paragraph or sentence, an action beat (`Hux smiled. "Fine."`),
   then turn-taking, where reported speech (`He replied that…`) and silence (`Hux said nothing.`)
   count as turns. A vocative (`"Throw it away, Ren,"`) names the listener, so it vetoes any guess
   short of a named tag that the listener speaks.
4. roles: a speaker known only by a role (`the coachman`) becomes the character they answer to by
   name (`'Sam,' … 'Yes, ma'am,' said the coachman`), or the one named character of that gender
   speaking in the scene.

Speakers are canonical names, a role (`the coachman`) for someone the text never names, "you" for
the second-person reader (also `y/n`), "narrator" for a first-person narrator, or None.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import NamedTuple

from narrate.model import Book, Character, Chunk, Kind


def _words(text: str) -> frozenset[str]:
    """A vocabulary written as one string of words separated by spaces."""
    return frozenset(text.split())


YOU = "you"
NARRATOR = "narrator"


class Paragraph(NamedTuple):
    start: int
    end: int
    chapter: int
    scene: int
    """Counts scene breaks and chapters: turn-taking never looks across one."""
    flat: bool
    """Too long to be one paragraph: flattened text, where paragraph bounds tell nothing."""


class Quote(NamedTuple):
    start: int
    end: int
    paragraph: int
    """Index into the paragraphs list."""
    closed: bool
    """Ended by a closing mark; False when the paragraph's end (or a sentence bound) ended it."""


class Span(NamedTuple):
    """A narration piece (about one sentence) between or around quotations."""

    start: int
    end: int
    paragraph: int


# Vocabulary ---------------------------------------------------------------------------------------

_TITLES: dict[str, str | None] = {
    **dict.fromkeys(
        _words(
            "mr mister sir lord king prince duke earl count baron father uncle "
            "brother master monsieur herr signor emperor"
        ),
        "male",
    ),
    **dict.fromkeys(
        _words(
            "mrs missus miss ms lady dame queen princess duchess countess baroness "
            "mother aunt sister mistress madame madam mademoiselle mme mlle frau "
            "empress"
        ),
        "female",
    ),
    **dict.fromkeys(
        _words(
            "dr doctor general commander captain capt colonel col major lieutenant lt "
            "sergeant sgt admiral professor prof officer agent detective inspector "
            "reverend rev judge governor president senator chancellor"
        ),
        None,
    ),
}
_ABBREVIATED_TITLES = _words("mr mrs ms dr st capt col lt sgt prof rev gen mme mlle messrs")
_TITLE_WORDS = {
    "dr": "doctor",
    "capt": "captain",
    "col": "colonel",
    "gen": "general",
    "lt": "lieutenant",
    "sgt": "sergeant",
    "prof": "professor",
    "rev": "reverend",
}
"""Abbreviated titles and the word the narration uses alone (`Dr. Harland` is `the doctor`)."""
_TITLE_ONLY_NEVER = _words(
    "mr mrs ms miss mister missus dr mme mlle capt col lt sgt prof rev sir madam "
    "madame monsieur lord lady master mistress father mother sister brother aunt "
    "uncle"
)
"""Titles too common alone to name one character (`Mr`, `sir`, `mother`)."""
_STOP = _words(
    "i i'm i’m i'd i’d i'll i’ll i've i’ve he she it we they you your yours his "
    "her hers its our their my me him them us the a an this that these those "
    "there here then now what when where why how who whom whose which if but and "
    "or so yes no not oh ah aw um uh hmm well okay ok please sir god gods christ "
    "jesus heaven hell chapter summary notes note part book volume prologue "
    "epilogue monday tuesday wednesday thursday friday saturday sunday january "
    "february march april may june july august september october november "
    "december english french german american british"
)
_SAYING_BASES = _words(
    "ask answer whisper murmur mutter demand repeat call shout yell continue add "
    "explain advise offer greet admit finish respond exclaim observe remark return "
    "rejoin interrupt insist suggest agree protest plead beg urge warn inquire "
    "enquire retort stammer stutter mumble announce declare state note point mock "
    "order command instruct prompt press persist counter correct confirm concede "
    "confess complain boast assure argue acknowledge accuse reply cry try start echo "
    "venture query question reason recall remind report reassure quip chide scold "
    "hazard babble blurt"
)
_SOUND_BASES = _words(
    "growl snarl laugh sigh breathe hiss snap sneer groan moan gasp sob grumble grunt "
    "tease chuckle giggle whimper croak bark purr drawl scream shriek squeak chirp "
    "hum joke huff scoff snort rasp whine wail yelp pant choke gush coo muse wonder "
    "sing"
)
_DOUBLED = _words("snap beg sob hum quip admit chat")


def _inflect(base: str) -> set[str]:
    if base in _DOUBLED:
        return {base, base + "s", base + base[-1] + "ed", base + base[-1] + "ing"}
    if base.endswith("e"):
        return {base, base + "s", base + "d", base[:-1] + "ing"}
    if base.endswith("y") and base[-2] not in "aeiou":
        return {base, base[:-1] + "ies", base[:-1] + "ied", base + "ing"}
    if base.endswith(("s", "sh", "ch", "x", "z")):
        return {base, base + "es", base + "ed", base + "ing"}
    return {base, base + "s", base + "ed", base + "ing"}


SAYING_VERBS = frozenset(
    {form for base in _SAYING_BASES for form in _inflect(base)}
    | set(
        _words(
            "say says said saying tell tells told telling speak speaks spoke speaking "
            "begin begins began beginning"
        )
    )
)
"""Verbs that report speech: a capitalised `He says` after a quote still tags it."""
SPEECH_VERBS = SAYING_VERBS | {form for base in _SOUND_BASES for form in _inflect(base)}
"""Saying verbs and the sounds that also carry speech (`she laughed`, `he growled`)."""
_PREPOSITIONS = _words(
    "at to from with for of by about toward towards on in into onto over under "
    "behind after before around beside near past through upon against between "
    "among without within across than like as"
)
_GENDERED_NOUNS = {
    **dict.fromkeys(
        _words(
            "man boy gentleman husband father brother son uncle nephew grandfather "
            "king prince lord fellow lad sir widower bridegroom groom monk priest "
            "landlord waiter"
        ),
        "male",
    ),
    **dict.fromkeys(
        _words(
            "woman girl lady wife mother sister daughter aunt niece grandmother queen "
            "princess lass maid widow bride nun landlady waitress actress housekeeper "
            "governess"
        ),
        "female",
    ),
}
# Common given names: a weak prior, used only when titles and pronouns leave a name's gender open.
_GIVEN_NAMES = {
    **dict.fromkeys(
        _words(
            "john james william george charles henry thomas edward robert richard "
            "joseph arthur frederick albert alfred walter harry jack tom dick ned ben "
            "sam samuel peter paul david daniel michael matthew mark luke andrew "
            "philip stephen francis hugh ralph roger simon oliver edmund frank fred "
            "jim joe bill bob tim harold herbert ernest percy cecil lewis louis jacob "
            "isaac abraham nathaniel jonathan christopher nicholas anthony lawrence "
            "martin victor vincent marcus julian adam alexander benjamin jeremy "
            "timothy patrick dennis kevin brian eric steven gerald geoffrey godfrey "
            "gilbert horace jasper laurence leonard lionel rupert sebastian silas "
            "theodore tobias wilfred"
        ),
        "male",
    ),
    **dict.fromkeys(
        _words(
            "mary elizabeth anne ann jane sarah margaret catherine katherine emma "
            "charlotte lucy alice harriet fanny eleanor elinor marianne julia "
            "caroline maria martha susan helen ellen grace rose dorothy florence "
            "edith agnes amelia isabella isabel louisa lydia kitty georgiana clara "
            "cecilia esther hannah rebecca rachel ruth judith eliza betsy bessie "
            "nancy molly polly sophia sophie laura diana victoria beatrice eva eve "
            "evelyn violet lily daisy ada emily annie jenny kate maggie meg amy beth "
            "jo claire anna hester dora nell nelly cathy estella lizzy lizzie bella "
            "olivia phoebe matilda mabel marian marion norah nora"
        ),
        "female",
    ),
}
_PRONOUNS: dict[str, tuple[str | None, str, str | None]] = {
    # word: (gender, form, fixed speaker)
    "he": ("male", "subject", None),
    "she": ("female", "subject", None),
    "him": ("male", "object", None),
    "his": ("male", "possessive", None),
    "her": ("female", "possessive", None),
    "hers": ("female", "object", None),
    "himself": ("male", "reflexive", None),
    "herself": ("female", "reflexive", None),
    "you": (None, "subject", YOU),
    "your": (None, "possessive", YOU),
    "yours": (None, "object", YOU),
    "yourself": (None, "reflexive", YOU),
    "y/n": (None, "subject", YOU),
    "i": (None, "subject", NARRATOR),
    "me": (None, "object", NARRATOR),
    "my": (None, "possessive", NARRATOR),
    "myself": (None, "reflexive", NARRATOR),
}
_PRONOUN_RE = (
    r"[Hh]e|[Ss]he|[Hh]im(?:self)?|[Hh]is|[Hh]er(?:s|self)?|[Yy]ou(?:rs|rself|r)?|I|[Mm]e|[Mm]y(?:self)?"
    r"|[\[(]?[Yy]/[Nn][\])]?"
)
_VOICE = re.compile(
    r"\s+(?:[a-z]+\s+){0,2}?(?:voice|words?|tone|question|reply|response|answer|whisper|squeak|"
    r"modulator|murmur|laugh)\b"
)
_OUT_OF = re.compile(
    r"\b(?:words?|question|answer|reply)\s+(?:was|were|is|are|came|comes|come|rush(?:es|ed)?|"
    r"tumble[sd]?|spill(?:s|ed)?|slip(?:s|ped)?|burst|bursts)\s+(?:\w+\s+)?out\s+of\s+$"
)
_SILENT = re.compile(
    r"(?:\s+[a-z]+ly)?\s+(?:(?:didn['’]t|did\s+not|doesn['’]t|does\s+not|don['’]t|won['’]t|"
    r"wouldn['’]t|couldn['’]t|can['’]t|never|refuses?\s+to|refused\s+to)\s+(?:[a-z]+\s+)?"
    r"(?:speak|say|answer|respond|reply|talk)"
    r"|(?:stayed|stays|remained|remains|was|is|kept|keeps|fell|falls|went|goes)\s+(?:\w+\s+)?"
    r"(?:silent|quiet|mute)|(?:said|says|say)\s+nothing"
    r"|(?:made|makes|gave|gives|returned)\s+no\s+(?:answer|reply|response))\b"
)
_NEXT_WORD = re.compile(
    r"\s*((?:[a-z]+ly|just|then|only|finally|simply|still|also|now)\s+)*([a-z]+)"
)
_INVERTED = re.compile(r"[\s,;:—–-]*(?:[a-z]+ly\s+)?([a-z]+)(?:\s+[a-z]+ly)?\s+$")
_LEAD_WORDS = re.compile(r"[\s,;—–-]*([a-z]+(?:\s+[a-z]+){0,4})")
_DETERMINERS = _words("the his her my your their a an that this")
_OWNER = re.compile(r"\s*([A-Z][\w'’-]*['’]s)\s+(?=[a-z])")
"""`Scrooge's ` before a role noun."""
_NOT_NOUNS = SPEECH_VERBS | _PREPOSITIONS | _words("and or but who which that then")
_NOT_PEOPLE = _words(
    "voice voices word words reply answer response question other others former "
    "latter same one first second last rest"
)
"""Nouns after `said the` that are not a speaker's role."""
_ROLE_SUBJECT = re.compile(r"\b[Tt]he\s+([a-z]+)(?:\s+([a-z]+))?")
"""`the (thin) lady`: a role noun, maybe after an adjective."""
_REPORTED = re.compile(
    r"(?:\s+[a-z]+ly)?\s+(?:" + "|".join(sorted(SAYING_VERBS)) + r")\s+(?:that|whether|how|if|to)\b"
)
_INTERJECTIONS = _words("dear darling my oh o hey hi hello sweet poor")

# Evidence strengths: how much a rule is trusted, and what outranks what.
NAMED_TAG = 5.0
CONTINUED = 4.5
PRONOUN_TAG = 4.0
VOICE_AFTER = 3.5
VOICE_BEFORE = 3.4
SAME_PARAGRAPH = 3.0
TAG_SENTENCE = 2.5
BEAT_BEFORE = 2.0
BEAT_AFTER = 1.5
TURN = 1.0


# Characters ---------------------------------------------------------------------------------------


@dataclass
class _Person:
    name: str
    aliases: set[str] = field(default_factory=set)
    titles: Counter[str] = field(default_factory=Counter)
    """Lowercase title -> times seen with it."""
    mentions: int = 0


@dataclass(frozen=True)
class Cast:
    """The characters discovered in a book and how to find them in its text."""

    people: dict[str, _Person]
    """Canonical name -> person."""
    names: dict[str, str]
    """A surface form exactly as written (`Commander Ren`, `the general`) -> canonical name."""
    genders: dict[str, str | None]
    """From titles alone in discover(); from titles and narration pronouns after profile()."""
    dominant: dict[str, str]
    """Gender -> the most mentioned character of that gender (a pronoun's last resort)."""
    mention: re.Pattern[str]

    def gender(self, who: str | None) -> str | None:
        return self.genders.get(who) if who else None


_TOKEN = re.compile(
    r"(?<![\w'’/])([A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]*(?:-[A-Za-zÀ-ÿ]+|['’](?!s\b)[A-Za-zÀ-ÿ]+)*)(['’]s)?(?!\w)"
)
_LOWER_WORD = re.compile(r"(?<![\w'’])[a-zß-öø-ÿ]+(?![\w'’])")
_TIGHT_GAP = re.compile(r"\.?[ \t]+|\.?[ \t]*\n[ \t]*")


class _Token(NamedTuple):
    word: str
    start: int
    end: int
    """End of the word, before any possessive `'s`."""
    possessive: bool
    initial: bool


def _is_initial(text: str, pos: int, floor: int) -> bool:
    """Whether the word at pos starts a sentence (so its capital says nothing)."""
    j = pos - 1
    while j >= floor and text[j] in " \t":
        j -= 1
    if j < floor:
        return True
    ch = text[j]
    if ch in ".!?…:;\n“‘«([*_—":
        return True
    if ch in "\"'":
        return j == floor or text[j - 1].isspace()
    return False


@lru_cache(maxsize=4)
def discover(book: Book) -> Cast:
    """Find the book's characters in its narration blocks, quotes included (vocatives are there)."""
    text = book.text
    regions = [(b.start, b.end) for b in book.blocks if b.kind is Kind.NARRATION]
    lower: Counter[str] = Counter()
    tokens: list[_Token] = []
    for start, end in regions:
        lower.update(_LOWER_WORD.findall(text, start, end))
        for m in _TOKEN.finditer(text, start, end):
            tokens.append(
                _Token(
                    m.group(1),
                    m.start(),
                    m.end(1),
                    m.group(2) is not None,
                    _is_initial(text, m.start(), start),
                )
            )
    stats = _token_stats(text, tokens)
    candidates = {
        word
        for word, (mid, initial, speech, the, prep) in stats.items()
        if re.split("['’]", word.lower())[0] not in _STOP
        and word.lower() not in _TITLES
        and (mid + 2 * speech >= 2 or (mid and initial) or (speech and initial >= 2))
        and lower[word.lower()] * 3 <= mid + speech
        and the * 2 < mid + initial
        and prep < mid + initial
    }
    forms, titled = _name_forms(text, tokens, candidates, lower)
    return _build_cast(text, regions, forms, titled)


_AUXILIARIES = _words("was had is has did could would will can might must should never always just")


def _token_stats(text: str, tokens: list[_Token]) -> dict[str, list[int]]:
    """word -> [mid-sentence, sentence-initial, person signals, after an article, after a
    preposition].

    Person signals: beside a speech verb, before `, who`, or possessive (`Edith's`)."""
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for t in tokens:
        row = stats[t.word]
        row[1 if t.initial else 0] += 1
        before = text[max(0, t.start - 16) : t.start].split()
        after = text[t.end : t.end + 16].split()
        previous = before[-1].lower() if before else ""
        following = after[0].strip(",.;:!?").lower() if after else ""
        if (
            previous in SPEECH_VERBS
            or following in SPEECH_VERBS
            or t.possessive
            or following == "who"
            or (len(after) > 1 and after[0] == "," and after[1] == "who")
            or after
            and after[0].endswith(",")
            and len(after) > 1
            and after[1] == "who"
        ):
            row[2] += 1
        elif t.initial and (following.endswith("ed") or following in _AUXILIARIES):
            row[2] += 1  # `Hux smiled.`: with two such starts and no lowercase use, a name
        if previous in ("the", "a", "an", "this", "that", "our", "their", "its", "some", "every"):
            row[3] += 1
        elif previous in (
            "in",
            "at",
            "on",
            "from",
            "to",
            "of",
            "into",
            "near",
            "toward",
            "towards",
        ):
            row[4] += 1
    return stats


def _name_forms(
    text: str, tokens: list[_Token], candidates: set[str], lower: Counter[str]
) -> tuple[Counter[tuple[str, ...]], Counter[tuple[str, str, tuple[str, ...]]]]:
    """Runs of name-like capitalised words, each with the title before it as written, if any."""
    forms: Counter[tuple[str, ...]] = Counter()
    titled: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
    k = 0
    while k < len(tokens):
        group = [tokens[k]]
        while (
            k + 1 < len(tokens)
            and not group[-1].possessive
            and _TIGHT_GAP.fullmatch(text, group[-1].end, tokens[k + 1].start)
            and (text[group[-1].end] != "." or group[-1].word.lower() in _ABBREVIATED_TITLES)
        ):
            k += 1
            group.append(tokens[k])
        k += 1
        j = 0
        while j < len(group) and group[j].word.lower() in _TITLES:
            j += 1
        title = group[j - 1] if j else None
        names = group[j:]
        anchored = title is not None or any(t.word in candidates for t in names)
        run: list[str] = []
        for n, t in enumerate(names):
            # beside a title or a known name a word needs less evidence of being a name:
            # `Mr. Collins` and `Claire Dunn` once are enough
            base = re.split("['’]", t.word.lower())[0]
            relaxed = anchored and base not in _STOP and base not in _TITLES and not lower[base]
            relaxed = relaxed and (n > 0 or not t.initial or title is not None)
            if t.word in candidates or relaxed:
                run.append(t.word)
                continue
            _add_form(forms, titled, text, title if n == len(run) else None, run)
            run = []
            title = None
        if run:
            _add_form(forms, titled, text, title if len(run) == len(names) else None, run)
        elif title is not None and j == len(group):
            titled[(title.word.lower(), title.word, ())] += 1
    return forms, titled


def _add_form(forms, titled, text: str, title: _Token | None, run: list[str]) -> None:
    if not run:
        return
    forms[tuple(run)] += 1
    if title is None:
        titled[("", "", tuple(run))] += 1  # a bare use, no title
    if title is not None:
        dotted = text[title.end : title.end + 1] == "."
        surface = title.word + ("." if dotted else "")
        titled[(title.word.lower(), surface, tuple(run))] += 1


def _build_cast(
    text: str,
    regions: list[tuple[int, int]],
    forms: Counter[tuple[str, ...]],
    titled: Counter[tuple[str, str, tuple[str, ...]]],
) -> Cast:
    people: dict[tuple[str, ...], _Person] = {}
    owner: dict[tuple[str, ...], tuple[str, ...] | None] = {}
    for form in sorted(forms, key=lambda f: (-len(f), -forms[f])):
        containers = [p for p in people if len(p) > len(form) and _contains(p, form)]
        if not containers:
            people[form] = _Person(" ".join(form))
            owner[form] = form
        elif len(containers) == 1:
            owner[form] = containers[0]
        else:
            owner[form] = None  # `Bennet` when there are several Bennets
        if owner[form] is not None:
            people[owner[form]].mentions += forms[form]
            people[owner[form]].aliases.add(" ".join(form))

    bare: Counter[tuple[str, ...]] = Counter()
    for (title, _, form), count in titled.items():
        if not title:
            bare[form] += count
    titled = Counter({key: count for key, count in titled.items() if key[0]})
    title_genders: dict[tuple[str, ...], set[str | None]] = defaultdict(set)
    for (title, _, form), _count in titled.items():
        if form:
            title_genders[form].add(_TITLES[title])
    named_titles: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    surfaces: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for (title, surface, form), count in titled.items():
        if not form:
            continue
        key = owner.get(form)
        if {"male", "female"} <= title_genders[form] or key is None:
            # Mr. and Mrs. Bennet are two people: the title is part of each one's name
            key = (surface, *form)
            if key not in people:
                people[key] = _Person(f"{surface} {' '.join(form)}")
            owner[form] = None
        person = people[key]
        person.aliases.add(f"{surface} {' '.join(form)}")
        surfaces[key][f"{surface} {' '.join(form)}"] += count
        person.titles[title] += count
        person.mentions += count
        named_titles[title].add(key)
    for form, key in owner.items():
        if key is None and form in people and people[form].name == " ".join(form):
            del people[form]  # a bare surname shared by titled people names nobody
    for key, person in people.items():
        used_bare = any(bare[form] for form, owner_key in owner.items() if owner_key == key)
        if not used_bare and surfaces[key]:
            # never called plain `Pickle`: the name is the title form the text uses most
            person.aliases.add(person.name)
            person.name = surfaces[key].most_common(1)[0][0]

    names: dict[str, str] = {}
    for person in people.values():
        for alias in person.aliases | {person.name}:
            names[alias] = person.name
    for title, keys in named_titles.items():
        word = _TITLE_WORDS.get(title, title)
        if len(keys) != 1 or word in _TITLE_ONLY_NEVER:
            continue
        # a title only one character bears names them: `General`, `the general`, `the doctor`
        person = people[next(iter(keys))]
        for surface in (word.capitalize(), f"the {word}", f"The {word}"):
            names.setdefault(surface, person.name)
    by_name = {p.name: p for p in people.values()}
    genders = {name: _gender(p) for name, p in by_name.items()}
    return Cast(by_name, names, genders, {}, _mention_pattern(names))


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _mention_pattern(names: dict[str, str]) -> re.Pattern[str]:
    # (?!) never matches: a book with no names still has the groups
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) or "(?!)"
    name_part = f"(?P<name>{alternatives})(?P<poss>['’]s)?(?!\\w)"
    return re.compile(f"(?<![\\w'’/])(?:{name_part}|(?P<pro>{_PRONOUN_RE})(?![\\w'’/]))")


def profile(book: Book, spans: Sequence[Span]) -> Cast:
    """The book's cast with genders and leads learnt from its narration (never from speech, where
    names and pronouns are about other people): after each name, the first he/she in its sentence
    or the next counts twice, the first his/him/her once (`her`, object as often as possessive,
    half); a gendered title outweighs them all."""
    cast = discover(book)
    text = book.text
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    mentions: Counter[str] = Counter()
    for k, span in enumerate(spans):
        following = spans[k + 1] if k + 1 < len(spans) else None
        for m in cast.mention.finditer(text, span.start, span.end):
            if not m.group("name"):
                continue
            who = cast.names[m.group("name")]
            mentions[who] += 1
            subject = _search(_SUBJECT_PRONOUN, text, m.end(), span, following)
            if subject:
                counts[who]["male" if subject.group(1).lower() == "he" else "female"] += 2
            other = _search(_OTHER_PRONOUN, text, m.end(), span, following)
            if other:
                word = other.group(1).lower()
                gender = "male" if word in ("his", "himself") else "female"
                counts[who][gender] += 0.5 if word == "her" else 1
    genders = {}
    for name in cast.people:
        given = _GIVEN_NAMES.get(name.split()[0].lower())
        genders[name] = cast.genders.get(name) or _pronoun_gender(counts[name]) or given
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
    return replace(cast, genders=genders, dominant=dominant)


def _search(pattern: re.Pattern[str], text: str, start: int, span: Span, following: Span | None):
    """Search the rest of a narration span, then the next one (never the speech between them)."""
    found = pattern.search(text, start, span.end)
    if found is None and following is not None:
        found = pattern.search(text, following.start, following.end)
    return found


_SUBJECT_PRONOUN = re.compile(r"\b([Hh]e|[Ss]he)\b")
_OTHER_PRONOUN = re.compile(r"\b([Hh]is|[Hh]er|[Hh]imself|[Hh]erself)\b")


def _pronoun_gender(counts: Counter[str]) -> str | None:
    male, female = counts["male"], counts["female"]
    if male + female < 2:
        return None
    if male > 1.5 * female:
        return "male"
    if female > 1.5 * male:
        return "female"
    return None


def _gender(person: _Person) -> str | None:
    """The gender its titles say (Mr., Mrs., Lady), if any."""
    titled: Counter[str] = Counter()
    for title, count in person.titles.items():
        if _TITLES[title]:
            titled[_TITLES[title]] += count
    return titled.most_common(1)[0][0] if titled else None


# Mentions -----------------------------------------------------------------------------------------


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


class _Resolver:
    """Finds mentions span by span in reading order and resolves each he/she/his/her to the
    character of that gender who is most salient: an earlier subject in the same sentence, else an
    earlier possessive there (`out of Kylo's mouth before he thought`), else the last subject of
    that gender, where a quote's speaker counts as a subject."""

    def __init__(self, text: str, cast: Cast) -> None:
        self.text = text
        self.cast = cast
        self.last_subject: dict[str | None, str] = {}
        """Gender (None: not known) -> the last character seen as a subject."""
        self.last_any: dict[str | None, str] = {}
        self.learned: dict[str, str] = {}
        """Genders learnt from pronouns that could only mean a character of unknown gender."""
        self.mentions: list[Mention] = []
        """Every committed mention, in order (for looking back from a quote)."""
        self.positions: list[int] = []

    def scan(self, span: Span, commit: bool = True) -> list[Mention]:
        saved = dict(self.last_subject), dict(self.last_any), dict(self.learned)
        text, cast = self.text, self.cast
        found: list[Mention] = []
        for m in cast.mention.finditer(text, span.start, span.end):
            first = not text[span.start : m.start()].strip(" ,—–-\"“”‘’'(")
            if m.group("pro") is None:
                who = cast.names[m.group("name")]
                possessive = m.group("poss") is not None
                subject = first or (
                    not possessive and _name_is_subject(text, m.start(), m.end(), span)
                )
                form = "possessive" if possessive else "name"
                gender = cast.gender(who)
            else:
                gender, form, who = _PRONOUNS[m.group("pro").lower().strip("[]()")]
                if gender is not None:
                    who = self._resolve(gender, form, found)
                subject = form == "subject" or (form == "possessive" and first)
                if subject and who == YOU and _after_preposition(text, m.start(), span.start):
                    subject = False
            mention = Mention(m.start(), m.end(), who, form, subject, gender)
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
            self.last_subject, self.last_any, self.learned = saved
        return found

    def speaker(self, who: str | None) -> None:
        """A quote's speaker is the one a following `he` most likely means."""
        gender = self.gender(who)
        if who:
            self.last_subject[gender] = self.last_any[gender] = who

    def gender(self, who: str | None) -> str | None:
        if not who:
            return None
        role = _GENDERED_NOUNS.get(who.removeprefix("the ")) if who.startswith("the ") else None
        return self.learned.get(who) or self.cast.gender(who) or role

    def _note(self, m: Mention, salient: bool = True) -> None:
        if m.who is None:
            return
        gender = m.gender or self.gender(m.who)
        self.last_any[gender] = m.who
        if m.subject and salient:
            self.last_subject[gender] = m.who

    def _resolve(self, gender: str, form: str, found: list[Mention]) -> str | None:
        same = [m for m in found if m.who and (m.gender or self.gender(m.who)) == gender]
        if form == "subject":
            subjects = [m for m in same if m.subject]
            if subjects:
                return subjects[-1].who
            same = [m for m in same if m.form == "possessive"]
        if same:
            return same[-1].who
        who = self.last_subject.get(gender) or self.last_any.get(gender)
        unknown = self.last_subject.get(None)
        if who is None and unknown in self.cast.people:
            # no one of this gender yet: the last named subject whose gender the text has not told
            who = unknown
            self.learned[who] = gender
        return who or self.cast.dominant.get(gender)


def _after_preposition(text: str, pos: int, floor: int) -> bool:
    before = text[max(floor, pos - 16) : pos].split()
    return bool(before) and (before[-1].lower() in _PREPOSITIONS or before[-1].endswith("ing"))


_SUBORDINATORS = _words(
    "when as after before until till because if though although since once whenever unless"
)
"""Conjunctions of background clauses; `while` and `whereas` join parallel ones, kept salient."""


def _after_conjunction(text: str, pos: int, floor: int) -> bool:
    """Whether a subordinating conjunction comes right before pos (`… when Bodie came in`)."""
    before = text[max(floor, pos - 12) : pos].split()
    return bool(before) and before[-1].lower() in _SUBORDINATORS


def _name_is_subject(text: str, start: int, end: int, span: Span) -> bool:
    """A name before a lowercase word (a verb, mostly), unless a preposition governs it; `like`,
    `as` and `than` may start a clause instead (`it sounded like Hux cared`)."""
    following = text[end : end + 2]
    if not (len(following) == 2 and following[0] == " " and following[1].islower()):
        return False
    if _after_preposition(text, start, span.start):
        previous = text[max(span.start, start - 8) : start].split()
        return bool(previous) and previous[-1].lower() in ("like", "as", "than")
    return True


# Attribution --------------------------------------------------------------------------------------


class _Evidence(NamedTuple):
    who: str | None
    strength: float
    rule: str


def attribute(
    book: Book,
    paragraphs: Sequence[Paragraph],
    quotes: Sequence[Quote],
    spans: Sequence[Span],
    explain: list[list[_Evidence]] | None = None,
) -> list[str | None]:
    """The speaker of each quote (None when unknown). `spans` are the narration pieces, in order.
    If `explain` is a list, the evidence weighed for each quote is appended to it."""
    return _Attribution(book, paragraphs, quotes, spans).run(explain)


class _Attribution:
    """One pass over a book's quotes in reading order, with the narration resolved as it goes."""

    def __init__(
        self,
        book: Book,
        paragraphs: Sequence[Paragraph],
        quotes: Sequence[Quote],
        spans: Sequence[Span],
    ) -> None:
        self.text = book.text
        self.cast = profile(book, spans)
        self.paragraphs, self.quotes, self.spans = paragraphs, quotes, spans
        self.resolver = _Resolver(self.text, self.cast)
        self.before, self.after = _neighbours(quotes, spans)
        self.addressees = [_vocative(self.text, q, self.cast) for q in quotes]
        self.span_starts = [s.start for s in spans]
        self.span_mentions: dict[int, list[Mention]] = {}
        self.scene_start: dict[int, int] = {}
        for p in paragraphs:
            self.scene_start.setdefault(p.scene, p.start)
        self.speakers: list[str | None] = []
        self.strengths: list[float] = []
        self.descriptions: set[str] = set()
        """Speakers named only by a role (`the coachman`)."""

    def run(self, explain: list[list[_Evidence]] | None) -> list[str | None]:
        next_span = 0
        for i, q in enumerate(self.quotes):
            while next_span < len(self.spans) and self.spans[next_span].start < q.start:
                self.span_mentions[next_span] = self.resolver.scan(self.spans[next_span])
                next_span += 1
            evidence, excluded = self._evidence(i)
            known = [e for e in evidence if e.who is not None and e.who not in excluded]
            best = max(known, key=lambda e: e.strength, default=None)
            if best is None:
                who, strength = self._turn(i, excluded), TURN
            else:
                who, strength = best.who, best.strength
            if who is not None and who == self.addressees[i] and strength < NAMED_TAG:
                who = self._not_addressee(i, who)
            self.speakers.append(who)
            self.strengths.append(strength)
            self.resolver.speaker(who)
            if explain is not None:
                explain.append(
                    [*evidence, _Evidence(who, strength, f"chosen, to {self.addressees[i]}")]
                )
        self._link_descriptions()
        self._share_paragraphs()
        return self.speakers

    def _evidence(self, i: int) -> tuple[list[_Evidence], set[str]]:
        text, q, spans = self.text, self.quotes[i], self.spans
        b, a = self.before[i], self.after[i]
        b_mentions = self.span_mentions.get(b, []) if b >= 0 else []
        a_mentions = self.resolver.scan(spans[a], commit=False) if a >= 0 else []
        evidence: list[_Evidence] = []
        excluded: set[str] = set()
        if a >= 0:
            tag = _after_tag(text, q, spans[a], a_mentions)
            if tag is None:
                tag = self._role_tag(i, spans[a], a_mentions)
            if tag:
                evidence.append(tag)
            evidence += _voice(text, spans[a], a_mentions, VOICE_AFTER)
            evidence += _beat_after(a_mentions) or self._role_beat(i, spans[a], BEAT_AFTER)
        if b >= 0:
            # a previous quote's own tag sentence is no action beat for this one
            beats = not (i > 0 and b == self.after[i - 1])
            found = _before_evidence(text, spans[b], b_mentions, excluded, beats)
            if beats and not found and not excluded:
                found = self._role_beat(i, spans[b], BEAT_BEFORE)
            evidence += found
            evidence += _voice(text, spans[b], b_mentions, VOICE_BEFORE)
        if i and self.speakers[i - 1]:
            evidence += _continuation(
                text, self.quotes, self.paragraphs, spans, b, i, self.speakers[i - 1]
            )
        return evidence, excluded

    def _role_tag(self, i: int, span: Span, mentions: list[Mention]) -> _Evidence | None:
        """`said his wife` (Mrs. Bennet when he is Mr. Bennet), `the lady replied` (the latest woman
        in the scene), `said the coachman` (a speaker known only by that role, for now)."""
        role = _role(self.text, span)
        if role is None:
            return None
        if role.noun in _SPOUSES and role.gender:
            possessor = next((m.who for m in mentions if m.start == role.determiner), None)
            spouse = _spouse(self.cast, possessor, role.gender)
            if spouse:
                return _Evidence(spouse, PRONOUN_TAG, "spouse-tag")
        if f"the {role.noun}" in self.descriptions:
            return _Evidence(f"the {role.noun}", PRONOUN_TAG, "description-tag")
        if role.gender:
            # a role is rarely the one who just spoke: `"…," returned the nephew` answers Scrooge
            previous = {self.speakers[i - 1]} if i and self.speakers[i - 1] else set()
            who = self._recent(i, exclude=previous, gender=role.gender)
            if who or role.article != "the":
                return _Evidence(who, PRONOUN_TAG, "role-tag")
        if role.article in ("the", "this", "that"):
            description = f"the {role.noun}"
            self.descriptions.add(description)
            return _Evidence(description, PRONOUN_TAG, "description-tag")
        return None

    def _role_beat(self, i: int, span: Span, strength: float) -> list[_Evidence]:
        """`The thin lady sniffed.`: a role as the subject of a sentence beside the quote, when it
        is a known role speaker or a gendered role that fits someone in the scene."""
        for m in _ROLE_SUBJECT.finditer(self.text, span.start, span.end):
            first, second = m.group(1), m.group(2)
            noun = first if f"the {first}" in self.descriptions or not second else second
            if not self.text[m.end(2 if noun == second else 1) :][:2].strip(" ")[:1].islower():
                continue
            description = f"the {noun}"
            if description in self.descriptions:
                return [_Evidence(description, strength, "role-beat")]
            if noun in _GENDERED_NOUNS and m.start() == span.start:
                who = self._recent(i, gender=_GENDERED_NOUNS[noun])
                if who is None:
                    who = description
                    self.descriptions.add(description)
                return [_Evidence(who, strength, "role-beat")]
        return []

    def _recent(
        self, i: int, exclude: set[str] | None = None, gender: str | None = None
    ) -> str | None:
        """The latest character in the scene fitting the filters, whether they last spoke or were
        last mentioned in the narration (`Bodie came in` counts, so a speaker from the last place
        does not come back)."""
        exclude = exclude or set()
        scene = self.paragraphs[self.quotes[i].paragraph].scene

        def fits(who: str | None) -> bool:
            if who is None or who in exclude:
                return False
            return gender is None or self.resolver.gender(who) == gender

        spoke, spoke_at = None, -1
        for j in range(i - 1, max(-1, i - 13), -1):
            if self.paragraphs[self.quotes[j].paragraph].scene != scene:
                break
            if fits(self.speakers[j]):
                spoke, spoke_at = self.speakers[j], self.quotes[j].start
                break
        positions, mentions = self.resolver.positions, self.resolver.mentions
        floor = max(self.scene_start[scene], self.quotes[i].start - 3000, spoke_at)
        k = bisect_left(positions, self.quotes[i].start) - 1
        while k >= 0 and positions[k] >= floor:
            if fits(mentions[k].who):
                return mentions[k].who
            k -= 1
        return spoke

    def _turn(self, i: int, excluded: set[str]) -> str | None:
        """Turn-taking: the one spoken to last, else the last speaker before the last one. When a
        beat said someone keeps silent (`excluded`), the latest speaker who is not them."""
        quotes = self.quotes
        same_scene = i and (
            self.paragraphs[quotes[i].paragraph].scene
            == self.paragraphs[quotes[i - 1].paragraph].scene
        )
        if not same_scene or quotes[i].start - quotes[i - 1].end > 3000:
            # a new conversation: whoever is about, if the quote says whom it is not
            return self._recent(i, exclude={self.addressees[i]}) if self.addressees[i] else None
        if excluded:
            return self._recent(i, exclude=excluded)
        last = self._reported(i) or self.speakers[i - 1]
        addressed = self._turn_addressee(i)
        if addressed and addressed != last and last == self.speakers[i - 1]:
            return addressed
        return self._recent(i, exclude={last} if last else set())

    def _not_addressee(self, i: int, addressee: str) -> str | None:
        """Someone other than the one this quote addresses; in a real paragraph that opens with it,
        not the last speaker either (a new paragraph is a new turn), if anyone else is about."""
        q = self.quotes[i]
        paragraph = self.paragraphs[q.paragraph]
        if i and not paragraph.flat and q.start == paragraph.start and self.speakers[i - 1]:
            third = self._recent(i, exclude={addressee, self.speakers[i - 1]})
            if third:
                return third
        return self._recent(i, exclude={addressee})

    def _turn_addressee(self, i: int) -> str | None:
        """Whom the previous turn addressed by name, in any of its quotes (`'Sam,' said she,
        'attend to your horses.'`)."""
        last = self.speakers[i - 1]
        j = i - 1
        while j >= 0 and j > i - 6 and self.speakers[j] == last:
            if self.addressees[j]:
                return self.addressees[j]
            j -= 1
        return None

    def _reported(self, i: int) -> str | None:
        """Who took a turn without a quote since the last one: reported speech (`Mr. Bennet replied
        that he had not.`) or silence (`Hux said nothing.`)."""
        start = bisect_left(self.span_starts, self.quotes[i - 1].end)
        stop = bisect_left(self.span_starts, self.quotes[i].start)
        reported = None
        for k in range(start, stop):
            for m in self.span_mentions.get(k, []):
                end = self.spans[k].end
                if _capable(m) and (
                    _REPORTED.match(self.text, m.end, end) or _SILENT.match(self.text, m.end, end)
                ):
                    reported = m.who  # `Hux said nothing.` is his turn too
        return reported

    def _link_descriptions(self) -> None:
        """`'Sam,' said Mrs. Gridley. 'Yes, ma'am,' said the coachman.`: the one addressed by name
        answers, so within the chapter the coachman is Sam. And `the lady` in a scene where only
        one named woman speaks is her."""
        if not self.descriptions:
            return
        links: dict[tuple[str, int], str] = {}
        for i in range(1, len(self.quotes)):
            who = self.speakers[i]
            addressed = self._turn_addressee(i)
            if (
                who in self.descriptions
                and addressed
                and addressed != self.speakers[i - 1]
                and addressed not in self.descriptions
            ):
                chapter = self.paragraphs[self.quotes[i].paragraph].chapter
                links.setdefault((who, chapter), addressed)
        # `the lady` in a scene where one named woman speaks is that woman, unless the two answer
        # each other (Scrooge and `the nephew`)
        answered = {
            frozenset((self.speakers[i - 1], self.speakers[i]))
            for i in range(1, len(self.speakers))
        }
        named_by_scene: dict[tuple[int, str], set[str]] = defaultdict(set)
        for i, who in enumerate(self.speakers):
            gender = self.resolver.gender(who)
            if who and gender and who not in self.descriptions:
                named_by_scene[(self.paragraphs[self.quotes[i].paragraph].scene, gender)].add(who)
        for i, who in enumerate(self.speakers):
            paragraph = self.paragraphs[self.quotes[i].paragraph]
            if who is None or who not in self.descriptions:
                continue
            if (who, paragraph.chapter) in links:
                self.speakers[i] = links[(who, paragraph.chapter)]
                continue
            gender = _GENDERED_NOUNS.get(who.removeprefix("the "))
            named = named_by_scene.get((paragraph.scene, gender), set()) if gender else set()
            if len(named) == 1 and frozenset((who, *named)) not in answered:
                self.speakers[i] = next(iter(named))

    def _share_paragraphs(self) -> None:
        """In a real paragraph one speaker talks: quotes with weak evidence take its best-attested
        speaker."""
        by_paragraph: dict[int, list[int]] = defaultdict(list)
        for i, q in enumerate(self.quotes):
            if not self.paragraphs[q.paragraph].flat:
                by_paragraph[q.paragraph].append(i)
        speakers, strengths = self.speakers, self.strengths
        for members in by_paragraph.values():
            if len(members) < 2:
                continue
            best = max(members, key=lambda i: strengths[i])
            if strengths[best] < PRONOUN_TAG or speakers[best] is None:
                continue
            for i in members:
                if strengths[i] <= SAME_PARAGRAPH and speakers[best] != self.addressees[i]:
                    speakers[i] = speakers[best]


def _neighbours(quotes: Sequence[Quote], spans: Sequence[Span]) -> tuple[list[int], list[int]]:
    """For each quote, the index of the narration span right before it and right after it in the
    same paragraph with no other quote between (-1 if none)."""
    starts = [s.start for s in spans]
    before, after = [], []
    for i, q in enumerate(quotes):
        b = bisect_left(starts, q.start) - 1
        prev_end = quotes[i - 1].end if i else -1
        ok = b >= 0 and spans[b].paragraph == q.paragraph and spans[b].start >= prev_end
        before.append(b if ok else -1)
        a = bisect_left(starts, q.end)
        next_start = quotes[i + 1].start if i + 1 < len(quotes) else 1 << 62
        ok = a < len(spans) and spans[a].paragraph == q.paragraph and spans[a].start < next_start
        after.append(a if ok else -1)
    return before, after


def _strength(m: Mention) -> float:
    return PRONOUN_TAG if m.gender and m.form != "name" else NAMED_TAG


def _capable(m: Mention) -> bool:
    """Whether the mention can be the subject of a speech verb."""
    return m.who is not None and m.form in ("name", "subject", "reflexive")


def _after_tag(text: str, q: Quote, span: Span, mentions: list[Mention]) -> _Evidence | None:
    """`"…," she said` / `"…" said Hux` / `"…?" he asked`: the narration right after the quote."""
    inner_end = text[q.end - 2 : q.end - 1] if q.closed else ""
    lead = text[span.start : span.start + 3].lstrip(",;—–- ")
    context = (
        inner_end in (",", "—", "–", "-", "…") or text[span.start] in ",—–-" or lead[:1].islower()
    )
    for m in mentions[:1]:
        gap = text[span.start : m.start]
        if gap.strip(",;:—–- \n\t") == "":
            if m.who is None or m.form == "object":
                return None
            if _SILENT.match(text, m.end, span.end):
                return None
            verb = _NEXT_WORD.match(text, m.end, span.end)
            if verb and (context or verb.group(2) in SAYING_VERBS):
                return _Evidence(m.who, _strength(m), "tag")
            return None
        inverted = _INVERTED.fullmatch(gap)
        if inverted and inverted.group(1) in SPEECH_VERBS and _capable(m):
            return _Evidence(m.who, _strength(m), "tag")
    return None


class _Role(NamedTuple):
    """A tag that names a role, not a person: `said his wife`, `the old man replied`."""

    article: str
    """`the`, `his`, `a`…"""
    noun: str
    gender: str | None
    determiner: int
    """Offset of the article: where a possessive pronoun's mention is."""


def _role(text: str, span: Span) -> _Role | None:
    lead = _LEAD_WORDS.match(text, span.start, span.end)
    if not lead:
        return None
    words = [(m.group(), m.start()) for m in _WORDS.finditer(text, lead.start(1), lead.end(1))]
    verb_first = words[0][0] in SPEECH_VERBS
    rest = words[1:] if verb_first else words
    owner = _OWNER.match(text, rest[0][1] if rest else lead.end(1))
    if owner and verb_first:  # `said Scrooge's nephew`: read as `the nephew`
        after = [(m.group(), m.start()) for m in _WORDS.finditer(text, owner.end(), span.end)][:3]
        rest = [("the", owner.start(1)), *after]
    if len(rest) < 2 or rest[0][0] not in _DETERMINERS:
        return None
    k = 1
    second = rest[2][0] if len(rest) > 2 else ""
    adjective = rest[1][0] not in _GENDERED_NOUNS and not second.endswith("ly")
    if second and adjective and second not in _NOT_NOUNS:
        k = 2  # an adjective first: `the old man`, `the thin lady`
    noun = rest[k][0]
    if noun in _NOT_PEOPLE or noun in _NOT_NOUNS:
        return None
    if not verb_first and not (k + 1 < len(rest) and rest[k + 1][0] in SPEECH_VERBS):
        return None
    return _Role(rest[0][0], noun, _GENDERED_NOUNS.get(noun), rest[0][1])


_SPOUSES = {"wife": "female", "lady": "female", "husband": "male"}
_MARRIED_TITLES = {"male": ("Mr.", "Mr", "Mister"), "female": ("Mrs.", "Mrs", "Missus")}


def _spouse(cast: Cast, who: str | None, gender: str) -> str | None:
    """`his wife` when he is Mr. Bennet: the character called Mrs. Bennet, if there is one."""
    person = cast.people.get(who) if who else None
    if person is None:
        return None
    other = "male" if gender == "female" else "female"
    for alias in sorted(person.aliases | {person.name}):
        title, _, surname = alias.partition(" ")
        if title in _MARRIED_TITLES[other] and surname:
            for spouse_title in _MARRIED_TITLES[gender]:
                found = cast.names.get(f"{spouse_title} {surname}")
                if found:
                    return found
    return None


def _before_evidence(
    text: str, span: Span, found: list[Mention], excluded: set[str], beats: bool
) -> list[_Evidence]:
    """`Hux said, "…"` (a tag), `You whimper. "…"` (a tag-like beat), `Hux smiled. "…"` (a beat),
    `He said nothing. "…"` (someone else speaks: goes into `excluded`)."""
    if text[span.end - 1] in ",:—–":
        verbs = [
            m for m in _WORDS.finditer(text, span.start, span.end) if m.group() in SPEECH_VERBS
        ]
        if verbs:
            verb = verbs[-1]
            for m in reversed(found):
                if m.end > verb.start():
                    continue
                if verb.start() - m.end > 60:
                    break
                near = text[m.end : verb.start()].strip() == ""
                if m.who and (_capable(m) or (m.form == "object" and near)):
                    return [_Evidence(m.who, _strength(m), "before-tag")]
    if not beats:
        return []
    for m in found:
        if not m.subject or m.who is None:
            continue
        if _SILENT.match(text, m.end, span.end):
            excluded.add(m.who)
            return []
        verb = _NEXT_WORD.match(text, m.end, span.end)
        if verb and verb.group(2) in SPEECH_VERBS and m.form != "possessive":
            return [_Evidence(m.who, min(_strength(m), PRONOUN_TAG), "speech-beat")]
        return [_Evidence(m.who, BEAT_BEFORE, "beat")]
    return []


_WORDS = re.compile(r"[a-z]+")
_ANY_WORD = re.compile(r"[^\W\d_]+")


def _voice(text: str, span: Span, mentions: list[Mention], strength: float) -> list[_Evidence]:
    """`His voice is flat.` / `The words rush out of him` beside the quote."""
    for m in mentions:
        if m.who is None:
            continue
        if m.form == "possessive" and _VOICE.match(text, m.end, span.end):
            return [_Evidence(m.who, strength, "voice")]
        if _OUT_OF.search(text, span.start, m.start):
            return [_Evidence(m.who, strength, "voice")]
    return []


def _continuation(
    text: str,
    quotes: Sequence[Quote],
    paragraphs: Sequence[Paragraph],
    spans: Sequence[Span],
    b: int,
    i: int,
    previous: str,
) -> list[_Evidence]:
    """The same speaker as the quote before, when nothing but its own tag separates them."""
    q, p = quotes[i], quotes[i - 1]
    if q.paragraph != p.paragraph:
        first_in_paragraph = q.start == paragraphs[q.paragraph].start
        if not p.closed and not paragraphs[p.paragraph].flat and first_in_paragraph:
            return [_Evidence(previous, CONTINUED, "continued")]
        return []
    if not paragraphs[q.paragraph].flat:
        return [_Evidence(previous, SAME_PARAGRAPH, "paragraph")]
    between = text[p.end : q.start]
    if not re.search(r"[.!?…]", between):
        return [_Evidence(previous, SAME_PARAGRAPH, "sentence")]
    if b >= 0 and spans[b].start - p.end < 4 and not re.search(r"[.!?…]\s+\S", between.strip()):
        return [_Evidence(previous, TAG_SENTENCE, "tag-sentence")]
    return []


def _beat_after(mentions: list[Mention]) -> list[_Evidence]:
    for m in mentions:
        if m.subject and m.who:
            return [_Evidence(m.who, BEAT_AFTER, "beat-after")]
    return []


def _vocative(text: str, q: Quote, cast: Cast) -> str | None:
    """Who the quote addresses by name (`"Throw it away, Ren,"`), if anyone."""
    for m in cast.mention.finditer(text, q.start + 1, q.end):
        if m.group("poss"):
            continue
        if m.group("pro"):
            if m.group("pro").lower().strip("[]()") != "y/n":
                continue
            who = YOU
        else:
            who = cast.names[m.group("name")]
        before = text[q.start + 1 : m.start()].rstrip()
        after = text[m.end() : m.end() + 1]
        alone = not _ANY_WORD.search(text, m.end(), q.end) and not before.strip("—–-…. ")
        if alone and (after in (".", "") or m.end() >= q.end - 1):
            continue  # `"Bingley."`: a name answered, not a name called (`"Sam," said she`)
        opens = (
            not before or before[-1] in ",.!?;:—–-…" or before.split()[-1].lower() in _INTERJECTIONS
        )
        closes = after in ("", ",", ".", "!", "?", ";", "—", "–", "-", "…") or m.end() >= q.end - 1
        if opens and closes:
            return who
    return None


# Characters of a segmented book -------------------------------------------------------------------


def characters(book: Book, chunks: Sequence[Chunk]) -> list[Character]:
    """The characters who speak, most lines first; names are exactly the chunks' speakers."""
    narration = [Span(c.start, c.end, 0) for c in chunks if c.kind is Kind.NARRATION and c.spoken]
    cast = profile(book, narration)
    lines: Counter[str] = Counter()
    for chunk in chunks:
        if chunk.kind is Kind.DIALOGUE and chunk.speaker:
            lines[chunk.speaker] += 1
    out = []
    for name, count in sorted(lines.items(), key=lambda kv: (-kv[1], kv[0])):
        person = cast.people.get(name)
        aliases = tuple(sorted(person.aliases - {name})) if person else ()
        out.append(Character(name, aliases, cast.genders.get(name), count))
    return out
