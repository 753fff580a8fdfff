"""Opening a link, and the generic landing page of products without a page of their own."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from portero.http.deps import SessionDep, client_ip
from portero.http.runtime import runtime_of
from portero.kit.ids import is_launch_id
from portero.launches import opening
from portero.launches import repository as launch_repository
from portero.launches.errors import LaunchNotFound
from portero.web.i18n import pick_language, texts_with_prefix
from portero.web.rendering import page

router = APIRouter(include_in_schema=False)

# Products with a page of their own; the others get the generic landing page. Each page's
# script receives the texts under its prefix.
PRODUCT_PAGES: dict[str, tuple[str, str]] = {
    "roulette": ("roulette.html", "roulette."),
    "slot": ("slot.html", "slot."),
    "call": ("call.html", "call."),
    "console": ("console.html", "console."),
}
# Pages that use the camera and the microphone (see security_headers.page_headers).
MEDIA_PRODUCTS = frozenset({"call", "console"})


async def open_and_enter(request: Request, token: str) -> Response:
    """First use of a link, whatever URL carried it (`/launch/…` and each dialect's own):
    start the play session and go to the product page."""
    # A hot path: the transaction is opened here, not through a yield dependency (see
    # dialects/native/api.py create_launch).
    runtime = runtime_of(request)
    async with runtime.launch_store() as store:
        opened = await opening.open_link(
            store,
            token=token,
            max_lifetime_seconds=runtime.settings.session_max_lifetime_seconds,
            client_ip=client_ip(request),
        )
    # The session token rides in the fragment: browsers neither send it to servers nor put it in
    # Referer, and the page moves it into sessionStorage (see play-session.js).
    return RedirectResponse(
        f"{opened.page_path}#session={opened.session_token}",
        status_code=303,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@router.get("/launch/{token}")
async def open_link(token: str, request: Request) -> Response:
    """First use of the link: start the play session and go to the product page."""
    return await open_and_enter(request, token)


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
        script_texts=texts_with_prefix(language, text_prefix) if text_prefix else {},
    )
