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

from narrate.characters import discover
from narrate.evidence import (
    BEAT_AFTER,
    BEAT_BEFORE,
    NAMED_TAG,
    PARAGRAPH_BEAT,
    PRONOUN_TAG,
    SAME_PARAGRAPH,
    SILENT,
    TURN,
    VOICE_AFTER,
    VOICE_BEFORE,
    Evidence,
    after_tag,
    beat_after,
    before_evidence,
    can_speak,
    continuation,
    find_spouse,
    introductions,
    neighbours,
    read_role,
    vocative,
    voice_evidence,
)
from narrate.genders import profile
from narrate.lexicon import GENDERED_NOUNS, NARRATOR, SAYING_VERBS, YOU
from narrate.mentions import Mention, Resolver
from narrate.model import Book, Character, Chunk, Kind
from narrate.narrator import narrator_names
from narrate.quotes import Paragraph, Quote, Span

# discover, NARRATOR and YOU are re-exported: callers and tests know them as narrate.attribute's
__all__ = ["NARRATOR", "YOU", "attribute", "characters", "discover"]

_PARENTS = frozenset(("mother", "father"))
_MARRIED = frozenset(("mr", "mrs", "mister", "missus"))
_ROLE_SUBJECT = re.compile(r"\b[Tt]he\s+([a-z]+)(?:\s+([a-z]+))?")
"""`the (thin) lady`: a role noun, maybe after an adjective."""
_REPORTED = re.compile(
    r"(?:\s+[a-z]+ly)?\s+(?:" + "|".join(sorted(SAYING_VERBS)) + r")"
    r"(?:\s+(?:him|her|them|me|us))?\s+(?:that|whether|how|if|to|what|why|where|when|I|he|she|we|"
    r"they|it|the|his|her|my)\b"
)
"""`He replied that…`, `I repeated what I had said`, `I told him the letter was…`, `I said I
feared…`: a turn taken without a quote (a speech tag is followed by a quote or a comma, not by a
clause)."""


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
        self.resolver = Resolver(self.text, self.cast)
        self.before, self.after = neighbours(quotes, spans)
        self.intros = introductions(self.text, quotes, spans, self.before)
        addressees = [vocative(self.text, q, self.cast) for q in quotes]
        narration = sum(s.end - s.start for s in spans)
        self.narrator_aliases = narrator_names(self.cast, addressees, narration)
        """`Watson` in a book Watson tells: the narrator, never a character of their own."""
        self.addressees = [NARRATOR if a in self.narrator_aliases else a for a in addressees]
        self.span_starts = [s.start for s in spans]
        self.span_mentions: dict[int, list[Mention]] = {}
        self.scene_of = [paragraphs[q.paragraph].scene for q in quotes]
        self.scene_start: dict[int, int] = {}
        for p in paragraphs:
            self.scene_start.setdefault(p.scene, p.start)
        self.speakers: list[str | None] = []
        self.strengths: list[float] = []
        self.descriptions: set[str] = set()
        """Speakers named only by a role (`the coachman`)."""

    def run(self, explain: list[list[Evidence]] | None) -> list[str | None]:
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
            self.resolver.speaker(who, self.addressees[i])
            if explain is not None:
                explain.append(
                    [*evidence, Evidence(who, strength, f"chosen, to {self.addressees[i]}")]
                )
        self._link_descriptions()
        self._share_paragraphs()
        self._fill_alternation()
        return self.speakers

    def _evidence(self, i: int) -> tuple[list[Evidence], set[str]]:
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
            if tag:
                evidence.append(tag)
            evidence += voice_evidence(text, spans[a], a_mentions, VOICE_AFTER)
            evidence += beat_after(a_mentions) or self._role_beat(i, spans[a], BEAT_AFTER)
        if b >= 0:
            # a previous quote's own tag sentence is no action beat for this one
            beats = not (i > 0 and b == self.after[i - 1])
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
        return evidence, excluded

    def _paragraph_beat(self, i: int) -> list[Evidence]:
        """`She did not finish; she resurrected nothing but the cat.` / `"I never did see the beat
        of that boy!"`: after a paragraph of narration about someone, an untagged speech is
        theirs more often than the next turn's (weakly: a tag or a named answer outranks it)."""
        k = bisect_left(self.span_starts, self.quotes[i].start) - 1
        if k < 0 or self.spans[k].start < self.quotes[i - 1].end:
            return []
        span = self.spans[k]
        if span.paragraph in (self.quotes[i - 1].paragraph, self.quotes[i].paragraph):
            return []
        for m in self.span_mentions.get(k, []):
            if not m.subject or m.who is None:
                continue
            if m.who in (NARRATOR, YOU) or not can_speak(m):
                return []
            if _REPORTED.match(self.text, m.end, span.end) or SILENT.match(
                self.text, m.end, span.end
            ):
                return []  # `Mr. Bennet made no answer.`: his turn, passed
            return [Evidence(m.who, PARAGRAPH_BEAT, "paragraph-beat")]
        return []

    def _pronoun_turn(self, i: int, tag: Evidence) -> Evidence:
        """`"…?" asked Holmes.` / `"Yes," he answered.`: a `he` that only the last quote's speaker
        made salient, in a new paragraph with no narration between, is the other man in the talk
        (the one addressed, else the latest other man about): a new paragraph is a new turn."""
        q, previous = self.quotes[i], self.speakers[i - 1] if i else None
        if tag.who is None or tag.who != previous:
            return tag
        paragraph = self.paragraphs[q.paragraph]
        if (
            paragraph.flat
            or q.start != paragraph.start
            or self.quotes[i - 1].paragraph == q.paragraph
        ):
            return tag
        k = bisect_left(self.span_starts, self.quotes[i - 1].end)
        if k < len(self.spans) and self.spans[k].start < q.start:
            return tag  # narration between: the pronoun may well mean whom it names
        gender = self.resolver.gender(tag.who)
        other = self._turn_addressee(i)
        if other is None or self.resolver.gender(other) != gender:
            other = self._recent(i, exclude={tag.who}, gender=gender)
        return Evidence(other, tag.strength, "tag-turn") if other else tag

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
        if f"the {role.noun}" in self.descriptions:
            return Evidence(f"the {role.noun}", PRONOUN_TAG, "description-tag")
        if role.gender:
            # a role is rarely the one who just spoke: `"…," returned the nephew` answers Scrooge
            previous = {self.speakers[i - 1]} if i and self.speakers[i - 1] else set()
            owner = next((m.who for m in mentions if m.start == role.determiner), None)
            who = None
            if role.noun in _PARENTS:
                # `said her mother`: not the daughter `her` means, and a parent is mostly titled
                # (`Mrs. Bennet`) where the children go by given names
                who = self._recent(
                    i, exclude={owner} if owner else set(), gender=role.gender, married=True
                )
            who = who or self._recent(i, exclude=previous | {owner}, gender=role.gender)
            if who or role.article != "the":
                return Evidence(who, PRONOUN_TAG, "role-tag")
        if role.article in ("the", "this", "that"):
            description = f"the {role.noun}"
            self.descriptions.add(description)
            return Evidence(description, PRONOUN_TAG, "description-tag")
        return None

    def _role_beat(self, i: int, span: Span, strength: float) -> list[Evidence]:
        """`The thin lady sniffed.`: a role as the subject of a sentence beside the quote, when it
        is a known role speaker or a gendered role that fits someone in the scene."""
        for m in _ROLE_SUBJECT.finditer(self.text, span.start, span.end):
            first, second = m.group(1), m.group(2)
            noun = first if f"the {first}" in self.descriptions or not second else second
            after = m.end(2 if noun == second else 1)
            if not self.text[after : after + 2].strip(" ")[:1].islower():
                continue
            description = f"the {noun}"
            if description in self.descriptions:
                return [Evidence(description, strength, "role-beat")]
            if noun in GENDERED_NOUNS and m.start() == span.start:
                who = self._recent(i, gender=GENDERED_NOUNS[noun])
                if who is None:
                    who = description
                    self.descriptions.add(description)
                return [Evidence(who, strength, "role-beat")]
        return []

    def _recent(
        self,
        i: int,
        exclude: set[str] | None = None,
        gender: str | None = None,
        married: bool = False,
        subjects: bool = False,
    ) -> str | None:
        """The latest character in the scene fitting the filters, whether they last spoke or were
        last mentioned in the narration (`Bodie came in` counts, so a speaker from the last place
        does not come back). With `subjects`, only a mention as a subject counts: `I told him the
        letter was for Mr. Balfour` brings no Mr. Balfour into the room."""
        exclude = exclude or set()
        scene = self.scene_of[i]

        def fits(who: str | None) -> bool:
            if who is None or who in exclude or (married and not self._married(who)):
                return False
            return gender is None or self.resolver.gender(who) == gender

        spoke, spoke_at = None, -1
        for j in range(i - 1, max(-1, i - 13), -1):
            if self.scene_of[j] != scene:
                break
            if fits(self.speakers[j]):
                spoke, spoke_at = self.speakers[j], self.quotes[j].start
                break
        positions, mentions = self.resolver.positions, self.resolver.mentions
        floor = max(self.scene_start[scene], self.quotes[i].start - 3000, spoke_at)
        k = bisect_left(positions, self.quotes[i].start) - 1
        while k >= 0 and positions[k] >= floor:
            if fits(mentions[k].who) and (mentions[k].subject or not subjects):
                return mentions[k].who
            k -= 1
        return spoke

    def _married(self, who: str) -> bool:
        """Whether the character goes by Mr. or Mrs. (a parent, a spouse)."""
        person = self.cast.people.get(who)
        titles = set(person.titles) if person else set()
        return bool(titles & _MARRIED) or who.split(" ")[0].rstrip(".").lower() in _MARRIED

    def _turn(self, i: int, excluded: set[str]) -> str | None:
        """Turn-taking: the one spoken to last, else the last speaker before the last one. When a
        beat said someone keeps silent (`excluded`), the latest speaker who is not them."""
        quotes = self.quotes
        same_scene = i and self.scene_of[i] == self.scene_of[i - 1]
        if not same_scene or quotes[i].start - quotes[i - 1].end > 3000:
            # a new conversation: whoever is about, if the quote says whom it is not
            return self._recent(i, exclude={self.addressees[i]}) if self.addressees[i] else None
        if excluded:
            return self._recent(i, exclude=excluded)
        last = self._reported(i) or self.speakers[i - 1]
        addressed = self._turn_addressee(i)
        if addressed and addressed != last and last == self.speakers[i - 1]:
            return addressed
        return self._recent(i, exclude={last} if last else set(), subjects=True)

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
                if can_speak(m) and (
                    _REPORTED.match(self.text, m.end, end) or SILENT.match(self.text, m.end, end)
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
            gender = self.resolver.gender(who)
            if who and gender and who not in self.descriptions:
                named_by_scene[(self.scene_of[i], gender)].add(who)
        for i, who in enumerate(self.speakers):
            paragraph = self.paragraphs[self.quotes[i].paragraph]
            if who is None or who not in self.descriptions:
                continue
            if (who, paragraph.chapter) in links:
                self.speakers[i] = links[(who, paragraph.chapter)]
                continue
            gender = GENDERED_NOUNS.get(who.removeprefix("the "))
            named = named_by_scene.get((paragraph.scene, gender), set()) if gender else set()
            if len(named) == 1 and frozenset((who, *named)) not in answered:
                self.speakers[i] = next(iter(named))

    def _fill_alternation(self) -> None:
        """`"…?" said Isabella. / "Have you, indeed!…" / "Oh! these ten ages…"`: an unknown line
        between two of A's, each in its own paragraph, is A's partner's when the talk goes on
        and the next speaker other than A in the scene is known: someone the narration has not
        named yet still answers in turn."""
        speakers, quotes = self.speakers, self.quotes
        for i in range(1, len(quotes) - 1):
            if speakers[i] is not None or self.scene_of[i - 1] != self.scene_of[i]:
                continue
            first = speakers[i - 1]
            if first is None or speakers[i + 1] != first or not self._own_paragraph(i):
                continue
            for j in range(i + 2, min(len(quotes), i + 12)):
                if self.scene_of[j] != self.scene_of[i]:
                    break
                if speakers[j] not in (None, first):
                    if speakers[j] != self.addressees[i]:
                        speakers[i] = speakers[j]
                    break

    def _own_paragraph(self, i: int) -> bool:
        """Whether quote i opens a real paragraph that no other quote shares."""
        q = self.quotes[i]
        paragraph = self.paragraphs[q.paragraph]
        return (
            not paragraph.flat
            and q.start == paragraph.start
            and self.quotes[i - 1].paragraph != q.paragraph
            and (i + 1 >= len(self.quotes) or self.quotes[i + 1].paragraph != q.paragraph)
        )

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
