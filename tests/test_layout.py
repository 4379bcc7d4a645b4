"""The package's two halves stay apart: what a user runs (inference, the models, the server)
never imports what a researcher runs (training, evaluation), the command line and the server
never import each other's insides, and no module imports itself back through others."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "src" / "colorgan"
FOUNDATION = {"colorgan.settings", "colorgan.color", "colorgan.atomic", "colorgan.extras"}
# Which groups each group may import (besides itself and the foundation).
ALLOWED = {
    "foundation": set(),
    "models": set(),
    "inference": {"models"},
    "evaluation": {"inference", "models"},
    "training": {"evaluation", "inference", "models"},
    "server": {"inference", "models"},
    "cli": {"inference", "models", "evaluation", "training", "server"},
    "package": {"inference"},
}
# The command line starts the server through these alone.
SERVER_ENTRIES = {"colorgan.server.run", "colorgan.server.limits"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def group(module: str) -> str:
    if module in FOUNDATION:
        return "foundation"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else "package"


def imports(path: Path) -> set[str]:
    """The colorgan modules a file imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("colorgan"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names
                         if (PACKAGE.parent / f"{node.module}.{alias.name}".replace(".", "/")
                             ).with_suffix(".py").exists())
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("colorgan"))
    return found


GRAPH = {module_name(path): imports(path) - {module_name(path)}
         for path in PACKAGE.rglob("*.py")}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_each_module_imports_only_what_its_half_may(module):
    mine = group(module)
    for imported in GRAPH[module]:
        theirs = group(imported)
        if theirs in (mine, "foundation") or imported == "colorgan":  # the root: __version__
            continue
        assert theirs in ALLOWED[mine], f"{module} ({mine}) imports {imported} ({theirs})"
        if mine == "cli" and theirs == "server":
            assert imported in SERVER_ENTRIES, f"{module} reaches into {imported}"


def test_no_module_imports_itself_back_through_others():
    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for imported in GRAPH.get(todo.pop(), ()):
                if imported not in seen and imported in GRAPH:
                    seen.add(imported)
                    todo.append(imported)
        return seen

    cycles = [module for module in GRAPH if module in reach(module)]
    assert not cycles, f"import cycles through {cycles}"


def test_the_groups_are_the_folders():
    folders = {path.name for path in PACKAGE.iterdir()
               if path.is_dir() and (path / "__init__.py").exists()}
    assert folders == {"inference", "evaluation", "training", "models", "server", "cli"}
    top = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__"}
    assert {f"colorgan.{name}" for name in top} == FOUNDATION
