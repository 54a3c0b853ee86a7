"""Rebuild the fingerprint of the article our knowledge base was written from.

    python -m scripts.article_fingerprint [ARTICLE]

The article (default: shared/article/upper-leg-injuries.txt beside the checkout) is not ours
to ship, and a clone has no copy, so the test that nothing of it is copied compares against
tests/fixtures/article_fingerprint.json instead: the hashes of every overlapping run of
N_WORDS words, no text. Run this when the article changes, and commit the result.

`normalise`, `shingles` and `copied` are shared with tests/test_knowledge.py, so the fixture
and the check can never normalise differently.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = Path("shared") / "article" / "upper-leg-injuries.txt"  # found beside the checkout
FIXTURE = ROOT / "tests" / "fixtures" / "article_fingerprint.json"

N_WORDS = 8
HASH_HEX_DIGITS = 16  # 64 bits: no chance collision among a few thousand runs
NORMALISATION = (
    "Unicode NFKC, casefolded; apostrophes (' ’ ‘) removed; words are the runs of letters "
    "and digits, so any other character separates words"
)
HASHING = (
    f"sha256 of the {N_WORDS} words joined by single spaces (UTF-8), "
    f"first {HASH_HEX_DIGITS} hex digits"
)

_APOSTROPHES = re.compile("['’‘]")
_WORD = re.compile(r"[^\W_]+")


def normalise(text: str) -> list[str]:
    """The words of `text`: case, punctuation, apostrophes and spacing do not count."""
    folded = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).casefold())
    return _WORD.findall(folded)


def digest(words: Iterable[str]) -> str:
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:HASH_HEX_DIGITS]


def shingles(text: str, n: int = N_WORDS) -> dict[str, str]:
    """Every run of `n` words of `text`, normalised, by its hash."""
    words = normalise(text)
    return {digest(words[i : i + n]): " ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def fingerprint(text: str) -> dict[str, object]:
    """What the fixture holds: how the text was cut and hashed, and the sorted hashes."""
    return {
        "n": N_WORDS,
        "normalisation": NORMALISATION,
        "hash": HASHING,
        "hashes": sorted(shingles(text)),
    }


def copied(text: str, hashes: set[str], n: int = N_WORDS) -> list[str]:
    """The runs of `n` words of `text` (normalised) whose hash is among `hashes`."""
    return [run for key, run in shingles(text, n).items() if key in hashes]


def find_article(start: Path = ROOT) -> Path | None:
    """The article in shared/ beside the checkout (or any folder above it), if there is one."""
    return next((p / ARTICLE for p in (start, *start.parents) if (p / ARTICLE).is_file()), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("article", nargs="?", type=Path, help=f"default: {ARTICLE} beside")
    parser.add_argument("--out", type=Path, default=FIXTURE, help="default: %(default)s")
    args = parser.parse_args(argv)
    article = args.article or find_article()
    if article is None or not article.is_file():
        print(f"article_fingerprint: no article at {article or ARTICLE}", file=sys.stderr)
        return 2
    built = fingerprint(article.read_text(encoding="utf-8"))
    args.out.write_text(json.dumps(built, indent=1) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(built['hashes'])} hashes of {N_WORDS}-word runs of {article}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
