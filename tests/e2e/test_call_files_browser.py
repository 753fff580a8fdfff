"""Files in a call's chat, in headless Chromium (two browsers, fake media): the customer sends a
photo and the agent sees it in the chat and saves it; the agent sends a PDF and the customer
saves it; a file that only claims to be an image is refused, in the page's language. The
customer's page in es and in en."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect as pw_expect

from tests.blobs.test_stores import PNG
from tests.calls.test_call_files import PDF
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

WORDS = {  # the customer page's: the 📎 button, a refusal, "Download"
    "es": (
        "Enviar un archivo (imagen o PDF)",
        "Solo se pueden enviar imágenes (PNG, JPEG, GIF, WebP) y documentos PDF.",
        "Descargar",
    ),
    "en": (
        "Send a file (image or PDF)",
        "Only images (PNG, JPEG, GIF, WebP) and PDF documents can be sent.",
        "Download",
    ),
}
IMAGE_SHOWN = "() => { const i = document.querySelector('#chat-log li.theirs img');"
IMAGE_SHOWN += " return Boolean(i && i.complete && i.naturalWidth > 0); }"


def saved(page: Page, label: str, tmp_path: Path) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("button", name=label).click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    return target.read_bytes()


@pytest.mark.parametrize("language", ["es", "en"])
def test_files_cross_the_chat_both_ways(
    portero: Portero, open_browser: OpenBrowser, language: str, tmp_path: Path
) -> None:
    agent = add_agent(portero, f"Flor {language}", f"Archivos {language}")
    console = open_console(open_browser(args=MEDIA_ARGS), agent)
    if language == "es":
        link = seed_002_link(portero, agent.category)
    else:
        link = portero.native_link({
            "product": "call",
            "params": {"category_code": agent.category},
            "player": {"id": "files-en", "name": "Abraham", "cellphone": "+584141315854",
                       "language": "en"},
        })  # fmt: skip
    customer = open_browser(args=MEDIA_ARGS).new_page()
    problems = [watch_problems(console), watch_problems(customer)]
    customer.set_viewport_size({"width": 390, "height": 844})
    customer.goto(link)
    console.get_by_role("button", name="Aceptar").click()
    until(customer, CONNECTED, CONNECT_MS / 1000)
    attach, refused, download = WORDS[language]
    photo, forged, manual = tmp_path / "foto del pedido.png", tmp_path / "x.png", tmp_path / "m.pdf"
    photo.write_bytes(PNG)
    forged.write_text("<html><script>alert(1)</script></html>")
    manual.write_bytes(PDF)

    # A file that only claims to be an image: refused, said in the page's language.
    customer.locator("#chat-file").set_input_files(forged)
    pw_expect(customer.locator("#chat-file-note")).to_have_text(refused)
    # The photo: on the agent's console as an image, saved as sent.
    pw_expect(customer.get_by_role("button", name=attach)).to_be_visible()
    customer.locator("#chat-file").set_input_files(photo)
    pw_expect(customer.locator("#chat-log li.mine .chat-file")).to_contain_text(
        "foto del pedido.png"
    )
    pw_expect(customer.locator("#chat-file-note")).to_have_text("")
    console.wait_for_function(IMAGE_SHOWN, timeout=10_000)
    assert saved(console, "Descargar foto del pedido.png", tmp_path) == PNG
    # The agent's PDF: the customer saves it.
    console.locator("#chat-file").set_input_files(manual)
    pw_expect(customer.locator("#chat-log li.theirs .chat-file")).to_contain_text("m.pdf")
    assert saved(customer, f"{download} m.pdf", tmp_path) == PDF
    ARTIFACTS.mkdir(exist_ok=True)
    customer.screenshot(path=ARTIFACTS / f"call-customer-files-{language}.png", full_page=True)
    console.screenshot(path=ARTIFACTS / f"call-console-files-{language}.png")
    # The browser reports the forged file's refusal (415) itself; nothing else went wrong.
    assert problems[0] == []
    assert [problem for problem in problems[1] if "(Unsupported Media Type)" not in problem] == []
