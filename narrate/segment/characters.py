"""Who the characters are: names found in the narration, merged into people with their aliases.

discover() reads capitalised words that behave like names (seen mid-sentence or with a person's
signs, never lowercase, rarely "the X") and merges them into people by shared tokens and titles
(`Kylo Ren`, `Kylo`, `Ren`, `Commander Ren`; but `Mr. Bennet` and `Mrs. Bennet` are two). A title
borne by one character also names them (`the general`). Genders here come from titles alone;
genders.profile() learns the rest from the narration.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from narrate.model import Book, Kind
from narrate.segment.lexicon import GIVEN_NAMES, PRONOUN_RE, SPEECH_VERBS, words

TITLES: dict[str, str | None] = {
    **dict.fromkeys(
        words(
            "mr mister sir lord king prince duke earl count baron father uncle "
            "brother master monsieur herr signor emperor"
        ),
        "male",
    ),
    **dict.fromkeys(
        words(
            "mrs missus miss ms lady dame queen princess duchess countess baroness "
            "mother aunt sister mistress madame madam mademoiselle mme mlle frau "
            "empress"
        ),
        "female",
    ),
    **dict.fromkeys(
        words(
            "dr doctor general commander captain capt colonel col major lieutenant lt "
            "sergeant sgt admiral professor prof officer agent detective inspector "
            "reverend rev judge governor president senator chancellor comrade"
        ),
        None,
    ),
}
"""Lowercase title -> the gender it says (None: either)."""
_MARRIED_WOMAN = words("mrs missus")
_KIN_TITLES = frozenset(("Aunt", "Uncle", "Cousin", "Grandma", "Grandpa", "Granny"))
"""Titles that belong to a name as it is said (`Aunt Juley`, `Uncle Pumblechook`)."""
PLACE_WORDS = words(
    "pier street road lane church chapel hall square abbey bay station hotel park bridge court"
    " place gardens garden hill inn house castle manor cathedral college school hospital harbour"
    " harbor quay wharf dock docks market row terrace avenue crescent common green heath wood"
    " woods forest river lake island mount valley cross gate gates lodge tower temple palace"
    " museum theatre theater club office end"
)
"""Last words of place names: a capitalised run that ends in one is somewhere, never someone."""
_ABBREVIATED_TITLES = words("mr mrs ms dr st capt col lt sgt prof rev gen mme mlle messrs")
"""A dot after these does not end the name (`Dr. Harland`)."""
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
_TITLE_ONLY_NEVER = words(
    "mr mrs ms miss mister missus dr mme mlle capt col lt sgt prof rev sir madam "
    "madame monsieur lord lady master mistress father mother sister brother aunt "
    "uncle"
)
"""Titles too common alone to name one character (`Mr`, `sir`, `mother`)."""
KIN_NAMES = {
    **dict.fromkeys(words("Mother Mamma Mama Mammy Mummy Granny Grandmother Grandma"), "female"),
    **dict.fromkeys(words("Father Papa Pa Daddy Grandfather Grandpa"), "male"),
}
"""Kinship words a family uses as a name when capitalised mid-sentence (`with Mother`, `Yes,
Father.`): the one person the children call so, a character like any named one."""
_STOP = words(
    "i i'm i’m i'd i’d i'll i’ll i've i’ve he she it we they you your yours his "
    "her hers its our their my me him them us the a an this that these those "
    "there here then now what when where why how who whom whose which if but and "
    "or so yes no not oh ah aw um uh hmm well okay ok please sir ma'am ma’am god gods christ "
    "jesus heaven hell chapter summary notes note part book volume prologue "
    "epilogue monday tuesday wednesday thursday friday saturday sunday january "
    "february march april may june july august september october november "
    "december english french german american british one two three four five six "
    "seven eight nine ten eleven twelve hundred thousand "
    # peoples and faiths: `a hard, Jewish, stubborn streak`, `the little Greek portrait-painter`
    "jewish greek italian spanish russian irish scotch scottish welsh dutch swiss austrian "
    "prussian indian chinese japanese turkish roman catholic protestant christian hindu arab "
    "mexican canadian australian belgian norwegian swedish danish portuguese persian egyptian "
    "african asian european latin"
)
"""Capitalised words that never start a name."""


@dataclass
class Person:
    """One character: the canonical name and every other form the text calls them by."""

    name: str
    aliases: set[str] = field(default_factory=set)
    titles: Counter[str] = field(default_factory=Counter)
    """Lowercase title -> times seen with it."""
    mentions: int = 0
    """Times any of its forms was found (breaks ties between leads)."""


@dataclass(frozen=True)
class Cast:
    """The characters discovered in a book and how to find them in its text."""

    people: dict[str, Person]
    """Canonical name -> person."""
    names: dict[str, str]
    """A surface form exactly as written (`Commander Ren`, `the general`) -> canonical name."""
    genders: dict[str, str | None]
    """From titles alone in discover(); from titles and narration pronouns after profile()."""
    dominant: dict[str, str]
    """Gender -> the most mentioned character of that gender (a pronoun's last resort)."""
    mention: re.Pattern[str]
    """Finds every name (group `name`, with `poss` for a possessive 's) and every pronoun
    (group `pro`) in one pass."""
    narrated: Counter[str] = field(default_factory=Counter)
    """After profile(): canonical name -> mentions in the narration (quotes left out), and
    NARRATOR -> first-person pronouns there (I, me, my)."""

    def gender(self, who: str | None) -> str | None:
        return self.genders.get(who) if who else None

    def named(self, m: re.Match[str]) -> str:
        """The canonical name a `mention` match found: its surface may break across a printed
        line (`said Mr.` at a line's end, `Knightley` on the next), where `names` has one space."""
        return self.names[" ".join(m.group("name").split())]


_TOKEN = re.compile(
    r"(?<![\w'’/])([A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]*(?:-[A-Za-zÀ-ÿ]+|['’](?!s\b)[A-Za-zÀ-ÿ]+)*)(['’]s)?(?!\w)"
)
"""A capitalised word (`Anne-Marie`, `O'Brien`); group 2 is a possessive `'s`."""
_LOWER_WORD = re.compile(r"(?<![\w'’])[a-zß-öø-ÿ]+(?![\w'’])")
_TIGHT_GAP = re.compile(r"\.?[ \t]+|\.?[ \t]*\n[ \t]*")
"""What may separate the words of one name: spaces or one line break, maybe after a dot."""


class _Token(NamedTuple):
    word: str
    start: int
    end: int
    """End of the word, before any possessive `'s`."""
    possessive: bool
    initial: bool
    """First word of a sentence, where a capital says nothing."""


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
    roles = _role_names(text, regions, stats)
    candidates = {
        word
        for word, (mid, initial, speech, the, prep, thing, speaks) in stats.items()
        if re.split("['’]", word.lower())[0] not in _STOP
        and word.lower() not in _STOP
        and word.lower() not in TITLES
        and not _family(word, stats)
        and (mid + 2 * speech >= 2 or (mid and initial) or (speech and initial >= 2))
        and lower[word.lower()] * 3 <= mid + speech
        and the * 2 < mid + initial
        and prep < mid + initial
        # `the Morning Star`, `the Red Book`: a capitalised thing; a person shows some sign
        and (speech or thing * 2 < mid + initial)
        # `in Highbury`, `of Avonlea`, `the Avonlea type`: mostly after a preposition or an
        # article and never beside a speech verb, a place
        and (speaks or (prep + the) * 2 < mid + initial)
    }
    candidates -= _tails(text, tokens, candidates)
    kin = {
        word
        for word in KIN_NAMES
        if word in stats and stats[word][0] >= 2 and stats[word][3] * 2 < stats[word][0]
    }
    forms: Counter[tuple[str, ...]] = Counter()
    # (lowercase title, title as written, name) -> uses: `Mr. Bennet` is ("mr", "Mr.", ("Bennet",))
    titled: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
    bare: Counter[tuple[str, ...]] = Counter()  # names used without a title, and how often
    for title, name in _names(text, tokens, candidates, lower, kin):
        forms[name] += 1
        if title is None:
            bare[name] += 1
        else:
            surface = title.word + ("." if text[title.end : title.end + 1] == "." else "")
            titled[(title.word.lower(), surface, name)] += 1
    for role, count in roles.items():
        if role[-1].lower() not in TITLES:
            forms[role] += count
            bare[role] += count
    return _build_cast(forms, titled, bare, roles)


_ROLE_NAME = re.compile(
    r"(?<![\w'’])[Tt]he[ \t]+\n?[ \t]*([A-Z][a-z]+(?:[ \t]+\n?[ \t]*[A-Z][a-z]+){0,3})(?![\w'’-])"
)
"""`the Hatter`, `the March Hare`, `the Very Young Man`: a capitalised role the text uses as a
name; the whole run, since the role noun comes last and a cut-off `the Very Young` is no one."""
_ADVERB = re.compile(r"[a-z]+ly$")


def _role_names(
    text: str, regions: list[tuple[int, int]], stats: dict[str, list[float]]
) -> Counter[tuple[str, ...]]:
    """Capitalised roles after `the` that speak (`said the Hatter`, `the Dormouse said`) and recur:
    Carroll's, Stoker's and fable characters are never named otherwise. A place or a thing
    (`the Thames`) is never beside a speech verb, so needing one keeps them out."""
    uses: Counter[tuple[str, ...]] = Counter()
    speaks: Counter[tuple[str, ...]] = Counter()
    for start, end in regions:
        for m in _ROLE_NAME.finditer(text, start, end):
            role = tuple(m.group(1).split())
            if role[-1].lower() in _STOP or (len(role) == 1 and _family(role[0], stats)):
                continue
            uses[role] += 1
            before = text[max(start, m.start() - 20) : m.start()].split()
            after = [w.strip(",.;:!?") for w in text[m.end() : m.end() + 24].split()[:2]]
            if after and _ADVERB.fullmatch(after[0]):
                after = after[1:]
            if (
                (before and before[-1].lower() in SPEECH_VERBS)
                or (after and after[0] in SPEECH_VERBS)
            ) and not _in_double_quote(text, start, m.start()):
                # `"The Court Guide tells me…"`: a thing a character talks about, not a speaker
                speaks[role] += 1
    return Counter({role: n for role, n in uses.items() if speaks[role] and n >= 2})


def _tails(text: str, tokens: list[_Token], candidates: set[str]) -> set[str]:
    """`York` in `New York`, `Croce` in `Santa Croce`: words nearly always written right after
    one capitalised word that is no name or title, the tail of a place's or a thing's name."""
    uses: Counter[str] = Counter()
    after: dict[str, Counter[str]] = defaultdict(Counter)
    for previous, t in zip(tokens, tokens[1:], strict=False):
        uses[t.word] += 1
        if not previous.possessive and _TIGHT_GAP.fullmatch(text, previous.end, t.start):
            after[t.word][previous.word] += 1
    tails = set()
    for word in candidates:
        lead, count = after[word].most_common(1)[0] if after[word] else ("", 0)
        if (
            count * 5 >= uses[word] * 4
            and lead not in candidates
            and lead.lower().rstrip(".") not in TITLES
        ):
            tails.add(word)
    return tails


def _family(word: str, stats: dict[str, list[float]]) -> bool:
    """`the Hilberys`, `the Schlegels`: a plural of a name the narration also uses alone, and
    mostly after `the` (`Braddocks said` is a man, though a misprint once writes `Braddock`)."""
    if not word.endswith("s") or word[:-1] not in stats:
        return False
    mid, initial, _, the = stats[word][:4]
    return the * 2 >= mid + initial or stats[word[:-1]][0] + stats[word[:-1]][1] > mid + initial


def _in_double_quote(text: str, floor: int, pos: int) -> bool:
    """Whether pos is inside a double-quoted speech of its paragraph (single quotes are too
    often apostrophes to count)."""
    # bounded: flattened text has no paragraph breaks, and a speech is rarely longer
    floor = max(floor, pos - 2000)
    start = max(floor, text.rfind("\n\n", floor, pos))
    before = text[start:pos]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")


_AUXILIARIES = words("was had is has did could would will can might must should never always just")
_ARTICLES = words("the a an this that our their its some every his her your my no any")
_PLACE_PREPOSITIONS = words("in at on from to of into near toward towards")


def _token_stats(text: str, tokens: list[_Token]) -> dict[str, list[float]]:
    """word -> [mid-sentence, sentence-initial, person signals, after an article, after a
    preposition, in a capitalised run after an article, beside a speech verb].

    Person signals: beside a speech verb, before `, who`, or possessive (`Edith's`)."""
    stats: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0])
    in_thing = False
    for k, t in enumerate(tokens):
        row = stats[t.word]
        before = text[max(0, t.start - 16) : t.start].split()
        previous = before[-1].lower() if before else ""
        previous_token = tokens[k - 1] if k else None
        # `the Morning Star`: each word of a run that starts after an article names a thing
        # unless something else says person; a dot (`Mr. Bennet`) ends the run
        if not (
            previous_token
            and not previous_token.possessive
            and not text[previous_token.end : t.start].strip(" \t")
        ):
            in_thing = previous in _ARTICLES
        row[5] += in_thing
        row[1 if t.initial else 0] += 1
        after = text[t.end : t.end + 16].split()
        following = after[0].strip(",.;:!?").lower() if after else ""
        speech = previous in SPEECH_VERBS or following in SPEECH_VERBS
        # `"Mrs. Spencer said that…"` in a speech tells of someone, maybe absent
        speech = speech and not _in_double_quote(text, 0, t.start)
        row[6] += speech
        if (
            speech
            or t.possessive
            or following == "who"
            or (len(after) > 1 and after[0].endswith(",") and after[1] == "who")
        ):
            row[2] += 1
        elif t.initial and (following.endswith("ed") or following in _AUXILIARIES):
            row[2] += 0.5  # `Hux smiled.`: with two such starts and no lowercase use, a name
        if previous in _ARTICLES:
            row[3] += 1
        elif previous in _PLACE_PREPOSITIONS:
            row[4] += 1
    return stats


