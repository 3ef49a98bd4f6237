"""The layout holds: each top-level folder is one job, and a lower room never imports a higher
one (README: Layout). Every import counts, those inside functions too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

# room -> the rooms it may import; `wirespec` (the public face) may import every room
ALLOWED: dict[str, set[str]] = {
    "validators": set(),
    "codegen": {"validators"},
    "generated": {"validators"},
    "fuzzing": {"validators", "generated"},
    "contracts": {"validators", "fuzzing"},
    "changes": {"validators", "codegen", "fuzzing"},
}
ROOMS = [*ALLOWED, "wirespec"]
LEAF = "wirespec._exceptions"  # the exception hierarchy: every room may raise its errors


def modules(room: str) -> list[Path]:
    return sorted((ROOT / room).rglob("*.py"))


def imported(path: Path, room: str) -> list[tuple[int, str]]:
    """(line, dotted module) of every import of wirespec's own code in ``path``."""
    package = ["wirespec", room, *path.relative_to(ROOT / room).parent.parts] \
        if room != "wirespec" else ["wirespec", *path.relative_to(ROOT / room).parent.parts]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *(node.module or "").split(".")]).rstrip(".")
            else:
                target = node.module or ""
            found += [(node.lineno, f"{target}.{alias.name}" if not node.module else target)
                      for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] == "wirespec"]


def room_of(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else "wirespec"


@pytest.mark.parametrize("room", list(ALLOWED))
def test_a_lower_room_never_imports_a_higher_one(room):
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name}"
             for path in modules(room) for line, name in imported(path, room)
             if not name.startswith(LEAF)
             and room_of(name) != room and room_of(name) not in ALLOWED[room]]
    assert wrong == []


def test_the_exception_hierarchy_is_a_leaf():
    assert imported(ROOT / "wirespec" / "_exceptions.py", "wirespec") == []


def test_every_room_is_a_package_that_says_what_it_holds_and_may_use():
    for room in ROOMS:
        if room == "generated":
            continue
        init = ROOT / room / "__init__.py"
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring, f"{room}/__init__.py has no docstring"
        if room in ALLOWED:
            assert "May import" in docstring, f"{room}/__init__.py does not say what it may use"


def test_the_check_catches_a_wrong_import(tmp_path, monkeypatch):
    room = tmp_path / "validators"
    room.mkdir()
    (room / "bad.py").write_text("def f():\n    from wirespec.contracts import _mock\n"
                                 "from ..fuzzing import _values\n")
    monkeypatch.setattr("test_layout.ROOT", tmp_path)
    names = sorted(name for _, name in imported(room / "bad.py", "validators"))
    assert names == ["wirespec.contracts", "wirespec.fuzzing"]
    assert all(room_of(name) not in ALLOWED["validators"] for name in names)
