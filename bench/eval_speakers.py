"""How well segment() finds and attributes the quotations of held-out public-domain novel passages.

    python bench/eval_speakers.py [--examples 3] [--only NAME[,NAME]] [--quiet-examples]
                                  [--characters] [--dev] [--folder DIR]

Gold: tests/heldout/<name>.txt with <name>.jsonl (one object per quotation: start, end, text,
speaker) and <name>.aliases.json (canonical name -> names the passage uses for that character).
See tests/heldout/README.md for how the labels were made and what they leave out. With --dev, the
development passages tests/gold/dev_<name>.* instead (same format; free to read and tune on). With
--folder DIR, the passages in another folder of the same format (tests/heldout2 is a second blind set).

Only the public API is used: narrate.ingest.read_book, narrate.segment.segment and
narrate.segment.attribute.characters. A gold quotation may be split into several dialogue chunks; every
dialogue chunk that overlaps it (on a non-space character) must carry the gold speaker.

Per passage and overall (micro-averaged over quotations; recall over characters):
- recall: share of the gold quotations' non-space characters that lie inside dialogue chunks;
- acc: share of gold quotations with a known speaker whose chunks all carry that speaker. Names
  match when equal (case-insensitive), when the predicted name is one of the gold name's aliases,
  or when the gold name is one of the predicted character's aliases (as characters() reports them);
- strict: the same without the predicted character's aliases (a merged character, say "Bennet"
  with the alias "Mrs. Bennet", cannot earn credit for Mr. Bennet's lines);
- null: share of gold quotations whose overlapping dialogue chunks all have no speaker;
- miss: gold quotations with no dialogue chunk at all; mixed: chunks that disagree among themselves.
This is a measurement: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from narrate.ingest import read_book  # noqa: E402
from narrate.model import Chunk, Kind  # noqa: E402
from narrate.segment import segment  # noqa: E402
from narrate.segment.attribute import characters  # noqa: E402

HELDOUT = ROOT / "tests" / "heldout"
DEV = ROOT / "tests" / "gold"
"""Extra development passages (tests/gold/dev_*), labelled before the code was run on them."""
MISSED = "<no dialogue chunk>"
MIXED = "<mixed>"


@dataclass
class Score:
    quotes: int = 0
    chars: int = 0
    covered: int = 0
    judged: int = 0
    right: int = 0
    right_strict: int = 0
    null: int = 0
    missed: int = 0
    mixed: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in ("quotes", "chars", "covered", "judged", "right", "right_strict"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.null += other.null
        self.missed += other.missed
        self.mixed += other.mixed


def solid(text: str, start: int, end: int) -> set[int]:
    """Offsets of the non-space characters in text[start:end]: hard-wrapped quotations may be
    split at line ends, and whitespace is not what a listener hears."""
    return {i for i in range(start, end) if not text[i].isspace()}


def names_of(canonical: str, aliases: dict[str, list[str]]) -> set[str]:
    return {canonical.lower(), *(a.lower() for a in aliases.get(canonical, []))}


def predicted_speaker(parts: list[Chunk]) -> str | None:
    if not parts:
        return MISSED
    speakers = {c.speaker for c in parts}
    return speakers.pop() if len(speakers) == 1 else MIXED


def matches(
    pred: str | None, gold: str, gold_aliases: dict[str, list[str]], pred_aliases: set[str]
) -> bool:
    if pred is None or pred in (MISSED, MIXED):
        return False
    return pred.lower() in names_of(gold, gold_aliases) or gold.lower() in pred_aliases


def evaluate(name: str, folder: Path = HELDOUT) -> tuple[Score, list[str]]:
    source = folder / f"{name}.txt"
    gold = [json.loads(line) for line in (folder / f"{name}.jsonl").read_text("utf-8").splitlines()]
    gold_aliases = json.loads((folder / f"{name}.aliases.json").read_text("utf-8"))
    decoded = source.read_text(encoding="utf-8")

    book = read_book(source)
    chunks = segment(book)
    cast = characters(book, chunks)
    alias_sets = {c.name: {c.name.lower(), *(a.lower() for a in c.aliases)} for c in cast}
    dialogue = [c for c in chunks if c.kind is Kind.DIALOGUE]
    notes = []
    if book.text != decoded:
        notes.append(
            "book.text differs from the file's decoded text; gold offsets re-found by text"
        )

    score = Score()
    for q in gold:
        start, end = q["start"], q["end"]
        if book.text[start:end] != q["text"]:
            start = book.text.find(q["text"])
            if start < 0:
                notes.append(f"gold quote not found in book.text: {q['text'][:40]!r}")
                continue
            end = start + len(q["text"])
        want = solid(book.text, start, end)
        parts = [c for c in dialogue if want & solid(book.text, c.start, c.end)]
        got: set[int] = set()
        for c in parts:
            got |= want & solid(book.text, c.start, c.end)
        score.quotes += 1
        score.chars += len(want)
        score.covered += len(got)

        pred = predicted_speaker(parts)
        score.missed += pred == MISSED
        score.mixed += pred == MIXED
        score.null += pred is None
        if q["speaker"] is None:
            continue
        score.judged += 1
        pred_aliases = alias_sets.get(pred, {pred.lower()} if pred else set())
        if matches(pred, q["speaker"], gold_aliases, pred_aliases):
            score.right += 1
        else:
            shown = pred if pred != MIXED else "/".join(str(c.speaker) for c in parts)
            score.errors.append((q["speaker"], str(shown), q["text"]))
        if matches(pred, q["speaker"], gold_aliases, {pred.lower()} if pred else set()):
            score.right_strict += 1
    cast_line = "; ".join(
        f"{c.name} ({c.lines})" + (f" aka {', '.join(c.aliases)}" if c.aliases else "")
        for c in cast
    )
    return score, [*notes, f"characters: {cast_line or '(none)'}"]


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}" if whole else "   --"


def row(label: str, s: Score) -> str:
    return (
        f"{label:28}{s.quotes:6}{pct(s.covered, s.chars):>8}{pct(s.right, s.judged):>7}"
        f"{pct(s.right_strict, s.judged):>8}{pct(s.null, s.quotes):>7}{s.missed:6}{s.mixed:7}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--examples", type=int, default=3, help="wrong attributions shown per passage"
    )
    parser.add_argument(
        "--only",
        help="evaluate only these passages (file names without extension, comma-separated)",
    )
    parser.add_argument(
        "--quiet-examples",
        action="store_true",
        help="print the score table only: no wrong attributions, notes or characters",
    )
    parser.add_argument("--characters", action="store_true", help="list the characters found")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="score the development passages in tests/gold/dev_* instead of the held-out set",
    )
    parser.add_argument(
        "--folder",
        type=Path,
        default=HELDOUT,
        help="folder of held-out passages (default tests/heldout; tests/heldout2 is a second set)",
    )
    args = parser.parse_args()

    folder = DEV if args.dev else args.folder
    names = sorted(p.stem for p in folder.glob("dev_*.jsonl" if args.dev else "*.jsonl"))
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            parser.error(f"no such passage: {', '.join(unknown)} (see {folder}/*.jsonl)")
        names = [n for n in names if n in wanted]
    if args.quiet_examples:
        args.examples = 0
        args.characters = False
    total = Score()
    results = []
    for name in names:
        score, notes = evaluate(name, folder)
        total.add(score)
        results.append((name, score, notes))

    print(
        f"{'passage':28}{'quotes':>6}{'recall':>8}{'acc':>7}{'strict':>8}{'null':>7}{'miss':>6}{'mixed':>7}"
    )
    for name, score, _ in results:
        print(row(name, score))
    print(row("OVERALL (micro)", total))
    passages = [s for _, s, _ in results if s.judged]
    if passages:
        macro = sum(s.right / s.judged for s in passages) / len(passages)
        print(f"{'macro acc (mean of passages)':28}{100 * macro:>21.1f}")

    for name, score, notes in results:
        if args.quiet_examples:
            break
        shown = [n for n in notes if args.characters or not n.startswith("characters:")]
        if not (score.errors and args.examples) and not shown:
            continue
        print(f"\n{name}: {len(score.errors)} wrong of {score.judged}")
        for note in shown:
            print(f"  {note}")
        for want, got, text in score.errors[: args.examples]:
            words = " ".join(text.split()[:8])
            print(f"  gold {want!r:22} predicted {got!r:22} {words}")


if __name__ == "__main__":
    main()
