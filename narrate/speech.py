"""From the characters on the page to the words to say.

The raw chunk text (and its offsets) never changes; this makes a separate string for the engine, speaking
what the author meant: `y/n` as the reader's name, `/did/` and `MAXIMUM` as plain words, `. . .` as a pause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# Quote marks are structure, not speech; espeak would otherwise pause oddly or name them.
QUOTES = '"“”„‟«»‹›'
SINGLE_QUOTES = "‘’'`"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufeff]")

READER = re.compile(r"[(\[]?\b[yY]\s?/\s?[nN]\b[)\]]?")
ELLIPSIS = re.compile(r"\s*(?:(?:\.\s){2,}\.|\.{3,}|…)\s*")
DASHES = re.compile(r"\s*(?:[—–]+|--+)\s*")
# /word/ or /a few words/: internet emphasis. Not and/or, not paths, not y/n (handled first).
SLASH_EMPHASIS = re.compile(r"(?<![\w/])/([^\s/][^/\n]{0,80}?[^\s/]|\w)/(?![\w/])")
SHOUT = re.compile(r"\b[A-Z][A-Z']{3,}\b")
TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")
ORDINAL = re.compile(r"\b(\d{1,9})(st|nd|rd|th)\b", re.IGNORECASE)
# Years read in pairs ("nineteen ninety-nine"); other whole numbers in full, commas allowed.
DECIMAL = re.compile(r"(?<![\d.])(\d{1,9})\.(\d+)(?![\d.])")
YEAR = re.compile(r"\b(1[1-9]\d\d|20\d\d)\b(?!,\d)")
NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d{1,9})(?![\d,]*\d)")
# Longer than any dictionary word: a keyboard smash, a base64 blob, a 20,000-letter "word". An engine
# would spell it out for minutes; it is skipped instead.
NOT_A_WORD = re.compile(r"\S{46,}")
SPACES = re.compile(r"\s+")
SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?])")
REPEATED_COMMAS = re.compile(r",(?:\s*,)+")

ABBREVIATIONS = {
    "Mr.": "Mister",
    "Mrs.": "Missus",
    "Ms.": "Miz",
    "Dr.": "Doctor",
    "St.": "Saint",
    "Prof.": "Professor",
    "Capt.": "Captain",
    "Lt.": "Lieutenant",
    "Gen.": "General",
    "Sgt.": "Sergeant",
    "vs.": "versus",
    "etc.": "et cetera",
}
ABBREVIATION = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, ABBREVIATIONS)) + r")(?!\w)")

ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]  # noqa: E501
TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def to_speech(
    text: str, reader_name: str | None = None, pronunciations: Iterable[tuple[str, str]] = ()
) -> str:
    """The words an engine should say for `text`; empty when there is nothing to say."""
    text = CONTROL.sub(" ", text)
    text = NOT_A_WORD.sub(" ", text)
    text = READER.sub(reader_name or "you", text)
    text = ELLIPSIS.sub(", ", text)
    text = DASHES.sub(", ", text)
    text = SLASH_EMPHASIS.sub(r"\1", text)
    text = SHOUT.sub(unshout, text)
    text = TIME.sub(say_time, text)
    text = ORDINAL.sub(lambda m: ordinal_words(int(m.group(1))), text)
    text = DECIMAL.sub(say_decimal, text)
    text = YEAR.sub(lambda m: year_words(int(m.group(1))), text)
    text = NUMBER.sub(lambda m: number_words(int(m.group(1).replace(",", ""))), text)
    text = ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(1)], text)
    for written, spoken in pronunciations:
        text = lexicon_pattern(written).sub(
            lambda _, said=spoken: said, text
        )  # literal, not a template
    text = text.translate({ord(q): " " for q in QUOTES})
    text = strip_single_quotes(text)
    text = SPACES.sub(" ", text)
    text = SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    text = REPEATED_COMMAS.sub(",", text).strip(" ,")
    return text if any(ch.isalnum() for ch in text) else ""


def unshout(match: re.Match) -> str:
    """MAXIMUM -> maximum: engines spell some all-caps words letter by letter. Short ones (FBI, OK) stay."""
    return match.group(0).lower()


def say_time(match: re.Match) -> str:
    """20:00 -> twenty hundred, 7:05 -> seven oh five, 9:30 -> nine thirty."""
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes == 0:
        return f"{number_words(hours)} hundred" if hours >= 13 else f"{number_words(hours)} o'clock"
    if minutes < 10:
        return f"{number_words(hours)} oh {number_words(minutes)}"
    return f"{number_words(hours)} {number_words(minutes)}"


SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))
ORDINAL_ENDINGS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def number_words(n: int) -> str:
    """A whole number in words: 2024 -> two thousand twenty-four."""
    if n < 20:
        return ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens] + (f"-{ONES[ones]}" if ones else "")
    for size, name in SCALES:
        if n >= size:
            high, rest = divmod(n, size)
            return f"{number_words(high)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError(n)  # unreachable: every n >= 100 has a scale


def ordinal_words(n: int) -> str:
    """21 -> twenty-first, 12 -> twelfth, 100 -> one hundredth."""
    words = number_words(n)
    head, _, last = words.rpartition(" ")
    stem, dash, unit = last.rpartition("-")
    if unit in ORDINAL_ENDINGS:
        unit = ORDINAL_ENDINGS[unit]
    elif unit.endswith("y"):
        unit = unit[:-1] + "ieth"
    else:
        unit += "th"
    last = stem + dash + unit
    return f"{head} {last}" if head else last


def say_decimal(match: re.Match) -> str:
    """3.14 -> three point one four."""
    digits = " ".join(ONES[int(d)] for d in match.group(2))
    return f"{number_words(int(match.group(1)))} point {digits}"


def year_words(n: int) -> str:
    """1999 -> nineteen ninety-nine, 1905 -> nineteen oh five, 2000 -> two thousand, 2024 -> twenty twenty-four."""
    high, low = divmod(n, 100)
    if low == 0:
        return number_words(n) if high % 10 == 0 else f"{number_words(high)} hundred"
    if 2000 <= n < 2010:
        return number_words(n)
    return f"{number_words(high)} {'oh ' if low < 10 else ''}{number_words(low)}"


@lru_cache(maxsize=512)
def lexicon_pattern(written: str) -> re.Pattern:
    """Whole-word match; a lower-case entry matches any case, a capitalised one only itself."""
    flags = 0 if any(ch.isupper() for ch in written) else re.IGNORECASE
    return re.compile(r"(?<!\w)" + re.escape(written) + r"(?!\w)", flags)


def strip_single_quotes(text: str) -> str:
    """Drop single quotes used as quotation marks, keep apostrophes (didn’t, ’em, the Joneses’)."""
    out = []
    for i, ch in enumerate(text):
        if ch in SINGLE_QUOTES:
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            # An apostrophe touches a letter on at least one side and is not an opening mark before a
            # word at the start of a quotation (‘Stay’).
            if before.isalnum() or (after.isalnum() and ch != "‘"):
                out.append("'")
                continue
            out.append(" ")
            continue
        out.append(ch)
    return "".join(out)
