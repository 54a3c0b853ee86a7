"""The layout's rules, checked on the source: logic/ never imports streamlit, SQL (SQLAlchemy)
stays inside logic/storage/, no test, benchmark or script edits sys.path (the package is
installed; `python -m` runs the rest), and only logic/clock.py reads the date or the time.

The layers inside logic/ are import-linter contracts in pyproject.toml (`lint-imports`,
run by scripts/test.sh); these checks cover what a contract cannot say.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    return names


def test_logic_never_imports_streamlit() -> None:
    files = sorted((ROOT / "logic").rglob("*.py"))
    assert len(files) > 20  # the walk sees the package
    seen = {path: _imports(path) for path in files}
    assert any("logic.checkins" in names for names in seen.values())  # it sees imports at all
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in names if n.split(".")[0] == "streamlit")
        for path, names in seen.items()
        if any(n.split(".")[0] == "streamlit" for n in names)
    }
    assert offenders == {}


def test_no_sql_outside_the_storage_package() -> None:
    storage = ROOT / "logic" / "storage"
    files = [
        *sorted((ROOT / "logic").rglob("*.py")),
        *sorted((ROOT / "pages").rglob("*.py")),
        ROOT / "streamlit_app.py",
    ]
    seen = {path: _imports(path) for path in files}
    assert any("sqlalchemy" in names for path, names in seen.items() if storage in path.parents)
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in names if n.split(".")[0] == "sqlalchemy")
        for path, names in seen.items()
        if storage not in path.parents and any(n.split(".")[0] == "sqlalchemy" for n in names)
    }
    assert offenders == {}


def test_no_test_benchmark_or_script_edits_sys_path() -> None:
    files = [
        path
        for folder in ("tests", "benchmarks", "scripts")
        for path in sorted((ROOT / folder).rglob("*.py"))
    ]
    offenders = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "path"
                and isinstance(node.value, ast.Name)
                and node.value.id == "sys"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


_CLOCK_METHODS = {"today", "now", "utcnow"}
_CLOCK_TYPES = {"date", "datetime", "Timestamp"}
_CLOCK_WORDS = {"today", "now"}


def _reads_the_real_clock(source: str) -> list[int]:
    """Lines that read the date or time past logic.clock: `date.today()`, `datetime.now()`,
    `pd.Timestamp.today()`, `pd.Timestamp("now")`, `np.datetime64("today")` and the like."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = func.value if isinstance(func, ast.Attribute) else None
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        words = {a.value for a in node.args if isinstance(a, ast.Constant)}
        if (name in _CLOCK_METHODS and owner_name in _CLOCK_TYPES) or (
            name in {"Timestamp", "to_datetime", "datetime64"} and words & _CLOCK_WORDS
        ):
            lines.append(node.lineno)
    return lines


def test_the_clock_check_finds_every_way_of_reading_the_time() -> None:
    caught = """
import datetime as dt
from datetime import date, datetime
import numpy as np
import pandas as pd
a = dt.date.today()
b = datetime.now(dt.UTC)
c = pd.Timestamp.today()
d = pd.Timestamp.now()
e = pd.Timestamp("today")
f = pd.to_datetime("now")
g = np.datetime64("today")
h = date.today()
i = dt.datetime.utcnow()
"""
    assert _reads_the_real_clock(caught) == list(range(6, 15))
    fine = "import datetime as dt\nx = dt.date(2026, 1, 1)\ny = clock.today()\nz = sa.func.now()\n"
    assert _reads_the_real_clock(fine) == []


def test_only_logic_clock_reads_the_time() -> None:
    """Every "today" comes from logic.clock, so tests and STRIDE_CHECK_NOW can set it."""
    files = [ROOT / "streamlit_app.py"] + [
        path
        for folder in ("logic", "pages", "scripts", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
    ]
    assert len(files) > 40
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in files
        if path != ROOT / "logic" / "clock.py"
        for line in _reads_the_real_clock(path.read_text())
    ]
    assert offenders == []
    assert _reads_the_real_clock((ROOT / "logic" / "clock.py").read_text())  # it does, itself
