"""Counts of the fuzzing tests, kept for the end-of-run summary (tests/http/conftest.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Tally:
    cases: int = 0
    server_errors: int = 0
    # How the API answered (status and the API's code): a run that never gets past the first
    # check proves little.
    answers: Counter[str] = field(default_factory=Counter)

    def count(self, status: int, answer: str) -> None:
        self.cases += 1
        self.server_errors += status >= 500
        self.answers[answer] += 1

    def summary(self) -> str:
        return ", ".join(f"{answer}: {n}" for answer, n in sorted(self.answers.items()))


# (API, database, depth) → what ran.
TALLIES: dict[tuple[str, str, str], Tally] = {}