def _names(
    text: str, tokens: list[_Token], candidates: set[str], lower: Counter[str], kin: set[str]
) -> Iterator[tuple[_Token | None, tuple[str, ...]]]:
    """Runs of name-like capitalised words in reading order, each with its title, if any."""
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
        while j < len(group) and group[j].word.lower() in TITLES:
            j += 1
        # `Quayside Pier`, `Harbour Street`: a run ending in a place word names a place, and none
        # of its words is a person here; `Mr. Hall` (a title, then the word) stays a person
        if any(t.word.lower() in PLACE_WORDS for t in group[max(j, 1) :]):
            continue
        if len(group) == 1 and group[0].word in kin:
            yield None, (group[0].word,)  # `Mother laughed.`: no title here, a name
            continue
        title = group[j - 1] if j else None
        names = group[j:]
        if title and names and _plural_of(names[0].word, candidates):
            the = text[max(0, title.start - 4) : title.start].lower() == "the "
            if the or title.word.lower() == "miss":
                continue  # `the Miss Bertrams`, `the Mr. Bertrams`: a family, no one person
        anchored = title is not None or any(t.word in candidates for t in names)
        run: list[str] = []
        for n, t in enumerate(names):
            # beside a title or a known name a word needs less evidence of being a name:
            # `Mr. Collins` and `Claire Dunn` once are enough
            base = re.split("['’]", t.word.lower())[0]
            relaxed = anchored and base not in _STOP and base not in TITLES and not lower[base]
            relaxed = relaxed and (n > 0 or not t.initial or title is not None)
            if t.word in candidates or relaxed:
                run.append(t.word)
                continue
            if run:  # the title belongs to the run only if the run starts right after it
                yield (title if n == len(run) else None), tuple(run)
            run = []
            title = None
        if run:
            yield (title if len(run) == len(names) else None), tuple(run)


