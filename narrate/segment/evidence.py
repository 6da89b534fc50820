"""Evidence for who speaks one quotation, read from the text beside it and inside it.

Each rule returns Evidence with a strength; attribute.py weighs them, strongest first: a speech tag
beside the quote (`said Hux`, `she demands`, `you whisper`, `I said`), a tag-like beat (`You
whimper.`), a speech its paragraph continues, a sentence about the speaker's voice (`His voice is
flat.`), the rest of the same paragraph or sentence, an action beat (`Hux smiled. "Fine."`). A
vocative (`"Throw it away, Ren,"`) names the listener instead.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from typing import NamedTuple

from narrate.segment.characters import Cast
from narrate.segment.lexicon import (
    COMPOUND_WORD,
    GENDERED_NOUNS,
    PREPOSITIONS,
    SAYING_VERBS,
    SPEECH_VERBS,
    YOU,
    role_gender,
    words,
)
from narrate.segment.mentions import MARRIED_TITLES, Mention, spouse_of
from narrate.segment.quotes import Paragraph, Quote, Span
from narrate.segment.roles import SELF_NAMED

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
PARAGRAPH_BEAT = 1.2
TURN = 1.0


class Evidence(NamedTuple):
    who: str | None
    """The speaker this rule points to (a canonical name, a role, YOU, NARRATOR or None)."""
    strength: float
    rule: str
    """Which rule found it, for attribute()'s `explain`."""


_VOICE = re.compile(
    r"\s+(?:[a-z]+\s+){0,2}?(?:voice|words?|tone|question|reply|response|answer|whisper|squeak|"
    r"modulator|murmur|laugh)\b"
)
"""After a possessive: `his voice`, `her quiet words`."""
_OUT_OF = re.compile(
    r"\b(?:words?|question|answer|reply)\s+(?:was|were|is|are|came|comes|come|rush(?:es|ed)?|"
    r"tumble[sd]?|spill(?:s|ed)?|slip(?:s|ped)?|burst|bursts)\s+(?:\w+\s+)?out\s+of\s+$"
)
"""Before a name or pronoun: `The words rush out of` him."""
SILENT = re.compile(
    r"(?:\s+[a-z]+ly)?\s+(?:(?:didn['’]t|did\s+not|doesn['’]t|does\s+not|don['’]t|won['’]t|"
    r"wouldn['’]t|couldn['’]t|can['’]t|never|refuses?\s+to|refused\s+to)\s+(?:[a-z]+\s+)?"
    r"(?:speak|say|answer|respond|reply|talk)"
    r"|(?:stayed|stays|remained|remains|was|is|kept|keeps|fell|falls|went|goes)\s+(?:\w+\s+)?"
    r"(?:silent|quiet|mute)|(?:said|says|say)\s+nothing"
    r"|(?:made|makes|gave|gives|returned)\s+no\s+(?:answer|reply|response))\b"
)
"""After a subject: `said nothing`, `didn't answer`, `stayed silent` (a turn without speech)."""
WORDLESS = re.compile(
    r"\b(?:without\s+(?:a|another|one)\s+word|in\s+silence|silently|mutely|dumbly"
    r"|nodd(?:ed|ing)|nods|shrug(?:ged|s)|shook\s+(?:his|her|its|their)\s+heads?"
    r"|gurgl(?:ed|es)|bark(?:ed|s)|whin(?:ed|es)|tinkl(?:ed|es)|mew(?:ed|s)|purr(?:ed|s)"
    r"|growl(?:ed|s)|wagg?(?:ed|s)|chirp(?:ed|s)|squeak(?:ed|s)|neigh(?:ed|s)|bleat(?:ed|s))\b"
)
"""An answer by gesture or animal sound: whoever the narration shows doing this did not speak."""
_NEXT_WORD = re.compile(
    r"\s*((?:[a-z]+ly|just|then|only|finally|simply|still|also|now)\s+)*([a-z]+)"
)
"""The word after a subject, past adverbs (group 2): the verb, mostly."""
_INVERTED = re.compile(r"[\s,;:—–-]*(?:[a-z]+ly\s+)?([a-z]+)(?:\s+[a-z]+ly)?\s+$")
"""Between a quote and a name, an inverted tag: `, said softly ` Hux."""
_DESCRIBED = re.compile(r"[\s,;:—–-]*([a-z]+)\s+the\s+(?:[a-z]+\s+){1,2}")
"""`said the motionless Syme`, `asked the astonished Mrs. Munt`: a name after a description."""
_LEAD_WORDS = re.compile(rf"[\s,;—–-]*({COMPOUND_WORD}(?:\s+{COMPOUND_WORD}){{0,4}})")
"""The first lowercase words of the narration after a quote, where a role tag would be."""
_DETERMINERS = words("the his her my your their a an that this")
_OWNER = re.compile(r"\s*([A-Z][\w'’-]*['’]s)\s+(?=[a-z])")
"""`Scrooge's ` before a role noun."""
_NOT_NOUNS = SPEECH_VERBS | PREPOSITIONS | words("and or but who which that then")
_NOT_PEOPLE = words(
    "voice voices word words reply answer response question other others former "
    "latter same one first second last rest"
)
"""Nouns after `said the` that are not a speaker's role."""
_TITLE_DOTS = words("mr mrs ms dr st capt col lt sgt prof rev gen mme mlle")
_INTERJECTIONS = words("dear darling my oh o hey hi hello sweet")
"""Words a vocative may follow; not `poor`: `"Poor Miss Taylor!"` pities someone absent."""
_ASIDE_THEN_VERB = re.compile(
    r",\s+(?:I|we)\s+(?:(?:dare|should|must|do|am)\s+)?(?:suppose|think|believe|imagine|fancy|"
    r"hope|know|say|find|understand|presume|trust|fear|sure|daresay|take\s+it|see)\s*,\s+[a-z]"
)
"""After a name: `Mr. Martin, I suppose, is not…`, an aside and then the name's verb: its
subject, not a call."""
_LIST_GOES_ON = re.compile(r",?\s+(?:and|or|nor)\s+(?:[A-Z][a-z]+\.?\s+)?[A-Z][a-z]")
"""After a name: `the teachers, Miss Nash, and Miss Prince`, one of a list of names."""
_WORDS = re.compile(COMPOUND_WORD)
_ANY_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_MARK = re.compile(r"[.!?…]")
_NEW_SENTENCE = re.compile(r"[.!?…]\s+\S")


