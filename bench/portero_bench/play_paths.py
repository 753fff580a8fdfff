"""Where a round's time went, as prose for bench/README.md (measured with `--profile`)."""

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

Then (commit 679f156): a slot spin was two statements (the session; the round: account,
round and entries in one CTE, `rounds/pg_ledger.py`), a roulette round six (the session;
BEGIN, the seat FOR UPDATE, the round, the seat, COMMIT), all on the bare asyncpg pool, and
SQLAlchemy's session not touched. About half of a spin's CPU was the framework's.

Now (2026-12-07, commits 77bd832 to 7548b2f; compared with a full run of 9f2e246 on this
machine the same afternoon). What changed, in order of what it saved:

- **The route table.** FastAPI 0.16x keeps each `include_router` as a branch that every
  request walks, with scope bookkeeping per candidate, and the matched branch twice; cProfile
  put 70 % of a `/healthz` in that matching. The routes now sit on the application's own
  router (`app._build`).
- **No dependency solver on the busiest routes** (`http/direct.py`): the rounds
  (`RoundRoute`), `POST /v1/launches` (`LaunchRoute`: the partner, then the Idempotency-Key
  through FastAPI's own field) and the seeds' launches (`RequestRoute`) are documented by
  FastAPI from their declarations but served without its solver and its per-request exit
  stacks. py-spy had put 15 % of a launch in `solve_dependencies` and 12 % of a spin in the
  request wrappers.
- **A keyed launch in one statement**: without ON CONFLICT on the key, a key already taken
  fails the statement whole, and only then does a transaction replay or refuse. Seed 001
  (its `uuid` is a key) gains the same: 0.72 to 0.50 ms.
- **A roulette round in three statements** instead of six: the session, the seat read
  without a lock, and one statement that locks the seat only as read, moves it only if the
  money moved, and settles the round (`rounds.games.StateChange`).
- **The pool's turns** (`kit/turns.py`): one timer for every waiter instead of one per wait,
  and no asyncpg deadline for a connection a turn guarantees.
- **The rest of a spin**: plain records instead of ORM objects on the fast path, no
  SQLAlchemy session opened unless the general path needs one, and the slot engine finding
  each line's run once rather than once per symbol (monaco-nights: 11,300 to 21,400 spins/s
  on one core, bench/SLOTS.md).

Server CPU per request, then and after (the run of 7548b2f): the no-op 0.25 to 0.17 ms;
launches 0.55-0.74 to 0.47-0.52 ms; the first open 0.43 to 0.44 ms; slot, roulette and
transfer spins 0.94, 1.15 and 1.04 to 0.57, 0.78 and 0.83 ms. The no-op's p99 at 64
connections fell from 103 ms to 17 ms: its walk of every route had been most of its cost and
of its tail. Because it gained the most, the ratios did not all rise: the launches went from
0.32-0.44 to 0.32-0.35 of it, the spins from 0.20-0.25 to 0.17-0.26.

The later spins of a run are bound by PostgreSQL as much as by the server: on two cores,
PostgreSQL took 70-74 % of a core during (e)-(g) (0.49-0.72 ms per round, 0.36-0.53 ms in
the run of 9f2e246), and the server waited for a CPU 11-13 % of the time. This machine's
PostgreSQL runs with autovacuum off, so each scenario runs on the dead rows of all those
before it. In 8 s runs on a fresh database the same code gave 0.54-0.60 ms (slot),
0.66 ms (roulette) and 0.59-0.63 ms (transfer), and 0.25-0.30 / 0.23-0.26 / 0.25-0.28 of
the no-op. Vacuuming with ANALYZE before each scenario made it worse (statistics taken on
near-empty tables gave the prepared statements plans that put PostgreSQL at 94 % of a core).
The same code's CPU per request also moved by up to 40 % between runs an hour apart.
Three full runs of the same play paths on three draws of this machine (the tables above are
the last; the code of the play paths did not change between them):

| run | no-op /s (CPU ms, p99 ms) | launch ratios | spins' CPU ms | spin ratios | spin p99 ms |
|---|---|---|---|---|---|
| 7548b2f, 2026-12-07 07:27 | 5,885 (0.17, 17) | 0.32-0.35 | 0.57-0.83 | 0.17-0.26 | 63-97 |
| 4970034, 2026-12-07 18:42 | 2,061 (0.48, 544) | 0.38-0.48 | 1.07-1.32 | 0.32-0.41 | 132-140 |
| this file's, 2026-12-08 00:35 | 2,931 (0.34, 380) | 0.32-0.38 | 1.04-1.24 | 0.25-0.29 | 123-133 |

