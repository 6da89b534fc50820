"""How fast `segment()` is on a novel-sized book, against baselines measured in the same run.

    python bench/bench_segment.py [--chars 700000] [--repeat 3]

The book is made of the repository's own story text (the seeds and the clean-novel fixtures in
tests/gold), repeated into chapters until it is `--chars` long: paragraphs, dialogue and names as in
real input. Baselines over the same text:
- a plain `re.finditer` sentence split, the least work any segmenter does;
- discovering the characters alone (narrate.segment.characters.discover).
Prints characters per second and the ratios. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from narrate.model import Block, Book, Chapter, Kind  # noqa: E402
from narrate.segment import characters as cast_discovery  # noqa: E402
from narrate.segment import segment  # noqa: E402

SENTENCE = re.compile(r"[^.!?]+[.!?]+[\"”’']*\s*")


def make_book(chars: int) -> Book:
    sources = sorted((ROOT / "seeds").glob("*.txt")) + sorted(
        (ROOT / "tests" / "gold").glob("*.txt")
    )
    texts = [p.read_text(encoding="utf-8").strip() for p in sources]
    parts: list[str] = []
    blocks: list[Block] = []
    chapters: list[Chapter] = []
    size = 0
    while size < chars:
        for story in texts:
            number = len(chapters) + 1
            heading = f"Chapter {number}"
            chapters.append(Chapter(number, heading))
            blocks.append(Block(Kind.HEADING, number, size, size + len(heading)))
            size += len(heading) + 2
            blocks.append(Block(Kind.NARRATION, number, size, size + len(story)))
            parts.append(f"{heading}\n\n{story}\n\n")
            size += len(story) + 2
            if size >= chars:
                break
    text = "".join(parts)
    return Book(Path("bench.txt"), "bench", "bench", text, tuple(chapters), tuple(blocks))


def best_of(repeat: int, fn, *args) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        cast_discovery.discover.cache_clear()
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=700_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    book = make_book(args.chars)
    n = len(book.text)
    split_s, sentences = best_of(
        args.repeat, lambda t: sum(1 for _ in SENTENCE.finditer(t)), book.text
    )
    discover_s, _ = best_of(args.repeat, cast_discovery.discover, book)
    segment_s, chunks = best_of(args.repeat, segment, book)
    dialogue = sum(1 for c in chunks if c.kind is Kind.DIALOGUE)

    print(
        f"book: {n:,} characters, {len(book.chapters)} chapters, {len(chunks):,} chunks "
        f"({dialogue:,} dialogue), {sentences:,} regex sentences"
    )
    print(f"{'':28}{'seconds':>10}{'chars/s':>14}{'x regex split':>15}")
    for name, seconds in (
        ("re.finditer sentence split", split_s),
        ("discover characters", discover_s),
        ("segment (with attribution)", segment_s),
    ):
        print(f"{name:28}{seconds:10.3f}{n / seconds:14,.0f}{seconds / split_s:15.1f}")


if __name__ == "__main__":
    main()