def _plural_of(word: str, candidates: set[str]) -> bool:
    """Whether `word` is a name's plural (`Bertrams` where `Bertram` is a name)."""
    return word.endswith("s") and word[:-1] in candidates


def _build_cast(
    forms: Counter[tuple[str, ...]],
    titled: Counter[tuple[str, str, tuple[str, ...]]],
    bare: Counter[tuple[str, ...]],
    roles: Counter[tuple[str, ...]] | None = None,
) -> Cast:
    """Merge the names into people: a name inside one longer name is that person's alias; titles
    with opposite genders on one name make two people (Mr. and Mrs. Bennet), and so does `Mrs.`
    on a name also used bare (Mrs. Joe is Joe's wife: a married woman is not called by the bare
    name). Roles (`the Hatter`) are named as the text calls them."""
    roles = roles or Counter()
    people: dict[tuple[str, ...], Person] = {}
    owner: dict[tuple[str, ...], tuple[str, ...] | None] = {}
    titled_forms = {form for _, _, form in titled}
    for form in sorted(forms, key=lambda f: (-len(f), -forms[f])):
        containers = [p for p in people if len(p) > len(form) and _contains(p, form)]
        if len(containers) > 1 and _outnumbers(form, containers, forms, titled_forms):
            containers = []  # `Piglet`, not `Foolish Piglet` or `Henry Pootel Piglet` once each
        if not containers:
            people[form] = Person(" ".join(form))
            owner[form] = form
        elif len(containers) == 1:
            owner[form] = containers[0]
        else:
            owner[form] = None  # `Bennet` when there are several Bennets
        if owner[form] is not None:
            people[owner[form]].mentions += forms[form]
            people[owner[form]].aliases.add(" ".join(form))

    title_genders: dict[tuple[str, ...], set[str | None]] = defaultdict(set)
    for title, _, form in titled:
        title_genders[form].add(TITLES[title])
        if title in _MARRIED_WOMAN or title == "miss":
            # Mrs. and Miss Thorpe are mother and daughter: two people, as Mr. and Mrs. are
            title_genders[form].add(title.replace("missus", "mrs"))
    # a person's gender by their given name or by the titles on their whole name (`Sir Thomas
    # Bertram`, `Emma Woodhouse`): `Lady Bertram`, `Mr. Woodhouse` on the surname are others
    full_gender: dict[tuple[str, ...], set[str | None]] = defaultdict(set)
    for key in people:
        if len(key) >= 2:
            full_gender[key].add(GIVEN_NAMES.get(key[0].lower()))
    for title, _, form in titled:
        if len(form) >= 2 and owner.get(form) is not None:
            full_gender[owner[form]].add(TITLES[title])
    named_titles: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    surfaces: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    placed: list[tuple[str, str, tuple[str, ...], int, tuple[str, ...]]] = []
    for (title, surface, form), count in titled.items():
        key = owner.get(form)
        wife = title in _MARRIED_WOMAN and form in bare
        split = {"male", "female"} <= title_genders[form] or {"mrs", "miss"} <= title_genders[form]
        if key is not None and len(form) == 1 and TITLES[title] is not None:
            other = "female" if TITLES[title] == "male" else "male"
            split = split or (other in full_gender[key] and TITLES[title] not in full_gender[key])
        if split or key is None or wife:
            # Mr. and Mrs. Bennet are two people: the title is part of each one's name
            key = (surface, *form)
            if not wife:
                owner[form] = None
        placed.append((title, surface, form, count, key))
    for title, surface, form, count, key in placed:
        if owner.get(key, key) is None:
            # `Mr. Knightley` went to `John Knightley`, a name Mr. and Mrs. John Knightley then
            # split: he is a person of his own
            key = (surface, *form)
        if key not in people:
            people[key] = Person(f"{surface} {' '.join(form)}")
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
        used_bare = sum(bare[form] for form, owner_key in owner.items() if owner_key == key)
        most_titled = surfaces[key].most_common(1)
        if most_titled and used_bare * 3 < most_titled[0][1]:
            # never or rarely called plain `Beebe`: the name is the title form the text uses most
            person.aliases.add(person.name)
            person.name = most_titled[0][0]
        else:
            _name_as_called(person, key, owner, bare, surfaces[key])

    for key, person in people.items():
        if key in roles and person.name == " ".join(key):
            # `the Hatter`, as the text calls him; `Hatter` stays an alias
            person.aliases.update((person.name, f"The {person.name}"))
            person.name = f"the {person.name}"
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
    for role, count in roles.items():
        word = role[-1]
        if word.lower() not in TITLES:
            continue
        # `the Count`: the one titled person, else a character of its own
        found = names.get(word) or names.get(f"the {word.lower()}")
        if found is None:
            found = f"the {' '.join(role)}"
            person = Person(found, {" ".join(role), f"The {' '.join(role)}"}, mentions=count)
            person.titles[word.lower()] += count
            people[role] = person
            names[" ".join(role)] = found
        for surface in (f"the {' '.join(role)}", f"The {' '.join(role)}"):
            names.setdefault(surface, found)
    by_name = {p.name: p for p in people.values()}
    genders = {name: _gender(p) for name, p in by_name.items()}
    return Cast(by_name, names, genders, {}, mention_pattern(names))


