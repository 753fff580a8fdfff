"""The call product in headless Chromium: an agent's console and a customer's call page in two
separate browsers, with Chromium's fake camera and microphone, talking for real over WebRTC (see
browsing.py for the set-up). The customer's link comes from seed 002's HTTP API, the agent's
console link from the CLI.

The last test runs the agent and the customer on two Portero processes sharing one PostgreSQL
database and Redis; it needs both on 127.0.0.1 (skipped without them, except under CI)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import asyncpg
import pytest
import redis
from playwright.sync_api import Frame, Page, WebSocketRoute
from playwright.sync_api import expect as pw_expect

from tests.support.browsing import (
    ARTIFACTS,
    SECRET,
    OpenBrowser,
    PartnerSite,
    Portero,
    free_port,
    game_frame,
    serving,
    until,
    watch_problems,
)
from tests.support.call_pages import (
    CONNECT_MS,
    CONNECTED,
    MEDIA_ARGS,
    RECEIVED,
    RECEIVING_MORE,
    TICKET,
    add_agent,
    chat,
    open_console,
    rate_the_call,
    seed_002_link,
    wait_for_media,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"


def call_through(
    agent_portero: Portero,
    customer_portero: Portero,
    open_browser: OpenBrowser,
    partner_site: PartnerSite | None,
    *,
    label: str,
    category_name: str,
) -> None:
    """The whole call: an agent available, a customer's link opened (inside the partner's iframe
    when `partner_site` is given), offered, accepted, talked over, chatted in, hung up."""
    agent = add_agent(agent_portero, f"Ana {label}", category_name)
    console = open_console(open_browser(args=MEDIA_ARGS), agent)
    console_problems = watch_problems(console)
    pw_expect(console.locator("#idle")).to_have_text("Esperando llamadas…")

    link = seed_002_link(customer_portero, agent.category)
    customer_page = open_browser(args=MEDIA_ARGS).new_page()
    customer_problems = watch_problems(customer_page)
    customer: Page | Frame
    if partner_site is not None:
        customer_page.goto(partner_site.page_embedding(link, allow="camera; microphone; autoplay"))
        customer = game_frame(customer_page)
    else:
        customer_page.set_viewport_size({"width": 1000, "height": 760})
        customer_page.goto(link)
        customer = customer_page.main_frame
    pw_expect(customer.locator("#ready")).to_be_visible()
    pw_expect(customer.locator("#nickname")).to_have_text("Abraham")
    pw_expect(customer.locator("#tickets")).to_contain_text(TICKET["title"])
    pw_expect(customer.locator("#tickets")).to_contain_text(TICKET["description"])
    pw_expect(customer.locator("#preview")).to_be_visible()  # the fake camera's preview

    # The agent's console rings with who is calling and why.
    offer = console.locator("#offer")
    pw_expect(offer).to_be_visible()
    pw_expect(console.locator("#offer-name")).to_have_text("Abraham")
    pw_expect(console.locator("#offer-cellphone")).to_have_text("+584141315854")
    pw_expect(offer).to_contain_text(TICKET["title"])
    pw_expect(offer).to_contain_text(TICKET["description"])
    pw_expect(console.locator("#offer-countdown")).to_have_text(re.compile(r"Sonará \d+ s más"))
    pw_expect(customer.locator("#queue-status")).to_have_text("Llamando a un agente…")
    # It rings: a tone (unlocked when the agent went available), the title blinking.
    call_ringing = offer.get_attribute("data-call")
    pw_expect(console.locator("html")).to_have_attribute("data-ringing", call_ringing or "")
    until(console, "window.porteroRinger.tones >= 1")
    until(console, "document.title.startsWith('●')")
    until(console, "!document.title.startsWith('●')")  # and off again: a blink
    ARTIFACTS.mkdir(exist_ok=True)
    console.screenshot(path=ARTIFACTS / f"call-console-offer-{label}.png")
    console.get_by_role("button", name="Aceptar").click()
    pw_expect(console.locator("html")).not_to_have_attribute("data-ringing", re.compile(".*"))
    assert not console.title().startswith("●")  # accepted: the ringing stops

    # Both connections come up, and both sides receive audio and video.
    pw_expect(console.locator("#call")).to_be_visible()
    pw_expect(console.locator("#call-title")).to_have_text("En llamada con Abraham")
    # Both sides count the call's time from its answer.
    for side in (console, customer):
        pw_expect(side.locator("#call-timer")).to_have_text(re.compile(r"^\d+:\d\d$"))
    until(customer, "document.getElementById('call-timer').textContent !== '0:00'")
    pw_expect(customer.locator("#call")).to_be_visible()
    pw_expect(customer.locator("#agent-name")).to_have_text(f"En llamada con {agent.name}")
    wait_for_media(console.main_frame)
    wait_for_media(customer)
    chat(customer, console, "Hola, quería preguntar por la promoción")
    chat(console, customer, "¡Claro! Te cuento")
    pw_expect(customer.locator("#chat-log li.theirs .who")).to_have_text(agent.name)
    pw_expect(console.locator("#chat-log li.theirs .who")).to_have_text("Abraham")
    # The media controls work on the local tracks and say so.
    # Each button says what pressing it does now: its label and icon follow the state.
    mute = customer.locator("#mute")
    pw_expect(mute).to_have_text(re.compile(r"^\s*🎙\s+Silenciar\s*$"))
    mute.click()
    pw_expect(mute).to_have_text(re.compile(r"^\s*🔇\s+Activar micrófono\s*$"))
    pw_expect(mute).to_have_attribute("data-off", "true")
    assert customer.evaluate("window.porteroCall.pc.getSenders()"
                             ".filter(s => s.track && s.track.kind === 'audio')"
                             ".every(s => !s.track.enabled)")  # fmt: skip
    mute.click()
    pw_expect(mute).to_have_text(re.compile(r"^\s*🎙\s+Silenciar\s*$"))
    camera = customer.locator("#camera")
    camera.click()
    pw_expect(camera).to_have_text(re.compile(r"^\s*🚫\s+Encender vídeo\s*$"))
    camera.click()
    pw_expect(camera).to_have_text(re.compile(r"^\s*📷\s+Apagar vídeo\s*$"))
    if partner_site is None:
        # A reload mid-call: the page asks for a new offer and the media flow again.
        customer_page.reload()
        pw_expect(customer.locator("#call")).to_be_visible()
        # The chat said so far is back, from the call's transcript.
        log = customer.locator("#chat-log")
        pw_expect(log.locator("li.mine").first).to_contain_text("quería preguntar por la promoción")
        pw_expect(log.locator("li.theirs").first).to_contain_text("¡Claro! Te cuento")
        wait_for_media(customer)
        wait_for_media(console.main_frame)
        chat(customer, console, "Ya estoy de vuelta")

    console.screenshot(path=ARTIFACTS / f"call-console-{label}.png")
    if partner_site is not None:
        # The call fits the partner's small iframe: the controls are in view, nothing overflows.
        hang_up_bottom = customer.evaluate(
            "document.getElementById('hang-up').getBoundingClientRect().bottom"
        )
        assert hang_up_bottom <= customer.evaluate("window.innerHeight"), hang_up_bottom
        assert customer.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        customer_page.locator("iframe#game").screenshot(path=ARTIFACTS / "call-customer-iframe.png")
    else:
        customer_page.screenshot(path=ARTIFACTS / f"call-customer-{label}.png")

    # The customer hangs up: both sides show the end, and the link is spent.
    customer.get_by_role("button", name="Colgar").click()
    pw_expect(customer.locator("#over")).to_be_visible()
    pw_expect(customer.locator("#over h1")).to_have_text("La llamada ha terminado")
    pw_expect(customer.locator("#duration")).to_have_text(re.compile(r"^Duración: \d+:\d\d$"))
    pw_expect(customer.locator("#agent-name")).to_have_text("")  # no longer "in a call with"
    rate_the_call(customer, customer_portero, label)
    pw_expect(console.locator("#call")).to_be_hidden()
    pw_expect(console.locator("#message")).to_have_text("La llamada con Abraham ha terminado.")
    row = console.locator("#recent-calls tr").first
    pw_expect(row).to_have_attribute("data-status", "completed")
    pw_expect(row).to_contain_text("+584141315854")
    pw_expect(row).to_contain_text("Completada")
    pw_expect(row.locator("td").nth(4)).to_have_text(re.compile(r"^\d+:\d\d$"))
    # The customer's rating reaches the console, and so does the call's chat.
    pw_expect(row.get_by_role("img", name="4 de 5")).to_have_text("★★★★☆")
    row.get_by_role("button", name="Ver el chat de la llamada con Abraham").click()
    kept = console.locator("#recent-calls .transcript li")
    pw_expect(kept.first).to_contain_text("Abraham Hola, quería preguntar por la promoción")
    pw_expect(kept.nth(1)).to_contain_text(f"{agent.name} ¡Claro! Te cuento")
    pw_expect(console.locator("#recent-calls .rating-comment")).to_contain_text(
        f"Muy amable ({label})"
    )
    console.screenshot(path=ARTIFACTS / f"call-console-ended-{label}.png")

    again = open_browser().new_page()
    response = again.goto(link)
    assert response is not None
    assert response.status == 409, response.status
    pw_expect(again.locator("h1")).to_have_text("Esta llamada ha terminado")
    assert console_problems == []
    assert customer_problems == []


@pytest.mark.parametrize("embedded", [False, True], ids=["own-tab", "partner-iframe"])
def test_an_agent_and_a_customer_talk_and_chat(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser, embedded: bool
) -> None:
    call_through(
        portero,
        portero,
        open_browser,
        partner_site if embedded else None,
        label="iframe" if embedded else "tab",
        category_name=f"Ventas {'iframe' if embedded else 'tab'}",
    )


def test_customers_waiting_see_their_place_in_the_queue(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    agent = add_agent(portero, "Berta", "Soporte")
    open_console(open_browser(args=MEDIA_ARGS), agent, presence="Ocupado")
    customers = open_browser(args=MEDIA_ARGS)
    first, second = customers.new_page(), customers.new_page()
    second.set_viewport_size({"width": 375, "height": 700})  # a phone
    first.goto(seed_002_link(portero, agent.category, name="Carla", cellphone="+584140000001"))
    pw_expect(first.locator("#queue-status")).to_have_text("Eres el número 1 en la cola")
    second.goto(seed_002_link(portero, agent.category, name="Dario", cellphone="+584140000002"))
    pw_expect(second.locator("#queue-status")).to_have_text("Eres el número 2 en la cola")
    pw_expect(first.locator("#queue-status")).to_have_text("Eres el número 1 en la cola")
    assert second.evaluate("document.documentElement.scrollWidth") <= 375
    second.wait_for_function("() => document.getElementById('preview').videoWidth > 0")
    ARTIFACTS.mkdir(exist_ok=True)
    second.screenshot(path=ARTIFACTS / "call-customer-phone-queue.png", full_page=True)

    # The first leaves: the second moves up. Trying again is a new request, at the back.
    first.get_by_role("button", name="Salir de la cola").click()
    pw_expect(first.locator("#unanswered h1")).to_have_text("Has salido de la cola")
    pw_expect(second.locator("#queue-status")).to_have_text("Eres el número 1 en la cola")
    first.get_by_role("button", name="Intentar de nuevo").click()
    pw_expect(first.locator("#queue-status")).to_have_text("Eres el número 2 en la cola")


def test_leaving_the_queue_survives_a_dropped_connection(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    """The connection drops just as the customer leaves the queue, taking the hangup with it:
    once the page has reconnected it asks again, and the customer has left."""
    agent = add_agent(portero, "Gala", "Cortes")
    customer = open_browser(args=MEDIA_ARGS).new_page()
    connections: list[WebSocketRoute] = []
    hangups: list[int] = []  # the connection each hangup was sent on

    def relay(page_side: WebSocketRoute) -> None:
        connections.append(page_side)
        number = len(connections)
        server_side = page_side.connect_to_server()

        def from_page(message: str | bytes) -> None:
            if isinstance(message, str) and json.loads(message).get("type") == "hangup":
                hangups.append(number)
                if number == 1:  # lost on the way: the page's connection drops
                    page_side.close(code=1011, reason="lost")
                    server_side.close()
                    return
            server_side.send(message)

        page_side.on_message(from_page)
        server_side.on_message(page_side.send)

    customer.route_web_socket(re.compile(r"/play/api/call/ws$"), relay)
    customer.goto(seed_002_link(portero, agent.category, name="Hugo", cellphone="+584140000004"))
    pw_expect(customer.locator("#queue-status")).to_have_text("Eres el número 1 en la cola")
    customer.get_by_role("button", name="Salir de la cola").click()
    pw_expect(customer.locator("#unanswered h1")).to_have_text("Has salido de la cola")
    assert hangups == [1, 2]
    # Gone for the desk too: the call is over, not waiting for an agent.
    assert [
        (call["status"], call["ended_by"])
        for call in portero.calls()
        if call["customer"]["name"] == "Hugo"
    ] == [("abandoned", "customer")]


def test_a_customer_without_a_camera_still_joins_and_chats(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    """Camera and microphone refused (the browser denies the permission prompt): the page joins
    receive-only, still sees and hears the agent, and the chat works."""
    agent = add_agent(portero, "Carmen", "Sin cámara")
    console = open_console(open_browser(args=MEDIA_ARGS), agent)
    refusing = ["--use-fake-device-for-media-stream", "--deny-permission-prompts"]
    customer = open_browser(args=refusing).new_page()
    customer.set_viewport_size({"width": 375, "height": 740})  # a phone
    customer.goto(seed_002_link(portero, agent.category, name="Eva", cellphone="+584140000003"))
    pw_expect(customer.locator("#camera-note")).to_contain_text("no están disponibles")
    pw_expect(customer.locator("#preview")).to_be_hidden()
    pw_expect(console.locator("#offer-name")).to_have_text("Eva")
    console.get_by_role("button", name="Aceptar").click()
    pw_expect(customer.locator("#call")).to_be_visible()
    customer.wait_for_function(CONNECTED, timeout=CONNECT_MS, polling=100)
    before = customer.evaluate(RECEIVED)
    customer.wait_for_function(RECEIVING_MORE, arg=before, timeout=CONNECT_MS, polling=250)
    # Nothing to mute or turn off: those controls are not offered.
    pw_expect(customer.locator("#mute")).to_be_hidden()
    pw_expect(customer.locator("#camera")).to_be_hidden()
    chat(customer, console, "No tengo cámara")
    chat(console, customer, "Te leo por aquí")
    assert customer.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    customer.screenshot(path=ARTIFACTS / "call-customer-phone-chat-only.png", full_page=True)
    console.get_by_role("button", name="Colgar").click()
    pw_expect(customer.locator("#over h1")).to_have_text("La llamada ha terminado")


# --- Two server processes sharing PostgreSQL and Redis ---------------------------------------


def _unreachable(what: str, error: Exception) -> None:
    message = f"{what} is required here but unreachable: {error}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _admin(statement: str) -> None:
    """One statement on the PostgreSQL server, in a thread of its own: Playwright's sync API
    keeps an event loop running in this one."""

    async def run() -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN, timeout=5)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, run()).result(timeout=30)


@pytest.fixture
def two_servers(
    tmp_path: Path, partner_site: PartnerSite, portero: Portero
) -> Iterator[tuple[Portero, Portero]]:
    """Two `portero serve` processes, each with its own public URL, on one fresh PostgreSQL
    database (dropped afterwards) and one Redis; one partner configured on both."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except (redis.RedisError, OSError) as error:
        _unreachable("Redis", error)
    name = "portero_calls_" + secrets.token_hex(4)
    try:
        _admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as error:
        _unreachable("PostgreSQL", error)
    env = {k: v for k, v in portero.env.items() if not k.startswith("PORTERO_")}
    env |= {
        "PORTERO_DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}",
        "PORTERO_REDIS_URL": REDIS_URL,
        "PORTERO_SECRET_KEY": SECRET,
        "PORTERO_EXPIRY_SWEEP_SECONDS": "0",
    }
    try:
        ports = free_port(), free_port()
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        first = Portero(base_url=urls[0], env=env | {"PORTERO_PUBLIC_URL": urls[0]})
        first.cli("migrate")
        created = json.loads(first.cli("partner", "create", "Two-server casino", "--json"))
        first.cli(
            "partner", "configure", str(created["id"]),
            "--products", "call",
            "--frame-ancestors", partner_site.origin,
            "--language", "es",
        )  # fmt: skip
        first = replace(first, partner_id=created["id"], partner_token=created["token"])
        second = replace(first, base_url=urls[1], env=env | {"PORTERO_PUBLIC_URL": urls[1]})
        with (
            serving(first.env, ports[0], tmp_path / "server-a.log"),
            serving(second.env, ports[1], tmp_path / "server-b.log"),
        ):
            yield first, second
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_agent_and_customer_on_two_servers_sharing_postgres_and_redis(
    two_servers: tuple[Portero, Portero], partner_site: PartnerSite, open_browser: OpenBrowser
) -> None:
    agent_side, customer_side = two_servers
    call_through(
        agent_side,
        customer_side,
        open_browser,
        None,
        label="two-servers",
        category_name="Ventas",
    )
