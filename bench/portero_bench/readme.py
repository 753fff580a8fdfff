"""bench/README.md, assembled section by section from one benchmark's results."""

from __future__ import annotations

from .common import IDLE_SECONDS, PROFILE_RATE, ROUND_TARGET_RATIO, TARGET_P99_MS, TARGET_RATIO
from .report import LABELS, Run, play_path_lines, result_table, status_notes, target_table


def render_readme(run: Run) -> str:
    return (
        _introduction(run)
        + _how(run)
        + _machine(run)
        + _results(run)
        + _targets(run)
        + _play_paths()
        + _profiles(run)
        + _rerunning(run)
    )


def _drift(run: Run) -> str:
    if "a-end" not in run.results:
        return ""
    change = run.results["a-end"].ok_per_second / run.results["a"].ok_per_second - 1
    return f"The baseline measured again at the end differed by {change:+.1%}."


def _profiles(run: Run) -> str:
    """The "Where the time goes" section: empty unless the run was profiled (`--profile`)."""
    if not run.profiles:
        return ""
    o = run.options
    profiles = (
        "\n## Where the time goes\n\n"
        f"`py-spy record --gil --native` sampled the server for {o.profile_seconds:g} s in\n"
        "the middle of an extra, untimed run of the scenario (`--profile`): only the thread\n"
        "holding the GIL; C time is charged to its Python caller, except socket writes and\n"
        "the garbage collector. Then: self time by package, and the time below the deepest\n"
        "portero frame of each stack (what portero's code asked the libraries for;\n"
        "`BodyLimitMiddleware -> …` is the framework around the endpoint). Sampling\n"
        f"stops the process {PROFILE_RATE} times a second and slows it down (see the load\n"
        "line): read the shares, not the rates. Per-function detail and raw stacks:\n"
        "`bench/results/<run>/profile-*.txt`.\n"
    )
    for key, (summary, load) in run.profiles.items():
        profiles += (
            f"\n### {LABELS[key]}\n\nLoad while sampling: {load.ok_per_second:.0f} ok/s, "
            f"p50 {load.ms('p50'):.1f} ms, p99 {load.ms('p99'):.1f} ms; CPU % server "
            f"(kernel) / pg / wrk and py-spy / other: {load.cpu}.\n\n"
            f"```\n{summary.rstrip()}\n```\n"
        )
    return profiles


def _introduction(run: Run) -> str:
    """Title, purpose and the scenarios (a) to (e)."""
    o = run.options
    return f"""# Benchmark

Throughput and latency of one Portero server process under [wrk](https://github.com/wg/wrk),
on one machine, with PostgreSQL. Regenerate this file with `make bench` (that is,
`bash bench/run.sh`).

## What is measured

- **(a)** `GET /healthz`: no database, no authentication. The ceiling of the stack (uvicorn,
  FastAPI, middleware) on this machine; the other scenarios are compared with it. Its route
  is matched after every other (FastAPI tries them in order, a microsecond or more each):
  about 0.12 ms of its CPU is that walk, which the busiest paths, matched first, do not pay.
- **(b) new player**: `POST /v1/launches` with a player id never seen before on every request
  (id = run prefix, wrk thread, counter): one player insert and one launch insert.
- **(b) returning player**: the same request cycling through a fixed set of
  {o.returning_players} player ids, which exist after the warm-up: the upsert updates.
- **(b) with Idempotency-Key**: as (b) new player, each request with a key of its own. Without
  a key, issuing is one statement, atomic by itself, sent without BEGIN/COMMIT; a key makes
  it a transaction (BEGIN, statement, COMMIT), since a replay or a refusal must see and may
  have to undo the player upsert.
- **(d)** the create-session call of each seed API, each request for a new user: seed 000
  (form parameters, no key: one statement), seed 001 (its `uuid` is an idempotency key: a
  transaction) and seed 002 (JSON, no key: one statement). Seed 000 answers HTTP 200 to errors
  too, so only bodies with `"status":"OK"` count.
- **(c)** `GET /launch/{{token}}`: first opening of a link (claims the launch, starts the play
  session, answers 303). {run.links:,} links are created through the API just before (and
  more for the warm-up); each wrk thread walks its own disjoint slice, each token once.
- **(e)** `POST /play/api/slots/spins`: a 20-cent spin of monaco-nights (free spins played
  out, bet and win settled on the demo wallet, the spin recorded), over {2 * o.connections}
  players' play sessions (each wrk thread walks its own half, so no two requests of one
  player are in flight at once), each request with a new spin id.
- **(f)** `POST /play/api/roulette/spins`: a round of three 1-euro bets (red, straight 17,
  second dozen) on the demo wallet: the seat's committed seed drawn and the next committed,
  over {2 * o.connections} other players' sessions.
- **(g)** as (e), for a partner on a transfer wallet (real money Portero holds: each player
  was sent a deposit first).
- **(i)** as (e), for a partner on a seamless wallet: Portero's own sandbox wallet
  (`portero wallet sandbox --latency-ms 20`) on loopback, each round a debit and a credit;
  at {o.connections} connections and at one. The time Portero adds is the round's latency
  less twice a wallet call's, measured by a probe calling the sandbox during the run.
- **Call signalling**: 100 calls (an agent console and a customer page each, 200 WebSockets)
  relaying `signal` and `chat` messages both ways, on the server under test and then across
  two server processes sharing Redis (customers on one, agents on the other): a paced phase
  for the latency from send to receipt, and a flat-out phase for messages/s.
- **(h)** as (e), on the embedded default: a second server process on a scratch SQLite file,
  started when the first has gone quiet. Compared with this run's baseline (a), no target:
  it says what one process on SQLite sustains.
- Resident memory of the server process (VmRSS) before the play paths, after each of them
  and at the end; and what an idle server asks of PostgreSQL: transactions per second over
  {IDLE_SECONDS:g} s without a request (`pg_stat_database`, read from another database).

"""


