"""Who speaks each quotation: rule-based, offline, linear in the length of the book.

1. characters.discover(): the book's characters, from capitalised words that behave like names
   (seen mid-sentence or with a person's signs, never lowercase, rarely "the X"), merged into people
   by shared tokens and titles (`Kylo Ren`, `Kylo`, `Ren`, `Commander Ren`; but `Mr. Bennet` and
   `Mrs. Bennet` are two). A title borne by one character also names them (`the general`).
   genders.profile() adds genders (titles, then the pronouns after the name in the narration, then
   common given names) and each gender's lead.
2. mentions.Resolver: names, pronouns and titles in the narration, read in order with the quotes;
   each he/she/his/her goes to the most salient character of that gender: an earlier subject in
   the sentence, else the last main-clause subject or speaker.
3. evidence for each quotation (evidence.py, and role tags here), strongest first: a speech tag
   beside it (`said Hux`, `she demands`, `you whisper`, `I said`, `said his wife`, `said the
   coachman`), a tag-like beat (`You whimper.`), a speech its paragraph continues, a sentence about
   the speaker's voice (`His voice is flat.`), the rest of the same paragraph or sentence, an action
   beat (`Hux smiled. "Fine."`), then turn-taking (here), where reported speech (`He replied
   that…`) and silence (`Hux said nothing.`) count as turns. A vocative (`"Throw it away, Ren,"`)
   names the listener, so it vetoes any guess short of a named tag that the listener speaks.
4. roles (here, after the pass): a speaker known only by a role (`the coachman`) becomes the
   character they answer to by name (`'Sam,' … 'Yes, ma'am,' said the coachman`), or the one named
   character of that gender speaking in the scene.

Speakers are canonical names, a role (`the coachman`) for someone the text never names, "you" for
the second-person reader (also `y/n`), "narrator" for a first-person narrator, or None.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence

from narrate.model import Book, Character, Chunk, Kind
from narrate.segment.characters import TITLES, discover
from narrate.segment.evidence import (
    BEAT_AFTER,
    BEAT_BEFORE,
    NAMED_TAG,
    PARAGRAPH_BEAT,
    PARENTS,
    PRONOUN_TAG,
    SAME_PARAGRAPH,
    SILENT,
    TURN,
    VOICE_AFTER,
    VOICE_BEFORE,
    WORDLESS,
    Evidence,
    after_tag,
    beat_after,
    before_evidence,
    can_speak,
    continuation,
    find_spouse,
    introductions,
    listener,
    neighbours,
    read_role,
    vocative,
    voice_evidence,
)
from narrate.segment.genders import profile
from narrate.segment.lexicon import (
    COMPOUND_WORD,
    NARRATOR,
    SPEECH_VERBS,
    YOU,
    role_gender,
    unqualified,
)
from narrate.segment.mentions import Mention, Resolver
from narrate.segment.narrator import narrator_names
from narrate.segment.quotes import Paragraph, Quote, Span
from narrate.segment.roles import introduced, named_roles, self_named
from narrate.segment.turns import REPORTED, Turns

# discover, NARRATOR and YOU are re-exported: callers and tests know them as narrate.segment.attribute's
__all__ = ["NARRATOR", "YOU", "attribute", "characters", "discover"]

_ROLE_SUBJECT = re.compile(rf"\b[Tt]he\s+({COMPOUND_WORD})(?:\s+({COMPOUND_WORD}))?")
"""`the (thin) lady`: a role noun, maybe after an adjective."""
_ARRIVAL = re.compile(rf"\b(?:An?|Another)\s+(?:[a-z]+\s+){{0,2}}?({COMPOUND_WORD})\b")
"""`A boy came…`: someone new at the start of a sentence."""
_UNNAMED_ROLE = re.compile(
    r"\b([Mm]y|[Oo]ur|[Tt]he)\s+(?:(?:old|young|tall|little|strange)\s+)?"
    r"(host|hostess|companion|guide|stranger|man|woman|gentleman|lady|Count|Countess|Baron|"
    r"Baroness|Professor|Doctor)\b"
)
"""`my host`, `the old man`, `the Count`: an unnamed person a first-person narrator talks with."""
_ROLE_GENDERS = {"host": "either", "companion": "either", "guide": "either", "stranger": "either"}
_SENTENCE_END = re.compile(r"[.!?]")
_WORD = re.compile(r"[a-z]+")


def attribute(
    book: Book,
    paragraphs: Sequence[Paragraph],
    quotes: Sequence[Quote],
    spans: Sequence[Span],
    explain: list[list[Evidence]] | None = None,
) -> list[str | None]:
    """The speaker of each quote (None when unknown). `spans` are the narration pieces, in order.
    If `explain` is a list, the evidence weighed for each quote is appended to it."""
    return _Attribution(book, paragraphs, quotes, spans).run(explain)


class _Attribution(Turns):
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
        self.resolver = Resolver(self.text, self.cast)
        self.before, self.after = neighbours(quotes, spans)
        self.intros = introductions(self.text, quotes, spans, self.before)
        addressees = [vocative(self.text, q, self.cast) for q in quotes]
        narration = sum(s.end - s.start for s in spans)
        self.narrator_aliases = narrator_names(self.cast, addressees, narration)
        """`Watson` in a book Watson tells: the narrator, never a character of their own."""
        self.addressees = [NARRATOR if a in self.narrator_aliases else a for a in addressees]
        self.span_starts = [s.start for s in spans]
        self.paragraph_starts = [p.start for p in paragraphs]
        self.span_mentions: dict[int, list[Mention]] = {}
        self.scene_of = [paragraphs[q.paragraph].scene for q in quotes]
        self.scene_start: dict[int, int] = {}
        for p in paragraphs:
            self.scene_start.setdefault(p.scene, p.start)
        self.speakers: list[str | None] = []
        self.strengths: list[float] = []
        self.listeners: list[str | None] = []
        """Whom the narration beside each quote shows its speaker talking to (`she told him`)."""
        self.quote_names: dict[int, frozenset[str]] = {}
        self.descriptions: set[str] = set()
        """Speakers named only by a role (`the coachman`)."""

    def run(self, explain: list[list[Evidence]] | None) -> list[str | None]:
        next_span = 0
        for i, q in enumerate(self.quotes):
            while next_span < len(self.spans) and self.spans[next_span].start < q.start:
                self.span_mentions[next_span] = self.resolver.scan(self.spans[next_span])
                next_span += 1
            evidence, excluded, after = self._evidence(i)
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
            self.listeners.append(self._listener(i, who, after) if who else None)
            self.resolver.speaker(who, self.addressees[i])
            if explain is not None:
                explain.append(
                    [*evidence, Evidence(who, strength, f"chosen, to {self.addressees[i]}")]
                )
        self._link_descriptions()
        self._share_paragraphs()
        self._follow_chains()
        self._fill_alternation()
        self._fill_pairs()
        return self.speakers

    def _evidence(self, i: int) -> tuple[list[Evidence], set[str], list[Mention]]:
        """The evidence for quote i, who a beat says keeps silent, and the mentions in the
        narration right after it (read once, for the listener too)."""
        text, q, spans = self.text, self.quotes[i], self.spans
        b, a = self.before[i], self.after[i]
        b_mentions = self.span_mentions.get(b, []) if b >= 0 else []
        a_mentions = self.resolver.scan(spans[a], commit=False) if a >= 0 else []
        evidence: list[Evidence] = []
        excluded: set[str] = set()
        if a >= 0:
            tag = after_tag(text, q, spans[a], a_mentions)
            if tag is not None and tag.strength == PRONOUN_TAG:
                tag = self._pronoun_turn(i, tag)
            if tag is None:
                tag = self._role_tag(i, spans[a], a_mentions)
            if tag is None:
                tag = self._unnamed_pronoun(i, spans[a], a_mentions)
            if tag:
                evidence.append(tag)
            evidence += voice_evidence(text, spans[a], a_mentions, VOICE_AFTER)
            evidence += beat_after(a_mentions) or self._role_beat(i, spans[a], BEAT_AFTER)
        if b >= 0:
            # a previous quote's own tag sentence is no action beat for this one
            beats = not (i > 0 and b == self.after[i - 1])
            # `Jacob set it down without a word.` as a paragraph of its own: a turn taken by
            # gesture or sound, no sign that Jacob speaks next (in the quote's own paragraph,
            # `He nodded. "Yes."`, the nod does go with the speech)
            beats = beats and not (
                spans[b].paragraph != q.paragraph
                and WORDLESS.search(text, spans[b].start, spans[b].end)
            )
            found = before_evidence(text, spans[b], b_mentions, excluded, beats)
            if beats and not found and not excluded:
                found = self._role_beat(i, spans[b], BEAT_BEFORE)
            evidence += found
            evidence += voice_evidence(text, spans[b], b_mentions, VOICE_BEFORE)
        elif self.intros[i] >= 0:
            k = self.intros[i]
            evidence += before_evidence(text, spans[k], self.span_mentions.get(k, []), set(), False)
        elif i and q.start == self.paragraphs[q.paragraph].start:
            evidence += self._paragraph_beat(i)
        if i and self.speakers[i - 1]:
            evidence += continuation(
                text, self.quotes, self.paragraphs, spans, b, i, self.speakers[i - 1]
            )
        return evidence, excluded, a_mentions

    def _listener(self, i: int, who: str, after: list[Mention]) -> str | None:
        """Whom the narration right beside quote i shows `who` talking to: the tag after it
        (`she said to Lucy`; `after` holds its mentions), else the narration before it, in its
        paragraph or closing the one before (`As soon as she met with Edmund she told him her
        distress.`)."""
        q, text = self.quotes[i], self.text
        a = self.after[i]
        if a >= 0:
            span = self.spans[a]
            stop = _SENTENCE_END.search(text, span.start, span.end)
            found = listener(text, span.start, stop.end() if stop else span.end, after, who)
            if found:
                return found
        k = bisect_left(self.span_starts, q.start) - 1
        if k < 0 or self.spans[k].paragraph < q.paragraph - 1:
            return None
        if i and self.spans[k].start < self.quotes[i - 1].end:
            return None
        span = self.spans[k]
        return listener(text, span.start, span.end, self.span_mentions.get(k, []), who)

    def _paragraph_beat(self, i: int) -> list[Evidence]:
        """`She did not finish; she resurrected nothing but the cat.` / `"I never did see the beat
        of that boy!"`: after a paragraph of narration about someone, an untagged speech is
        theirs more often than the next turn's (weakly: a tag or a named answer outranks it).
        The paragraph's last subject counts, the one nearest the speech (`Marilla went out, and
        Anne sat down by the window.`)."""
        k = bisect_left(self.span_starts, self.quotes[i].start) - 1
        if k < 0 or self.spans[k].start < self.quotes[i - 1].end:
            return []
        span = self.spans[k]
        if span.paragraph in (self.quotes[i - 1].paragraph, self.quotes[i].paragraph):
            return []
        calling = self._calling_out(span)
        if calling:
            return [Evidence(calling, PARAGRAPH_BEAT, "calling-out")]
        subjects = [m for m in self.span_mentions.get(k, []) if m.subject and m.who is not None]
        if any(
            REPORTED.match(self.text, m.end, span.end) or SILENT.match(self.text, m.end, span.end)
            for m in subjects
        ):
            return []  # `Mr. Bennet replied that he had not.`: his turn, taken without a quote
        if not subjects:
            return self._arrival(span)
        m = subjects[-1]
        if m.who in (NARRATOR, YOU) or not can_speak(m) or m.who in self._talked_about(i):
            return []
        if WORDLESS.search(self.text, m.end, span.end):
            # `Jacob set it down without a word.`, `The dog whined.`: the one the paragraph is
            # about answered by gesture or sound, so the next line is someone else's
            return []
        return [Evidence(m.who, PARAGRAPH_BEAT, "paragraph-beat")]

    def _calling_out(self, span: Span) -> str | None:
        """`The captain was shouting for grog.` / `"Grog! Grog, I say!"`: a role the paragraph's
        last sentence has making a noise (a speech verb) says the untagged line after it. Only a
        role: a name or pronoun there is weighed by the rest of _paragraph_beat."""
        text = self.text
        ends = [m.end() for m in _SENTENCE_END.finditer(text, span.start, span.end - 1)]
        start = span.start
        for end in reversed(ends):
            if text[end : end + 1].isspace():
                start = end
                break
        while start < span.end and text[start].isspace():
            start += 1
        m = _ROLE_SUBJECT.match(text, start, span.end)
        if m is None:
            return None
        first, second = m.group(1), m.group(2)
        known = self._description(first) or (second and self._description(second, first))
        noun = first
        if not known and second and role_gender(second):
            noun = second
        if not (known or role_gender(noun) or noun in TITLES):
            return None
        rest = text[m.end() : span.end]
        if not any(w in SPEECH_VERBS for w in _WORD.findall(rest)):
            return None
        if known:
            return known
        description = _describe(noun, first if noun == second else "")
        self.descriptions.add(description)
        return description

    def _arrival(self, span: Span) -> list[Evidence]:
        """`A boy came running along the quay, calling out to the old man.` / `"Grandfer!…"`: a
        newcomer by role, brought on speaking, says the next untagged line."""
        for m in _ARRIVAL.finditer(self.text, span.start, span.end):
            opening = self.text[span.start : m.start()].rstrip()
            if opening and opening[-1] not in ".!?;":
                continue  # mid-sentence: not who the sentence is about
            noun = m.group(1)
            end = _SENTENCE_END.search(self.text, m.end(), span.end)
            rest = self.text[m.end() : end.start() if end else span.end]
            if role_gender(noun) and any(w in SPEECH_VERBS for w in _WORD.findall(rest)):
                self.descriptions.add(f"the {noun}")
                return [Evidence(f"the {noun}", PARAGRAPH_BEAT, "arrival")]
        return []

    def _role_tag(self, i: int, span: Span, mentions: list[Mention]) -> Evidence | None:
        """`said his wife` (Mrs. Bennet when he is Mr. Bennet), `the lady replied` (the latest woman
        in the scene), `said the coachman` (a speaker known only by that role, for now)."""
        role = read_role(self.text, span)
        if role is None:
            return None
        spouse = find_spouse(self.cast, role, mentions, self.addressees[i])
        if spouse:
            # a spouse the text never names (`Mrs. Bennet`) still needs a gender for `she`
            self.resolver.learned.setdefault(spouse, role.gender or "")
            return Evidence(spouse, PRONOUN_TAG, "spouse-tag")
        known = self._description(role.noun, role.adjectives, role.qualifier)
        if known:
            return Evidence(known, PRONOUN_TAG, "description-tag")
        if role.gender and not role.qualifier and not self._new_person(i, role.noun):
            # a role is rarely the one who just spoke: `"…," returned the nephew` answers Scrooge
            previous = {self.speakers[i - 1]} if i and self.speakers[i - 1] else set()
            owner = next((m.who for m in mentions if m.start == role.determiner), None)
            who = None
            if role.noun in PARENTS:
                # `said her mother`: not the daughter `her` means, and a parent is mostly titled
                # (`Mrs. Bennet`) where the children go by given names
                who = self._recent(
                    i, exclude={owner} if owner else set(), gender=role.gender, married=True
                )
            # one role is never another (`the lady's-maid` is not `the landlady`)
            exclude = previous | {owner} | self.descriptions
            who = who or self._recent(i, exclude=exclude, gender=role.gender)
            if who or role.article != "the":
                return Evidence(who, PRONOUN_TAG, "role-tag")
        if role.article in ("the", "this", "that"):
            description = _describe(role.noun, role.adjectives, role.qualifier)
            self.descriptions.add(description)
            return Evidence(description, PRONOUN_TAG, "description-tag")
        return None

    def _unnamed_pronoun(self, i: int, span: Span, mentions: list[Mention]) -> Evidence | None:
        """`My host met me… "You are welcome," he said.`: a `he` no named character fits is the
        latest role the narration of the scene made its subject (`my host`, `the old man`)."""
        if not mentions or mentions[0].who is not None or mentions[0].form != "subject":
            return None
        m = mentions[0]
        if m.gender is None or self.text[span.start : m.start].strip(",;:—–- \n\t"):
            return None
        floor = max(self.scene_start[self.scene_of[i]], self.quotes[i].start - 3000)
        k = bisect_left(self.span_starts, self.quotes[i].start) - 1
        while k >= 0 and self.spans[k].end > floor:
            found = None
            for r in _UNNAMED_ROLE.finditer(self.text, self.spans[k].start, self.spans[k].end):
                noun = r.group(2).lower()
                if _ROLE_GENDERS.get(noun, role_gender(noun) or TITLES.get(noun)) in (
                    m.gender,
                    "either",
                ):
                    found = f"{r.group(1).lower()} {r.group(2)}"
            if found:
                self.descriptions.add(found)
                return Evidence(found, PRONOUN_TAG, "unnamed-role-tag")
            k -= 1
        return None

    def _description(self, noun: str, adjectives: str = "", qualifier: str = "") -> str | None:
        """The role speaker `the <adjectives> <noun> <qualifier>` already is: the same words, else
        (`said the man` after `the young man`) the one role speaker with that noun. `the old
        woman` and `the young woman` in one room are two people; `the man` alone is whichever man
        is the role."""
        exact = _describe(noun, adjectives, qualifier)
        if exact in self.descriptions:
            return exact
        if adjectives or qualifier:
            return None
        same = [d for d in self.descriptions if unqualified(d).endswith(f" {noun}")]
        return same[0] if len(same) == 1 else None

    def _role_beat(self, i: int, span: Span, strength: float) -> list[Evidence]:
        """`The thin lady sniffed.`: a role as the subject of a sentence beside the quote, when it
        is a known role speaker or a gendered role that fits someone in the scene."""
        for m in _ROLE_SUBJECT.finditer(self.text, span.start, span.end):
            first, second = m.group(1), m.group(2)
            noun = first if self._description(first) or not second else second
            after = m.end(2 if noun == second else 1)
            if not self.text[after : after + 2].strip(" ")[:1].islower():
                continue
            adjective = first if noun == second else ""
            known = self._description(noun, adjective)
            if known:
                return [Evidence(known, strength, "role-beat")]
            description = _describe(noun, adjective)
            gender = role_gender(noun)
            if gender and m.start() == span.start:
                new = self._new_person(i, noun)
                who = None if new else self._recent(i, exclude=self.descriptions, gender=gender)
                if who is None:
                    who = description
                    self.descriptions.add(description)
                return [Evidence(who, strength, "role-beat")]
        return []

    def _new_person(self, i: int, noun: str) -> bool:
        """Whether the narration of the scene so far brought on someone new called `noun` (`a
        charity-boy sat by the fire`): then `said the charity-boy` is them, not a named boy."""
        q = self.quotes[i]
        floor = max(self.scene_start[self.scene_of[i]], q.start - 3000)
        k = bisect_left(self.span_starts, q.start) - 1
        while k >= 0 and self.spans[k].end > floor:
            if introduced(self.text, self.spans[k].start, self.spans[k].end, noun):
                return True
            k -= 1
        return False

    def _chapter_at(self, offset: int) -> int:
        k = bisect_left(self.paragraph_starts, offset + 1) - 1
        return self.paragraphs[max(0, k)].chapter

    def _named_links(self) -> dict[tuple[str, int], str]:
        """(role, chapter) -> the character the text plainly says the role is: the narration
        (`the stranger, whose name was Jonas`, `Mr. Mould, the undertaker,`) or the role's own
        words (`'I'm Mister Noah Claypole,' said the charity-boy`)."""
        links: dict[tuple[str, int], str] = {}
        for offset, role, who in named_roles(self.text, self.resolver.mentions):
            # `the man, whose name was…` names `the man with the blunderbuss` too
            for description in self.descriptions:
                if unqualified(description) == role:
                    links.setdefault((description, self._chapter_at(offset)), who)
        for i, q in enumerate(self.quotes):
            if self.speakers[i] in self.descriptions:
                who = self_named(self.text, q, self.cast)
                if who and who not in self.descriptions:
                    chapter = self.paragraphs[q.paragraph].chapter
                    links.setdefault((self.speakers[i], chapter), who)
        return links

    def _link_descriptions(self) -> None:
        """`'Sam,' said Mrs. Gridley. 'Yes, ma'am,' said the coachman.`: the one addressed by name
        answers, so within the chapter the coachman is Sam. And `the lady` in a scene where only
        one named woman speaks is her."""
        if not self.descriptions:
            return
        links = self._named_links()
        for i in range(1, len(self.quotes)):
            who = self.speakers[i]
            # only the turn just before (`'Sam,' said she, 'attend to your horses.'`): a name
            # called a paragraph or more back (`Now, Oliver`) may have been spoken to someone
            # else since (`This is the boy, your worship`)
            addressed = self._turn_addressee(i, paragraph=self.quotes[i - 1].paragraph)
            if (
                who in self.descriptions
                and who != self.speakers[i - 1]  # a speech that goes on answers no one
                and addressed
                and addressed != self.speakers[i - 1]
                and addressed not in self.descriptions
                and addressed not in (NARRATOR, YOU)  # `I` and `you` are never `the woman`
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
            # a gender only guessed from a stray pronoun (`she` after `the maid`) links no one
            guessed = who in self.cast.people and not self.cast.gender(who)
            gender = None if guessed else self.resolver.gender(who)
            if who and gender and who not in self.descriptions:
                named_by_scene[(self.scene_of[i], gender)].add(who)
        for i, who in enumerate(self.speakers):
            paragraph = self.paragraphs[self.quotes[i].paragraph]
            if who is None or who not in self.descriptions:
                continue
            if (who, paragraph.chapter) in links:
                self.speakers[i] = links[(who, paragraph.chapter)]
                continue
            gender = role_gender(unqualified(who).removeprefix("the "))
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


def _describe(noun: str, adjectives: str = "", qualifier: str = "") -> str:
    """A role speaker's name: `the gentleman in the white waistcoat`, `the old man`."""
    return " ".join(word for word in ("the", adjectives, noun, qualifier) if word)


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
