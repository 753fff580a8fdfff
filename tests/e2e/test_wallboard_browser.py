"""The supervisor's wallboard in headless Chromium beside an agent's console and a customer's
call page (three browsers): the wallboard shows the customer waiting, then the call in
progress with its agent, within a few seconds of each, in Spanish and in English."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect as pw_expect

from tests.support.browsing import ARTIFACTS, OpenBrowser, Portero
from tests.support.call_pages import MEDIA_ARGS, add_agent, open_console, seed_002_link

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FEW_SECONDS_MS = 8_000  # the queue's news is pushed at once; the rest within a heartbeat (5 s)
WORDS = {"es": "Panel del centro de atención", "en": "Desk wallboard"}


def wallboard_url(portero: Portero, language: str) -> str:
    answer = httpx.post(
        f"{portero.base_url}/v1/wallboard-links",
        headers={"Authorization": f"Bearer {portero.partner_token}"},
        json={"supervisor": f"sara-{language}", "name": "Sara", "language": language},
        timeout=5,
    )
    assert answer.status_code == 201, answer.text
    url: str = answer.json()["url"]
    return url


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_wallboard_follows_a_call_from_the_queue_to_the_agent(
    portero: Portero, open_browser: OpenBrowser, language: str
) -> None:
    agent = add_agent(portero, f"Olga {language}", f"Tablero {language}")
    supervisor = open_browser().new_page()
    supervisor.goto(wallboard_url(portero, language))
    pw_expect(supervisor.locator(".wallboard-title")).to_have_text(WORDS[language])
    pw_expect(supervisor.locator("#nickname")).to_have_text("Sara")
    card = supervisor.locator(f".desk-category[data-category='{agent.category}']")
    pw_expect(card.locator(".waiting")).to_have_text("0")

    console = open_console(open_browser(args=MEDIA_ARGS), agent, presence="Ocupado")
    customer = open_browser(args=MEDIA_ARGS).new_page()
    customer.goto(seed_002_link(portero, agent.category, name="Nora", cellphone="+34600222333"))
    pw_expect(customer.locator("#queue-status")).to_have_text("Eres el número 1 en la cola")
    pw_expect(card.locator(".waiting")).to_have_text("1", timeout=FEW_SECONDS_MS)
    pw_expect(card.locator(".busy")).to_have_text("1", timeout=FEW_SECONDS_MS)

    console.get_by_role("radio", name="Disponible").check()
    console.get_by_role("button", name="Aceptar").click()
    pw_expect(card.locator(".waiting")).to_have_text("0", timeout=FEW_SECONDS_MS)
    pw_expect(card.locator(".in-progress li")).to_contain_text(agent.name, timeout=FEW_SECONDS_MS)
    pw_expect(card.locator(".answered-today")).to_have_text("1", timeout=FEW_SECONDS_MS)
    supervisor.set_viewport_size({"width": 375, "height": 800})  # a phone
    assert supervisor.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    supervisor.screenshot(path=ARTIFACTS / f"wallboard-{language}.png", full_page=True)
