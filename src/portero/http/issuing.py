"""Issuing a link from any API: one transaction on the hot-path store, the deployment's
settings (signing key, idempotency window), and the URL in the shape of the issuing API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from portero.http.runtime import Runtime
from portero.launches import service as launches
from portero.launches.links import link_url
from portero.launches.schemas import LaunchCreate
from portero.launches.tokens import TokenShape
from portero.partners.schemas import PartnerSnapshot
from portero.products.registry import ProductName


@dataclass(frozen=True, slots=True)
class IssuedLink:
    issued: launches.IssuedLaunch
    url: str


async def issue_link(
    runtime: Runtime,
    partner: PartnerSnapshot,
    request: LaunchCreate,
    *,
    source: str = "api",
    request_key: str | None = None,
    token_shape: TokenShape = TokenShape.urlsafe,
) -> IssuedLink:
    settings = runtime.settings
    async with runtime.launch_store() as store:
        issued = await launches.create_launch(
            store,
            partner=partner,
            request=request,
            signing_key=settings.signing_key,
            source=source,
            request_key=request_key,
            token_shape=token_shape,
            idempotency_window=timedelta(seconds=settings.idempotency_window_seconds),
            # Call links are shared with the customer and stay valid for a day by default.
            default_ttl_seconds=(
                settings.call_link_ttl_seconds if request.product is ProductName.call else None
            ),
        )
    return IssuedLink(issued, link_url(settings.base_url, source, issued.token))
