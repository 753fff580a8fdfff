"""The chaos run (tests/support/chaos.py), bounded: a few hundred rounds through two servers
on one PostgreSQL, a fifth of the wallet's calls failing in every way the sandbox knows, one
server killed mid-run. Every round ends closed and matches the wallet to the cent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.chaos import ChaosConfig, run_chaos

pytestmark = pytest.mark.slow


def test_no_cent_is_lost_or_doubled_whatever_fails(postgres_url: str, tmp_path: Path) -> None:
    report = run_chaos(ChaosConfig(rounds=300, players=12, workdir=tmp_path))
    print(report.summary())
    assert report.problems() == []
    assert report.killed_at > 0
    assert report.statuses["settled"] > 150  # most rounds were played…
    assert report.outcomes["timeout"] > 0  # …while the wallet failed in every way
    assert report.outcomes["connection"] > 0
    assert report.outcomes["http_500"] > 0
    assert report.outcomes["unparsable"] > 0
    assert report.deliveries["engine"] > 0  # and the engines finished what the requests could not
