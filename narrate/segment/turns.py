"""Turn-taking: who speaks when no tag or beat says, from who spoke, who was spoken to and who is
about in the scene. A base class of attribute's pass, which sets the state it reads.

A new paragraph is a new turn; an untagged line answers the one the last line addressed by name
(or the narration showed spoken to: `she told him`), else goes back to the speaker before the last
one; reported speech (`He replied that…`) and silence (`Hux said nothing.`) take a turn too.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from narrate.segment.characters import Cast
from narrate.segment.evidence import (
    PRONOUN_TAG,
    SILENT,
    VOICE_BEFORE,
    WORDLESS,
    Evidence,
    can_speak,
)
from narrate.segment.lexicon import SAYING_VERBS
from narrate.segment.mentions import Mention, Resolver
from narrate.segment.quotes import Paragraph, Quote, Span

_MARRIED = frozenset(("mr", "mrs", "mister", "missus"))
REPORTED = re.compile(
    r"(?:\s+[a-z]+ly)?\s+(?:" + "|".join(sorted(SAYING_VERBS)) + r")"
    r"(?:\s+(?:him|her|them|me|us))?\s+(?:that|whether|how|if|to|what|why|where|when|of|about|I|he|she|we|"
    r"they|it|the|his|her|my)\b"
)
"""`He replied that…`, `I repeated what I had said`, `I told him the letter was…`, `I said I
feared…`: a turn taken without a quote (a speech tag is followed by a quote or a comma, not by a
clause)."""


class Turns:
    """The turn-taking helpers over one pass's state (filled in by the subclass's __init__)."""

    text: str
    cast: Cast
    resolver: Resolver
    paragraphs: Sequence[Paragraph]
    quotes: Sequence[Quote]
    spans: Sequence[Span]
    span_starts: list[int]
    span_mentions: dict[int, list[Mention]]
    scene_of: list[int]
    scene_start: dict[int, int]
    speakers: list[str | None]
    strengths: list[float]
    addressees: list[str | None]
    listeners: list[str | None]
    quote_names: dict[int, frozenset[str]]

    def _pronoun_turn(self, i: int, tag: Evidence) -> Evidence:
        """`"…?" asked Holmes.` / `"Yes," he answered.`: a `he` that only the last quote's speaker
        made salient, in a new paragraph with no narration between, is the other man in the talk
        (the one addressed, else the latest other man about): a new paragraph is a new turn."""
        q, previous = self.quotes[i], self.speakers[i - 1] if i else None
        if tag.who is None or tag.who != previous:
            return tag
        if not self._opens_paragraph(i) or self.quotes[i - 1].paragraph == q.paragraph:
            return tag
        k = bisect_left(self.span_starts, self.quotes[i - 1].end)
        if k < len(self.spans) and self.spans[k].start < q.start:
            return tag  # narration between: the pronoun may well mean whom it names
        gender = self.resolver.gender(tag.who)
        other = self._turn_addressee(i)
        if other is None or self.resolver.gender(other) != gender:
            other = self._recent(i, exclude={tag.who}, gender=gender)
        return Evidence(other, tag.strength, "tag-turn") if other else tag

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
            m = mentions[k]
            if fits(m.who) and (m.subject or not subjects) and not self._gestures(m):
                return m.who
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
        talked = self._talked_about(i)
        if excluded:
            return self._recent(i, exclude=excluded | talked)
        last = self._reported(i) or self.speakers[i - 1]
        addressed = self._turn_addressee(i)
        if addressed and addressed != last and last == self.speakers[i - 1]:
            if not self._wordless_reply(i):
                return addressed
            # `Jacob set it down without a word.`: the one spoken to answered by gesture
            return self._recent(i, exclude={last, addressed} | talked, subjects=True)
        exclude = {last} | talked if last else talked
        if last == self.speakers[i - 1] and self._answers_next(i):
            # `"…," said Mrs. Bennet. / "If my children are silly…"`: straight after the last
            # speech, the one before answers (Lydia, talked of between, never spoke)
            before = self.speakers[i - 2] if self.scene_of[i - 2] == self.scene_of[i] else None
            if before and before not in exclude:
                return before
        return self._recent(i, exclude=exclude, subjects=True)

    def _answers_next(self, i: int) -> bool:
        """Whether quote i opens the paragraph right after the last quote's (no paragraph between)."""
        return (
            i >= 2
            and self._opens_paragraph(i)
            and self.quotes[i - 1].paragraph == self.quotes[i].paragraph - 1
        )

    def _talked_about(self, i: int) -> set[str]:
        """`"What sort of looking man is Mr. Martin?"`: people the talk names in the third person
        are its subject, not its speakers, unless a tag has had them speak in the scene."""
        scene, named, spoke = self.scene_of[i], set(), set()
        for j in range(i - 1, max(-1, i - 9), -1):
            if self.scene_of[j] != scene:
                break
            named |= self._names_in(j)
            named.discard(self.addressees[j])
            if self.strengths[j] >= PRONOUN_TAG:
                spoke.add(self.speakers[j])
        return named - spoke

    def _names_in(self, j: int) -> frozenset[str]:
        """The characters quote j names (read once: each later turn looks back over it)."""
        if j not in self.quote_names:
            q = self.quotes[j]
            found = self.cast.mention.finditer(self.text, q.start + 1, q.end)
            self.quote_names[j] = frozenset(self.cast.named(m) for m in found if m.group("name"))
        return self.quote_names[j]

    def _gestures(self, m: Mention) -> bool:
        """`Jacob set it down without a word.`: a subject who acts without speech, in that
        sentence, is not brought into the talk by it (a mute boy, a dog, a baby)."""
        stop = self.text.find(".", m.end, m.end + 120)
        return WORDLESS.search(self.text, m.end, stop if stop >= 0 else m.end + 120) is not None

    def _wordless_reply(self, i: int) -> bool:
        """Whether the narration since the last quote shows a turn taken by gesture or sound."""
        return WORDLESS.search(self.text, self.quotes[i - 1].end, self.quotes[i].start) is not None

    def _not_addressee(self, i: int, addressee: str) -> str | None:
        """Someone other than the one this quote addresses; in a real paragraph that opens with it,
        not the last speaker either (a new paragraph is a new turn), if anyone else is about."""
        if i and self._opens_paragraph(i) and self.speakers[i - 1]:
            third = self._recent(i, exclude={addressee, self.speakers[i - 1]})
            if third:
                return third
        return self._recent(i, exclude={addressee})

    def _turn_addressee(self, i: int, paragraph: int | None = None) -> str | None:
        """Whom the previous turn addressed by name, in any of its quotes (`'Sam,' said she,
        'attend to your horses.'`), or in those of one paragraph only."""
        last = self.speakers[i - 1]
        j = i - 1
        while j >= 0 and j > i - 6 and self.speakers[j] == last:
            if paragraph is not None and self.quotes[j].paragraph != paragraph:
                break
            if self.addressees[j] or self.listeners[j]:
                return self.addressees[j] or self.listeners[j]
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
                    REPORTED.match(self.text, m.end, end) or SILENT.match(self.text, m.end, end)
                ):
                    reported = m.who  # `Hux said nothing.` is his turn too
        return reported

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

    def _fill_pairs(self) -> None:
        """A girl chattering to an old man: in a scene where only two people speak, an unknown
        line in a paragraph of its own is the turn of the one who did not speak next to it."""
        speakers = self.speakers
        by_scene: dict[int, set[str]] = {}
        for i, who in enumerate(speakers):
            if who is not None:
                by_scene.setdefault(self.scene_of[i], set()).add(who)
        for i, who in enumerate(speakers):
            pair = by_scene.get(self.scene_of[i], set())
            if who is not None or len(pair) != 2 or not self._own_paragraph(i):
                continue
            neighbour = None
            if i and self.scene_of[i - 1] == self.scene_of[i]:
                neighbour = speakers[i - 1]
            elif i + 1 < len(speakers) and self.scene_of[i + 1] == self.scene_of[i]:
                neighbour = speakers[i + 1]
            if neighbour is None:
                continue
            other = next(iter(pair - {neighbour}))
            if other != self.addressees[i]:
                speakers[i] = other

    def _opens_paragraph(self, i: int) -> bool:
        """Whether quote i opens a real paragraph (not a run of flattened text)."""
        q = self.quotes[i]
        paragraph = self.paragraphs[q.paragraph]
        return not paragraph.flat and q.start == paragraph.start

    def _own_paragraph(self, i: int) -> bool:
        """Whether quote i opens a real paragraph that no other quote shares."""
        q = self.quotes[i]
        return (
            self._opens_paragraph(i)
            and (i == 0 or self.quotes[i - 1].paragraph != q.paragraph)
            and (i + 1 >= len(self.quotes) or self.quotes[i + 1].paragraph != q.paragraph)
        )

    def _follow_chains(self) -> None:
        """`"…," said Emma. / "…" / "…" / "…," said Harriet.`: in a run of paragraphs that each
        hold one turn of talk, two people take turns. Where the run's tags say who speaks at the
        even turns and who at the odd ones, every turn known only by turn-taking follows that
        parity, from either side of the tags: the greedy pass reads left to right only, so a talk
        that opens untagged went to whoever was about."""
        for chain in self._chains():
            if not self._two_people(chain):
                continue
            start = 0
            while start < len(chain):
                end, parity = self._two_party(chain, start)
                if parity[0] and parity[1] and parity[0] != parity[1]:
                    for t in range(start, end):
                        self._give_turn(chain[t], parity[(t - start) % 2])
                start = end

    def _chains(self) -> list[list[list[int]]]:
        """Runs of turns (the quotes of one real paragraph) in consecutive paragraphs of a scene."""
        chains: list[list[list[int]]] = []
        for i, q in enumerate(self.quotes):
            if self.paragraphs[q.paragraph].flat:
                continue
            if i and self.quotes[i - 1].paragraph == q.paragraph and chains:
                chains[-1][-1].append(i)
                continue
            previous = self.quotes[i - 1] if i else None
            if (
                previous is not None
                and chains
                and chains[-1][-1][-1] == i - 1
                and previous.paragraph == q.paragraph - 1
                and self.scene_of[i - 1] == self.scene_of[i]
            ):
                chains[-1].append([i])
            else:
                chains.append([[i]])
        return [chain for chain in chains if len(chain) >= 3]

    def _two_people(self, chain: list[list[int]]) -> bool:
        """Whether the run's tags and the names its lines call out come to two people: with a
        third about (four sisters round the fire) turns do not alternate."""
        tagged = {self._anchor(turn) for turn in chain} - {None}
        called = {self.addressees[i] or self.listeners[i] for turn in chain for i in turn} - {None}
        return len(tagged | called) == 2 and bool(tagged)

    def _anchor(self, turn: list[int]) -> str | None:
        """The turn's speaker when a tag (or a sentence about the voice) says it."""
        best = max(turn, key=lambda i: self.strengths[i])
        return self.speakers[best] if self.strengths[best] >= VOICE_BEFORE else None

    def _two_party(self, chain: list[list[int]], start: int) -> tuple[int, list[str | None]]:
        """From turn `start`, the end of the stretch whose tags agree with two people taking
        turns, and those two (even, odd; None where no tag says). A tag that breaks the pattern
        ends the stretch at the last tag before it: who spoke between is not known."""
        parity: list[str | None] = [None, None]
        last_anchor = start
        for t in range(start, len(chain)):
            who = self._anchor(chain[t])
            if who is None:
                continue
            side = (t - start) % 2
            if parity[side] in (None, who) and parity[1 - side] != who:
                parity[side] = who
                last_anchor = t
            else:
                end = last_anchor + 1 if last_anchor > start else t
                return end, self._called_side(chain, start, end, parity)
        return len(chain), self._called_side(chain, start, len(chain), parity)

    def _called_side(
        self, chain: list[list[int]], start: int, end: int, parity: list[str | None]
    ) -> list[str | None]:
        """`"Dear Miss Woodhouse, …"`: when no tag says who speaks on one side, the one the other
        side's lines call by name does."""
        for side in (0, 1):
            if parity[side] is not None:
                continue
            for t in range(start + 1 - side, end, 2):
                # the first name called, in reading order (never a set's arbitrary pick)
                called = [self.addressees[i] for i in chain[t]]
                found = next((c for c in called if c not in (None, parity[1 - side])), None)
                if found:
                    parity[side] = found
                    break
        return parity

    def _give_turn(self, turn: list[int], who: str | None) -> None:
        for i in turn:
            if self.strengths[i] < VOICE_BEFORE and who != self.addressees[i]:
                self.speakers[i] = who
