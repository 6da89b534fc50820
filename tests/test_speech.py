import pytest

from narrate.speech import to_speech


@pytest.mark.parametrize(
    "raw, spoken",
    [
        # the seeds' own spellings
        ('"No more fear, y/n."', "No more fear, Alex."),
        ("It was strange . . . Although", "It was strange, Although"),
        (
            "Most of the people you treated are . . . Sad to say, regulars.",
            "Most of the people you treated are, Sad to say, regulars.",
        ),
        (
            "he wouldn’t get mad anymore—he’d simply help you up",
            "he wouldn't get mad anymore, he'd simply help you up",
        ),
        (
            "You're an escape MASTER really- there are no tricks",
            "You're an escape master really- there are no tricks",
        ),
        (
            "Rey quickly calls hers–– his , for it would",
            "Rey quickly calls hers, his, for it would",
        ),
        ("I /did/ tell you", "I did tell you"),
        ("“Take off that helmet,”", "Take off that helmet"),
        ("Wait…", "Wait"),
        # apostrophes stay, single quotation marks go
        (
            "‘I didn’t,’ she said. ’Em and the Joneses’ dog.",
            "I didn't, she said. 'Em and the Joneses' dog.",
        ),
        # times, abbreviations, short capitals
        ("at 20:00 sharp", "at twenty hundred sharp"),
        ("by 7:05 or 9:30", "by seven oh five or nine thirty"),
        ("Mr. Darcy and Dr. Who on St. Mary's", "Mister Darcy and Doctor Who on Saint Mary's"),
        ("The FBI said OK", "The FBI said OK"),
        # numbers, ordinals, years
        ("3 ships and 12,500 troopers", "three ships and twelve thousand five hundred troopers"),
        ("the 1st, 2nd, 3rd, 12th and 21st", "the first, second, third, twelfth and twenty-first"),
        ("the 100th day", "the one hundredth day"),
        (
            "in 1999 and 2024, not 1905 or 2005",
            "in nineteen ninety-nine and twenty twenty-four, not nineteen oh five or two thousand five",
        ),
        ("version 3.5 at 0.25", "version three point five at zero point two five"),
        # and/or is not emphasis
        ("and/or", "and/or"),
        # nothing to say
        ("* * *", ""),
        ("“ ”", ""),
    ],
)
def test_spoken_form(raw, spoken):
    assert to_speech(raw, reader_name="Alex") == spoken


def test_reader_name_fallback_is_you():
    assert to_speech("Hello, Y/N.") == "Hello, you."
    assert to_speech("(y/n) walked in") == "you walked in"


def test_lexicon_whole_words_case_aware():
    lexicon = [("Kylo", "Kai-low"), ("hux", "Hucks")]
    assert (
        to_speech("Kylo and Kylos and kylo", pronunciations=lexicon) == "Kai-low and Kylos and kylo"
    )
    assert to_speech("HUX, Hux's hux", pronunciations=lexicon) == "Hucks, Hucks's Hucks"


def test_markup_is_text_not_instructions():
    spoken = to_speech("<speak>5 < 6 & 7 > 2</speak>")
    assert "<speak>" in spoken and "&" in spoken


def test_control_characters_removed():
    assert to_speech("a\x00b\x07c") == "a b c"


def test_runs_too_long_to_be_words_are_skipped():
    assert to_speech("A" * 20_000 + ". Then a sentence.") == "Then a sentence."
    longest = "pneumonoultramicroscopicsilicovolcanoconiosis"  # 45 letters: still a word
    assert to_speech(longest) == longest
