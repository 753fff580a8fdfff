"""The roulette table's page as the browser tests drive it: choosing the number of the next round,
spinning, and the geometry of what the page shows.

The number: the test reads the committed server seed from Portero's database (which no player
can) and types the client seed that draws the number it wants, so every outcome is the server's
real round."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from itertools import count
from typing import Any

from playwright.sync_api import FloatRect, Frame, Locator, Page
from playwright.sync_api import expect as pw_expect

from portero.roulette import fairness
from tests.support.browsing import Portero

SPINS = "/play/api/roulette/spins"
CHIP = 100  # the smallest chip of the default EUR terms: 1.00 €


def rig(frame: Frame, portero: Portero, number: int) -> None:
    """Type the client seed with which the next round draws `number`."""
    commitment = frame.locator("#commitment").text_content()
    database = portero.env["PORTERO_DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(database)) as connection:
        server_seed, nonce = connection.execute(
            "SELECT server_seed, nonce FROM roulette_seat WHERE server_seed_hash = ?",
            (commitment,),
        ).fetchone()
    seed = next(
        seed
        for seed in (f"rig{i}" for i in count())
        if fairness.draw(server_seed, seed, nonce) == number
    )
    if frame.locator("#fairness").get_attribute("open") is None:
        frame.locator("#fairness summary").click()
    frame.locator("#client-seed").fill(seed)


def spin(page: Page, frame: Frame, portero: Portero) -> dict[str, Any]:
    """Press Spin; the request sent and the server's answer, once the page shows the round."""
    with page.expect_response(lambda r: r.url == f"{portero.base_url}{SPINS}") as answer:
        frame.locator("#spin").click()
    assert answer.value.status == 200, answer.value.text()
    result: dict[str, Any] = answer.value.json()
    pw_expect(frame.locator("#result")).to_have_attribute(
        "data-round", result["round"]["id"], timeout=10_000
    )
    return {"request": answer.value.request.post_data_json, **result}


def box(frame: Frame, where: str | Locator) -> FloatRect:
    """Where the element is, in the page's viewport (a frame's elements too)."""
    found = (frame.locator(where) if isinstance(where, str) else where).bounding_box()
    assert found is not None, f"{where} is not rendered"
    return found


def inside(inner: FloatRect, outer: FloatRect) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def overlap(a: FloatRect, b: FloatRect) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def scroll_y(frame: Frame) -> float:
    return float(frame.evaluate("window.scrollY"))


def placed(frame: Frame) -> list[str]:
    return frame.locator("#placed li").all_text_contents()
