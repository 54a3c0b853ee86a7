"""A row (or header) over 1 MB, pyarrow's default block size, gets a short message naming
its line, never a parser's own words and never the megabyte itself echoed back."""

from __future__ import annotations

import pytest

from logic.io.csv_io import CsvError, load_checkins_csv

BIG = 1_100_000  # over pyarrow's 1 MiB read block
HEADER = "runner,date,pain_level\n"
GOOD = "Ann,2026-01-05,3\n" * 1000  # so the big row straddles a block boundary

SHAPES = {
    "long cell": (HEADER + GOOD + "Bob,2026-01-05," + "x" * BIG + "\n", 1002),
    "long quoted cell with commas": (
        HEADER + GOOD + '"Bob ' + "x," * (BIG // 2) + '",2026-01-05,1\n',
        1002,
    ),
    "long quoted cell over lines": (
        HEADER + GOOD + '"Bob ' + "x\n" * (BIG // 2) + '",2026-01-05,1\n',
        1002,
    ),
    "endless quote": (HEADER + GOOD + '"' + "x" * BIG + "\n", 1002),
    "a million commas": (HEADER + GOOD + "," * BIG + "\n", 1002),
    "long header": ("runner,date,pain_level," + "x" * BIG + "\nAnn,2026-01-05,3,\n", 1),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_row_over_a_megabyte_is_named_by_its_line(shape: str) -> None:
    text, line = SHAPES[shape]
    with pytest.raises(CsvError) as info:
        load_checkins_csv(text.encode("utf-8"))
    problems = info.value.problems
    assert problems and problems[0].startswith(f"line {line}"), problems[0][:300]
    for problem in problems:
        assert len(problem) < 1000, f"{len(problem):,} characters: {problem[:200]}…"
        assert "straddl" not in problem and "block" not in problem, problem[:300]
