"""The call pages in headless Chromium, as the browser tests drive them: an agent (made through
the CLI) on their console, a customer's link from seed 002's HTTP API, Chromium's fake camera
and microphone, and waits on what the pages show (their CSP forbids Playwright's
wait_for_function eval, so conditions are polled)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx
from playwright.sync_api import BrowserContext, Frame, Page
from playwright.sync_api import expect as pw_expect

from tests.support.browsing import ARTIFACTS, Portero

# Chromium's fake camera (a test pattern) and microphone (a beep), allowed without a prompt.
MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
CONNECT_MS = 20_000  # ICE and DTLS on loopback take well under a second; CI machines are slow
CUSTOMER = {
    "name": "Abraham",
    "email": "abraham@ocularsolution.com",
    "cellphone": "+584141315854",
}
TICKET = {
    "title": "Promoción del día del padre",
    "description": "20% de descuento en todos los productos",
}
# The bytes received over RTP so far, by kind, on the page's call connection.
RECEIVED = """async () => {
  const totals = { audio: 0, video: 0 };
  const pc = window.porteroCall && window.porteroCall.pc;
  if (!pc) return totals;
  (await pc.getStats()).forEach((report) => {
    if (report.type === "inbound-rtp") totals[report.kind] += report.bytesReceived || 0;
  });
  return totals;
}"""
RECEIVING_MORE = """async (before) => {
  const pc = window.porteroCall && window.porteroCall.pc;
  if (!pc) return false;
  const totals = { audio: 0, video: 0 };
  (await pc.getStats()).forEach((report) => {
    if (report.type === "inbound-rtp") totals[report.kind] += report.bytesReceived || 0;
  });
  return totals.audio > before.audio && totals.video > before.video;
}"""
CONNECTED = "() => window.porteroCall && window.porteroCall.pc"
CONNECTED += " && window.porteroCall.pc.connectionState === 'connected'"


@dataclass(frozen=True)
class Agent:
    code: str
    category: str
    name: str
    console_url: str


def add_agent(portero: Portero, name: str, category_name: str) -> Agent:
    """A category and an agent serving it, through the CLI, and the agent's console link."""
    partner = str(portero.partner_id)
    category = json.loads(
        portero.cli("category", "add", category_name, "--partner", partner, "--json")
    )
    agent = json.loads(
        portero.cli(
            "agent", "add", name, "--partner", partner, "--category", category["code"], "--json"
        )
    )
    link = json.loads(
        portero.cli("agent", "console-link", agent["code"], "--partner", partner, "--json")
    )
    assert link["url"].startswith(portero.base_url), link
    return Agent(agent["code"], category["code"], name, link["url"])


def seed_002_link(portero: Portero, category: str, **customer: str) -> str:
    """A customer's call link, requested exactly as seed 002's document shows."""
    body = {**CUSTOMER, **customer, "categoryCode": category, "ticket": TICKET}
    response = httpx.post(
        f"{portero.base_url}/api/v1/access/external/cammer/generate-session",
        headers={"Authorization": portero.partner_token, "X-Requested-With": "XMLHttpRequest"},
        json=body,
        timeout=5,
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["statusCode"], answer["message"]) == (0, "Success")
    link: str = answer["data"]["link"]
    assert link.startswith(f"{portero.base_url}/session/"), link
    return link


def open_console(
    context: BrowserContext,
    agent: Agent,
    presence: str = "Disponible",
    viewport: tuple[int, int] = (1100, 900),
) -> Page:
    """The agent signs in through the console link and sets their availability."""
    page = context.new_page()
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    response = page.goto(agent.console_url)
    assert response is not None
    assert response.ok, response.status
    # The page may use the camera and microphone; the CSP stays strict (its WebSocket is 'self').
    assert response.headers["permissions-policy"] == "camera=(self), microphone=(self)"
    assert "connect-src 'self';" in response.headers["content-security-policy"]
    assert f"{agent.console_url.split('/')[2]}/play/" in page.url, page.url
    assert "#" not in page.url  # the session token moved out of the address bar
    pw_expect(page.locator("#ready")).to_be_visible()
    pw_expect(page.locator("#nickname")).to_have_text(agent.name)
    pw_expect(page.locator("#presence")).to_be_enabled()
    page.get_by_role("radio", name=presence).check()
    value = {"Disponible": "available", "Ocupado": "busy", "Desconectado": "offline"}[presence]
    pw_expect(page.locator("#presence")).to_have_attribute("data-presence", value)
    return page


def wait_for_media(where: Page | Frame) -> None:
    """The page's call connection is up and audio and video keep arriving over it."""
    where.wait_for_function(CONNECTED, timeout=CONNECT_MS, polling=100)
    before = where.evaluate(RECEIVED)
    where.wait_for_function(RECEIVING_MORE, arg=before, timeout=CONNECT_MS, polling=250)


def chat(sender: Page | Frame, receiver: Page | Frame, text: str) -> None:
    sender.get_by_role("textbox", name="Mensaje").fill(text)
    sender.get_by_role("button", name="Enviar", exact=True).click()
    pw_expect(sender.locator("#chat-log li.mine").last).to_contain_text(text)
    pw_expect(receiver.locator("#chat-log li.theirs").last).to_contain_text(text)


def rate_the_call(customer: Page | Frame, portero: Portero, label: str) -> None:
    """The customer gives the call four stars and a comment: the partner's record has both."""
    comment = f"Muy amable ({label})"
    send = customer.get_by_role("button", name="Enviar valoración")
    pw_expect(send).to_be_disabled()  # no score chosen yet
    customer.locator("label[for='score-4']").click()
    pw_expect(customer.get_by_role("radio", name="4 de 5")).to_be_checked()
    customer.get_by_label("¿Algo más que contarnos? (opcional)").fill(comment)
    page = customer if isinstance(customer, Page) else customer.page
    page.screenshot(path=ARTIFACTS / f"call-customer-rating-{label}.png", full_page=True)
    send.click()
    pw_expect(customer.locator("#rating-done")).to_have_text("Gracias por tu valoración.")
    pw_expect(customer.locator("#rating")).to_be_hidden()
    rated = [call["satisfaction"] for call in portero.calls() if call["satisfaction"]]
    assert [(r["score"], r["comment"]) for r in rated if r["comment"] == comment] == [(4, comment)]
