"""The first-person narrator's own name: `Watson`, `Huck`, `Pip`.

A first-person narrator calls themself `I` in the narration, so their name turns up only inside the
others' speech, mostly as a vocative (`"Very sorry to knock you up, Watson,"`). Their own lines are
the narrator's (the project's convention), never a character's called by that name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from narrate.segment.characters import Cast
from narrate.segment.lexicon import NARRATOR

FIRST_PERSON_RATE = 1 / 2500
"""First-person pronouns per character of narration above which it is told in the first person
(a third-person novel has a stray `I` only in letters and thoughts)."""
MIN_FIRST_PERSON = 3


def narrator_names(cast: Cast, addressees: Sequence[str | None], narration: int) -> set[str]:
    """The names of a first-person book's narrator: among the characters addressed by name but
    never named in the narration, the one called most and any called nearly as often.
    `narration` is the narration's length in characters."""
    first_person = cast.narrated[NARRATOR]
    if first_person < max(MIN_FIRST_PERSON, narration * FIRST_PERSON_RATE):
        return set()
    called = Counter(
        who for who in addressees if who and who in cast.people and not cast.narrated[who]
    )
    most = max(called.values(), default=0)
    # one narrator: the name called most, with any called nearly as often (`Jake`, `Jacob
    # Barnes`); beside others a name called once (`Mrs. Hudson`) is someone absent
    return {who for who, n in called.items() if n * 3 >= most and (n >= 2 or len(called) == 1)}
