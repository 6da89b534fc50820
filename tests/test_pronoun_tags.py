"""Speech tags by pronoun (`"…," she said`, `he answered, "…"`): whom the he or she means.

Each case is a rule that PDNC's DEV novels showed was missing; each fails without its rule.
"""

from __future__ import annotations

from test_attribute import speakers


def test_a_family_plural_is_never_the_he_of_a_tag():
    # `the Hilberys said` makes a family the subject; the `he` of the tag is still Denham
    assert speakers(
        "Mr. Hilbery had asked Ralph Denham to tea. Denham thought the Hilberys very grand, and "
        "he said so to Katharine.",
        "Katharine smiled. Denham looked at the portraits which the Hilberys said were painted by "
        'an uncle. "I should not like to live with so many ancestors," he replied.',
    ) == ["Ralph Denham"]