def neighbours(quotes: Sequence[Quote], spans: Sequence[Span]) -> tuple[list[int], list[int]]:
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


def introductions(
    text: str, quotes: Sequence[Quote], spans: Sequence[Span], before: list[int]
) -> list[int]:
    """For a quote opening its paragraph, the narration span ending the paragraph before it when
    that ends with a colon or comma or a speech verb (`Then he says:` on a line of its own, `it
    was impossible for him not to say exactly as he had said at dinner,`), else -1."""
    starts = [s.start for s in spans]
    found = []
    for i, q in enumerate(quotes):
        k = bisect_left(starts, q.start) - 1
        prev_end = quotes[i - 1].end if i else -1
        ok = before[i] < 0 and k >= 0 and spans[k].paragraph == q.paragraph - 1
        ok = ok and spans[k].start >= prev_end and spans[k].end > prev_end
        ok = ok and (
            text[spans[k].end - 1] in ":,"
            or _ENDS_SAYING.search(text, spans[k].start, spans[k].end) is not None
        )
        found.append(k if ok else -1)
    return found


def tag_strength(m: Mention) -> float:
    """A tag by name (or by you/I, who are never in doubt) is surer than one by he/she."""
    return PRONOUN_TAG if m.gender and m.form != "name" else NAMED_TAG


def can_speak(m: Mention) -> bool:
    """Whether the mention can be the subject of a speech verb."""
    return m.who is not None and m.form in ("name", "subject", "reflexive")


def after_tag(text: str, q: Quote, span: Span, mentions: list[Mention]) -> Evidence | None:
    """`"…," she said` / `"…" said Hux` / `"…?" he asked`: the narration right after the quote."""
    if not mentions:
        return None
    inner_end = text[q.end - 2 : q.end - 1] if q.closed else ""
    lead = text[span.start : span.start + 3].lstrip(",;—–- ")
    context = (
        inner_end in (",", "—", "–", "-", "…") or text[span.start] in ",—–-" or lead[:1].islower()
    )
    m = mentions[0]
    gap = text[span.start : m.start]
    if gap.strip(",;:—–- \n\t") == "":  # `she said`
        if m.who is None or m.form in ("object", "possessive"):
            return None  # `her mother demanded`: the mother speaks (a role tag), not `her`
        if SILENT.match(text, m.end, span.end):
            return None
        verb = _NEXT_WORD.match(text, m.end, span.end)
        if verb and (context or verb.group(2) in SAYING_VERBS):
            return Evidence(m.who, tag_strength(m), "tag")
        return None
    inverted = _INVERTED.fullmatch(gap)  # `said Hux`
    if inverted and inverted.group(1) in SPEECH_VERBS and can_speak(m):
        return Evidence(m.who, tag_strength(m), "tag")
    described = _DESCRIBED.fullmatch(gap)  # `said the motionless Syme`
    if described and described.group(1) in SPEECH_VERBS and m.form == "name":
        return Evidence(m.who, NAMED_TAG, "tag")
    return None


