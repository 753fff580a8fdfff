"""The API reference pages render in a browser that can reach nothing but Portero (an offline,
firewalled box), without breaking their Content-Security-Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route
from playwright.sync_api import expect as pw_expect

from tests.support.browsing import ARTIFACTS, OpenBrowser, Portero, watch_problems

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Every CSP violation of the page, as the page's own event reports it.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def offline_page(portero: Portero, open_browser: OpenBrowser) -> tuple[Page, list[str]]:
    """A page whose requests to anything but Portero (and the page's own data: and blob: URLs)
    fail, as they would without a way out; the list collects them."""
    context = open_browser()
    refused: list[str] = []

    def only_portero(route: Route) -> None:
        url = route.request.url
        if url.startswith((f"{portero.base_url}/", "data:", "blob:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", only_portero)
    context.add_init_script(RECORD_VIOLATIONS)
    return context.new_page(), refused


@pytest.mark.parametrize(
    ("path", "operation"),
    [
        pytest.param("/docs", "#swagger-ui .opblock", id="swagger-ui"),
        pytest.param("/redoc", "[data-section-id^='operation/']", id="redoc"),
    ],
)
def test_the_reference_renders_offline_within_its_policy(
    portero: Portero, open_browser: OpenBrowser, path: str, operation: str
) -> None:
    page, refused = offline_page(portero, open_browser)
    problems = watch_problems(page)
    response = page.goto(f"{portero.base_url}{path}")
    assert response is not None
    assert response.status == 200
    assert "script-src 'self';" in (response.header_value("content-security-policy") or "")

    operations = page.locator(operation)
    pw_expect(operations.first).to_be_visible(timeout=15_000)
    assert operations.count() > 30  # every API's operations, the seeds' included
    for tag in ("seed 000: roulette sessions", "seed 001: LuckyMonaco", "seed 002: agent call"):
        pw_expect(page.get_by_text(tag).first).to_be_attached()
    page.wait_for_load_state("networkidle")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"api-docs{path.replace('/', '-')}.png")
    assert page.evaluate("window.cspViolations") == []
    assert refused == []
    assert problems == []
