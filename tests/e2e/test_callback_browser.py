"""A desk's opening hours and callback requests in headless Chromium: a customer who calls
while the desk is closed reads the partner's offline message and asks to be called back; the
request appears on the agent's console, who marks it done; the partner's API shows who did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect as pw_expect

from tests.support.browsing import ARTIFACTS, OpenBrowser, Portero
from tests.support.call_pages import MEDIA_ARGS, add_agent, open_console, seed_002_link

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OFFLINE = {"es": "Abrimos de lunes a viernes, de 9 a 18 h.", "en": "We open weekdays, 9 to 6."}
WORDS = {
    "es": ("Ahora mismo estamos cerrados", "Llamadme", "Gracias: un agente te llamará."),
    "en": ("We are closed right now", "Call me back", "Thank you: an agent will call you back."),
}


def native(portero: Portero, method: str, path: str, body: Any = None) -> dict[str, Any]:
    answer = httpx.request(
        method,
        f"{portero.base_url}{path}",
        headers={"Authorization": f"Bearer {portero.partner_token}"},
        json=body,
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def closed_now(language: str) -> dict[str, Any]:
    """Open two days from now only: closed at this moment, whatever the day."""
    later = (datetime.now(UTC) + timedelta(days=2)).strftime("%a").lower()
    return {
        "time_zone": "UTC",
        "weekly": {later: [{"opens": "10:00", "closes": "11:00"}]},
        "offline_message": OFFLINE[language],
    }


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_closed_desk_takes_a_callback_that_the_agent_marks_done(
    portero: Portero, open_browser: OpenBrowser, language: str
) -> None:
    agent = add_agent(portero, f"Rita {language}", f"Cierre {language}")
    # The category's own hours: the other tests' categories keep the partner's (none).
    native(portero, "PUT", f"/v1/call-categories/{agent.category}/hours", closed_now(language))
    console = open_console(open_browser(args=MEDIA_ARGS), agent)
    pw_expect(console.locator("#no-callbacks")).to_be_visible()

    if language == "es":
        url = seed_002_link(portero, agent.category, name="Marta", cellphone="+34600111222")
    else:
        url = portero.native_link({
            "product": "call",
            "params": {"category_code": agent.category},
            "player": {"id": "callback-en", "name": "Martha", "cellphone": "+34600111222",
                       "language": "en"},
        })  # fmt: skip
    customer = open_browser(args=MEDIA_ARGS).new_page()
    customer.set_viewport_size({"width": 375, "height": 740})  # a phone
    customer.goto(url)
    closed_title, send, thanks = WORDS[language]
    pw_expect(customer.locator("#unanswered-title")).to_have_text(closed_title)
    pw_expect(customer.locator("#unanswered-body")).to_have_text(OFFLINE[language])
    pw_expect(customer.locator("#try-again")).to_be_hidden()
    local = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT10:30")
    customer.locator("#callback-when").fill(local)
    customer.locator("#callback-message").fill("<b>Pedido 42</b>")
    assert customer.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    customer.screenshot(path=ARTIFACTS / f"call-customer-callback-{language}.png", full_page=True)
    customer.get_by_role("button", name=send).click()
    pw_expect(customer.locator("#callback-done")).to_have_text(thanks)
    pw_expect(customer.locator("#callback")).to_be_hidden()

    # The console lists it, the customer's words as text; the agent calls and marks it done.
    request = console.locator("#callback-list li")
    pw_expect(request).to_have_count(1)
    pw_expect(request.locator(".callback-message")).to_have_text("<b>Pedido 42</b>")
    pw_expect(request.locator("a[href='tel:+34600111222']")).to_be_visible()
    console.screenshot(path=ARTIFACTS / f"call-console-callbacks-{language}.png", full_page=True)
    request.get_by_role("button").click()
    pw_expect(console.locator("#no-callbacks")).to_be_visible()

    done = [
        item
        for item in native(portero, "GET", "/v1/callbacks?status=done")["data"]
        if item["target"]["category"] == agent.category
    ]
    assert [(d["done_by"], d["message"]) for d in done] == [(agent.code, "<b>Pedido 42</b>")]
    # The page sent the local time it was given as the instant it is in the browser's zone.
    instant = customer.evaluate("(local) => new Date(local).toISOString()", local)
    assert datetime.fromisoformat(done[0]["preferred_at"]) == datetime.fromisoformat(instant)
