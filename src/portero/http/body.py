"""Reading a JSON body straight into a model, for the hot path.

FastAPI's own body handling parses the JSON into Python objects and then validates them; pydantic
validates JSON bytes directly in one pass, which the launch endpoint measurably benefits from.
Errors come out exactly as FastAPI's would (same translation, same codes).
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from portero.http.errors import is_json, translate_errors
from portero.kit.errors import MalformedRequest, UnsupportedMediaType

Model = TypeVar("Model", bound=BaseModel)


async def read_json(request: Request, model: type[Model]) -> Model:
    if not is_json(request.headers.get("content-type", "")):
        raise UnsupportedMediaType("Send the body as application/json.")
    raw = await request.body()
    if not raw.strip():
        raise MalformedRequest("The request body is empty; send a JSON object.")
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        raise translate_errors(error.errors(), request) from None


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI `requestBody` of an endpoint that reads its body with `read_json`."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    }
