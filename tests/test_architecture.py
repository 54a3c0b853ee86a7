"""The layout's rules, checked on the source: logic/ never imports streamlit, SQL (SQLAlchemy)
stays inside logic/storage/, and no test, benchmark or script edits sys.path (the package is
installed; `python -m` runs the rest).

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
