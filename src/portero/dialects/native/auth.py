from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from portero.http.runtime import runtime_of
from portero.http.throttling import counting_failed_authentications
from portero.partners.schemas import PartnerSnapshot

_bearer = HTTPBearer(
    auto_error=False, scheme_name="PartnerToken", description="A partner token: `Bearer prt_…`"
)


async def _current_partner(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> PartnerSnapshot:
    token = credentials.credentials if credentials else None
    async with counting_failed_authentications(request):
        return await runtime_of(request).authenticator.authenticate(token)


CurrentPartner = Annotated[PartnerSnapshot, Depends(_current_partner)]


async def partner_of(request: Request) -> PartnerSnapshot:
    """What `CurrentPartner` resolves to, for a route served without FastAPI's dependency
    solver (launch_route.py)."""
    return await _current_partner(request, await _bearer(request))
