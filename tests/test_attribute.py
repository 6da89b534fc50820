"""Speaker attribution and character discovery, one short passage per case."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrate.model import Block, Book, Chapter, Kind
from narrate.segment import segment
from narrate.segment.attribute import NARRATOR, YOU, characters, discover
from narrate.segment.evidence import vocative
from narrate.segment.quotes import Quote


def book_of(*paragraphs: str) -> Book:
    text = "\n\n".join(paragraphs)
    blocks, position = [], 0
    for paragraph in paragraphs:
        blocks.append(Block(Kind.NARRATION, 1, position, position + len(paragraph)))
        position += len(paragraph) + 2
    return Book(Path("t.txt"), "t", "t", text, (Chapter(1, "One"),), tuple(blocks))


def said(*paragraphs: str) -> list[tuple[str, str | None]]:
    """(quote text, speaker) for every dialogue chunk."""
    return [(c.text, c.speaker) for c in segment(book_of(*paragraphs)) if c.kind is Kind.DIALOGUE]


def speakers(*paragraphs: str) -> list[str | None]:
    return [who for _, who in said(*paragraphs)]


KYLO_AND_HUX = (
    "Kylo Ren waited in the hangar. Hux came in late, and Kylo watched Hux cross the floor."
)


# Tags -----------------------------------------------------------------------------------------


def test_inverted_tag_names_the_speaker():
    assert speakers(KYLO_AND_HUX, '"You are late," said Hux.') == ["Hux"]


def test_tag_after_a_question():
    assert speakers(KYLO_AND_HUX, '"Where were you?" Kylo asked.') == ["Kylo Ren"]


def test_tag_before_the_quote():
    assert speakers(KYLO_AND_HUX, 'Then Hux said, "The shuttle was delayed."') == ["Hux"]


def test_title_description_maps_to_the_one_character_with_that_title():
    assert speakers(
        "General Hux stood by the window while Kylo paced. Kylo stopped at last.",
        '"Sit down," the general replied.',
    ) == ["General Hux"]  # never called plain `Hux` here, so named with the title


def test_title_shared_by_two_characters_names_nobody():
    cast = discover(
        book_of("General Hux and General Organa met. Hux bowed to Organa, and Organa smiled.")
    )
    assert "the general" not in cast.names


def test_pronoun_tag_resolves_to_the_last_character_of_that_gender():
    assert speakers(
        "Kylo Ren followed Rey in. Rey was furious, and she did not hide it.",
        "“Take off that helmet,” she demands.",
    ) == ["Rey"]


def test_pronoun_prefers_the_subject_over_an_object():
    assert speakers(
        KYLO_AND_HUX,
        "Kylo took his robes from Hux.",
        '"I don\'t like being seen without them," he admitted.',
    ) == ["Kylo Ren"]


def test_second_person_reader_speaks_as_you():
    assert speakers(
        "You sit by the bed. Kylo Ren is asleep, and Kylo breathes slowly.",
        '"I\'m sorry," you whisper.',
    ) == [YOU]


def test_first_person_narrator():
    assert speakers(
        "Marcus Hale walked into my office. Marcus sat down and Hale said nothing for a while.",
        '"Since when?" I said.',
    ) == [NARRATOR]


def test_y_n_is_the_reader():
    assert speakers(
        "Kylo Ren stood at the door. Kylo looked back at y/n.",
        '"Wait," y/n said.',
    ) == [YOU]


def test_y_n_as_a_vocative_makes_the_other_one_speak():
    assert speakers(
        "You lie still. Kylo Ren settles beside you, and Kylo is quiet for a long time.",
        '"No more fear, y/n."',
    ) == ["Kylo Ren"]


# Context: beats, voices, silence ------------------------------------------------------------


def test_action_beat_before_the_quote():
    assert speakers(KYLO_AND_HUX, 'Hux smiled. "Fine."') == ["Hux"]


def test_action_beat_after_the_quote():
    assert speakers(KYLO_AND_HUX, '"Fine." Kylo shrugged.') == ["Kylo Ren"]


def test_voice_sentence_names_the_speaker():
    assert speakers(
        "You lie still. Kylo Ren stands over you, and Kylo does not move.",
        '"Please don\'t." His voice is flat.',
    ) == ["Kylo Ren"]


def test_someone_keeping_silent_is_not_the_speaker():
    got = speakers(
        KYLO_AND_HUX,
        '"Where is the shuttle?" Kylo asked.',
        "Hux said nothing.",
        '"Answer me."',
    )
    assert got == ["Kylo Ren", "Kylo Ren"]


# Turn-taking and vocatives --------------------------------------------------------------------


def test_untagged_two_person_exchange_alternates():
    got = speakers(
        "Mr. Bennet was reading. Mrs. Bennet came in and Mrs. Bennet sat down.",
        '"Have you heard that Netherfield is let?" said Mrs. Bennet.',
        "Mr. Bennet replied that he had not.",
        '"But it is."',
        '"What is his name?"',
        '"Bingley."',
        '"Is he married or single?"',
    )
    assert got == ["Mrs. Bennet", "Mrs. Bennet", "Mr. Bennet", "Mrs. Bennet", "Mr. Bennet"]


def test_vocative_names_the_listener_not_the_speaker():
    got = speakers(
        "Rey and Kylo Ren faced each other. Rey lowered her saber, and Kylo Ren did not.",
        '"Throw it away, Ren."',
    )
    assert got == ["Rey"]


def test_a_name_alone_answered_is_not_a_vocative():
    got = speakers(
        "Mr. Bennet read his paper. Mrs. Bennet talked, and Mr. Bennet listened.",
        '"What is his name?" asked Mr. Bennet.',
        '"Bingley."',
    )
    assert got == ["Mr. Bennet", "Mrs. Bennet"]


def test_his_wife_is_mrs_when_he_is_mr():
    got = speakers(
        "Mr. Bennet sat in the library. Mrs. Bennet, who was nervous, came in after him.",
        '"Do you not want to know?" cried his wife impatiently.',
    )
    assert got == ["Mrs. Bennet"]


def test_a_knights_wife_is_lady():
    # `Lady Bertram` is not `Sir Thomas Bertram` (one surname, two titles of opposite gender), and
    # his West India estate is no one: a capitalised run after `his` is a thing he has
    text = (
        "Sir Thomas Bertram came home from town, and Sir Thomas was tired. Lady Bertram was on"
        " the sofa with Fanny Price beside her. Sir Thomas had lost money on his West India"
        " estate, for his West Indian affairs went badly, and he told his wife. She calmly"
        " observed,",
        '"Then we must be careful."',
    )
    assert speakers(*text) == ["Lady Bertram"]
    book = book_of(*text)
    assert {c.name for c in characters(book, segment(book))} == {"Lady Bertram"}
    assert {"Sir Thomas", "Lady Bertram"} <= set(discover(book).people)
    assert "West India" not in discover(book).names


def test_unnamed_role_is_a_speaker_and_is_named_when_addressed():
    got = speakers(
        "Mr. Pickle stood by the coach. Mr. Pickle looked up at the box.",
        "‘Is this the Dover coach?’ asked Mr. Pickle.",
        "‘It is, sir,’ replied the coachman.",
        "‘Thank you,’ said Mr. Pickle.",
    )
    assert got == ["Mr. Pickle", "the coachman", "Mr. Pickle"]  # always titled: named so
    linked = speakers(
        "Mrs. Gridley sat in the coach. Mrs. Gridley frowned at the window, and Sam Weller drove.",
        "‘Sam,’ said Mrs. Gridley, ‘attend to your horses.’",
        "‘Yes, ma’am,’ said the coachman.",
    )
    assert linked == ["Mrs. Gridley", "Mrs. Gridley", "Sam Weller"]


def test_role_nouns_are_whole_compound_words():
    got = speakers(
        "Mr. Tapley sat by the fire. A charity-boy was toasting his shins.",
        '"Move over," said the charity-boy.',
        '"Hot water for the front room, Missis," said the lady\'s-maid.',
    )
    assert got == ["the charity-boy", "the lady's-maid"]


def test_a_role_introducing_itself_in_its_own_quote_is_that_character():
    got = speakers(
        "Mr. Tapley sat by the fire. A charity-boy was toasting his shins. Noah Claypole was idle.",
        '"I\'m Mister Noah Claypole," said the charity-boy, "and that room is mine."',
        '"Hold your tongue, Noah," said Mr. Tapley.',
    )
    assert got == ["Noah Claypole", "Noah Claypole", "Mr. Tapley"]


def test_a_role_the_narration_names_is_that_character():
    got = speakers(
        "The stranger, whose name was Jonas Chuzzlewit, threw down his cloak. Mr. Mould, the "
        "undertaker, set down his lantern, and Jonas sat.",
        '"Brandy," said the stranger.',
        '"And a drop for me," said the undertaker.',
    )
    assert got == ["Jonas Chuzzlewit", "Mr. Mould"]


def test_a_role_brought_on_as_someone_new_is_not_the_latest_named_man():
    got = speakers(
        "Jonas and Mr. Mould sat at the table.",
        '"Brandy," said Jonas.',
        "The old gentleman in the corner put down his newspaper.",
        '"You are his son?" said the old gentleman.',
    )
    assert got == ["Jonas", "the old gentleman"]


def test_full_name_in_narration_and_mister_in_tags_are_one_man():
    text = (
        "John Sedley came home early, and his wife met him in the hall. He gave her his hat.",
        '"You are early, Mr. Sedley," said she.',
        '"The funds are down," said Mr. Sedley.',
        '"Bless him," said John.',
    )
    assert speakers(*text) == ["Mrs. Sedley", "John Sedley", "John Sedley"]
    book = book_of(*text)
    (sedley,) = [c for c in characters(book, segment(book)) if c.name == "John Sedley"]
    assert {"Mr. Sedley", "John"} <= set(sedley.aliases)


def test_miss_and_surname_is_the_one_woman_with_that_surname():
    # her brother shares the surname: `Miss Gregory` can only be Rosamond, `Mr. Gregory` Lucian
    text = (
        "The garden was full when Lucian Gregory began to read his poems, and he read them"
        " loudly. His sister, Rosamond Gregory, listened from the window, and she laughed once.",
        '"He is cross," said Rosamond.',
        '"You are unkind," said Miss Gregory.',
        '"I am not," said Mr. Gregory.',
    )
    assert speakers(*text) == ["Rosamond Gregory", "Rosamond Gregory", "Lucian Gregory"]


def test_a_title_on_a_womans_given_name_is_hers():
    # `Mrs. Rachel` is Rachel Lynde herself, not the wife of a Rachel (as `Mrs. Joe` is Joe's)
    text = (
        "Rachel Lynde lived just where the road dipped down, and she saw everything that passed."
        " Rachel was a notable housewife.",
        '"Where is he going?" said Mrs. Rachel.',
        '"To the station," said Mrs. Rachel Lynde, answering herself.',
    )
    assert speakers(*text) == ["Rachel Lynde", "Rachel Lynde"]


def test_a_newcomer_calling_out_says_the_next_untagged_line():
    got = speakers(
        "I sat with Hollis on the bench.",
        '"Go on," I said.',
        "A boy came running along the quay, calling out to the old man.",
        '"Grandfer! Your tea is on the table."',
    )
    assert got == [NARRATOR, "the boy"]


# None is the right answer ---------------------------------------------------------------------


def test_no_characters_no_speaker():
    assert speakers('The rain fell on the town. "Shelter!"') == [None]


def test_a_man_rarely_called_by_his_bare_surname_keeps_his_title():
    got = speakers(
        "Mr. Beebe came in late. Mr. Beebe was a clergyman, and Lucy liked Mr. Beebe; only her"
        " cousin called him Beebe, once, by mistake.",
        '"Good evening," said Mr. Beebe.',
    )
    assert got == ["Mr. Beebe"]


def test_a_people_and_a_thing_that_happened_are_not_characters():
    # `Permission granted, she…` starts like `Hux smiled.`; one such start is not yet a name
    text = (
        "Robert Cohn came from one of the richest Jewish families in New York, and he had a hard,"
        " Jewish, stubborn streak. Cohn asked if he might sit down. Permission granted, he sat.",
        '"Thank you," said Cohn.',
    )
    cast = discover(book_of(*text))
    assert not {"Jewish", "Permission"} & set(cast.names)
    assert speakers(*text) == ["Cohn"]


def test_a_family_and_a_form_of_address_are_not_characters():
    text = (
        "Joan met Ralph on the stairs. Ralph went up, and Joan followed Ralph; they talked of the"
        " Hilberys, and of Mrs. Hilbery, who had asked them to tea. The Hilberys said little.",
        '"Yes, Ma\'am," said Joan to the maid. "Tell Ma\'am we are coming."',
    )
    cast = discover(book_of(*text))
    assert "Ma'am" not in cast.names
    assert not {"Hilberys", "the Hilberys"} & set(cast.names)


def test_a_place_is_not_a_speaker():
    assert speakers(
        "The stage reached Red Rock at noon. It left Red Rock at one.",
        '"Nothing ever happens here."',
    ) == [None]


def test_narration_chunks_never_have_a_speaker():
    chunks = segment(book_of(KYLO_AND_HUX, '"Fine," said Hux.'))
    assert all(c.speaker is None for c in chunks if c.kind is not Kind.DIALOGUE)


# Characters -----------------------------------------------------------------------------------


def test_aliases_merge_into_one_character():
    book = book_of(
        "Kylo Ren walked in. Later Kylo sat down and Commander Ren looked tired. "
        "Everyone feared Ren. Instead of waiting, Hux left.",
        '"Go," said Kylo.',
        '"No," said Ren.',
        '"Fine," said Commander Ren.',
    )
    chunks = segment(book)
    found = {c.name: c for c in characters(book, chunks)}
    assert set(found) == {"Kylo Ren"}
    assert found["Kylo Ren"].lines == 3
    assert set(found["Kylo Ren"].aliases) >= {"Kylo", "Ren", "Commander Ren"}
    assert {c.speaker for c in chunks if c.kind is Kind.DIALOGUE} == {"Kylo Ren"}


def test_sentence_initial_common_words_are_not_names():
    cast = discover(
        book_of(
            "Still, Hux waited. Instead of leaving, Hux sat down. Still the rain fell. "
            "Instead he slept, and Kylo watched Hux."
        )
    )
    assert "Still" not in cast.names and "Instead" not in cast.names
    assert "Hux" in cast.names


def test_genders_from_pronouns_and_titles():
    book = book_of(
        "Rey ran ahead and she did not look back. Rey was fast; she always was.",
        "Mrs. Long arrived. Kylo followed, and he was slow. Kylo sighed as he sat.",
        '"Wait," said Rey. "Why?" asked Kylo. "Tea?" said Mrs. Long.',
    )
    found = {c.name: c for c in characters(book, segment(book))}
    assert found["Rey"].gender == "female"
    assert found["Kylo"].gender == "male"
    assert found["Mrs. Long"].gender == "female"
    assert "Long" in found["Mrs. Long"].aliases


def test_mr_and_mrs_with_one_surname_are_two_characters():
    book = book_of(
        "Mr. Bennet read. Mrs. Bennet talked.",
        '"My dear," said Mrs. Bennet. "Yes," said Mr. Bennet.',
    )
    names = {c.name for c in characters(book, segment(book))}
    assert names == {"Mr. Bennet", "Mrs. Bennet"}


def test_character_names_are_exactly_the_chunk_speakers():
    root = Path(__file__).resolve().parent.parent
    for path in sorted((root / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        book = Book(
            path, "s", "s", text, (Chapter(1, "c"),), (Block(Kind.NARRATION, 1, 0, len(text)),)
        )
        chunks = segment(book)
        spoken = {c.speaker for c in chunks if c.speaker}
        listed = characters(book, chunks)
        assert {c.name for c in listed} == spoken
        assert sum(c.lines for c in listed) == sum(1 for c in chunks if c.speaker)


@pytest.mark.parametrize("reader", ["you", "narrator"])
def test_reader_and_narrator_are_listed_when_they_speak(reader):
    line = '"Hello," you say.' if reader == "you" else '"Hello," I said.'
    book = book_of("Kylo Ren waited, and Kylo was patient.", line)
    assert [c.name for c in characters(book, segment(book))] == [reader]


# Roles as names, relations, narrators, turns ----------------------------------------------------


def test_a_capitalised_role_that_speaks_is_a_character():
    got = speakers(
        "Alice sat down at the table. The Gryphon looked at her, and Alice looked at the Gryphon.",
        "'What fun!' said the Gryphon.",
        "'What is the fun?' said Alice.",
        "'Why, she,' said the Gryphon.",
    )
    assert got == ["the Gryphon", "Alice", "the Gryphon"]
    cast = discover(book_of("The Gryphon sat up.", "'Yes,' said the Gryphon. Gryphon is tall."))
    assert cast.names["Gryphon"] == cast.names["the Gryphon"] == "the Gryphon"


def test_a_place_after_the_is_no_role_character():
    cast = discover(
        book_of("They rowed up the Thames. The Thames was grey, and the Thames was cold.")
    )
    assert "the Thames" not in cast.people


def test_mrs_on_a_name_used_bare_is_his_wife_not_him():
    cast = discover(
        book_of(
            "Joe sat by the fire. Mrs. Joe came in, and Joe looked up at Mrs. Joe.",
            "Joe said nothing. Mrs. Joe frowned at Joe.",
        )
    )
    assert cast.names["Joe"] != cast.names["Mrs. Joe"]


def test_a_wife_the_text_never_names_is_mrs_of_her_husband():
    got = speakers(
        "Mr. Bennet sat in the library, and Mr. Bennet read.",
        '"My dear Mr. Bennet," said his lady to him one day, "have you heard?"',
        "Mr. Bennet replied that he had not.",
        '"But it is," returned she.',
    )
    assert got == ["Mrs. Bennet"] * 3


def test_her_mother_is_the_married_woman_not_the_daughter():
    got = speakers(
        "Mrs. Dashwood sat with Marianne. Marianne was sewing, and Mrs. Dashwood watched.",
        '"I like it," said Marianne.',
        '"So do I," said her mother.',
    )
    assert got == ["Marianne", "Mrs. Dashwood"]


def test_a_first_person_narrator_called_by_name_is_the_narrator():
    got = speakers(
        "I had called upon my friend Sherlock Holmes, and I found him by the fire. I sat down.",
        "“You come at a good time, Watson,” said Holmes.",
        "“I was afraid you were engaged.”",
        "“Not at all.”",
    )
    assert got == ["Sherlock Holmes", NARRATOR, "Sherlock Holmes"]


def test_said_he_in_a_new_paragraph_is_the_other_man():
    got = speakers(
        "Holmes and Mr. Wilson sat by the fire. Holmes smoked, and Mr. Wilson read the paper.",
        "“Can you find it, Mr. Wilson?” asked Holmes.",
        "“Yes, I have it now,” he answered.",
    )
    assert got == ["Holmes", "Mr. Wilson"]


def test_a_colon_ending_the_paragraph_before_introduces_the_speech():
    got = speakers(
        "Jim and Tom sat on the bank. Jim ate, and Tom watched the river.",
        '"Is it good, Jim?" asked Tom.',
        "Tom waited a while. By and by Jim says:",
        '"It is good."',
    )
    assert got == ["Tom", "Jim"]


def test_a_thought_in_quotes_is_the_thinkers():
    assert speakers(KYLO_AND_HUX, "'How odd,' thought Hux.") == ["Hux"]


def test_narration_about_someone_then_an_untagged_speech_is_theirs():
    got = speakers(
        "Aunt Polly looked for Tom. Tom hid in the closet.",
        '"Tom!" called Aunt Polly.',
        "She did not find him. She poked under the bed with the broom.",
        '"I never did see the beat of that boy!"',
    )
    assert got == ["Aunt Polly", "Aunt Polly"]


# Names that are not what they seem ----------------------------------------------------------------


def test_a_nickname_and_the_full_name_are_one_person():
    lines = speakers(
        'Elizabeth came in with her sister. "I am tired," said Lizzy.',
        '"Sit down," said Jane.',
        '"I will," said Elizabeth.',
    )
    assert lines == ["Elizabeth", "Jane", "Elizabeth"]


def test_mrs_and_miss_on_one_surname_are_two_people():
    cast = discover(
        book_of(
            'Mrs. Thorpe sat down by Miss Thorpe. "Well," said Mrs. Thorpe.',
            '"Yes, Mamma," said Miss Thorpe.',
        )
    )
    assert cast.names["Mrs. Thorpe"] != cast.names["Miss Thorpe"]


def test_a_capitalised_kinship_word_is_a_character():
    lines = speakers(
        "The children waited for Mother. At last Mother came in with a letter.",
        '"Children," she said, "there will be buns for tea."',
        '"Hurrah!" cried Peter.',
    )
    assert lines == ["Mother", "Mother", "Peter"]


def test_a_title_dot_inside_a_quote_is_not_a_vocative_pause():
    text = '"And Mr. Campbell, the minister, sent me," I said to Campbell.'
    book = book_of(text, "Campbell nodded.")
    quote = Quote(0, text.index(",", 20) + 1, 0, True)
    assert vocative(book.text, quote, discover(book)) is None
    called = '"Go home, Campbell," I said. Campbell nodded.'
    book = book_of(called, "Campbell went.")
    assert vocative(book.text, Quote(0, 19, 0, True), discover(book)) == "Campbell"


def test_an_endearment_before_a_name_still_calls_it():
    text = '"I saw the prettiest hat. But, my dearest\nCatherine, what have you been doing?"'
    book = book_of(text, "Catherine smiled, and Isabella waited.")
    quote = Quote(0, len(text), 0, True)
    assert vocative(book.text, quote, discover(book)) == "Catherine"
    told = '"I pity poor Catherine, who has no hat."'
    book = book_of(told, "Catherine smiled, and Isabella waited.")
    assert vocative(book.text, Quote(0, len(told), 0, True), discover(book)) is None


def test_an_unknown_answer_between_two_lines_of_one_speaker_is_the_partners():
    lines = speakers(
        "The two friends met one morning.",
        '"What made you so late?" said Isabella.',
        '"Was I late? I thought I was in good time."',
        '"Oh, ten ages at least. Have you read the book?"',
        '"Yes, all of it."',
        '"Then you know the secret," said Isabella.',
        '"I do not," said Catherine.',
    )
    assert lines[1] == "Catherine"


# First-person kin, strangers by role, a title spoken of ---------------------------------------


def test_my_mother_asked_is_the_mother_and_said_he_after_my_father_is_him():
    got = speakers(
        "My father was a grave and wise man, and I was often with him. I went to see him.",
        '"Robin," said he, "why would you leave?"',
        '"I have a mind to see the world," I answered.',
        "I went out. My mother was in the kitchen, and I stood by her.",
        '"What did he say to you?" my mother asked.',
    )
    assert got == ["my father", "my father", NARRATOR, "my mother"]


def test_two_strangers_told_apart_by_their_adjectives_keep_them():
    got = speakers(
        "A young man was drinking by the stove, and an old woman sat knitting in the corner.",
        '"He is out peddling his head," said the young man.',
        '"Hold your tongue," said the old woman.',
        '"I meant no harm," said the man.',
    )
    assert got == ["the young man", "the old woman", "the young man"]


def test_a_captain_named_only_in_speech_is_not_the_captain_in_the_room():
    got = speakers(
        "The captain came in out of the rain and sat by the fire.",
        '"Ship with Captain Bildad," said the captain.',
    )
    assert got == ["the captain"]


def test_a_role_calling_out_in_the_narration_says_the_untagged_line_after_it():
    got = speakers(
        "The landlord stood behind the bar.",
        '"A bed?" said the landlord.',
        "The door burst open. The captain was shouting for grog before he had shut it.",
        '"Grog! Grog, I say!"',
    )
    assert got == ["the landlord", "the captain"]


def test_his_after_a_subject_of_untold_gender_is_that_subject():
    got = speakers(
        "Mr. Micawber went downstairs.",
        "There was a knock, and Uriah Heep came in, writhing, with his long hands together.",
        '"I hope I don\'t intrude," said Uriah.',
        "Peggotty looked at him.",
        '"I beg your pardon, ma\'am," said he.',
    )
    assert got == ["Uriah Heep", "Uriah Heep"]


def test_a_capitalised_thing_after_the_is_no_speaker():
    # `the Red Book` in the narration and `The Red Book tells me` in a speech make no character;
    # the unnamed host and the narrator take the lines in turn
    got = speakers(
        "My host met me at the door. He was a tall old man.",
        '"You are welcome," he said.',
        "On the table lay the Red Book and the Court Guide, much thumbed.",
        '"You read the Red Book, I see," I said.',
        '"The Red Book tells me what your great men are worth."',
        '"And the Court Guide?"',
        '"The Court Guide tells me where they live."',
    )
    assert got == ["my host", NARRATOR, "my host", NARRATOR, "my host"]


def test_a_name_only_talked_about_in_speeches_never_speaks():
    # Mrs. Tibbets is only quoted by the child: her lines alternate with the old man's
    got = speakers(
        "Abel Thorne drove the cart, and the child sat beside him.",
        '"Mrs. Tibbets said my tongue must be hung in the middle."',
        '"Did she now," said Abel.',
        '"Yes. Mrs. Tibbets said I talk too much."',
        '"I am sure I do not know," he said.',
        '"Mrs. Tibbets said so too," said the child.',
    )
    assert "Mrs. Tibbets" not in got
    assert got == ["the child", "Abel Thorne", "the child", "Abel Thorne", "the child"]


def test_a_capitalised_role_is_the_whole_phrase_up_to_its_noun():
    got = speakers(
        '"You are late," said the Very Young Man.',
        '"The trains are late," said Edith.',
        '"Then we shall miss the boat," said the Very Young Man.',
    )
    assert got == ["the Very Young Man", "Edith", "the Very Young Man"]


def test_a_run_ending_in_a_place_word_is_no_character():
    book = book_of(
        "Edith walked to Quayside Pier. Quayside Pier was crowded, and Quayside Pier smelt of fish.",
        '"Here at last," said Edith, and Quayside Pier said nothing.',
    )
    assert not any("Pier" in name for name in discover(book).people)


def test_someone_who_answers_by_gesture_does_not_take_the_next_untagged_line():
    got = speakers(
        '"Is the doctor coming?" asked Hannah.',
        '"Not tonight," said Tom.',
        '"Yes, Jacob, put it on the table," said Tom.',
        "Jacob set it down without a word.",
        '"He understands more than he lets on."',
        '"He always did."',
    )
    assert got == ["Hannah", "Tom", "Tom", "Hannah", "Tom"]


# Novels as PDNC prints them (rules found on its DEV novels) ------------------------------------


def test_a_speech_verb_with_no_comma_before_the_quote_is_a_tag():
    got = speakers(
        "Gregory and Syme sat at the table.",
        'Syme looked up, and Gregory glared at him, and then said abruptly "You must have '
        'bewitched me."',
    )
    assert got == ["Gregory"]


def test_a_name_after_a_description_is_a_named_tag():
    got = speakers(
        "Gregory and Syme sat at the table.",
        '"Thank you!" said the motionless Syme. "You are very good."',
    )
    assert got == ["Syme", "Syme"]


def test_a_paragraph_ending_in_a_comma_introduces_the_speech_after_it():
    got = speakers(
        "Emma smiled and chatted as well as she could, but when tea came, it was impossible for "
        "Mr. Woodhouse not to say exactly as he had said at dinner,",
        '"Poor Miss Taylor! I wish she were here again."',
    )
    assert got == ["Mr. Woodhouse"]


def test_poor_before_a_name_pities_someone_absent_and_does_not_address_them():
    text = '"Poor Miss Taylor! I wish she were here again."'
    book = book_of("Miss Taylor married. Emma sat with her father.", text)
    start = book.text.index(text)
    quote = Quote(start, start + len(text), 1, True)
    assert vocative(book.text, quote, discover(book)) is None


def test_a_place_after_prepositions_is_no_character():
    book = book_of(
        "Emma lived in Highbury. Everyone in Highbury knew her, and the people of Highbury "
        "talked of little else. Emma said that Highbury was dull. Emma laughed.",
    )
    assert set(discover(book).people) == {"Emma"}


def test_a_surname_shared_by_a_man_and_his_sister_is_the_man():
    book = book_of(
        "Syme met Lucian Gregory in the garden. There Lucian Gregory said he was tired, and his "
        "sister Rosamond Gregory said she was not. Miss Gregory went in.",
        '"Nonsense!" said Gregory. He sat down.',
    )
    assert speakers(*book.text.split("\n\n")) == ["Lucian Gregory"]


def test_a_character_is_named_as_the_text_mostly_calls_them():
    book = book_of(
        "Elizabeth Bennet was the second daughter. Elizabeth laughed. Elizabeth walked out, and "
        "Elizabeth came back, and then Elizabeth sat. Aunt Juley came in. Aunt Juley sat down, "
        "and Aunt Juley sighed. Juley was tired.",
    )
    names = {p.name: p.aliases for p in discover(book).people.values()}
    assert "Elizabeth Bennet" in names["Elizabeth"]
    assert "Juley" in names["Aunt Juley"]


def test_a_talk_that_opens_untagged_takes_its_turns_from_the_tags_after():
    got = speakers(
        "The rain had kept them in all day. Mrs. Jennings was asleep upstairs, and the fire "
        "burned low in the grate. Mr. Palmer had gone out. Elinor and Marianne sat by it.",
        '"Is he coming tonight, do you think?"',
        '"I think not. The roads are bad."',
        '"Then I shall write to him," said Marianne.',
        '"Do," said Elinor.',
    )
    assert got == ["Marianne", "Elinor", "Marianne", "Elinor"]


def test_a_talk_where_one_side_calls_the_other_by_name_takes_turns_from_the_call():
    got = speakers(
        "Elinor and Marianne sat by the fire. Mr. Palmer came in and took up his newspaper.",
        '"Is he coming tonight?"',
        '"I think not, Marianne. The roads are bad."',
        '"Then I shall write to him."',
        '"Do," said Elinor.',
    )
    assert got == ["Marianne", "Elinor", "Marianne", "Elinor"]


def test_someone_the_talk_is_about_is_not_taken_for_a_speaker():
    got = speakers(
        "Harriet sat with Emma in the parlour.",
        '"Mr. Martin sent us a goose," said Harriet.',
        '"Does Mr. Martin read?" said Emma.',
        "Mr. Martin, it seemed, read a great deal.",
        '"Oh yes! He reads the Agricultural Reports, and Mr. Martin reads aloud to us."',
        '"How old is Mr. Martin?"',
        '"Four-and-twenty."',
    )
    assert got == ["Harriet", "Emma", "Harriet", "Emma", "Harriet"]


def test_a_title_that_tells_no_gender_does_not_keep_a_surname_from_the_man():
    book = book_of(
        "Syme met Lucian Gregory in the garden. There Lucian Gregory said he was tired, and his "
        "sister Rosamond Gregory said she was not. At the meeting Comrade Gregory rose, and "
        "Comrade Gregory spoke, and the room cheered Comrade Gregory.",
        '"Nonsense!" said Gregory. He sat down.',
    )
    assert speakers(*book.text.split("\n\n")) == ["Lucian Gregory"]


def test_a_name_before_an_aside_and_its_verb_is_a_subject_not_a_call():
    text = '"Mr. Brand, I suppose, is not a man who reads much?"'
    book = book_of("Lucy sat with Mr. Brand's sister. Mr. Brand was away.", text)
    start = book.text.index(text)
    quote = Quote(start, start + len(text), 1, True)
    assert vocative(book.text, quote, discover(book)) is None


def test_a_name_in_a_list_of_names_is_not_a_call():
    text = '"She asked the maids, Miss Hale, and Miss Dunn to supper."'
    book = book_of("Miss Hale came. Miss Dunn came too. Lucy laughed.", text)
    start = book.text.index(text)
    quote = Quote(start, start + len(text), 1, True)
    assert vocative(book.text, quote, discover(book)) is None
    called = '"Come in, Miss Hale, and sit down."'
    book = book_of("Miss Hale came. Miss Dunn came too. Lucy laughed.", called)
    start = book.text.index(called)
    quote = Quote(start, start + len(called), 1, True)
    assert vocative(book.text, quote, discover(book)) == "Miss Hale"


def test_a_name_broken_across_a_printed_line_still_tags_its_speaker():
    # one block of printed lines, wrapped as a plain-text book wraps them
    text = (
        "Lucy sat by the fire with Mr. Brand and Mrs. Brand, and the wind\n"
        "blew round the house.\n\n"
        '"It is cold," said Mrs. Brand, and she drew her shawl about her.\n\n'
        'Lucy smiled. "It is impossible that Lucy should not feel it," said Mr.\n'
        "Brand.\n"
    )
    book = Book(
        Path("t.txt"),
        "t",
        "t",
        text,
        (Chapter(1, "One"),),
        (Block(Kind.NARRATION, 1, 0, len(text)),),
    )
    lines = [c.speaker for c in segment(book) if c.kind is Kind.DIALOGUE]
    assert lines == ["Mrs. Brand", "Mr. Brand"]


def test_the_one_the_narration_shows_spoken_to_answers_next():
    # no name is called: `she told him` says whom Fanny talks to, and he answers her
    lines = speakers(
        "Lady Bertram sat on the sofa. Edmund and Fanny came in.",
        '"Go and fetch my work," said Lady Bertram.',
        "Fanny fetched it. As soon as she met with Edmund she told him her distress.",
        '"Cousin," said she, "I am to live with my aunt."',
        '"Indeed!"',
        '"Yes, it is quite settled."',
    )
    assert lines == ["Lady Bertram", "Fanny", "Fanny", "Edmund", "Fanny"]


def test_a_speaker_turning_to_someone_is_answered_by_them():
    lines = speakers(
        "Marilla and Matthew stood in the kitchen with Anne. Matthew looked at the floor.",
        '"You may go," said Marilla.',
        '"Why did you not tell me?" Anne said, turning to Matthew.',
        '"I did not know how."',
    )
    assert lines == ["Marilla", "Anne", "Matthew"]


def test_a_title_after_the_is_talked_of_not_called():
    setting = (
        "Brett met Count Mippipopolous. The count sat down. Count Mippipopolous drank. "
        "The count smiled at Brett."
    )
    for text, called in (
        ('"Don\'t make me drunk. The count? Oh, rather."', None),
        ('"Don\'t make me drunk, Count."', "Count Mippipopolous"),
    ):
        book = book_of(setting, text)
        start = book.text.index(text)
        quote = Quote(start, start + len(text), 1, True)
        assert vocative(book.text, quote, discover(book)) == called


def test_a_thing_that_is_owned_is_no_character():
    # `her Baedeker`, `your Baedeker`, `no Baedeker`: a guidebook, however often named bare
    book = book_of(
        "Lucy opened her Baedeker. Miss Lavish took away Baedeker. Lucy had no Baedeker now.",
        'Lucy missed Baedeker. Miss Lavish said, "Give me your Baedeker." Miss Lavish laughed '
        "and put Baedeker in her bag. Lucy sighed; a Baedeker was a friend.",
    )
    assert "Baedeker" not in discover(book).people


def test_a_role_is_not_someone_its_speaker_called_lines_ago():
    # Bumble called Oliver, then spoke to the magistrate: the old gentleman who answers is not
    # Oliver
    lines = speakers(
        "Mr. Bumble led Oliver into the room. Oliver trembled. An old gentleman sat at the desk.",
        '"Now, Oliver, bow to the gentlemen," said Mr. Bumble.',
        '"This is the boy, your worship," said Mr. Bumble.',
        '"Oh, is this the boy?" said the old gentleman.',
    )
    assert lines[-1] == "the old gentleman"


def test_a_role_known_by_what_it_wears_is_its_own_speaker():
    # two gentlemen on one board: the one in the white waistcoat is told apart by it, while
    # `in a low voice` says how the woman speaks, not who she is
    lines = speakers(
        "Oliver stood before the board. Mr. Bumble held his hat.",
        '"What is your name?" said the gentleman in the high chair.',
        '"Oliver, sir," said Oliver.',
        '"The boy is a fool," said the gentleman in the white waistcoat.',
        '"Hush!" said the gentleman in the high chair.',
        '"It is cold," said the woman in a low voice.',
    )
    assert lines == [
        "the gentleman in the high chair",
        "Oliver",
        "the gentleman in the white waistcoat",
        "the gentleman in the high chair",
        "the woman",
    ]


def test_a_surname_ending_in_s_is_no_family_plural_when_used_bare():
    # `Braddocks said` is a man; one misprinted `Mrs. Braddock` does not make him `the Braddocks`
    lines = speakers(
        "Braddocks sat at a big table with Mrs. Braddocks. Braddocks waved to me.",
        '"You are coming to the dance?" Braddocks asked.',
        '"Do come," Mrs. Braddock put in.',
        '"Of course he is coming," Braddocks said.',
    )
    assert lines == ["Braddocks", "Mrs. Braddock", "Braddocks"]


def test_the_tail_of_a_place_name_is_no_character():
    # `York` only ever comes after `New`, which is no name: a city, not a man
    book = book_of(
        "Cohn had been rich in New York. Women were nice to him in New York, and when he came "
        "back from New York he was changed. Prentiss was from New York by way of Chicago.",
        '"Hello," Cohn said. "Do you like it?" Prentiss asked.',
    )
    people = discover(book).people
    assert "York" not in people and "New York" not in people
    assert "Cohn" in people


def test_a_paragraph_beat_is_its_last_subject_the_one_nearest_the_speech():
    lines = speakers(
        "Marilla and Anne were in the kitchen. Matthew was out in the fields.",
        '"Wash the dishes," said Marilla.',
        '"Yes, Marilla," said Anne.',
        "Marilla went out to the porch, and Anne sat down by the window and looked at the sky.",
        '"What a lovely evening it is!"',
    )
    assert lines[-1] == "Anne"


def test_a_name_far_commoner_than_the_longer_names_holding_it_is_a_person_of_its_own():
    # `Foolish Piglet` and `Henry Pootel Piglet` once each do not make `Piglet` a shared surname
    said = " ".join(f"Piglet said {n}. Piglet ran." for n in range(12))
    book = book_of(
        said,
        "Pooh called him Foolish Piglet; his grandfather called him Henry Pootel Piglet.",
        '"Hallo," said Piglet.',
    )
    assert "Piglet" in discover(book).people
    assert speakers(said, '"Hallo," said Piglet.')[-1] == "Piglet"


def test_a_titled_surname_is_its_own_person_when_the_full_name_holding_it_splits():
    # `Knightley` is inside `John Knightley`, but Mr. and Mrs. John Knightley are two people, so
    # that name goes; Mr. Knightley, who is never called John, must not go with it
    lines = speakers(
        "Mr. Knightley came in. Mr. John Knightley and Mrs. John Knightley were in London.",
        '"It is a fine day," said Mr. Knightley.',
        '"So it is," said Emma.',
    )
    assert lines == ["Mr. Knightley", "Emma"]


def test_a_name_is_its_last_word_when_the_first_is_never_used_alone_and_the_last_often():
    said = " ".join(f"Tibby said {n}." for n in range(10))
    book = book_of(said, '"All right, Auntie Tibby," called Helen.')
    assert "Tibby" in discover(book).people


def test_the_titled_plural_of_a_name_is_a_family_not_a_character():
    book = book_of(
        "Julia Bertram and Maria Bertram walked out, and Bertram smiled. The Miss Bertrams "
        "were admired, and the Mr. Bertrams were fine young men.",
        '"Come," said Julia.',
    )
    assert not {"Miss Bertrams", "Mr. Bertrams"} & set(discover(book).names)


def test_straight_after_a_speech_the_one_before_answers_not_someone_talked_of_between():
    lines = speakers(
        "Mr. Bennet and Mrs. Bennet sat with Lydia. Captain Carter was in town.",
        '"You are two of the silliest girls in the country," said Mr. Bennet.',
        "Catherine made no answer; but Lydia went on to praise Captain Carter, and her hope of"
        " seeing him, as he was going the next morning to London.",
        '"I am astonished, my dear, that you think them silly," said Mrs. Bennet.',
        '"If my children are silly I must hope to be sensible of it."',
    )
    assert lines[-1] == "Mr. Bennet"


def test_a_name_called_once_beside_the_narrators_is_someone_absent_not_the_narrator():
    # Watson, called again and again, is the narrator; Mrs. Hudson, called once and never named
    # in the narration, is not: her own line stays hers
    got = speakers(
        "I had called upon my friend Sherlock Holmes, and I found him by the fire. I sat down.",
        "“You come at a good time, Watson,” said Holmes.",
        "“I was afraid you were engaged.”",
        "“Not at all, Watson. Ring for tea, Watson.”",
        "I rang, and the door opened at once.",
        "“Tea, Mrs. Hudson, if you please,” said Holmes.",
        "“Yes, sir.”",
    )
    assert got[-1] == "Mrs. Hudson"


def test_a_womans_given_name_says_her_gender_when_the_narration_does_not():
    # nothing in the narration says what Frances is; her name does, so `she` can mean her
    lines = speakers(
        "Brett was at the bar with Cohn, and she waved to him. Later Frances Clyne and "
        "Frances's mother came across the street to meet Cohn and Brett.",
        '"Hello," said Frances.',
        '"I\'ve been wanting to talk to you, Robert," she said.',
    )
    assert lines == ["Frances Clyne", "Frances Clyne"]


def test_less_common_saying_verbs_tag_a_speech():
    lines = speakers(
        "Marilla and Anne sat by the fire.",
        '"You\'re old enough to pray for yourself, Anne," said Marilla.',
        '"Must I?" asked Anne.',
        '"Well, I\'ll do my best," promised Anne.',
        '"Go on, then," said Marilla.',
        '"It is late," resumed Marilla.',
    )
    assert lines == ["Marilla", "Anne", "Anne", "Marilla", "Marilla"]
