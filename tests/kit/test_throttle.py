"""The limiter of guesses on its own: windows, networks, kinds, and its two stores (this
process's memory and the real Redis)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

import pytest

from portero.kit.throttle import (
    FailureCounter,
    Limit,
    LocalCounter,
    Throttle,
    TooManyAttempts,
    network_of,
)
from portero.kit.throttle_redis import RedisCounter
from tests.support.throttling import HandClock, reachable_redis, unique_prefix

NETWORK = "203.0.113.7"
OTHER = "198.51.100.9"
LIMITS = {"link": Limit(3, 60, count_in_flight=True), "auth": Limit(2, 300)}

CounterFactory = Callable[[], FailureCounter]


@pytest.fixture(params=["memory", "redis"])
async def counters(request: pytest.FixtureRequest) -> AsyncIterator[CounterFactory]:
    """Makes counters that share one store, as the processes of one deployment do: one
    process's memory, or one Redis under a key prefix of this test's own."""
    made: list[FailureCounter] = []
    if request.param == "memory":
        shared = LocalCounter()
        made.append(shared)

        def make() -> FailureCounter:
            return shared
    else:
        url, prefix = await reachable_redis(), unique_prefix()

        def make() -> FailureCounter:
            made.append(RedisCounter.from_url(url, prefix=prefix))
            return made[-1]

    yield make
    for counter in made:
        await counter.close()


async def fail(
    throttle: Throttle, times: int, *, kind: str = "link", network: str = NETWORK
) -> None:
    for _ in range(times):
        throttle.admit(kind, network)
        await throttle.done(kind, network, failed=True)


async def succeed(throttle: Throttle, *, kind: str = "link", network: str = NETWORK) -> None:
    throttle.admit(kind, network)
    await throttle.done(kind, network, failed=False)


def retry_after(throttle: Throttle, kind: str = "link", network: str = NETWORK) -> int:
    with pytest.raises(TooManyAttempts) as refused:
        throttle.admit(kind, network)
    return refused.value.retry_after_seconds


async def test_the_limit_of_failures_then_refusal_until_the_window_ends(
    counters: CounterFactory,
) -> None:
    clock = HandClock()
    throttle = Throttle(counters(), LIMITS, clock=clock)
    await fail(throttle, 2)
    clock.advance(10)
    await fail(throttle, 1)  # the third failure is still answered; the next attempt is not
    assert retry_after(throttle) == 50
    clock.advance(49.5)
    assert retry_after(throttle) == 1  # whole seconds, rounded up
    clock.advance(0.5)
    await fail(throttle, 2)  # a new window
    await succeed(throttle)


async def test_networks_and_kinds_are_counted_apart(counters: CounterFactory) -> None:
    throttle = Throttle(counters(), LIMITS, clock=HandClock())
    await fail(throttle, 3)
    retry_after(throttle)
    await succeed(throttle, network=OTHER)
    await succeed(throttle, kind="auth")
    await fail(throttle, 2, kind="auth", network=OTHER)
    assert retry_after(throttle, "auth", OTHER) == 300
    await succeed(throttle, kind="auth")


async def test_a_limit_of_zero_never_refuses(counters: CounterFactory) -> None:
    throttle = Throttle(counters(), {"link": Limit(0, 60)}, clock=HandClock())
    await fail(throttle, 50)
    await succeed(throttle)


async def test_processes_sharing_a_store_count_together(counters: CounterFactory) -> None:
    """A process learns that a network is over the limit from its own next failure: with two
    processes the network gets one attempt more than the limit, not twice the limit."""
    clock = HandClock()
    first = Throttle(counters(), LIMITS, clock=clock)
    second = Throttle(counters(), LIMITS, clock=clock)
    await fail(first, 3)
    retry_after(first)
    await fail(second, 1)
    assert retry_after(second) == 60


async def test_separate_memories_do_not_count_together() -> None:
    clock = HandClock()
    first = Throttle(LocalCounter(), LIMITS, clock=clock)
    second = Throttle(LocalCounter(), LIMITS, clock=clock)
    await fail(first, 3)
    await fail(second, 2)
    retry_after(first)
    await succeed(second)


async def test_an_unreachable_redis_counts_in_process_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    counter = RedisCounter.from_url("redis://127.0.0.1:1/0", prefix=unique_prefix())
    clock = HandClock()
    throttle = Throttle(counter, LIMITS, clock=clock)
    with caplog.at_level(logging.WARNING, logger="portero.throttle"):
        await fail(throttle, 3)
        clock.advance(6)  # past the pause before Redis is tried again: it fails again
        await fail(throttle, 1, network=OTHER)
    assert retry_after(throttle) == 54
    warnings = [r for r in caplog.records if r.name == "portero.throttle"]
    assert len(warnings) == 1
    assert "per process" in warnings[0].getMessage()
    await counter.close()


async def test_memory_is_bounded_and_ended_windows_are_forgotten() -> None:
    counter = LocalCounter(max_keys=3)
    for n in range(5):
        await counter.add(f"k{n}", now=0.0, expires_at=60.0)
    assert len(counter) == 3
    assert await counter.add("k0", now=0.0, expires_at=60.0) == 1  # evicted, counted anew
    assert await counter.add("later", now=60.0, expires_at=120.0) == 1
    assert len(counter) == 1  # the first window's keys ended at 60


async def test_what_a_process_knows_of_networks_is_bounded_too() -> None:
    throttle = Throttle(LocalCounter(), {"link": Limit(1, 60)}, clock=HandClock(), max_tracked=2)
    for network in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        await fail(throttle, 1, network=network)
    await succeed(throttle, network="192.0.2.1")  # the oldest was forgotten
    retry_after(throttle, "link", "192.0.2.3")


async def test_attempts_under_way_count_until_they_end() -> None:
    """A guesser sending many at once gets no more evaluated than the limit allows."""
    throttle = Throttle(LocalCounter(), LIMITS, clock=HandClock())
    await fail(throttle, 1)
    throttle.admit("link", NETWORK)
    throttle.admit("link", NETWORK)
    assert retry_after(throttle) == 1  # the two under way may still fail: wait for them
    await throttle.done("link", NETWORK, failed=False)
    throttle.admit("link", NETWORK)  # one ended well: its place is free again
    await throttle.done("link", NETWORK, failed=True)
    await throttle.done("link", NETWORK, failed=True)
    assert retry_after(throttle) == 60


async def test_a_network_that_has_not_failed_may_open_many_at_once() -> None:
    throttle = Throttle(LocalCounter(), LIMITS, clock=HandClock())
    for _ in range(50):  # players behind one address: nothing under way is refused
        throttle.admit("link", NETWORK)
    for _ in range(50):
        await throttle.done("link", NETWORK, failed=False)


async def test_a_partners_servers_may_send_many_at_once() -> None:
    throttle = Throttle(LocalCounter(), LIMITS, clock=HandClock())
    for _ in range(50):  # authentications under way are not counted: none is refused
        throttle.admit("auth", NETWORK)
    for _ in range(50):
        await throttle.done("auth", NETWORK, failed=False)
    await fail(throttle, 2, kind="auth")
    retry_after(throttle, "auth")


def test_the_network_of_an_address() -> None:
    assert network_of("203.0.113.7") == "203.0.113.7"
    assert network_of("::ffff:203.0.113.7") == "203.0.113.7"
    assert (
        network_of("2001:db8:1:2:aaaa::1") == network_of("2001:DB8:1:2::2") == "2001:db8:1:2::/64"
    )
    assert network_of("2001:db8:1:3::1") != network_of("2001:db8:1:2::1")
    assert network_of(None) == "unknown"
    assert network_of("testclient") == "testclient"
