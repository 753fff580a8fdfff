"""The layout rules of DEVELOPERS.md, checked on the source so that they cannot erode silently."""

from __future__ import annotations

from tests.architecture.imports import ImportGraph, import_graph


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
