"""The import graph of `src/portero`, read from the source (no module is imported).

A node is a package (a folder with `__init__.py`), or a module at the top of `portero` (the
application, settings, migrations): `portero.calls.ws.customer` belongs to `portero.calls.ws`,
`portero.settings` is its own node. An edge A → B means a module of A imports one of B.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
ROOT = SRC / "portero"


@dataclass
class ImportGraph:
    edges: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # (from node, to node) → the modules that make the edge, for the failure message
    witnesses: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))

    def cycles(self) -> list[list[str]]:
        """Strongly connected components of more than one node (Tarjan)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[list[str]] = []

        def visit(node: str) -> None:
            index[node] = low[node] = len(index)
            stack.append(node)
            on_stack.add(node)
            for target in sorted(self.edges.get(node, ())):
                if target not in index:
                    visit(target)
                    low[node] = min(low[node], low[target])
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

        for node in sorted(self.edges):
            if node not in index:
                visit(node)
        return found

    def describe(self, component: list[str]) -> str:
        lines = []
        for source in component:
            for target in component:
                if target in self.edges.get(source, ()):
                    modules = ", ".join(sorted(self.witnesses[(source, target)]))
                    lines.append(f"  {source} → {target} ({modules})")
        return "\n".join(lines)


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def node_of(module: str) -> str | None:
    """The node a module belongs to; None for names outside `portero`."""
    path = SRC.joinpath(*module.split("."))
    if path.is_dir():
        return module if (path / "__init__.py").exists() else None
    if path.with_suffix(".py").exists():
        parent = module.rpartition(".")[0]
        return module if parent == "portero" else parent
    return None


def imported_modules(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    for statement in ast.walk(tree):
        if isinstance(statement, ast.Import):
            yield from (alias.name for alias in statement.names)
        elif isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            yield statement.module
            # `from portero.calls import routing` imports the module portero.calls.routing
            yield from (f"{statement.module}.{alias.name}" for alias in statement.names)


def source_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" not in path.relative_to(ROOT).parts:
            yield path


def import_graph() -> ImportGraph:
    graph = ImportGraph()
    for path in source_files():
        module = module_name(path)
        source = node_of(module)
        assert source is not None, module
        for imported in imported_modules(path):
            if not imported.startswith("portero"):
                continue
            target = node_of(imported)
            if target is not None and target != source:
                graph.edges[source].add(target)
                graph.witnesses[(source, target)].add(module)
    return graph