class Role(NamedTuple):
    """A tag that names a role, not a person: `said his wife`, `the old man replied`."""

    article: str
    """`the`, `his`, `a`…"""
    noun: str
    gender: str | None
    determiner: int
    """Offset of the article: where a possessive pronoun's mention is."""
    adjectives: str = ""
    """`young` in `the young man`: what tells two men in one room apart."""
    qualifier: str = ""
    """`in the white waistcoat` after `said the gentleman`: Dickens's name for someone unnamed."""


_QUALIFIER = re.compile(
    r"[ \t]+\n?[ \t]*((?:in|with)\s+the\s+(?:[a-z-]+\s+){0,2}"
    r"(?!(?:voice|tone|manner|way|same|air)\b)[a-z-]+)(?=\s*(?:[,.;:!?—–]|$))"
)
"""`in the white waistcoat`, `with the blunderbuss` (not `in a low voice`, `in the same tone`:
how, not who)."""


def read_role(text: str, span: Span) -> Role | None:
    """The role a tag at the start of `span` names, if it names one."""
    lead = _LEAD_WORDS.match(text, span.start, span.end)
    if not lead:
        return None
    found = [(m.group(), m.start()) for m in _WORDS.finditer(text, lead.start(1), lead.end(1))]
    verb_first = found[0][0] in SPEECH_VERBS
    rest = found[1:] if verb_first else found
    owner = _OWNER.match(text, rest[0][1] if rest else lead.end(1))
    if owner and verb_first:  # `said Scrooge's nephew`: read as `the nephew`
        after = [(m.group(), m.start()) for m in _WORDS.finditer(text, owner.end(), span.end)][:3]
        rest = [("the", owner.start(1)), *after]
    if len(rest) < 2 or rest[0][0] not in _DETERMINERS:
        return None
    k = 1
    while k < 3 and k + 1 < len(rest) and rest[k][0] not in GENDERED_NOUNS:
        following = rest[k + 1][0]
        if following.endswith("ly") or following in _NOT_NOUNS:
            break
        k += 1  # adjectives first: `the old man`, `the little bald man`, `the amiable hostess`
    noun = rest[k][0]
    if noun in _NOT_PEOPLE or noun in _NOT_NOUNS:
        return None
    if not verb_first and not (k + 1 < len(rest) and rest[k + 1][0] in SPEECH_VERBS):
        return None
    adjectives = " ".join(word for word, _ in rest[1:k])
    qualifier = _QUALIFIER.match(text, rest[k][1] + len(noun), span.end) if verb_first else None
    return Role(
        rest[0][0],
        noun,
        role_gender(noun),
        rest[0][1],
        adjectives,
        " ".join(qualifier.group(1).split()) if qualifier else "",
    )


_SPOUSES = words("wife lady husband")
_ENDS_SAYING = re.compile(
    r"\b(?:said|says|say|asked|asks|answered|answers|replied|replies|cried|cries|added|adds"
    r"|whispered|shouted|called|exclaimed|murmured|muttered|resumed|continued|remarked|observed"
    r"|began|went on)(?:\s+[a-z]+ly)?(?:\s+(?:to|at)\s+(?:him|her|them|me|us))?\s*$"
)
"""`Gregory glared at him, and then said abruptly "You must…"`: a tag with no comma before the
speech, as Chesterton and many older printings write it."""


def find_spouse(
    cast: Cast, role: Role, mentions: list[Mention], partner: str | None = None
) -> str | None:
    """`his wife` when he is Mr. Bennet: the character called Mrs. Bennet, or that name when the
    text never writes it (Austen's `his lady`). `partner` is the one the quote addresses, for when
    the possessive resolves to nobody (`"My dear Mr. Bennet," said his lady`). And `her father`
    when she is Emma Woodhouse: the Mr. Woodhouse the text names (see parent_of)."""
    if role.gender is None or role.noun not in _SPOUSES | PARENTS:
        return None
    who = next((m.who for m in mentions if m.start == role.determiner), None)
    if role.noun in PARENTS:
        return parent_of(cast, who, role.gender)
    spouses = [spouse_of(cast, name, role.gender) for name in (who, partner)]
    # a spouse the text names outranks one made up from a title: `"My dear Mr. Bennet," said his
    # lady` on the first page, where `his` can only fall back on the book's leading man
    named = [spouse for spouse in spouses if spouse in cast.people]
    return next(iter(named), None) or next((spouse for spouse in spouses if spouse), None)


