"""Operations: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text
from starlette.responses import JSONResponse, Response

from portero.http.assembly import Assembly
from portero.http.deps import RuntimeDep
from portero.http.error_body import responses
from portero.kit import metrics
from portero.kit.errors import StorageUnavailable

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers. Touches nothing else (also the benchmark's baseline)."""
    return {"status": "ok"}


@router.get("/readyz", responses=responses())
async def readyz(runtime: RuntimeDep) -> Response:
    """Readiness: the database answers a query."""
    try:
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        raise StorageUnavailable() from error
    return JSONResponse({"status": "ready"})


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)


def install(assembly: Assembly) -> None:
    assembly.include(router)
