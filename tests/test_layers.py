"""Imports point down the stages: the command line and Dagster call the library, never the reverse; one name per
module; no import circle (lazy imports inside functions count too). Read from the source, so a new import that
breaks the layering fails here, whoever adds it."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from conftest import REPO_ROOT

PACKAGES = ("planwatch", "orchestration", "expectations", "dashboard")
TOP = ("orchestration", "planwatch.cli")  # the command line and Dagster


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (REPO_ROOT / package).rglob("*.py"):
            parts = path.relative_to(REPO_ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """Every project module `path` imports, at module level or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in names if name in known}


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(path, set(found)) - {name} for name, path in found.items()}


def is_top(module: str) -> bool:
    return any(module == top or module.startswith(top + ".") for top in TOP)


def test_the_library_never_imports_the_command_line_or_dagster():
    upward = sorted(f"{module} → {target}" for module, targets in graph().items() if not is_top(module)
                    for target in targets if is_top(target))
    assert upward == []


def test_no_two_modules_share_a_name():
    names = Counter(name.rsplit(".", 1)[-1] for name in modules())  # packages by their folder's name
    assert [name for name, count in names.items() if count > 1] == []


def test_no_import_circle():
    edges = graph()
    # a package's __init__ importing its own submodules is no circle; drop package → own-submodule edges
    edges = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in edges.items()}
    circles, state = [], {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                circles.append(" → ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert circles == []