PARENTS = words("father mother")
"""Role nouns for a parent (`said her mother`)."""


def parent_of(cast: Cast, child: str | None, gender: str) -> str | None:
    """The `gender` parent of an unmarried `child` by surname: Mr. Woodhouse for Emma Woodhouse
    (`Miss Woodhouse`), when the text names him so; else None. A Mr. or Mrs. is no one's child
    here: `his mother` for Mr. Bennet is not Mrs. Bennet."""
    person = cast.people.get(child) if child else None
    if person is None:
        return None
    forms = person.aliases | {person.name}
    if any(
        form.split(" ")[0] in MARRIED_TITLES["male"] + MARRIED_TITLES["female"] for form in forms
    ):
        return None
    for surname in sorted({form.split()[-1] for form in forms if len(form.split()) > 1}):
        for title in MARRIED_TITLES[gender]:
            found = cast.names.get(f"{title} {surname}")
            if found and found != child:
                return found
    return None


def before_evidence(
    text: str, span: Span, found: list[Mention], excluded: set[str], beats: bool
) -> list[Evidence]:
    """`Hux said, "…"` (a tag), `You whimper. "…"` (a tag-like beat), `Hux smiled. "…"` (a beat),
    `He said nothing. "…"` (someone else speaks: goes into `excluded`)."""
    if text[span.end - 1] in ",:—–" or _ENDS_SAYING.search(text, span.start, span.end):
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
                if m.who and (can_speak(m) or (m.form == "object" and near)):
                    return [Evidence(m.who, tag_strength(m), "before-tag")]
    if not beats:
        return []
    for m in found:
        if not m.subject or m.who is None:
            continue
        if SILENT.match(text, m.end, span.end):
            excluded.add(m.who)
            return []
        verb = _NEXT_WORD.match(text, m.end, span.end)
        if verb and verb.group(2) in SPEECH_VERBS and m.form != "possessive":
            return [Evidence(m.who, min(tag_strength(m), PRONOUN_TAG), "speech-beat")]
        return [Evidence(m.who, BEAT_BEFORE, "beat")]
    return []


def voice_evidence(
    text: str, span: Span, mentions: list[Mention], strength: float
) -> list[Evidence]:
    """`His voice is flat.` / `The words rush out of him` beside the quote."""
    for m in mentions:
        if m.who is None:
            continue
        if m.form == "possessive" and _VOICE.match(text, m.end, span.end):
            return [Evidence(m.who, strength, "voice")]
        if _OUT_OF.search(text, span.start, m.start):
            return [Evidence(m.who, strength, "voice")]
    return []


def continuation(
    text: str,
    quotes: Sequence[Quote],
    paragraphs: Sequence[Paragraph],
    spans: Sequence[Span],
    b: int,
    i: int,
    previous: str,
) -> list[Evidence]:
    """The same speaker as the quote before, when nothing but its own tag separates them."""
    q, p = quotes[i], quotes[i - 1]
    if q.paragraph != p.paragraph:
        first_in_paragraph = q.start == paragraphs[q.paragraph].start
        if not p.closed and not paragraphs[p.paragraph].flat and first_in_paragraph:
            return [Evidence(previous, CONTINUED, "continued")]
        return []
    if not paragraphs[q.paragraph].flat:
        return [Evidence(previous, SAME_PARAGRAPH, "paragraph")]
    between = text[p.end : q.start]
    if not _SENTENCE_MARK.search(between):
        return [Evidence(previous, SAME_PARAGRAPH, "sentence")]
    if b >= 0 and spans[b].start - p.end < 4 and not _NEW_SENTENCE.search(between.strip()):
        return [Evidence(previous, TAG_SENTENCE, "tag-sentence")]
    return []


def beat_after(mentions: list[Mention]) -> list[Evidence]:
    """`"…" Hux smiled.`: the first subject in the narration after the quote."""
    for m in mentions:
        if m.subject and m.who:
            return [Evidence(m.who, BEAT_AFTER, "beat-after")]
    return []