On a fast draw the ratios fall short and the p99s come near 50 ms; on a slow one the ratios
pass and every p99 is far above it (below 1,280 rounds/s, 64 connections cannot average 50
ms). The ratios and the p99 bound pull opposite ways as the machine's speed moves; the CPU
per request, within one run, is the figure to compare.

Where a spin's time goes now (`--profile`, below): of the samples, 12 % in writes to
PostgreSQL's socket (which, on two shared cores, includes waking PostgreSQL and waiting for
it to yield the CPU), 4 % in writes to the client's, 6 % in the event loop's own C code; of
the Python, a quarter is Portero's own and an eighth asyncpg's, with the asyncpg pool's
acquire and release 7 % across the round's two turns (the session, then the round), the
response's validation and serialisation 3 %, and uvicorn, Starlette's middleware and
FastAPI most of the rest. What would move it next: the session and the round on one pool
turn instead of two (about half of that 7 %), the roulette seat read with the session, and
the response written without pydantic's validation of what the engine produced. None of
them touches what bounds a spin on this machine: PostgreSQL and the server share two cores,
PostgreSQL took 60-66 % of one during the spins and the server waited for a CPU 7-9 % of the
time, so a spin's own CPU (about 1 ms here, 0.6 ms on a fast draw) plus PostgreSQL's caps
one process at 850-1,500 rounds/s; a second core for the server (another worker) or
PostgreSQL on its own host is what raises it.

Each wrk thread walks its own half of the sessions, so no two requests of one player are in
flight at once: the figures measure the round, not a player's queue.

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
- **The play paths' p99 against 50 ms** (the ratios and the bound of the no-op's own p99
  pass in this file's run): a p99 of 50 ms at 64 connections needs some 1,300 rounds/s
  spread evenly; the spins reach 750-1,500 in a full run, with PostgreSQL taking most of the
  second core (above).
- **The launch paths**: seed 001 0.318 of the no-op in this file's run (0.33-0.38 for the
  others; in the run of 7548b2f the keyed launch and seed 002 fell a hair short), and their
  p99 90-114 ms against 50 ms, at about 1,000 launches/s: 64 in flight average 64 ms. In their
  profile (below, (b)) Portero's own code is a quarter of the samples, uvicorn, Starlette,
  FastAPI and pydantic together a third, and the launch's one statement 5 %.
- **Signalling p99** (17.1 ms on one process, 11.8 ms through Redis in this file's run;
  4.6-6.5 ms through Redis and 5-8 ms on one process on 2026-12-07): its CPU per message
  (1.1-1.5 ms here, 0.67-0.83 ms then) moved with the machine, the relay's code did not;
  at 400 messages/s over 10 s the p99 is the 40 slowest messages.
- **SQLite (h)**: one connection per process, every round through the general path: about
  6-13 ms of CPU a round, so one process sustains some 70-150 rounds/s, and with 64 players
  spinning at once some requests wait past the pool's timeout and answer 503. That is the
  point to move to PostgreSQL.

Met since 679f156, with what did it:

- **Signalling** (through Redis; for one process, see above): p99 14.2 ms on one process
  and 17.3 ms through Redis before 679f156, 4.6-6.5 ms through Redis in today's runs. A
  relay itself never read the database, but each socket ran its session's check and its
  heartbeat write in its own receive loop, so a message behind one waited for a round trip;
  they now run in a task beside the relay (calls/ws/connection.py `_chores`). Connecting
  the 100 calls took 30 s, now 6 s: a customer already connected no longer re-reads its
  state on the queue's news (every arrival made every customer read).
- **The no-op's tail**: during load the cyclic garbage collector makes no full collection
  (start-up's objects are frozen out of it; young collections stay under 10 ms), and an idle
  server sends PostgreSQL one small read a second per loop. Then the code's share: the walk
  through FastAPI's included routers (with the routes flat, (a)'s p99 fell from 103 ms to
  17 ms on a fast draw). What is left of it on a slow draw (p99 250-870 ms beside a p50 of
  20-30 ms) is the event loop's: uvloop, serving a process saturated on CPU, leaves some
  ready connections waiting many turns. The same server on asyncio's loop (`portero serve
  --loop asyncio`, now measured in every run: the line above the memory figures) keeps its
  p99 within a few milliseconds of its mean (41.6 ms beside a p50 of 29.2 ms in this file's
  run), and so does an ASGI application of ten lines that spends 0.4 ms of CPU a request:
  p99 about 495 ms on uvloop and 37 ms on asyncio, at 1,900-2,000 requests/s on both
  (0.2 ms a request: 175-220 ms on uvloop). uvloop stays the default: in 8 s runs it served
  1,215-1,230 launches/s to asyncio's 879-980, and the spins alike on both within the runs'
  noise, and the paths that wait on PostgreSQL between their steps keep their p99 near 1.5
  times their p50 on either loop. docs/operations.md says when to choose the other.
"""
