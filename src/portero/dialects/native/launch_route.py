"""`POST /v1/launches`, the busiest request of all, served as http/direct.py says: the
partner's authentication first, then the Idempotency-Key header against the route's own
declaration (FastAPI's own field and check, so its errors are FastAPI's), in the order
FastAPI's dependency solver takes them."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError

from portero.dialects.native.auth import _current_partner, partner_of
from portero.http.direct import Arguments, DirectRoute


class LaunchRoute(DirectRoute):
    """For `async def endpoint(request, partner: CurrentPartner, idempotency_key: header)`."""

    def arguments(self) -> Arguments:
        self.require(["request", "partner", "idempotency_key"], [])
        if [dependency.call for dependency in self.dependant.dependencies] != [_current_partner]:
            raise TypeError(f"{self.path}: a LaunchRoute's partner is `CurrentPartner`")
        headers = self.dependant.header_params

        async def arguments(request: Request) -> dict[str, Any]:
            partner = await partner_of(request)
            values, errors = request_params_to_args(headers, request.headers)
            if errors:
                raise RequestValidationError(errors)
            return {"request": request, "partner": partner, **values}

        return arguments
