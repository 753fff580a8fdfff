"""OpenAPI as the API really behaves: body validation fails with 400 and the shared error
body, not FastAPI's default 422 `HTTPValidationError`; bodies that endpoints read themselves
and operations of routes FastAPI does not describe are added as their parts declared them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from portero.http.body import schema_name


def install_openapi(
    app: FastAPI,
    *,
    body_models: Sequence[type[BaseModel]] = (),
    paths: Mapping[str, dict[str, Any]] | None = None,
) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                _drop_fastapi_422(operation.get("responses", {}))
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        for model in body_models:  # bodies read by `read_json` (not FastAPI parameters)
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, nested in definition.pop("$defs", {}).items():
                add_schema(components, name, nested)
            add_schema(components, schema_name(model), definition)
        for path, item in (paths or {}).items():
            documented = schema.setdefault("paths", {}).setdefault(path, {})
            if set(documented) & set(item):
                raise ValueError(f"{path} is described by a route and by hand")
            documented.update(item)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def add_schema(components: dict[str, Any], name: str, definition: dict[str, Any]) -> None:
    """One name, one schema. A second, different schema under a name already taken would
    silently replace the first: the slot's spin body once stood for the roulette's."""
    if components.setdefault(name, definition) != definition:
        raise ValueError(f"two different schemas are named {name!r}: give one a title")


def _drop_fastapi_422(responses: dict[str, Any]) -> None:
    """FastAPI's own 422 (`HTTPValidationError`), never answered: validation fails with 400
    and the API's error body. A 422 an API declares itself (seed 002's) stays."""
    content = responses.get("422", {}).get("content", {}).get("application/json", {})
    if content.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
        del responses["422"]
