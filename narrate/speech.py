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
    text = READER.sub(reader_name or "you", text)
    text = ELLIPSIS.sub(", ", text)
    text = DASHES.sub(", ", text)
    text = SLASH_EMPHASIS.sub(r"\1", text)
    text = SHOUT.sub(unshout, text)
    text = TIME.sub(say_time, text)
    text = ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(1)], text)
    for written, spoken in pronunciations:
        text = lexicon_pattern(written).sub(spoken, text)
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


def number_words(n: int) -> str:
    """0-99 in words: all that clock times need."""
    if n < 20:
        return ONES[n]
    tens, ones = divmod(n, 10)
    return TENS[tens] + (f"-{ONES[ones]}" if ones else "")


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
