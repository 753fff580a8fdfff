"""The product pages (the generic landing page stands in for products without a page of their
own), and how the pages' part of the application is installed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from portero.dialects.native.errors import render as render_house_error
from portero.http.assembly import Assembly
from portero.http.deps import SessionDep
from portero.kit.ids import is_launch_id
from portero.launches import repository as launch_repository
from portero.launches.errors import LaunchNotFound
from portero.launches.links import NATIVE_LINK, NATIVE_SOURCE
from portero.roulette.paytable import pay_table
from portero.web import play_api, replay
from portero.web.i18n import pick_language, texts_with_prefix
from portero.web.links import serve_links
from portero.web.rendering import page, render_link_error

router = APIRouter(include_in_schema=False)

# Products with a page of their own; the others get the generic landing page. Each page's
# script receives the texts under its prefix.
PRODUCT_PAGES: dict[str, tuple[str, str]] = {
    "roulette": ("roulette.html", "roulette."),
    "slot": ("slot.html", "slot."),
    "call": ("call.html", "call."),
    "console": ("console.html", "console."),
    "wallboard": ("wallboard.html", "wallboard."),
}
# The games' pages also receive the texts about money the round path shares ("play.").
GAME_PRODUCTS = frozenset({"roulette", "slot"})
# Pages that use the camera and the microphone (see security_headers.page_headers).
MEDIA_PRODUCTS = frozenset({"call", "console"})


@router.get("/play/{launch_id}")
async def landing(launch_id: str, request: Request, session: SessionDep) -> Response:
    row = (
        await launch_repository.page_context(session, launch_id)
        if is_launch_id(launch_id)
        else None
    )
    if row is None:
        raise LaunchNotFound()
    language = pick_language(row.language, request.headers.get("accept-language"))
    template, text_prefix = PRODUCT_PAGES.get(row.product, ("landing.html", ""))
    return page(
        request,
        template,
        language=language,
        frame_ancestors=tuple(row.frame_ancestors or ()),
        launch_id=row.id,
        product=row.product,
        media=row.product in MEDIA_PRODUCTS,
        script_texts=_script_texts(language, row.product, text_prefix),
        # The partner's responsible-gaming page and age notice, in the games' footer.
        responsible_gaming_url=row.responsible_gaming_url,
        age_notice=row.age_notice,
        # The roulette table's rules panel: its payouts and return to player, from its bets.
        pay_table=pay_table() if row.product == "roulette" else None,
    )


def _script_texts(language: str, product: str, prefix: str) -> dict[str, str]:
    if not prefix:
        return {}
    own = texts_with_prefix(language, prefix)
    if product in GAME_PRODUCTS:
        own |= {f"play.{k}": v for k, v in texts_with_prefix(language, "play.").items()}
    return own


def install(assembly: Assembly) -> None:
    """The play-session API, the product pages and the native link `/launch/{token}`.

    Programs calling the products' play APIs get the house error body; people on a page get a
    localised page.
    """
    assembly.include(play_api.router, router)
    assembly.include(replay.router)
    assembly.render_errors("/replay/", render_link_error)  # a malformed replay URL: a page
    serve_links(assembly, NATIVE_SOURCE, NATIVE_LINK)
    assembly.render_errors("/play/", render_link_error)
    assembly.render_errors("/play/api/", render_house_error)
