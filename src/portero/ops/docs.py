"""The API reference pages, `/docs` (Swagger UI) and `/redoc` (ReDoc), served with their
scripts from Portero itself (`web/static/api-docs/`, see its README.md) rather than from a
public CDN: they work on a box without Internet access, and a strict Content-Security-Policy
can say that they load nothing from elsewhere."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from portero.http.assembly import Assembly
from portero.web.security_headers import api_docs_headers

ASSETS = "/static/api-docs"

router = APIRouter(include_in_schema=False)

_SWAGGER_UI = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-init.js"></script>
</body>
</html>
"""

# ReDoc starts by itself on its `<redoc spec-url>` element: no script of the page's own.
_REDOC = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{assets}/redoc-page.css">
</head>
<body>
<redoc spec-url="{openapi_url}"></redoc>
<script src="{assets}/redoc.standalone.js"></script>
</body>
</html>
"""


def _page(request: Request, template: str) -> str:
    app = request.app
    return template.format(
        title=escape(f"{app.title} - API reference"),
        openapi_url=escape(app.openapi_url),
        assets=ASSETS,
    )


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    return HTMLResponse(_page(request, _SWAGGER_UI), headers=api_docs_headers())


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    headers = api_docs_headers(inline_styles=True, blob_workers=True)
    return HTMLResponse(_page(request, _REDOC), headers=headers)


def install(assembly: Assembly) -> None:
    assembly.include(router)
