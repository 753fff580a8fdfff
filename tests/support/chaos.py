"""The wallet chaos run: two `portero serve` processes on one PostgreSQL database, a seamless
partner whose wallet (the sandbox, in this process) injects faults of every kind into a share
of its calls, players spinning roulette and slots through both servers, one server killed
with SIGKILL mid-run and started again; then the delivery engines drain what is left, on a
compressed retry schedule. What it proves is in `ChaosReport.problems()`: every round closed,
the wallet's movement equal to Portero's record round by round, no transaction applied twice,
every balance adding up.

The test (tests/rounds/test_chaos.py) runs a few hundred rounds; a larger run is a command:

    .venv/bin/python -m tests.support.chaos --rounds 2000 --players 40
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from portero.wallet.sandbox import FaultPlan, SandboxWallet
from tests.conftest import _asyncpg_dsn, _create_scratch_database, _drop_database
from tests.support.browsing import free_port, wait_until_ready
from tests.support.sandbox import RunningSandbox, sandbox_server

SECRET = "chaos-secret-" + "0" * 32
OPENING = Decimal("1000.00")
STAKE = 100  # minor units: a slot spin of 1.00 EUR; a roulette spin of two such bets


@dataclass(frozen=True)
class ChaosConfig:
    rounds: int = 300
    players: int = 12
    fault_rate: float = 0.2
    seed: int = 2026
    drain_seconds: float = 120.0
    workdir: Path = Path("var/chaos")


@dataclass
class ChaosReport:
    config: ChaosConfig
    attempted: int = 0  # rounds the players sent (each with its own id)
    answers: Counter[str] = field(default_factory=Counter)  # what they were answered
    statuses: Counter[str] = field(default_factory=Counter)  # Portero's rounds, once drained
    deliveries: Counter[str] = field(default_factory=Counter)  # tries, by who made them
    outcomes: Counter[str] = field(default_factory=Counter)  # what the tries came to
    mismatches: list[str] = field(default_factory=list)
    seconds_playing: float = 0.0
    seconds_draining: float = 0.0
    killed_at: int = 0  # rounds sent when the server was killed

    def problems(self) -> list[str]:
        found = list(self.mismatches)
        open_rounds = {s: n for s, n in self.statuses.items() if s not in ("settled", "cancelled")}
        if open_rounds:
            found.append(f"rounds not closed: {open_rounds}")
        return found

    def summary(self) -> str:
        return json.dumps(
            {
                "rounds_sent": self.attempted,
                "killed_after": self.killed_at,
                "answers": dict(self.answers),
                "rounds": dict(self.statuses),
                "tries_by": dict(self.deliveries),
                "try_outcomes": dict(self.outcomes),
                "seconds_playing": round(self.seconds_playing, 1),
                "seconds_draining": round(self.seconds_draining, 1),
                "problems": self.problems(),
            },
            indent=2,
        )


# --- the servers --------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "portero", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port), "--no-migrate"],
                env=self.env, stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_until_ready(self.process, self.base_url, self.log)

    def kill(self) -> None:
        """As a crash: no shutdown, nothing finished, nothing flushed."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def server_env(database_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTERO_")}
    return env | {
        "PORTERO_DATABASE_URL": database_url,
        "PORTERO_SECRET_KEY": SECRET,
        "PORTERO_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PORTERO_AUTH_CACHE_SECONDS": "0",
        "PORTERO_LOG_LEVEL": "WARNING",
        # Compressed for the run: a call waits 0.5 s, a claim is kept 0.5 s more, 60 retries
        # half a second apart (instead of One Wallet's 39 over five hours).
        "PORTERO_WALLET_TIMEOUT_SECONDS": "0.5",
        "PORTERO_DELIVERY_LEASE_MARGIN_SECONDS": "0.5",
        "PORTERO_WALLET_RETRY_SCHEDULE": "60x0.5",
        "PORTERO_DELIVERY_POLL_SECONDS": "0.2",
        "PORTERO_DB_POOL_SIZE": "8",
    }


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "portero", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"portero {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout


@contextmanager
def scratch_database() -> Iterator[str]:
    url, name = asyncio.run(_create_scratch_database())
    try:
        yield _asyncpg_dsn(url)  # postgresql://…: what asyncpg takes and Portero normalises
    finally:
        asyncio.run(_drop_database(name))


# --- the players --------------------------------------------------------------------------


