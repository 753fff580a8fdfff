"""A transfer in headless Chromium, three browsers with fake media: the customer talks to Ana,
Ana transfers the call to Bea with a note (Bea first declines, then takes it), and the customer
is connected to Bea without leaving the page, media flowing on a new connection and the chat
kept; Ana's console is free. The customer's page in es and in en."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect as pw_expect

from tests.support.browsing import ARTIFACTS, OpenBrowser, Portero, until, watch_problems
from tests.support.call_pages import (
    CONNECT_MS,
    CONNECTED,
    MEDIA_ARGS,
    Agent,
    add_agent,
    chat,
    open_console,
    seed_002_link,
    wait_for_media,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTE = "Quiere cambiar la talla: M por L"
WORDS = {  # the customer page's: "In a call with", its notice of the new agent, "Message"
    "es": ("En llamada con {}", "Ahora hablas con {}.", "Mensaje", "Enviar"),
    "en": ("In a call with {}", "You are now talking to {}.", "Message", "Send"),
}


def transfer_to(console: Page, name: str) -> None:
    console.get_by_role("button", name="Transferir", exact=True).click()
    target = console.get_by_label("Transferir a")
    pw_expect(target.locator("option", has_text=name)).to_be_enabled()
    target.select_option(label=name)
    console.get_by_label("Nota para quien atienda la llamada (opcional)").fill(NOTE)
    console.get_by_role("button", name="Transferir la llamada").click()
    pw_expect(console.locator("#transfer-status")).to_have_text(f"Transfiriendo a {name}…")


def rings_as_a_transfer(console: Page, chatted: list[str], by: str) -> None:
    pw_expect(console.locator("#offer")).to_be_visible()
    pw_expect(console.locator("#offer-title")).to_have_text(f"Transferencia de {by}")
    pw_expect(console.locator("#offer-note")).to_have_text(f"Nota: {NOTE}")
    history = console.locator("#offer-history li")
    for index, text in enumerate(chatted):
        pw_expect(history.nth(index)).to_contain_text(text)


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_transfer_connects_the_customer_to_the_second_agent(
    portero: Portero, open_browser: OpenBrowser, language: str
) -> None:
    # Names of their own: the other language's run shares the server.
    ana_name, bea_name = f"Ana {language}", f"Bea {language}"
    ana_agent = add_agent(portero, ana_name, f"Tallas {language}")
    bea_agent = add_agent(portero, bea_name, f"Tallas B {language}")
    ana = open_console(open_browser(args=MEDIA_ARGS), ana_agent)
    bea = open_console(open_browser(args=MEDIA_ARGS), bea_agent)
    problems = [watch_problems(ana), watch_problems(bea)]
    customer = open_browser(args=MEDIA_ARGS).new_page()
    problems.append(watch_problems(customer))
    customer.set_viewport_size({"width": 390, "height": 844})  # a phone
    customer.goto(customer_link(portero, ana_agent, language))
    in_call, notice, message, send = WORDS[language]

    ana.get_by_role("button", name="Aceptar").click()
    pw_expect(customer.locator("#agent-name")).to_have_text(in_call.format(ana_name))
    wait_for_media(customer)
    wait_for_media(ana.main_frame)
    said = ["Hola, quiero cambiar la talla", "Te paso con mi compañera"]
    say_to(customer, ana, said[0], message, send)
    chat(ana, customer, said[1])

    # Bea declines first: the call stays with Ana, who is told.
    transfer_to(ana, bea_name)
    rings_as_a_transfer(bea, said, ana_name)
    bea.get_by_role("button", name="Rechazar").click()
    pw_expect(ana.locator("#transfer-status")).to_have_text(
        f"{bea_name} rechazó la transferencia: la llamada sigue contigo."
    )
    pw_expect(ana.locator("#call")).to_be_visible()

    # Then she takes it: the customer moves to her on a new connection, the chat kept.
    customer.evaluate("window.connectionBefore = window.porteroCall.pc")
    transfer_to(ana, bea_name)
    rings_as_a_transfer(bea, said, ana_name)
    ARTIFACTS.mkdir(exist_ok=True)
    bea.screenshot(path=ARTIFACTS / f"call-console-transfer-offer-{language}.png")
    bea.get_by_role("button", name="Aceptar").click()
    pw_expect(customer.locator("#agent-name")).to_have_text(in_call.format(bea_name))
    pw_expect(customer.locator("#chat-log li.notice")).to_have_text(notice.format(bea_name))
    until(customer, "window.porteroCall.pc !== window.connectionBefore", CONNECT_MS / 1000)
    until(customer, CONNECTED, CONNECT_MS / 1000)
    wait_for_media(customer)
    wait_for_media(bea.main_frame)
    for text in said:  # what was said before the transfer is still on the page
        pw_expect(customer.locator("#chat-log")).to_contain_text(text)
    for index, text in enumerate(said):  # and on Bea's, from the transcript
        pw_expect(bea.locator("#chat-log li").nth(index)).to_contain_text(text)
    say_to(customer, bea, f"Gracias, {bea_name}", message, send)
    chat(bea, customer, "¿Qué talla necesitas?")
    pw_expect(ana.locator("#call")).to_be_hidden()
    pw_expect(ana.locator("#message")).to_have_text(f"La llamada con Abraham pasó a {bea_name}.")
    customer.screenshot(path=ARTIFACTS / f"call-customer-transferred-{language}.png")
    bea.screenshot(path=ARTIFACTS / f"call-console-transferred-{language}.png")
    taken = [
        call for call in portero.calls() if (call["agent"] or {}).get("code") == bea_agent.code
    ]
    assert len(taken) == 1
    legs = taken[0]["legs"]
    assert [leg["agent"] for leg in legs] == [ana_agent.code, bea_agent.code]
    assert problems == [[], [], []]


def customer_link(portero: Portero, agent: Agent, language: str) -> str:
    if language == "es":
        return seed_002_link(portero, agent.category)
    return portero.native_link({
        "product": "call",
        "params": {"category_code": agent.category},
        "player": {"id": "transfer-en", "name": "Abraham", "cellphone": "+584141315854",
                   "language": "en"},
    })  # fmt: skip


def say_to(sender: Page, receiver: Page, text: str, message: str, send: str) -> None:
    """The customer's chat in the page's language (call_pages.chat speaks Spanish)."""
    sender.get_by_role("textbox", name=message).fill(text)
    sender.get_by_role("button", name=send, exact=True).click()
    pw_expect(receiver.locator("#chat-log li.theirs").last).to_contain_text(text)
