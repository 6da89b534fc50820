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


def test_his_lady_is_the_wife_the_text_names_over_one_made_up_from_a_title():
    # `his` has no one but the book's leading man to mean; the wife addresses her husband by name
    assert speakers(
        "Mr. Darcy was the richest man in the county, and every family wished him for a son. "
        "Mr. Darcy rode past the gate each morning, and he never once stopped.",
        '"My dear Mr. Bennet," said his lady to him one day, "have you heard the news?"',
        "Mr. Bennet made no answer, and Mrs. Bennet sighed.",
    ) == ["Mrs. Bennet", "Mrs. Bennet"]


def test_a_possessive_opening_the_tag_is_not_the_speaker():
    # `her mother demanded`: the mother speaks, not the daughter `her` means
    assert speakers(
        "Mrs. Hilbery sat at the head of the table. Katharine poured the tea, and she handed a cup "
        "to Ralph Denham.",
        '"Would it be the Battle of Trafalgar?" her mother demanded.',
    ) == ["Mrs. Hilbery"]


def test_her_father_is_the_mister_of_her_surname():
    # the latest Mr. in the room is a caller; Katharine Hilbery's father is Mr. Hilbery
    assert speakers(
        "Katharine poured out the tea, and she passed a cup to Mrs. Hilbery. Mr. Hilbery was "
        "reading by the lamp, and Mr. Denham, who had come to call, watched Miss Hilbery. He said "
        "little, for he was shy. Katharine Hilbery smiled, and Mr. Denham sat down beside her.",
        '"Do you like our pictures?" said Katharine.',
        '"There is a better one in the hall," said her father.',
    ) == ["Katharine Hilbery", "Mr. Hilbery"]


def test_a_name_before_a_description_between_commas_is_the_subject():
    # `Lucian Gregory, the anarchic poet, connected`: Gregory is who the `he` after it means
    assert speakers(
        "Gabriel Syme stood at the end of the garden, and he watched the red sunset. Gregory came "
        "out of the house. He had red hair. Syme watched him without love.",
        "In fact, Lucian Gregory, the anarchic poet, connected the two events.",
        '"It may well be," he said, "that the sky is an omen."',
    ) == ["Lucian Gregory", "Lucian Gregory"]


def test_a_name_after_an_adverbial_by_is_a_subject_before_a_finite_verb():
    # `By and by Piglet woke up`: no object of a preposition goes on with `woke`
    assert speakers(
        "That night Piglet and Pooh dug the Trap. Then Pooh went home to bed, and he slept. Piglet "
        "slept too, and he dreamed. But Pooh woke early, and he went to look at the Trap alone.",
        'By and by Piglet woke up. As soon as he woke he said to himself, "Oh!"',
    ) == ["Piglet"]


def test_a_pronoun_past_another_name_of_its_gender_tells_nothing_of_the_first():
    # every `she` after Quill is Alice's, named between: Quill stays the man his `he` says
    assert speakers(
        "Quill sat alone by the fire, and he was tired.",
        "Quill did not answer, so Alice went on, and she talked of the sea. Quill said nothing, "
        "so Alice told him more, and she told it well. Quill only nodded, so Alice sighed, and "
        "she gave it up. Quill looked away, and Alice laughed at her own story, and she poked the "
        "fire.",
        "Tobit came in, and he sat down by the door. Tobit was old and slow.",
        'Alice went out. Quill rose too. "Good night," he said.',
    ) == ["Quill"]


def test_a_subject_a_paragraph_back_yields_to_a_later_mention_of_that_gender():
    # Margaret was the last woman as a subject, but a whole paragraph ago; Mrs. Munt is in focus
    assert speakers(
        "Margaret went upstairs, and she wrote to her aunt. Margaret had to stay with Tibby.",
        "The train was late. It came in at last, and a porter carried the bags to the yard.",
        "The wind blew the dust into the eyes of Mrs. Munt.",
        '"You can well imagine," she said, "that the news was a great shock to us."',
    ) == ["Mrs. Munt", "Mrs. Munt"]


def test_a_name_is_a_subject_when_the_printed_line_breaks_before_its_verb():
    # hard-wrapped text (one block, blank lines between paragraphs): `Pooh\nwalked`
    assert speakers(
        "Pooh went out, and he walked to the stream. Eeyore was\n"
        "there, and he was gloomy.\n\n"
        "So Eeyore stood there, gazing sadly at the ground, and Pooh\n"
        "walked all round him once.\n\n"
        '"Why, what has happened to your tail?" he said in surprise.'
    ) == ["Pooh"]


def test_he_is_the_man_the_paragraph_named_not_a_subject_from_before_it():
    # `sat Harvey Stone` names him after the verb, so he is no subject; still, in a paragraph
    # naming no other man, the `he` is him, not the Cohn of the paragraph before
    assert speakers(
        "Harvey Stone had won two hundred francs from me. Cohn went home early, and Cohn said "
        "he was tired of Paris.",
        "I walked on to the Select. Outside, alone, sat Harvey Stone. He had a pile of saucers in "
        'front of him. "Sit down," he said.',
    ) == ["Harvey Stone"]
