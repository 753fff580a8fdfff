"""The API reference pages load nothing from elsewhere: their assets are Portero's own, served
with the right types, and their Content-Security-Policy says so (ops/docs.py)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

import portero

ASSET_TYPES = {".js": "text/javascript", ".css": "text/css"}


class _References(HTMLParser):
    """Every URL a page makes the browser fetch or follow."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "spec-url", "data-openapi-url") and value:
                self.urls.append(value)


def references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.urls


def directives(csp: str) -> dict[str, set[str]]:
    parsed = [part.split() for part in csp.split(";") if part.strip()]
    return {name: set(sources) for name, *sources in parsed}


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_the_page_references_only_its_own_assets(
    client: httpx.AsyncClient, path: str
) -> None:
    page = await client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    urls = references(page.text)
    assert "/openapi.json" in urls
    for url in urls:
        same_origin = url.startswith("/") and not url.startswith("//")
        assert same_origin or url == "data:,", url
    assets = [url for url in urls if url.startswith("/static/api-docs/")]
    assert assets
    for url in assets:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].startswith(ASSET_TYPES[Path(url).suffix]), url
        assert asset.content, url


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_the_page_has_a_strict_content_security_policy(
    client: httpx.AsyncClient, path: str
) -> None:
    page = await client.get(path)
    policy = directives(page.headers["content-security-policy"])
    assert policy["default-src"] == {"'self'"}
    assert policy["script-src"] == {"'self'"}  # no inline script, nothing from elsewhere
    assert policy["connect-src"] == {"'self'"}
    assert policy["img-src"] == {"'self'", "data:"}
    assert policy["frame-ancestors"] == {"'self'"}
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    # ReDoc alone writes <style> elements and runs its search in a worker made from a blob.
    redoc = path == "/redoc"
    assert ("'unsafe-inline'" in policy["style-src"]) is redoc
    assert ("blob:" in policy["worker-src"]) is redoc


async def test_fastapis_cdn_pages_are_gone(client: httpx.AsyncClient) -> None:
    # Its OAuth redirect page ran an inline script; no API here uses OAuth.
    assert (await client.get("/docs/oauth2-redirect")).status_code == 404
    for path in ("/docs", "/redoc"):
        assert "cdn" not in (await client.get(path)).text


def test_the_vendored_assets_carry_their_licences() -> None:
    folder = Path(portero.__file__).parent / "web" / "static" / "api-docs"
    for name in ("swagger-ui.LICENSE", "swagger-ui.NOTICE", "redoc.LICENSE", "README.md"):
        assert (folder / name).is_file(), name
    # The one change to ReDoc's bundle (see README.md): its logo is not fetched from a CDN.
    assert "cdn.redoc.ly" not in (folder / "redoc.standalone.js").read_text()