def _how(run: Run) -> str:
    """How the numbers are taken, and how to read the CPU columns."""
    o = run.options
    m = run.machine
    drift = _drift(run)
    return f"""## How

- A fresh PostgreSQL database per run, migrated, with one configured partner (link lifetime
  1 h); dropped at the end.
- `portero serve --workers 1`, with `PORTERO_LOG_LEVEL={o.log_level}` (the per-request access
  line is INFO: left out so that the numbers measure the service, not the log pipe) and the
  expiry sweep off.
- wrk with {o.threads} threads and {o.connections} connections, on the same machine as the
  server and PostgreSQL (all share the cores). Each scenario: {o.warmup:g} s warm-up, then
  {o.duration:g} s timed; all in one invocation, so the ratios use this run's own baseline.
  {drift}
- ok/s counts only responses with the expected status (200, 201, 201, 303); latencies are
  wrk's, over all responses. The CPU column is the CPU time of the server process (in
  brackets: the part spent in the kernel), of all PostgreSQL processes, of wrk and of
  everything else on the machine during the timed run, in % of one core ({m["nproc"]}00 = every
  core busy): a large "other" means the numbers were disturbed. "Server waits for CPU" is
  the share of the run its event-loop thread was runnable but not running
  (`/proc/<pid>/schedstat`); the last column divides the server's CPU time by the ok
  responses. Raw wrk output is kept in `bench/results/` (not committed).

"""


def _machine(run: Run) -> str:
    """What it ran on, and which version of the code."""
    m = run.machine
    return f"""## Machine

| | |
|---|---|
| date | {run.started:%Y-%m-%d %H:%M} UTC |
| CPUs (nproc) | {m["nproc"]} |
| CPU model | {m["cpu"]} |
| kernel | {m["kernel"]} |
| Python | {m["python"]} |
| PostgreSQL | {m["postgres"]} |
| wrk | {m["wrk"]} |
| packages | {m["packages"]} |
| code | {m["commit"]} |

"""


def _results(run: Run) -> str:
    """The results table and what to note about it."""
    return f"""## Results

{result_table(run)}
{play_path_lines(run)}
{status_notes(run)}

"""


def _targets(run: Run) -> str:
    """What the targets are and whether they were met, up to the end of the table's line."""
    o = run.options
    return f"""## Targets

Ratios are ok/s of the scenario over ok/s of (a): at least {TARGET_RATIO} for a launch
path, {ROUND_TARGET_RATIO} for a play path; p99 at {o.connections} connections, at most
{TARGET_P99_MS:g} ms (for a play path: or the baseline's own p99 when that is longer). wrk
keeps {o.connections} requests in flight, so the mean latency is about {o.connections} / ok/s:
a p99 of {TARGET_P99_MS:g} ms needs at least {o.connections * 1000 / TARGET_P99_MS:,.0f} ok/s.

{target_table(run)}
"""


