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

Now (2026-12-07, measured against commit 9f2e246 on the same machine in the same hour, 8 s
runs): FastAPI 0.16x keeps every `include_router` as a branch that each request walks, with
scope bookkeeping per candidate route, and the matched branch walked twice. py-spy put 19 %
of a spin's samples between the middleware and the endpoint, and cProfile 70 % of a
`/healthz` inside FastAPI's matching. The routes now sit on the application's own router
(`app._build`), and the round endpoints are served by `launches.deps.RoundRoute`, which calls
the session dependency and the query check itself rather than FastAPI's dependency solver;
FastAPI still documents them from the same declaration. A roulette round is three statements
now: the session, the seat (read without a lock), and the round's statement. That statement
locks the seat only if it is still as read, and moves it only if the money moved
(`rounds.games.StateChange`), so there is no transaction and no lock held between round
trips. A connection taken with a turn of the pool's semaphore no longer arms asyncpg's own
deadline (a task and a timer a call). Per spin, server CPU fell from 0.86 to 0.74-0.77 ms for
the slot, 1.13 to 0.80-0.86 ms for roulette and 0.86 to 0.74-0.82 ms for the transfer wallet:
13-35 % more rounds a second. The no-op gained more: 4,100 to 5,700-5,900 requests/s, and
its p99 at 64 connections fell from 150 ms to 20-65 ms. Its walk of every route had been
most of its cost, and most of its tail. So the ratios fell (0.28 / 0.21 / 0.28 before, about
0.22 / 0.20 / 0.22 after), although every path got faster. The ratio targets were set
against a no-op that paid for that walk.

Where a spin's time goes now (`--profile`, below): the slot engine about 11 %, SQLAlchemy's
ORM object for the round and the unused session about 6 %, the pool's turns and timers about
8 %, the two statements about 6 %, uvicorn and the event loop about 15 %. The next steps, in
order of what they would save: a plain record instead of the ORM `GameRound` on the fast
path, no AsyncSession opened before the fast path has declined, and a faster line
evaluation in the slot engine (`slots/games/rules.py`).

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
- **The play paths' ratios** (0.25): see above; every spin is cheaper than before, and the
  no-op cheaper still.
- **The launch paths' p99 against 50 ms**: with 64 requests in flight a p99 of 50 ms needs
  about 1,300 ok/s and an even spread; the launches are at 1,300-1,800 ok/s, with PostgreSQL
  taking half a core beside the server on two cores.
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
  server sends PostgreSQL one small read a second per loop. The rest was the code's after all:
  the walk through FastAPI's included routers. With the routes flat, (a)'s p99 at 64
  connections fell from 103-151 ms to 20-65 ms on this machine. Absolute rates still differ
  from day to day and machine to machine here (the no-op: 6,411 requests/s on 2026-12-06,
  2,600-4,100/s on 2026-12-07 before the change): compare ratios within one run.
"""
