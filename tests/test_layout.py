"""The package's import graph: one direction, no circles (docs: README "Layout").

Imports inside functions count too: a lazy import is still a dependency.
`__main__` modules are entry points and may import the CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "quotes"

# module prefix -> project modules it may import (besides itself and its own sub-package)
ALLOWED = {
    "quotes.document": set(),
    "quotes.io": {"quotes.document"},
    "quotes.rules": {"quotes.document"},
    "quotes.model": {"quotes.document", "quotes.rules", "quotes.score", "quotes.io"},
    "quotes.scale": {"quotes.document", "quotes.io", "quotes.pipeline"},
}
NEVER = {
    "quotes.model": {"quotes.studio", "quotes.cli", "quotes.corpus"},
    "quotes.corpus": {"quotes.cli", "quotes.studio"},
    "quotes.studio": {"quotes.cli"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "quotes"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "quotes":
                continue
            # `from quotes.rules import marks` imports the sub-module, not only the package
            for a in node.names:
                found.add(f"{target}.{a.name}" if _is_module(f"{target}.{a.name}") else target)
    found.discard(name)
    return found


def _is_module(dotted: str) -> bool:
    rel = Path(*dotted.split("."))
    return (PACKAGE.parent / rel).with_suffix(".py").exists() or (PACKAGE.parent / rel / "__init__.py").exists()


GRAPH = {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py") if p.name != "__main__.py"}


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_graph_is_read():
    assert "quotes.rules.extract" in GRAPH and "quotes.rules.cues" in GRAPH["quotes.rules.extract"]
    assert "quotes.pipeline" in GRAPH["quotes.commands"] and "quotes.commands" in GRAPH["quotes.cli"]


def test_no_cycles():
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(GRAPH.get(node, ())):
            if nxt not in GRAPH:
                continue
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if not state.get(nxt):
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(GRAPH):
        if not state.get(node):
            visit(node, [node])


@pytest.mark.parametrize("prefix", sorted(ALLOWED))
def test_lower_layers_import_only_what_they_may(prefix):
    allowed = ALLOWED[prefix]
    for name, deps in GRAPH.items():
        if not _under(name, prefix):
            continue
        bad = [d for d in deps if not _under(d, prefix)
               and not any(_under(d, a) for a in allowed)]
        assert not bad, f"{name} imports {bad}; {prefix} may use only {sorted(allowed)}"


@pytest.mark.parametrize("prefix", sorted(NEVER))
def test_forbidden_edges(prefix):
    for name, deps in GRAPH.items():
        if _under(name, prefix):
            bad = [d for d in deps if any(_under(d, f) for f in NEVER[prefix])]
            assert not bad, f"{name} must not import {bad}"
