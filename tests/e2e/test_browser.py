"""The play session in a real browser (see browsing.py for how the browser, the Portero
process and the partner site are set up)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Response
from playwright.sync_api import expect as pw_expect

from tests.support.browsing import (
    ARTIFACTS,
    NICKNAME,
    USED_TITLE_ES,
    OpenBrowser,
    PartnerSite,
    Portero,
    frame_ancestors,
    game_frame,
    is_product_page,
    open_in_partner_iframe,
    storage_state,
    watch_problems,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize(
    "block_third_party_cookies",
    [pytest.param(True, id="third-party-cookies-blocked"), pytest.param(False, id="allowed")],
)
def test_play_session_in_partner_iframe_survives_reload(
    portero: Portero,
    partner_site: PartnerSite,
    open_browser: OpenBrowser,
    block_third_party_cookies: bool,
) -> None:
    launch_url = portero.new_launch_url()
    context = open_browser(block_third_party_cookies=block_third_party_cookies)
    page = context.new_page()
    problems = watch_problems(page)
    portero_responses: list[Response] = []
    page.on(
        "response",
        lambda r: portero_responses.append(r) if r.url.startswith(portero.base_url) else None,
    )

    with page.expect_response(lambda r: is_product_page(portero, r.url)) as landing:
        frame = open_in_partner_iframe(page, portero, partner_site.page_embedding(launch_url))

    # The product page may be framed by the partner's configured origin (and Portero itself).
    product_page = landing.value
    assert product_page.status == 200
    csp = product_page.header_value("content-security-policy") or ""
    assert frame_ancestors(csp) == {"'self'", partner_site.origin}
    assert frame.evaluate("document.documentElement.lang") == "es"

    # Which way the page kept its token: sessionStorage, or the URL fragment where the browser
    # refuses storage to a third-party frame.
    if block_third_party_cookies:
        assert storage_state(frame) == "SecurityError"
        assert "#session=pss_" in frame.url
    else:
        assert storage_state(frame) == "items:1"
        assert "#" not in frame.url

    ARTIFACTS.mkdir(exist_ok=True)
    suffix = "blocked" if block_third_party_cookies else "allowed"
    page.locator("iframe#game").screenshot(path=ARTIFACTS / f"play-iframe-3pc-{suffix}.png")

    # A reload of the game's own document (not of the partner page, which would open the
    # one-time link again) finds the session again.
    frame.evaluate("window.beforeReload = true")
    with page.expect_response(
        lambda r: r.url.startswith(f"{portero.base_url}/play/api/session")
    ) as api:
        frame.evaluate("setTimeout(() => location.reload())")
    assert api.value.status == 200
    pw_expect(frame.locator("#ready")).to_be_visible()
    pw_expect(frame.locator("#nickname")).to_have_text(NICKNAME)
    assert frame.evaluate("window.beforeReload === undefined"), "the frame was not reloaded"

    # No cookie anywhere: Portero sets none, so blocking third-party cookies cannot matter.
    assert context.cookies() == []
    assert [r.url for r in portero_responses if r.header_value("set-cookie")] == []
    # Control: the probe shows whether this browser really refuses cookies to the iframe.
    probe = frame.evaluate(
        "document.cookie = 'probe=1; SameSite=None; Secure; Path=/'; document.cookie"
    )
    assert probe == ("" if block_third_party_cookies else "probe=1")
    assert problems == []


def test_second_browser_gets_already_used(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser
) -> None:
    launch_url = portero.new_launch_url()
    first = open_browser().new_page()
    frame = open_in_partner_iframe(first, portero, partner_site.page_embedding(launch_url))

    second = open_browser().new_page()
    response = second.goto(launch_url)
    assert response is not None
    assert response.status == 409
    assert response.header_value("portero-link-status") == "launch_already_used"
    heading = second.locator("h1")
    pw_expect(heading).to_have_attribute("data-status", "launch_already_used")
    pw_expect(heading).to_have_text(USED_TITLE_ES)
    assert second.evaluate("document.documentElement.lang") == "es"
    ARTIFACTS.mkdir(exist_ok=True)
    second.screenshot(path=ARTIFACTS / "launch-already-used.png")

    # The refusal does not disturb the player who opened the link.
    with first.expect_response(
        lambda r: r.url.startswith(f"{portero.base_url}/play/api/session")
    ) as api:
        frame.evaluate("setTimeout(() => location.reload())")
    assert api.value.status == 200
    pw_expect(frame.locator("#nickname")).to_have_text(NICKNAME)


def test_origin_not_configured_cannot_frame_the_game(
    portero: Portero, partner_site: PartnerSite, open_browser: OpenBrowser
) -> None:
    launch_url = portero.new_launch_url()
    page = open_browser().new_page()
    outsider_page = partner_site.page_embedding(launch_url, origin=partner_site.outsider)

    with page.expect_console_message(
        lambda m: "frame-ancestors" in m.text and "Content Security Policy" in m.text
    ) as refusal:
        page.goto(outsider_page)
    assert portero.base_url in refusal.value.text
    frame = game_frame(page)
    assert frame.locator("#app").count() == 0


def test_a_passing_fault_offers_a_retry_instead_of_ending_the_session(
    portero: Portero, open_browser: OpenBrowser
) -> None:
    launch_url = portero.new_launch_url()
    page = open_browser().new_page()
    session_api = f"{portero.base_url}/play/api/session"

    def unavailable(route: Any) -> None:
        route.fulfill(status=503, content_type="application/json", body='{"error": {}}')

    page.route(session_api, unavailable)
    page.goto(launch_url)
    pw_expect(page.locator("#error")).to_be_visible()
    pw_expect(page.locator("#ended")).to_be_hidden()

    page.unroute(session_api, unavailable)
    with page.expect_response(session_api) as api:
        page.locator("#retry").click()
    assert api.value.status == 200
    pw_expect(page.locator("#ready")).to_be_visible()
    pw_expect(page.locator("#nickname")).to_have_text(NICKNAME)