@dataclass
class Player:
    user_id: str
    product: str  # roulette, slot
    token: str  # the play session's


def launch_players(server: Server, partner_token: str, count: int) -> list[Player]:
    players = []
    with httpx.Client(timeout=10) as http:
        for n in range(count):
            product = "roulette" if n % 2 else "slot"
            user = f"chaos-{n}"
            body: dict[str, Any] = {
                "product": product,
                "player": {"id": user, "language": "en", "currency": "EUR"},
                "partner_session_id": f"sess-{n}",
            }
            if product == "slot":
                body["params"] = {"game_id": "monaco-nights"}
            created = http.post(
                f"{server.base_url}/v1/launches",
                json=body,
                headers={"Authorization": f"Bearer {partner_token}"},
            )
            assert created.status_code == 201, created.text
            opened = http.get(created.json()["url"], follow_redirects=False)
            token = opened.headers["location"].split("#session=", 1)[1]
            # The page opens with the table: One Wallet's check, whose sid the rounds use.
            table = "/play/api/roulette/table" if product == "roulette" else "/play/api/slots/game"
            loaded = http.get(server.base_url + table, headers={"Authorization": f"Bearer {token}"})
            assert loaded.status_code == 200, loaded.text
            players.append(Player(user, product, token))
    return players


def round_body(player: Player) -> tuple[str, dict[str, Any]]:
    request_id = uuid.uuid4().hex
    if player.product == "roulette":
        return "/play/api/roulette/spins", {
            "round_id": request_id,
            "bets": [{"type": "red", "amount": STAKE}, {"type": "odd", "amount": STAKE}],
        }
    return "/play/api/slots/spins", {"spin_id": request_id, "bet": STAKE}


async def play_round(
    http: httpx.AsyncClient, servers: list[Server], player: Player, report: ChaosReport
) -> None:
    """One round as a page plays it: a lost answer (no reply, a 5xx other than the wallet's
    502) is sent again with the same id, to the other server if this one is down."""
    path, body = round_body(player)
    headers = {"Authorization": f"Bearer {player.token}"}
    for attempt in range(8):
        server = servers[(attempt + hash(player.user_id)) % len(servers)]
        try:
            response = await http.post(server.base_url + path, json=body, headers=headers)
        except httpx.TransportError:
            report.answers["no answer"] += 1
            await asyncio.sleep(0.2)  # the page's "retry spin" a moment later
            continue
        if response.status_code >= 500 and response.status_code != 502:
            report.answers[f"http {response.status_code}"] += 1
            await asyncio.sleep(0.2)
            continue
        code = (
            response.json().get("error", {}).get("code", "") if response.status_code != 200 else ""
        )
        report.answers[f"{response.status_code} {code}".strip()] += 1
        return
    report.answers["given up (left to the engines)"] += 1


