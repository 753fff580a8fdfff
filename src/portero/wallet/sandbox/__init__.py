"""A One Wallet-compatible wallet a partner, Portero's tests or a demo runs on one machine
(`portero wallet sandbox`): the five methods with the operator's rules (rules.py), injected
faults (faults.py), an admin API (admin.py) and the ASGI application (app.py). Money lives in
memory and is gone when the process ends."""

from portero.wallet.sandbox.app import create_app
from portero.wallet.sandbox.faults import FaultKind, FaultPlan
from portero.wallet.sandbox.rules import Breakage, SandboxWallet

__all__ = ["Breakage", "FaultKind", "FaultPlan", "SandboxWallet", "create_app"]
