"""Speaker accuracy on the Project Dialogism Novel Corpus (PDNC): public-domain novels whose every
quotation a person has labelled with its speaker.

    git clone https://github.com/Priya22/project-dialogism-novel-corpus pdnc
    python bench/eval_pdnc.py pdnc [--split dev|dev2|val|test|all] [--only Emma,...]
                                   [--examples N] [--unseen-after SHORTER_EXCERPTS]

PDNC is not in this repository (it is not ours to ship); point the script at a copy. A folder of
excerpts in the same layout works too: data/<Novel>/novel_text.txt, quotation_info.csv (columns
quoteID, quoteText, subQuotationList, quoteByteSpans, speaker; others ignored) and
character_info.csv (Main Name, Aliases). A quotation's spans must lie inside novel_text.txt.

The novels are split four ways. DEV novels may be read and tuned on: --examples shows their wrong
attributions. DEV2 novels too; they were added in the fifth session and scored once before anyone
read them. VAL novels may be scored as often as a change needs checking, never read: a rule that
helps DEV but not VAL is fitted to DEV. TEST novels are scored once a session, never read, so that
their figure stays an honest estimate (`--split all` leaves them out). The script prints examples
only from DEV and DEV2. With --unseen-after, only the quotations past the end of another (shorter)
set of excerpts are judged: longer excerpts of the DEV novels then measure the part of them no rule
was tuned on.

Scoring (micro-averaged over quotations, like eval_speakers.py): a quotation is right when every
dialogue chunk overlapping its spans carries one speaker whose name is one of the gold character's
names (Main Name or Aliases, case-insensitive; a full name also without its title; a prediction
also without a leading `the`, or as a capitalised run of words found in that character's names and
no other's, since PDNC's alias lists miss short forms such as `Rodney`). "narrator" (the
segment contract's first-person narrator) matches PDNC's `_narr` and the character listed with the
alias `Narr` or `_narr`. Quotations labelled `_group` or `_unknowable` are counted but not judged.
`loose` also credits a predicted character whose aliases, as characters() reports them, include a
gold name. This is a measurement: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from eval_speakers import MISSED, MIXED, pct, predicted_speaker, solid  # noqa: E402

from narrate.ingest import read_book  # noqa: E402
from narrate.model import Kind  # noqa: E402
from narrate.segment import segment  # noqa: E402
from narrate.segment.attribute import characters  # noqa: E402

DEV = [
    "AlicesAdventuresInWonderland",
    "AnneOfGreenGables",
    "Emma",
    "HowardsEnd",
    "MansfieldPark",
    "NightAndDay",
    "PrideAndPrejudice",
    "TheManWhoWasThursday",
    "TheSignOfTheFour",
    "WinnieThePooh",
]
DEV2 = ["ARoomWithAView", "NorthangerAbbey", "OliverTwist", "TheSunAlsoRises"]
VAL = [
    "AHandfulOfDust",
    "APassageToIndia",
    "SenseAndSensibility",
    "ThePictureOfDorianGray",
]
TEST = [
    "DaisyMiller",
    "HardTimes",
    "Persuasion",
    "TheAgeOfInnocence",
    "TheAwakening",
    "TheGambler",
    "TheInvisibleMan",
    "TheMysteriousAffairAtStyles",
    "TheSportOfTheGods",
    "WhereAngelsFearToTread",
]
UNJUDGED = {"_group", "_unknowable"}
_TITLE = re.compile(r"^(?:mr|mrs|miss|ms|dr|sir|lady|lord|captain|colonel|comrade)\.?\s+")


def gold_names(folder: Path) -> dict[str, set[str]]:
    """Each character's main name -> every name PDNC lists for it, lower-cased."""
    names = {"_narr": {"narrator", "_narr"}}
    with (folder / "character_info.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            aliases = ast.literal_eval(row["Aliases"]) if row["Aliases"].strip() else []
            main = row["Main Name"]
            # `Christopher Robin - Story`: PDNC tells apart two roles of one name; the text says
            # only `Christopher Robin`
            names[main] = {
                main.lower(),
                main.split(" - ")[0].lower(),
                *(a.lower() for a in aliases),
            }
            if {"narr", "_narr"} & names[main]:  # PDNC's mark of the first-person narrator
                names[main].add("narrator")
            # `Lucian Gregory` is `Mr. Lucian Gregory`: a full name with or without its title
            names[main] |= {
                untitled
                for name in names[main]
                if len((untitled := _TITLE.sub("", name)).split()) >= 2
            }
    return names


def _named(names: dict[str, set[str]], speaker: str) -> set[str]:
    """The names of the character a speaker label is an alias of (Dorian Gray's main name is
    `Prince Charming`, but his lines say `Dorian Gray`)."""
    owners = [aliases for aliases in names.values() if speaker.lower() in aliases]
    return owners[0] if len(owners) == 1 else {speaker.lower()}


def names_match(pred: str, gold: set[str], names: dict[str, set[str]]) -> bool:
    """Whether a predicted speaker names the gold character: one of its names, also without a
    leading `the` (`the March Hare`), or a capitalised run of words in one of its names and in no
    other character's (`Rodney`: PDNC lists `William Rodney`, `Mr. Rodney` and `William`, while
    the text mostly says `Rodney`)."""
    name = pred.lower().removeprefix("the ")
    if pred.lower() in gold or name in gold:
        return True
    if not pred.removeprefix("the ")[:1].isupper():
        return False  # `the man` is no name, whatever alias holds the word
    owners = [aliases for aliases in names.values() if any(_run_of(name, a) for a in aliases)]
    return len(owners) == 1 and owners[0] == gold


def _run_of(name: str, alias: str) -> bool:
    """Whether `name`'s words come in a row in `alias`."""
    words, within = name.split(), alias.split()
    return any(within[i : i + len(words)] == words for i in range(len(within) - len(words) + 1))


def quotations(folder: Path) -> list[tuple[list[tuple[int, int]], str]]:
    with (folder / "quotation_info.csv").open(encoding="utf-8", newline="") as f:
        return [(ast.literal_eval(r["quoteByteSpans"]), r["speaker"]) for r in csv.DictReader(f)]


def evaluate(folder: Path, after: int = 0) -> tuple[Counter, list[tuple[str, str, str]]]:
    """Score one novel's quotations (those starting at or after character `after`)."""
    source = folder / "novel_text.txt"
    book = read_book(source)
    text = book.text
    chunks = segment(book)
    cast = {
        c.name: {c.name.lower(), *(a.lower() for a in c.aliases)} for c in characters(book, chunks)
    }
    dialogue = [c for c in chunks if c.kind is Kind.DIALOGUE]
    names = gold_names(folder)
    score: Counter = Counter()
    errors = []
    for spans, speaker in quotations(folder):
        if spans[0][0] < after:
            continue
        want = set().union(*(solid(text, s, e) for s, e in spans))
        parts = [c for c in dialogue if want & solid(text, c.start, c.end)]
        got = set().union(*(want & solid(text, c.start, c.end) for c in parts)) if parts else set()
        score["quotes"] += 1
        score["chars"] += len(want)
        score["covered"] += len(got)
        pred = predicted_speaker(parts)
        score["missed"] += pred == MISSED
        score["null"] += pred is None
        if speaker in UNJUDGED:
            score["unjudged"] += 1
            continue
        score["judged"] += 1
        gold = names.get(speaker) or _named(names, speaker)
        strict = pred not in (None, MISSED, MIXED) and names_match(pred, gold, names)
        loose = strict or (pred not in (None, MISSED, MIXED) and bool(cast.get(pred, set()) & gold))
        score["right"] += strict
        score["loose"] += loose
        if not strict:
            s, e = spans[0]
            errors.append((speaker, str(pred), " ".join(text[s:e].split()[:9])))
    return score, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a PDNC checkout (or excerpts in its layout)")
    parser.add_argument("--split", choices=("dev", "dev2", "val", "test", "all"), default="dev")
    parser.add_argument("--only", help="these novels only (folder names, comma-separated)")
    parser.add_argument(
        "--examples", type=int, default=0, help="wrong attributions shown per DEV or DEV2 novel"
    )
    parser.add_argument(
        "--unseen-after",
        type=Path,
        metavar="CORPUS",
        help="judge only the quotations past the end of each novel's text in this other corpus "
        "(longer excerpts of the DEV novels: the part never tuned on)",
    )
    args = parser.parse_args()

    wanted = {"dev": DEV, "dev2": DEV2, "val": VAL, "test": TEST}.get(args.split)
    wanted = wanted or DEV + DEV2 + VAL  # TEST only when asked for by name
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
    novels = [n for n in wanted if (args.corpus / "data" / n / "quotation_info.csv").exists()]
    if not novels:
        parser.error(f"none of these novels is in {args.corpus / 'data'}: {', '.join(wanted)}")

    print(f"{'novel':30}{'quotes':>7}{'recall':>8}{'acc':>7}{'loose':>7}{'null':>7}{'unjudged':>9}")
    total: Counter = Counter()
    shown = []
    for novel in novels:
        after = 0
        if args.unseen_after:
            seen = args.unseen_after / "data" / novel / "novel_text.txt"
            after = len(seen.read_text(encoding="utf-8")) if seen.exists() else 0
        score, errors = evaluate(args.corpus / "data" / novel, after)
        total += score
        print(row(novel, score))
        if args.examples and novel in DEV + DEV2:
            shown.append((novel, errors))
    print(row(f"OVERALL ({len(novels)} novels)", total))
    for novel, errors in shown:
        print(f"\n{novel}: {len(errors)} wrong")
        for gold, pred, words in errors[: args.examples]:
            print(f"  gold {gold!r:26} predicted {pred!r:24} {words}")


def row(label: str, s: Counter) -> str:
    return (
        f"{label:30}{s['quotes']:7}{pct(s['covered'], s['chars']):>8}"
        f"{pct(s['right'], s['judged']):>7}{pct(s['loose'], s['judged']):>7}"
        f"{pct(s['null'], s['quotes']):>7}{s['unjudged']:9}"
    )


if __name__ == "__main__":
    main()
