"""The layout rules of DEVELOPERS.md, checked on the source so that they cannot erode silently."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.architecture.imports import ROOT, ImportGraph, import_graph


def test_the_package_import_graph_has_no_cycle() -> None:
    graph = import_graph()
    assert len(graph.edges) > 15  # the graph was really read
    cycles = graph.cycles()
    assert not cycles, "packages import each other:\n" + "\n".join(map(graph.describe, cycles))


def test_a_cycle_is_found_and_named() -> None:
    graph = ImportGraph()
    for source, target in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")]:
        graph.edges[source].add(target)
        graph.witnesses[(source, target)].add(f"{source}.module")
    assert graph.cycles() == [["a", "b", "c"]]
    assert "c → a (c.module)" in graph.describe(["a", "b", "c"])


# Domains whose queries live in repository modules (`repository.py`, `<aggregate>_repository.py`;
# the wallet's is its ledger, through which every balance changes).
QUERYING_PACKAGES = (
    "calls",
    "delivery",
    "launches",
    "partners",
    "players",
    "roulette",
    "reports",
    "rounds",
    "slots",
    "transfers",
    "wallet",
    "webhooks",
)
QUERY_BUILDERS = frozenset({"select", "insert", "update", "delete", "exists"})


def _is_repository(path: Path) -> bool:
    return (
        path.name == "repository.py"
        or path.name.endswith("_repository.py")
        or path.relative_to(ROOT).as_posix() == "wallet/ledger.py"
    )


def _query_builders(path: Path) -> list[str]:
    """Where the module builds SQL: calls of select(), insert()… or dialect_insert(…)(…)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if isinstance(func, ast.Call) and getattr(func.func, "id", None) == "dialect_insert":
            name = "insert"
        if name in QUERY_BUILDERS:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}()")
    return found


def test_queries_live_in_repositories() -> None:
    outside = [
        where
        for package in QUERYING_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if not _is_repository(path) and "games" not in path.relative_to(ROOT).parts
        for where in _query_builders(path)
    ]
    assert not outside, "SQL built outside a repository:\n" + "\n".join(outside)
    assert _query_builders(ROOT / "calls" / "call_repository.py")  # the check sees queries


def test_the_call_sockets_build_no_sql() -> None:
    """The sockets call services only (relaying itself costs no query: see
    tests/calls/test_signalling.py)."""
    for path in sorted((ROOT / "calls" / "ws").glob("*.py")):
        source = path.read_text()
        assert not _query_builders(path), path
        assert "sqlalchemy" not in source, path


MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
# Where a long function is the right shape, and why.
LONG_FUNCTIONS_ALLOWED = {
    # Alembic migrations declare a schema as it was on one day; they are generated, reviewed
    # once, and never edited after they have run anywhere.
    "migrations/versions/*.py": "generated, frozen schema declarations",
}


def _sources() -> list[Path]:
    return sorted([*ROOT.rglob("*.py"), *(ROOT.parent.parent / "bench").rglob("*.py")])


def test_no_source_file_is_over_400_lines() -> None:
    long = [
        f"{path}: {lines} lines"
        for path in _sources()
        if (lines := len(path.read_text().splitlines())) > MAX_FILE_LINES
    ]
    assert not long, "\n".join(long)


def test_no_function_is_over_60_lines_but_the_listed_exceptions() -> None:
    long = []
    for path in _sources():
        if any(path.match(pattern) for pattern in LONG_FUNCTIONS_ALLOWED):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path}:{node.lineno} {node.name}: {length} lines")
    assert not long, "\n".join(long)
