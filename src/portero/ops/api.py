"""Operations: liveness, readiness and Prometheus metrics (on the public port unless the operator
gives them one of their own, see scrape.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text
from starlette.responses import JSONResponse, Response

from portero.http.assembly import Assembly
from portero.http.deps import RuntimeDep
from portero.http.error_body import responses
from portero.kit import metrics
from portero.kit.errors import StorageUnavailable
from portero.ops.scrape import MetricsTokenRequired, reader_allowed

router = APIRouter(tags=["operations"])
metrics_router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers. Touches nothing else (also the benchmark's baseline)."""
    return {"status": "ok"}


@router.get("/readyz", responses=responses())
async def readyz(runtime: RuntimeDep) -> Response:
    """Readiness: the database answers a query (503 otherwise). A part that works without it,
    degraded, is reported without taking the process out of rotation: `"status": "degraded"`
    and what is wrong (the call bus's Redis unreachable, say)."""
    try:
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        raise StorageUnavailable() from error
    problems = {name: problem for name, probe in runtime.probes.items() if (problem := probe())}
    if problems:
        return JSONResponse({"status": "degraded", "degraded": problems})
    return JSONResponse({"status": "ready"})


@metrics_router.get("/metrics")
async def prometheus_metrics(request: Request, runtime: RuntimeDep) -> Response:
    digest = runtime.settings.metrics_token_digest
    if not reader_allowed(request.headers.get("authorization"), digest):
        raise MetricsTokenRequired()
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)


def install(assembly: Assembly) -> None:
    assembly.include(router)
    assembly.settings.metrics_token_digest  # noqa: B018  (refuse to start with a weak token)
    if assembly.settings.metrics_port is None:  # else `portero serve` serves them on that port
        assembly.include(metrics_router)
