"""What the fuzzing tests ran, printed after the run: cases per API and the 5xx among them."""

from __future__ import annotations

from _pytest.terminal import TerminalReporter

from tests.http.fuzz_tally import TALLIES


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    if not TALLIES:
        return
    terminalreporter.section("fuzzing (cases per API, 5xx found)")
    for (api, database, depth), tally in sorted(TALLIES.items()):
        terminalreporter.write_line(
            f"{api:<24} {database:<8} {depth:<5} {tally.cases:>4} cases, "
            f"{tally.server_errors} 5xx ({tally.summary()})"
        )
