"""bench/README.md, assembled section by section from one benchmark's results."""

from __future__ import annotations

from .common import IDLE_SECONDS, PROFILE_RATE, ROUND_TARGET_RATIO, TARGET_P99_MS, TARGET_RATIO
from .play_paths import PLAY_PATHS
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
  is matched after every other (FastAPI tries them in order, a microsecond or so each), a
  walk the busiest paths, matched first, do not pay.
- **(b) new player**: `POST /v1/launches` with a player id never seen before on every request
  (id = run prefix, wrk thread, counter): one player insert and one launch insert.
- **(b) returning player**: the same request cycling through a fixed set of
  {o.returning_players} player ids, which exist after the warm-up: the upsert updates.
- **(b) with Idempotency-Key**: as (b) new player, each request with a key of its own. Issuing
  is one statement, atomic by itself, sent without BEGIN/COMMIT, with a key too: a key
  already taken fails it whole (player upsert included), and only then does a transaction
  replay or refuse.
- **(d)** the create-session call of each seed API, each request for a new user: seed 000
  (form parameters), seed 001 (its `uuid` is an idempotency key) and seed 002 (JSON), one
  statement each. Seed 000 answers HTTP 200 to errors
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
- **(a) on asyncio's loop**: (a) again on a second server process of the same code started
  with `--loop asyncio` (the server under test runs on uvloop, the default): how much of the
  no-op's tail is the event loop's.
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


def _play_paths() -> str:
    """Where a round's time went before the play paths were reworked, and where it goes now
    (measured with `--profile` and py-spy; kept as prose in play_paths.py, not regenerated)."""
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
