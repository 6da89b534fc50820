"""The first-person narrator's own name: `Watson`, `Huck`, `Pip`.

A first-person narrator calls themself `I` in the narration, so their name turns up only inside the
others' speech, mostly as a vocative (`"Very sorry to knock you up, Watson,"`). Their own lines are
the narrator's (the project's convention), never a character's called by that name.
"""

from __future__ import annotations

from collections.abc import Sequence

from narrate.segment.characters import Cast
from narrate.segment.lexicon import NARRATOR

FIRST_PERSON_RATE = 1 / 2500
"""First-person pronouns per character of narration above which it is told in the first person
(a third-person novel has a stray `I` only in letters and thoughts)."""
MIN_FIRST_PERSON = 3


def narrator_names(cast: Cast, addressees: Sequence[str | None], narration: int) -> set[str]:
    """Characters who are addressed by name but never named in the narration of a first-person
    book: the narrator. `narration` is the narration's length in characters."""
    first_person = cast.narrated[NARRATOR]
    if first_person < max(MIN_FIRST_PERSON, narration * FIRST_PERSON_RATE):
        return set()
    return {who for who in addressees if who and who in cast.people and not cast.narrated[who]}