async def play(servers: list[Server], players: list[Player], config: ChaosConfig,
               report: ChaosReport) -> None:  # fmt: skip
    """Every player plays its share of rounds one after the other, all players at once; the
    first server is killed a third of the way through and started again at two thirds."""
    killed = restarted = False
    per_player = max(1, config.rounds // len(players))
    loop = asyncio.get_running_loop()

    async def player_loop(player: Player, http: httpx.AsyncClient) -> None:
        nonlocal killed, restarted
        for _ in range(per_player):
            report.attempted += 1
            if not killed and report.attempted >= config.rounds // 3:
                killed = True
                report.killed_at = report.attempted
                servers[0].kill()
            if killed and not restarted and report.attempted >= 2 * config.rounds // 3:
                restarted = True
                await loop.run_in_executor(None, servers[0].start)
            await play_round(http, servers, player, report)

    limits = httpx.Limits(max_connections=len(players))
    async with httpx.AsyncClient(timeout=10, limits=limits) as http:
        await asyncio.gather(*(player_loop(p, http) for p in players))


# --- the checks ---------------------------------------------------------------------------


async def drain(database_url: str, seconds: float) -> float:
    """Wait (bounded) until no round is open and no call is pending; how long it took."""
    started = time.monotonic()
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        while time.monotonic() - started < seconds:
            left = await connection.fetchval(
                "SELECT (SELECT count(*) FROM game_round WHERE status IN "
                "('debiting', 'debit_unknown', 'crediting', 'cancelling'))"
                " + (SELECT count(*) FROM delivery WHERE status = 'pending')"
            )
            if left == 0:
                break
            await asyncio.sleep(0.25)  # the engines' own pace: nothing to wait on but their work
    finally:
        await connection.close()
    return time.monotonic() - started


async def compare(database_url: str, sandbox: RunningSandbox, report: ChaosReport) -> None:
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        rounds = await connection.fetch(
            "SELECT r.id, r.status, r.stake, r.payout, p.external_id FROM game_round r "
            "JOIN player p ON p.id = r.player_id"
        )
        tries = await connection.fetch("SELECT a.by, a.outcome FROM delivery_attempt a")
    finally:
        await connection.close()
    report.statuses.update(row["status"] for row in rounds)
    report.deliveries.update(row["by"] for row in tries)
    report.outcomes.update(row["outcome"] for row in tries)
    state = sandbox.wallet.snapshot()
    known = {row["id"] for row in rounds}
    for round_id in set(state["rounds"]) - known:
        report.mismatches.append(
            f"the wallet moved money for a round Portero never had: {round_id}"
        )
    gains: Counter[str] = Counter()
    for row in rounds:
        recorded = Decimal(0)
        if row["status"] == "settled":
            recorded = Decimal(row["payout"] - row["stake"]) / 100
        seen = Decimal(state["rounds"].get(row["id"], {}).get("net", 0))
        if seen != recorded:
            report.mismatches.append(
                f"round {row['id']} ({row['status']}): the wallet moved {seen}, "
                f"Portero recorded {recorded}"
            )
        gains[row["external_id"]] += seen
    _check_transactions(state, report)
    for user, account in state["users"].items():
        expected = OPENING + gains[user]
        if Decimal(account["balances"].get("EUR", OPENING)) != expected:
            report.mismatches.append(f"{user}: balance {account['balances']}, expected {expected}")


def _check_transactions(state: dict[str, Any], report: ChaosReport) -> None:
    """No id applied twice; per round at most one debit and one credit that moved money."""
    applied = Counter(
        t["id"] for t in state["transactions"] if t["kind"] != "cancel" and t["state"] != "refused"
    )
    for transaction_id, times in applied.items():
        if times > 1:
            report.mismatches.append(f"transaction {transaction_id} applied {times} times")
    moved: Counter[tuple[str, str]] = Counter(
        (t["round"], t["kind"]) for t in state["transactions"] if t["state"] != "refused"
    )
    for (round_id, kind), times in moved.items():
        if times > 1:
            report.mismatches.append(f"round {round_id}: {times} {kind}s moved money")


# --- the run ------------------------------------------------------------------------------


def run_chaos(config: ChaosConfig) -> ChaosReport:
    report = ChaosReport(config)
    config.workdir.mkdir(parents=True, exist_ok=True)
    plan = FaultPlan(rate=config.fault_rate, hang_seconds=0.8, seed=config.seed)
    with ExitStack() as stack:
        database_url = stack.enter_context(scratch_database())
        sandbox = stack.enter_context(
            sandbox_server(SandboxWallet(opening_balance=OPENING), faults=plan)
        )
        ports = [free_port(), free_port()]
        servers = [Server(p, server_env(database_url, p), config.workdir / f"chaos-{p}.log")
                   for p in ports]  # fmt: skip
        cli(servers[0].env, "migrate")
        created = json.loads(cli(servers[0].env, "partner", "create", "Chaos casino", "--json"))
        partner = str(created["id"])
        cli(servers[0].env, "partner", "configure", partner, "--products", "roulette,slot")
        cli(servers[0].env, "partner", "wallet", partner, "--mode", "seamless",
            "--url", sandbox.base_url, "--auth-token", sandbox.auth_token)  # fmt: skip
        for server in servers:
            server.start()
            stack.callback(server.stop)
        players = launch_players(servers[1], created["token"], config.players)
        started = time.monotonic()
        asyncio.run(play(servers, players, config, report))
        report.seconds_playing = time.monotonic() - started
        plan.rate = 0.0  # the wallet mends; what is left is the engines' to finish
        report.seconds_draining = asyncio.run(drain(database_url, config.drain_seconds))
        asyncio.run(compare(database_url, sandbox, report))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--players", type=int, default=40)
    parser.add_argument("--faults", type=float, default=0.2, help="share of calls that fail")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    config = ChaosConfig(args.rounds, args.players, args.faults, args.seed, drain_seconds=600)
    report = run_chaos(config)
    print(report.summary())
    sys.exit(1 if report.problems() else 0)


if __name__ == "__main__":
    main()
