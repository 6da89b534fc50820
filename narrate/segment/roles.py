"""When a role (`the undertaker`, `the charity-boy`) is a named character, and when it is someone new.

A tag like `said the stranger` first makes a description speaker; the text often says plainly who
that is, and then the role's lines belong to the named character:

- a self-introduction in the role's own quote: `'I'm Mister Noah Claypole,' said the charity-boy`;
- the narration: `The stranger, whose name was Jonas Chuzzlewit,` or `Mr. Mould, the undertaker,`.

And a gendered role the narration brought in as a new person (`a charity-boy sat by the fire`,
`the old gentleman in the corner`) is that person, not the latest named man or woman.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from narrate.segment.characters import Cast
from narrate.segment.lexicon import COMPOUND_WORD
from narrate.segment.mentions import Mention
from narrate.segment.quotes import Quote

_TITLED = r"(?:(?:Mister|Mr\.?|Mrs\.?|Missus|Miss|Master|Dr\.?)\s+)?"
SELF_NAMED = re.compile(
    r"\b(?:I['’]m|I\s+am|[Mm]y\s+name\s+is|[Mm]y\s+name['’]s|[Nn]ame['’]s|[Cc]all\s+me)\s+"
    + _TITLED
    + r"$"
)
"""Just before a name in a quote: the speaker says who they are (`I'm Mister Noah Claypole`)."""
_ROLE = rf"[Tt]he\s+(?:[a-z]+\s+){{0,2}}?({COMPOUND_WORD})"
_WHOSE_NAME = re.compile(
    _ROLE + r",?\s+(?:whose\s+name\s+(?:was|is)|who\s+(?:was|is)\s+(?:called|named))\s+$"
)
"""Before a name: `The stranger, whose name was ` Jonas."""
_APPOSITION = re.compile(rf",\s+the\s+(?:[a-z]+\s+){{0,2}}?({COMPOUND_WORD}),")
"""After a name: `Mr. Mould, the undertaker,`."""
_INTRODUCED = r"\b(?:(?:[Aa]n?|[Aa]nother)\s+(?:[a-z]+\s+){{0,3}}{noun}\b|[Tt]he\s+(?:[a-z]+\s+){{0,2}}{noun}\s+(?:in|at|by|near|who|whom|whose|with)\b)"
"""How narration brings a new person on: `a tall man`, `the old gentleman in the corner`."""


def self_named(text: str, q: Quote, cast: Cast) -> str | None:
    """The character a quote's speaker says they are (`"I'm Mister Noah Claypole,"`), if any."""
    for m in cast.mention.finditer(text, q.start + 1, q.end):
        if m.group("name") and SELF_NAMED.search(text, max(q.start, m.start() - 40), m.start()):
            return cast.named(m)
    return None


def named_roles(text: str, mentions: Sequence[Mention]) -> Iterator[tuple[int, str, str]]:
    """(offset, `the <role>`, canonical name) for each role the narration names outright, from
    the names among the narration's resolved mentions."""
    for m in mentions:
        if m.form != "name" or m.who is None:
            continue
        before = _WHOSE_NAME.search(text, max(0, m.start - 60), m.start)
        if before:
            yield m.start, f"the {before.group(1).lower()}", m.who
        after = _APPOSITION.match(text, m.end)
        if after:
            yield m.start, f"the {after.group(1)}", m.who


def introduced(text: str, start: int, end: int, noun: str) -> bool:
    """Whether the narration in text[start:end] brings on someone new called by the role `noun`."""
    return _introduction(noun).search(text, start, end) is not None


@lru_cache(maxsize=256)
def _introduction(noun: str) -> re.Pattern[str]:
    return re.compile(_INTRODUCED.format(noun=re.escape(noun)))
