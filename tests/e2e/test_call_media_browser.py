"""What each side of a call shows of the other's media, in headless Chromium (two browsers, as
in test_call_browser.py): the muted and camera-off badges, the initials tile instead of a camera
that is off or missing, the "use the chat" hint on the offer and in the call, the
connection-quality dot; the console's camera and microphone test; and the way back to the
partner's site from a call that ended or went unanswered."""

from __future__ import annotations

import re
from itertools import count

import httpx
import pytest
from playwright.sync_api import Frame, Page
from playwright.sync_api import expect as pw_expect

from tests.support.browsing import (
    ARTIFACTS,
    OpenBrowser,
    PartnerSite,
    Portero,
    game_frame,
    until,
    watch_problems,
)
from tests.support.call_pages import (
    CONNECT_MS,
    CONNECTED,
    MEDIA_ARGS,
    Agent,
    add_agent,
    open_console,
    seed_002_link,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = (390, 844)
DESK = (1366, 768)
QUALITY = re.compile(r"^Calidad de la conexión: (buena|regular|mala), ida y vuelta \d+ ms, ")
_phones = count(10)


def _cellphone() -> str:
    return f"+5841400001{next(_phones):02d}"


def ring(
    portero: Portero,
    open_browser: OpenBrowser,
    agent: Agent,
    *,
    customer: str,
    customer_args: list[str],
    partner_site: PartnerSite | None = None,
) -> tuple[Page, Page, Page | Frame]:
    """The agent available at a desk's screen, a customer's link opened on a phone (or in the
    partner's 480 by 360 iframe), its offer ringing: (console, the customer's tab, its page)."""
    console = open_console(open_browser(args=MEDIA_ARGS), agent, viewport=DESK)
    link = seed_002_link(portero, agent.category, name=customer, cellphone=_cellphone())
    tab = open_browser(args=customer_args).new_page()
    page: Page | Frame
    if partner_site is not None:
        tab.goto(partner_site.page_embedding(link, allow="camera; microphone; autoplay"))
        page = game_frame(tab)
    else:
        tab.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
        tab.goto(link)
        page = tab.main_frame
    pw_expect(page.locator("#ready")).to_be_visible()
    pw_expect(console.locator("#offer-name")).to_have_text(customer)
    return console, tab, page


def answer(console: Page, customer: Page | Frame) -> None:
    console.get_by_role("button", name="Aceptar").click()
    pw_expect(customer.locator("#call")).to_be_visible()
    until(console, CONNECTED, CONNECT_MS / 1000)
    until(customer, CONNECTED, CONNECT_MS / 1000)


def quality_is_known(side: Page | Frame) -> None:
    """The dot has a state from the connection's statistics, and says it in words."""
    dot = side.locator("#quality")
    pw_expect(dot).to_have_attribute(
        "data-quality", re.compile("^(good|fair|poor)$"), timeout=10_000
    )
    pw_expect(dot).to_have_attribute("aria-label", QUALITY)
    pw_expect(dot).to_have_attribute("title", QUALITY)


def test_each_side_sees_the_others_microphone_and_camera(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    agent = add_agent(portero, "Ana Medina", "Medios")
    console, tab, customer = ring(
        portero, open_browser, agent, customer="Abraham Lincoln", customer_args=MEDIA_ARGS
    )
    problems = {"console": watch_problems(console), "customer": watch_problems(tab)}
    pw_expect(console.locator("#offer-media")).to_be_hidden()  # the customer has both
    answer(console, customer)
    for side in (console, customer):
        quality_is_known(side)
        for badge in ("#badge-muted", "#badge-camera-off", "#remote-tile", "#media-hint"):
            pw_expect(side.locator(badge)).to_be_hidden()

    # The customer mutes, then turns the camera off: the console says so on their video.
    customer.locator("#mute").click()
    pw_expect(console.locator("#badge-muted")).to_have_text("🔇 Silenciado")
    pw_expect(console.locator("#badge-camera-off")).to_be_hidden()
    customer.locator("#camera").click()
    pw_expect(console.locator("#badge-camera-off")).to_have_text("🚫 Cámara apagada")
    pw_expect(console.locator("#remote-tile")).to_be_visible()
    pw_expect(console.locator("#remote-initials")).to_have_text("AL")
    pw_expect(console.locator("#remote-tile-name")).to_have_text("Abraham Lincoln")
    pw_expect(console.locator("#remote-video")).to_be_hidden()
    pw_expect(console.locator("#media-hint")).to_be_hidden()  # off is not missing
    ARTIFACTS.mkdir(exist_ok=True)
    console.screenshot(path=ARTIFACTS / "call-media-console-customer-camera-off.png")
    # And back on: the badges and the tile go.
    customer.locator("#mute").click()
    pw_expect(console.locator("#badge-muted")).to_be_hidden()
    customer.locator("#camera").click()
    pw_expect(console.locator("#badge-camera-off")).to_be_hidden()
    pw_expect(console.locator("#remote-tile")).to_be_hidden()
    pw_expect(console.locator("#remote-video")).to_be_visible()

    # The other way round: the agent's toggles reach the customer's page.
    console.locator("#camera").click()
    console.locator("#mute").click()
    pw_expect(customer.locator("#badge-muted")).to_be_visible()
    pw_expect(customer.locator("#badge-camera-off")).to_be_visible()
    pw_expect(customer.locator("#remote-initials")).to_have_text("AM")
    pw_expect(customer.locator("#remote-tile-name")).to_have_text("Ana Medina")
    tab.screenshot(path=ARTIFACTS / "call-media-customer-phone-agent-camera-off.png")
    console.locator("#camera").click()
    console.locator("#mute").click()
    pw_expect(customer.locator("#badge-muted")).to_be_hidden()
    pw_expect(customer.locator("#remote-tile")).to_be_hidden()
    tab.screenshot(path=ARTIFACTS / "call-media-customer-phone.png")
    assert problems == {"console": [], "customer": []}


def test_a_customer_without_a_camera_is_announced_and_shown_by_initials(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    """A browser without any camera or microphone (no fake devices): the offer and the call say
    so on the console, which shows the customer's initials; the customer still sees the agent."""
    agent = add_agent(portero, "Carmen Ruiz", "Sin dispositivos")
    console, tab, customer = ring(portero, open_browser, agent, customer="Eva", customer_args=[])
    pw_expect(customer.locator("#camera-note")).to_contain_text("no están disponibles")
    hint = "Eva no tiene cámara ni micrófono: usa el chat."
    pw_expect(console.locator("#offer-media")).to_have_text(hint)
    pw_expect(console.locator("#offer-media")).to_have_attribute("data-lacks", "audio video")
    ARTIFACTS.mkdir(exist_ok=True)
    console.screenshot(path=ARTIFACTS / "call-media-console-offer-no-camera.png")
    answer(console, customer)
    pw_expect(console.locator("#remote-tile")).to_be_visible()
    pw_expect(console.locator("#remote-initials")).to_have_text("E")
    pw_expect(console.locator("#media-hint")).to_have_text(hint)
    pw_expect(console.locator("#badge-muted")).to_be_hidden()  # missing is not muted
    pw_expect(customer.locator("#remote-tile")).to_be_hidden()  # the agent's camera is on
    quality_is_known(console)
    console.screenshot(path=ARTIFACTS / "call-media-console-no-camera.png")
    tab.screenshot(path=ARTIFACTS / "call-media-customer-phone-no-camera.png")


def test_the_call_in_the_partners_iframe_shows_the_agents_media(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser
) -> None:
    agent = add_agent(portero, "Bruno Sáez", "Iframe medios")
    console, tab, customer = ring(
        portero,
        open_browser,
        agent,
        customer="Abraham",
        customer_args=MEDIA_ARGS,
        partner_site=partner_site,
    )
    answer(console, customer)
    quality_is_known(customer)
    console.locator("#camera").click()
    pw_expect(customer.locator("#remote-tile")).to_be_visible()
    pw_expect(customer.locator("#remote-initials")).to_have_text("BS")
    pw_expect(customer.locator("#badge-camera-off")).to_be_visible()
    # Everything still fits the small frame.
    assert customer.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    tab.locator("iframe#game").screenshot(path=ARTIFACTS / "call-media-customer-iframe.png")
    console.locator("#camera").click()
    pw_expect(customer.locator("#remote-tile")).to_be_hidden()


TEST_TRACKS = "window.porteroDeviceCheck.stream"


def test_the_agent_tests_camera_and_microphone_before_going_available(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    agent = add_agent(portero, "Dora", "Pruebas")
    console = open_console(open_browser(args=MEDIA_ARGS), agent, "Desconectado", viewport=DESK)
    problems = watch_problems(console)
    button = console.get_by_role("button", name="Probar cámara y micrófono")
    pw_expect(console.locator("#media-test")).to_be_hidden()
    button.click()
    pw_expect(button).to_have_attribute("aria-expanded", "true")
    pw_expect(console.locator("#test-preview")).to_be_visible()
    until(console, f"{TEST_TRACKS} !== null")
    stream = console.evaluate_handle(TEST_TRACKS)
    states = "s => s.getTracks().map(t => t.kind + ':' + t.readyState).sort()"
    assert stream.evaluate(states) == ["audio:live", "video:live"]
    until(console, "document.getElementById('test-preview').videoWidth > 0")
    until(console, "document.getElementById('test-level').value > 0")  # the fake beep
    ARTIFACTS.mkdir(exist_ok=True)
    console.screenshot(path=ARTIFACTS / "call-media-console-device-test.png")

    console.get_by_role("button", name="Cerrar la prueba").click()
    pw_expect(console.locator("#media-test")).to_be_hidden()
    pw_expect(button).to_have_attribute("aria-expanded", "false")
    assert stream.evaluate(states) == ["audio:ended", "video:ended"]  # released
    assert console.evaluate(f"{TEST_TRACKS} === null")
    # The console's own devices, for its calls, are untouched; going Available still works.
    console.get_by_role("radio", name="Disponible").check()
    pw_expect(console.locator("#presence")).to_have_attribute("data-presence", "available")
    assert problems == []


def test_a_call_offers_the_way_back_when_unanswered_and_when_over(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser
) -> None:
    """A call launched with a `return_url`: the customer leaves the queue (the Back link of the
    unanswered screen), tries again, talks, hangs up (the Back link of the end), follows it."""
    agent = add_agent(portero, "Elena", "Vuelta")
    console = open_console(open_browser(args=MEDIA_ARGS), agent, "Ocupado")
    lobby_path = f"/lobby-{agent.code}"
    partner_site.server.pages[lobby_path] = "<!doctype html><h1>Vestíbulo del casino</h1>"
    lobby = partner_site.origin + lobby_path
    response = httpx.post(
        f"{portero.base_url}/v1/launches",
        headers={"Authorization": f"Bearer {portero.partner_token}"},
        json={
            "product": "call",
            "params": {"category_code": agent.category},
            "player": {"id": f"vuelta-{agent.code}", "name": "Fausto", "language": "es"},
            "return_url": lobby,
        },
        timeout=5,
    )
    assert response.status_code == 201, response.text
    customer = open_browser(args=MEDIA_ARGS).new_page()
    customer.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    customer.goto(response.json()["url"])
    pw_expect(customer.locator("#queue-status")).to_have_text("Eres el número 1 en la cola")
    for screen in ("#unanswered", "#over"):
        pw_expect(customer.locator(f"{screen} .way-back")).to_be_hidden()  # not a dead end yet

    customer.get_by_role("button", name="Salir de la cola").click()
    back = customer.locator("#unanswered .way-back a")
    pw_expect(back).to_be_visible()
    pw_expect(back).to_have_text("Volver")
    pw_expect(back).to_have_attribute("href", lobby)
    ARTIFACTS.mkdir(exist_ok=True)
    customer.screenshot(path=ARTIFACTS / "call-media-customer-phone-unanswered-back.png")

    console.get_by_role("radio", name="Disponible").check()
    customer.get_by_role("button", name="Intentar de nuevo").click()
    pw_expect(console.locator("#offer-name")).to_have_text("Fausto")
    console.get_by_role("button", name="Aceptar").click()
    pw_expect(customer.locator("#call")).to_be_visible()
    customer.get_by_role("button", name="Colgar").click()
    back = customer.locator("#over .way-back a")
    pw_expect(back).to_be_visible()
    pw_expect(back).to_have_attribute("href", lobby)
    pw_expect(back).to_have_attribute("target", "_top")
    customer.screenshot(path=ARTIFACTS / "call-media-customer-phone-over-back.png")
    back.click()
    customer.wait_for_url(lobby)
    pw_expect(customer.locator("h1")).to_have_text("Vestíbulo del casino")