def _outnumbers(
    form: tuple[str, ...],
    containers: list[tuple[str, ...]],
    forms: Counter[tuple[str, ...]],
    titled_forms: set[tuple[str, ...]],
) -> bool:
    """Whether a name several longer names contain is a person of its own: used alone ten times
    as often as all of them, and never with a title (a shared surname, `Bennet`, is titled)."""
    return (
        form not in titled_forms
        and forms[form] >= 10
        and forms[form] >= 10 * sum(forms[c] for c in containers)
    )


def _name_as_called(
    person: Person,
    key: tuple[str, ...],
    owner: dict[tuple[str, ...], tuple[str, ...] | None],
    bare: Counter[tuple[str, ...]],
    titled: Counter[str],
) -> None:
    """Name a person by the given name the text mostly calls them: `Elizabeth`, not the
    `Elizabeth Bennet` of one introduction; `Pooh`, not `Pooh Bear`. The full name stays when the
    text uses it often (a third as often as the given name): `Kylo Ren`, whom a story calls that
    throughout. A last name replaces it only when the first is never used alone and the last is
    used ten times as often (`Tibby`, once `Auntie Tibby`): `Denham` is also his mother's name."""
    uses = Counter({" ".join(f): bare[f] for f, k in owner.items() if k == key and bare[f]})
    uses.update(titled)
    kin_titled = [
        t for t in titled if t.endswith(" " + person.name) and t.split()[0] in _KIN_TITLES
    ]
    if kin_titled:
        # `Aunt Juley`, who is rarely plain `Juley`: the kin title is part of what she is called
        most = max(kin_titled, key=lambda name: uses[name])
        if uses[most] > 2 * uses[person.name]:
            _rename(person, most)
        return
    given = [name for name in uses if person.name.startswith(name + " ")]
    if given:
        most = max(given, key=lambda name: (uses[name], len(name)))
        if uses[person.name] * 3 < uses[most]:
            _rename(person, most)
        return
    # `Auntie Tibby` once and `Tibby` 29 times, the first word never alone: the name is `Tibby`
    tails = [name for name in uses if person.name.endswith(" " + name)]
    most = max(tails, key=lambda name: (uses[name], len(name)), default=None)
    if most and uses[most] >= 10 * max(1, uses[person.name]):
        _rename(person, most)


def _rename(person: Person, name: str) -> None:
    """Call the person `name`; the name they had becomes an alias."""
    person.aliases.add(person.name)
    person.aliases.discard(name)
    person.name = name


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


_NAME_GAP = r"(?:[ \t]*\n[ \t]*|[ \t]+)"
"""Between the words of a name in the text: spaces, or a printed line's break (never a blank line,
which ends the paragraph)."""


def mention_pattern(names: dict[str, str]) -> re.Pattern[str]:
    # (?!) never matches: a book with no names still has the groups
    alternatives = (
        "|".join(
            re.escape(n).replace("\\ ", _NAME_GAP) for n in sorted(names, key=len, reverse=True)
        )
        or "(?!)"
    )
    name_part = f"(?P<name>{alternatives})(?P<poss>['’]s)?(?!\\w)"
    return re.compile(f"(?<![\\w'’/])(?:{name_part}|(?P<pro>{PRONOUN_RE})(?![\\w'’/]))")


def _gender(person: Person) -> str | None:
    """The gender its titles say (Mr., Mrs., Lady), if any."""
    titled: Counter[str] = Counter()
    for title, count in person.titles.items():
        if TITLES[title]:
            titled[TITLES[title]] += count
    return titled.most_common(1)[0][0] if titled else None
