"""Opening a link, whatever URL carried it.

Each API hands out links of its own shape (the native `/launch/{token}`, seed 000's accepted
URL, seed 001's game URL, seed 002's shared session link). An API declares its shape once, with
`serve_links()`: the URL `launches.links.link_url` builds, the route that opens it, and how its
errors are shown (a localised page for browsers).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from portero.http.assembly import Assembly
from portero.http.deps import client_ip
from portero.http.errors import Renderer
from portero.http.runtime import runtime_of
from portero.http.throttling import LINK_OPENINGS, counting_failures
from portero.kit.db import session_scope
from portero.launches import admission, opening
from portero.launches.errors import LaunchNotFound
from portero.launches.links import register_link_path
from portero.launches.store import LaunchStore, OpenWithEvents, SessionLaunchStore
from portero.launches.unit_of_work import launch_store
from portero.web.rendering import render_link_error

PLACEHOLDER = "{token}"  # where a link template puts the token


async def open_and_enter(request: Request, token: str) -> Response:
    """First use of a link: start the play session and go to the product page."""
    # A hot path: the transaction is opened here, not through a yield dependency (see
    # dialects/native/api.py create_launch).
    runtime = runtime_of(request)

    async def open_in(store: LaunchStore) -> opening.OpenedLaunch:
        return await opening.open_link(
            store,
            token=token,
            max_lifetime_seconds=runtime.settings.session_max_lifetime_seconds,
            client_ip=client_ip(request),
        )

    try:
        async with launch_store(runtime) as store:
            opened = await open_in(store)
    except OpenWithEvents:  # a partner with webhooks: the opening and its event, together
        async with session_scope(runtime.sessions) as session:
            opened = await open_in(SessionLaunchStore(session))
    partner = await runtime.authenticator.partner(opened.partner_id)
    await admission.admit(runtime.sessions, opened, partner=partner)
    # The session token rides in the fragment: browsers neither send it to servers nor put it in
    # Referer, and the page moves it into sessionStorage (see play-session.js).
    return RedirectResponse(
        f"{opened.page_path}#session={opened.session_token}",
        status_code=303,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


async def open_counting_guesses(request: Request, token: str) -> Response:
    """`open_and_enter`, throttled: a token that matches nothing is a guess (http/throttling.py).
    A used, expired or revoked link is not: only someone who holds its token can reach those."""
    async with counting_failures(request, LINK_OPENINGS, LaunchNotFound):
        return await open_and_enter(request, token)


def serve_links(
    assembly: Assembly, source: str, template: str, *, errors: Renderer = render_link_error
) -> None:
    """Links issued through `source` look like `template`, with `{token}` in the path
    (`/session/{token}`) or as a query value (`/luckymonaco/index.html?token={token}`)."""
    register_link_path(source, template)
    path, _, query = template.partition("?")
    router = APIRouter(include_in_schema=False)
    if PLACEHOLDER in path:
        prefix = path[: path.index(PLACEHOLDER)]

        async def open_from_path(token: str, request: Request) -> Response:
            return await open_counting_guesses(request, token)

        router.add_api_route(path, open_from_path, methods=["GET"])
    else:
        prefix = path[: path.rfind("/") + 1]
        name = query.removesuffix("=" + PLACEHOLDER)

        async def open_from_query(request: Request) -> Response:
            return await open_counting_guesses(request, request.query_params.get(name, ""))

        router.add_api_route(path, open_from_query, methods=["GET"])
    assembly.include(router)
    assembly.render_errors(prefix, errors)
