"""Issuing a link from any API: one transaction on the hot-path store, the deployment's
settings (signing key, idempotency window), and the URL in the shape of the issuing API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from portero.http.runtime import Runtime
from portero.launches import service as launches
from portero.launches.links import NATIVE_SOURCE, link_url
from portero.launches.schemas import LaunchCreate
from portero.launches.tokens import TokenShape
from portero.launches.unit_of_work import launch_store
from portero.partners.schemas import PartnerSnapshot
from portero.products.registry import product_spec


@dataclass(frozen=True, slots=True)
class IssuedLink:
    issued: launches.IssuedLaunch
    url: str


async def issue_link(
    runtime: Runtime,
    partner: PartnerSnapshot,
    request: LaunchCreate,
    *,
    source: str = NATIVE_SOURCE,
    request_key: str | None = None,
    token_shape: TokenShape = TokenShape.urlsafe,
) -> IssuedLink:
    settings = runtime.settings
    async with launch_store(runtime) as store:
        issued = await launches.create_launch(
            store,
            partner=partner,
            request=request,
            signing_key=settings.signing_key,
            source=source,
            request_key=request_key,
            token_shape=token_shape,
            idempotency_window=timedelta(seconds=settings.idempotency_window_seconds),
            default_ttl_seconds=product_spec(request.product).default_link_ttl_seconds(settings),
        )
    return IssuedLink(issued, link_url(settings.base_url, source, issued.token))
