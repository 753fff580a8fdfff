"""Screen sharing in headless Chromium (two browsers; Chromium's fake capture stands in for a
screen): the customer, camera off, shares and the agent sees the screen with frames arriving
while the camera stays off; then the agent shares and the customer sees it. In es and en."""

from __future__ import annotations

import pytest
from playwright.sync_api import Frame, Page
from playwright.sync_api import expect as pw_expect

from tests.support.browsing import ARTIFACTS, OpenBrowser, Portero, until, watch_problems
from tests.support.call_pages import (
    CONNECT_MS,
    CONNECTED,
    MEDIA_ARGS,
    add_agent,
    open_console,
    seed_002_link,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The frames decoded on the connection's screen slot (the third transceiver: call-screen.js).
SCREEN_FRAMES = """async () => {
  const slot = window.porteroCall.pc.getTransceivers()[2];
  let frames = 0;
  (await slot.receiver.getStats()).forEach((report) => {
    if (report.type === "inbound-rtp") frames = report.framesDecoded || 0;
  });
  return frames;
}"""
MORE_SCREEN_FRAMES = SCREEN_FRAMES.replace("async () =>", "async (before) =>").replace(
    "return frames;", "return frames > before + 5;"
)
SHOWN = "() => document.getElementById('remote-screen').videoWidth > 0"
# What is at the middle of the stage: the screen, over the other party's camera or tile.
ON_TOP = """() => {
  const stage = document.querySelector(".stage").getBoundingClientRect();
  const middle = document.elementFromPoint(stage.x + stage.width / 2, stage.y + stage.height / 2);
  return middle && middle.id;
}"""
WORDS = {
    "es": ("Compartir pantalla", "Dejar de compartir", "Encender vídeo"),
    "en": ("Share screen", "Stop sharing", "Start video"),
}


def sees_the_screen(viewer: Page | Frame) -> None:
    """The other party's screen is on show and its frames keep coming."""
    pw_expect(viewer.locator("#remote-screen")).to_be_visible()
    viewer.wait_for_function(SHOWN, timeout=CONNECT_MS, polling=100)
    assert viewer.evaluate(ON_TOP) == "remote-screen"
    before = viewer.evaluate(SCREEN_FRAMES)
    viewer.wait_for_function(MORE_SCREEN_FRAMES, arg=before, timeout=CONNECT_MS, polling=250)


@pytest.mark.parametrize("language", ["es", "en"])
def test_either_side_shares_its_screen_without_the_camera(
    portero: Portero, open_browser: OpenBrowser, language: str
) -> None:
    agent = add_agent(portero, f"Sara {language}", f"Pantallas {language}")
    console = open_console(open_browser(args=MEDIA_ARGS), agent)
    console_problems = watch_problems(console)
    if language == "es":
        url = seed_002_link(portero, agent.category, name="Lidia", cellphone="+34600333444")
    else:
        url = portero.native_link({
            "product": "call",
            "params": {"category_code": agent.category},
            "player": {"id": "screen-en", "name": "Lydia", "cellphone": "+34600333444",
                       "language": "en"},
        })  # fmt: skip
    customer = open_browser(args=MEDIA_ARGS).new_page()
    customer_problems = watch_problems(customer)
    customer.set_viewport_size({"width": 1000, "height": 760})
    customer.goto(url)
    pw_expect(customer.locator("#ready")).to_be_visible()
    console.get_by_role("button", name="Aceptar").click()
    pw_expect(customer.locator("#call")).to_be_visible()
    until(console, CONNECTED, CONNECT_MS / 1000)
    until(customer, CONNECTED, CONNECT_MS / 1000)
    share, stop, camera_on = WORDS[language]

    # The customer turns the camera off, then shares the screen: the camera stays off.
    customer.locator("#camera").click()
    pw_expect(customer.locator("#camera")).to_contain_text(camera_on)
    pw_expect(console.locator("#badge-camera-off")).to_be_visible()
    pw_expect(console.locator("#remote-screen")).to_be_hidden()
    customer.get_by_role("button", name=share).click()
    pw_expect(customer.get_by_role("button", name=stop)).to_have_attribute("data-sharing", "true")
    sees_the_screen(console)
    assert customer.evaluate("window.porteroCall.pc.getSenders()"
                             ".filter((s) => s.track && s.track.kind === 'video')"
                             ".every((s) => s.track.label.startsWith('screen') || !s.track.enabled)"
                             )  # fmt: skip
    pw_expect(customer.locator("#camera")).to_contain_text(camera_on)
    pw_expect(console.locator("#badge-camera-off")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    console.screenshot(path=ARTIFACTS / f"call-console-screen-{language}.png")
    customer.get_by_role("button", name=stop).click()
    pw_expect(console.locator("#remote-screen")).to_be_hidden()
    pw_expect(customer.get_by_role("button", name=share)).to_have_attribute("data-sharing", "false")

    # The agent shares: the customer sees it, named in the page's language.
    console.get_by_role("button", name="Compartir pantalla").click()
    sees_the_screen(customer)
    pw_expect(customer.locator("#remote-screen")).to_have_attribute(
        "aria-label", "Pantalla de Sara es" if language == "es" else "Sara en's screen"
    )
    customer.screenshot(path=ARTIFACTS / f"call-customer-screen-{language}.png")
    console.get_by_role("button", name="Dejar de compartir").click()
    pw_expect(customer.locator("#remote-screen")).to_be_hidden()
    assert console_problems == []
    assert customer_problems == []
