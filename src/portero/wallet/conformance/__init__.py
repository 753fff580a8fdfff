"""`portero wallet conformance`: the scenarios a partner's One Wallet endpoint must pass
before Portero sends it real money (scenarios.py), how they call it (probe.py), and the run
and its report (runner.py). Portero's own sandbox passes them all; each of its `Breakage`
flags makes the scenarios of the rule it breaks fail (tests/wallet/test_conformance.py)."""

from portero.wallet.conformance.probe import Target
from portero.wallet.conformance.runner import Report, Verdict, render_table, run_conformance
from portero.wallet.conformance.scenarios import SCENARIOS, Scenario

__all__ = [
    "SCENARIOS",
    "Report",
    "Scenario",
    "Target",
    "Verdict",
    "render_table",
    "run_conformance",
]