def vocative(text: str, q: Quote, cast: Cast) -> str | None:
    """Who the quote addresses by name (`"Throw it away, Ren,"`), if anyone."""
    for m in cast.mention.finditer(text, q.start + 1, q.end):
        if m.group("poss"):
            continue
        if m.group("pro"):
            if m.group("pro").lower().strip("[]()") != "y/n":
                continue
            who = YOU
        elif m.group("name")[:4].lower() == "the ":
            continue  # `"The count? Oh, rather."`: a title after `the` is talked of, never called
        else:
            who = cast.named(m)
        before = text[q.start + 1 : m.start()].rstrip()
        if before.endswith(".") and before.split()[-1].lower().rstrip(".") in _TITLE_DOTS:
            # `And Mr. Campbell, the minister…`: the dot is the title's, no sentence ends there
            before = before[: before.rfind(" ") + 1].rstrip() if " " in before else ""
        if SELF_NAMED.search(text, max(q.start, m.start() - 40), m.start()):
            continue  # `"I'm Mister Noah Claypole,"`: the speaker's own name, not the listener's
        after = text[m.end() : m.end() + 1]
        # `But, my dearest Catherine, what…`: the endearment belongs to the name called
        before = _ENDEARMENT.sub("", before).rstrip()
        alone = not _ANY_WORD.search(text, m.end(), q.end) and not before.strip("—–-…. ")
        if alone and (after in (".", "") or m.end() >= q.end - 1):
            continue  # `"Bingley."`: a name answered, not a name called (`"Sam," said she`)
        opens = (
            not before or before[-1] in ",.!?;:—–-…" or before.split()[-1].lower() in _INTERJECTIONS
        )
        closes = after in ("", ",", ".", "!", "?", ";", "—", "–", "-", "…") or m.end() >= q.end - 1
        if opens and closes and not _subject_or_listed(text, m.end(), q.end):
            return who
    return None


_AFFECTION = r"(?:dear|dearest|sweet|darling)"
_ENDEARMENT = re.compile(
    rf"(?<![\w'’])(?:(?:my\s+)?{_AFFECTION}(?:\s+{_AFFECTION})*|my)$", re.IGNORECASE
)
"""Words before a name called: `my dear`, `dearest`, `my darling` (not `poor`, `old`: talked of)."""


def _subject_or_listed(text: str, end: int, stop: int) -> bool:
    """Whether the name ending at `end` is a clause's subject past an aside or one of a list of
    names (talked about, not called)."""
    return bool(_ASIDE_THEN_VERB.match(text, end, stop) or _LIST_GOES_ON.match(text, end, stop))


_TO_LISTENER = re.compile(
    r"(?:\b(?:said|says|spoke|speaks|turned|turns|turning|called|calls|cried|whispered|"
    r"whispers|replied|answered|muttered|murmured|shouted|appealed|added|observed|continued|"
    r"explained|remarked|exclaimed|went\s+on)\s+(?:[a-z]+ly\s+)?(?:up\s+)?(?:to|towards|at)"
    r"|\b(?:told|tells|asked|asks|addressed|addresses|begged|assured|reminded|informed|thanked|"
    r"met\s+with|greeted|interrupted|implored|questioned|accosted|warned|urged|bade))\s+$"
)
"""Before a listener: `she said to Lucy`, `she told him`, `met with Edmund`."""
_OBJECT_HER = re.compile(r"[^\w'’]|\s+(?:that|if|whether|what|how|about|to|and|so)\b")
"""After `her`: the object (`asked her if`), not a possessive (`told her distress`)."""


def listener(text: str, start: int, end: int, mentions: list[Mention], who: str) -> str | None:
    """Whom the narration between start and end shows `who` speaking to: `she said to Lucy`,
    `As soon as she met with Edmund she told him her distress.` The speaker must be a subject
    earlier in the same sentence than the one spoken to; the next line of talk is most likely the
    listener's."""
    sentence_start, speaking, found = start, False, None
    for m in mentions:
        if not start <= m.start < end:
            continue
        for mark in _SENTENCE_MARK.finditer(text, sentence_start, m.start):
            speaking, sentence_start = False, mark.end()
        if m.subject and m.who == who:
            speaking = True
        elif speaking and m.who not in (None, who) and not m.subject:
            if m.form == "possessive" and not _OBJECT_HER.match(text, m.end):
                continue
            if _TO_LISTENER.search(text, max(sentence_start, m.start - 30), m.start):
                found = m.who
    return found