# Where a round's time went before the play paths were reworked, and where it goes now.
PLAY_PATHS = """
## The play paths: where the time went

Before (commit ff58435, 2026-12-06): 240 slot spins/s, 0.037 of the baseline, 4.2 ms of
server CPU per spin, p99 1.2 s. py-spy put 56 % of the server's time in SQLAlchemy's own code
(statement construction, compilation cache keys, the unit of work), 10 % in FastAPI and 8 % in
asyncpg. A spin was ten round trips to PostgreSQL: BEGIN, the session, the account FOR
UPDATE, the round id's earlier round, the account UPDATE, the two entries, the round, the
partner's webhook endpoints, COMMIT. A roulette round added its seat lock and the currency
terms. Two wrk threads also walked the same 64 sessions, so one player's spins waited for
each other on the account's lock.

Now: a slot spin is two statements (the session; the round: account, round and entries in
one CTE, `rounds/pg_ledger.py`), a roulette round six (the session; BEGIN, the seat FOR
UPDATE, the round, the seat, COMMIT), all on the bare asyncpg pool; the session query also
brings the partner's table limits and whether it has webhooks. SQLAlchemy's session is not
touched at all on that path. What a spin costs is now about half the framework's (routing
about 9 %, FastAPI's dependency resolution about 10 %, the middleware about 11 %, uvicorn and
the event loop about 18 %) and half Portero's (the slot engine 7 %, the two statements with
their pool turns 16 %, building the round 5 %, the response 5 %). To reach a quarter of the
no-op the framework's share itself would have to shrink: a route matched without walking
every route before it, and the play API's dependencies (bearer token, session, query check)
resolved as one; the benchmark says where the rest goes with `--profile`.

Each wrk thread now walks its own half of the sessions, so no two requests of one player are
in flight at once: the figures measure the round, not a player's queue.

The ledger spins' code has not changed since commit 679f156, whose run gave them 0.16-0.19 of
the baseline; the 2026-12-07 run on another machine of the same kind gives 0.28-0.34. The
difference is the machine, not the code: there the no-op cost 0.28 ms of server CPU and a
slot spin 1.41 ms, here 0.38 ms and 1.17 ms. A ratio near 0.25 is this close to the line on
either machine; the framework's share above is what would move it for good.

**Seamless rounds (i).** Before (commit 679f156): 41 rounds/s at 64 connections and 24 ms of
server CPU a round, and at one connection 33 ms, Portero adding p50 28 ms and p99 471 ms to
the wallet's two calls. A round was about twenty statements and five transactions through
SQLAlchemy's session (py-spy: a fifth of the server's time in SQLAlchemy), and two calls
through httpx, whose pool (httpcore 1.0) polls the socket of every idle connection it keeps
on every request: with the 32 connections a loaded partner keeps alive, two thirds of a
one-connection round's time was inside `AsyncClient.post`. Now each of the round's three
steps is one statement on the asyncpg pool (`rounds/pg_seamless.py`: the bet with its claimed
debit, the confirmed debit with the draw and the claimed credit, the confirmed credit), with
the session and the wallet's row five in all and none inside BEGIN/COMMIT, and the wallet
calls go through aiohttp's pool (a tenth of httpx's CPU a call, measured on this machine);
the One Wallet body's amounts are unquoted by one compiled pattern instead of one compiled
per call (8 % of the server's time). The result: about 3.7 ms of server CPU a round, six
times as many rounds a second, and at one connection Portero adds p50 5.2 ms and p99 11 ms.

What still misses its target, and why:

- **Seamless rounds at 64 connections**: wrk keeps 64 rounds in flight, so a round takes
  about 64 / (rounds/s) and the server's CPU (89 % of a core, and waiting for one 16 % of
  the time) is what they queue for. Portero adding 5 ms at p50 there would need 64 rounds
  in 2 x 22 + 5 ms, some 1,300 rounds/s: more than the ledger spins reach, which do a subset
  of the same work without the two HTTP calls. On one process of this machine that target
  is out of reach with every guarantee kept (each call recorded before and after, no
  transaction across a call); what a round itself adds is the one-connection figure.
- **The launch paths' p99 against 50 ms**: each is at 0.46-0.70 of the baseline, with a p99
  of 54-71 ms while the baseline's own p99 in the same run was 298 ms.
- **SQLite (h)**: one connection per process, every round through the general path: about
  6-12 ms of CPU a round, so one process sustains some 70-150 rounds/s, and with 64 players
  spinning at once some requests wait past the pool's timeout and answer 503. That is the
  point to move to PostgreSQL.

Met since 679f156, with what did it:

- **Signalling**: p99 14.2 ms on one process and 17.3 ms through Redis before, 4.8 ms and
  3.7 ms now. A relay itself never read the database, but each socket ran its session's
  check and its heartbeat write in its own receive loop, so a message behind one waited for
  a round trip; they now run in a task beside the relay (calls/ws/connection.py `_chores`).
  Connecting the 100 calls took 30 s, now 6 s: a customer already connected no longer
  re-reads its state on the queue's news (every arrival made every customer read).
- **The no-op's tail**: during load the cyclic garbage collector makes no full collection
  (start-up's objects are frozen out of it; young collections stay under 10 ms), and an idle
  server sends PostgreSQL one small read a second per loop. The tail of (a) was the same for
  the code before the play paths' rework, measured on the same machine the same day (p99
  160-320 ms for both): it is this machine's scheduling of wrk, the server and PostgreSQL on
  two cores. Absolute rates also differ from day to day and machine to machine here (the
  no-op: 6,411 requests/s on 2026-12-06, 2,600-3,600/s on 2026-12-07): compare ratios within
  one run.
"""


def _play_paths() -> str:
    """Where a round's time went before the play paths were reworked, and where it goes now
    (measured once with `--profile` and py-spy; kept as prose, not regenerated)."""
    return PLAY_PATHS


def _rerunning(run: Run) -> str:
    """How to run it again and what it needs; from the blank line after the targets or the
    profiles."""
    o = run.options
    return f"""
## Re-running

```
make bench                          # or: bash bench/run.sh
bash bench/run.sh --duration 30     # longer timed runs
bash bench/run.sh --profile         # also sample the server with py-spy in (b-new), (c), (e)
bash bench/run.sh --help            # every option
```

It needs PostgreSQL at {o.pg_host}:{o.pg_port} (user {o.pg_user}, no password; see
`--pg-host`, `--pg-port`, `--pg-user`) and installs wrk with apt-get when it is missing.
Missed targets are reported, not turned into a failing exit code.
"""
