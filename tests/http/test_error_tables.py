"""Every API's error table is total: each domain error, whichever API it reaches, is answered
with one of that API's own codes, never with the renderer's internal-error default (a 500, or
seed 000's 510). A renderer that falls to its default says so in the log (`http.errors.unmapped`):
that is what these tests look for, beside the status."""

from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.requests import Request

import portero
from portero.app import PARTS
from portero.http.assembly import Assembly
from portero.http.errors import ErrorRenderers, Renderer
from portero.kit.errors import InternalError, PorteroError, Unauthenticated
from portero.launches.errors import LinkUnusable
from portero.roulette.errors import BetRefused
from portero.wallet.errors import WalletError
from portero.webhooks.errors import WebhookError
from tests.conftest import make_settings

# Bases that are never raised themselves: each subclass says which failure it is.
ABSTRACT = frozenset({Unauthenticated, LinkUnusable, BetRefused, WalletError, WebhookError})
# Arguments for the errors whose constructor needs some, by annotation.
SAMPLES: dict[str, Any] = {
    "str": "name",
    "int": 1,
    "FieldProblem": "invalid",
    "dict[str, list[str]]": {"name": ["SessionLinkControllerValidator: name is invalid."]},
}


def _import_everything() -> None:
    for module in pkgutil.walk_packages(portero.__path__, "portero."):
        # __main__ runs the command line; migrations run Alembic when imported.
        if not module.name.endswith("__main__") and ".migrations" not in module.name:
            importlib.import_module(module.name)


def _subclasses(cls: type[PorteroError]) -> Iterator[type[PorteroError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def domain_errors() -> list[type[PorteroError]]:
    """Every concrete error class of Portero (not the tests' own)."""
    _import_everything()
    found = {
        cls
        for cls in _subclasses(PorteroError)
        if cls.__module__.startswith("portero.") and cls not in ABSTRACT | {InternalError}
    }
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


def sample(cls: type[PorteroError]) -> PorteroError:
    required = [
        parameter
        for parameter in inspect.signature(cls).parameters.values()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind is not inspect.Parameter.VAR_KEYWORD
        and parameter.kind is not inspect.Parameter.VAR_POSITIONAL
    ]
    return cls(*(SAMPLES[str(parameter.annotation)] for parameter in required))


def registered_renderers() -> dict[str, Renderer]:
    """The renderers the application registers, path prefix → renderer, as create_app() puts
    them together."""
    assembly = Assembly(
        settings=make_settings("sqlite+aiosqlite:///unused.db"), renderers=ErrorRenderers()
    )
    for install in PARTS:
        install(assembly)
    return assembly.renderers.registered()


RENDERERS = registered_renderers()


def request_to(prefix: str, accept: str) -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "path": prefix + "x",
        "raw_path": (prefix + "x").encode(),
        "query_string": b"",
        "headers": [(b"accept", accept.encode()), (b"host", b"portero.test")],
        "scheme": "http",
        "server": ("portero.test", 80),
    }
    return Request(scope)


def falls_to_the_default(
    renderer: Renderer, prefix: str, error: PorteroError, caplog: pytest.LogCaptureFixture
) -> str | None:
    """Why the renderer's answer to `error` is its internal-error default, or None; asked as a
    program (JSON) and as a browser (the link renderers answer pages)."""
    for accept in ("application/json", "text/html"):
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="portero.errors"):
            response = renderer(request_to(prefix, accept), error)
        if any("has no entry" in record.getMessage() for record in caplog.records):
            return f"no table entry ({accept})"
        if response.status_code >= 500 and not _retryable(error):
            return f"HTTP {response.status_code} ({accept})"
    return None


def _retryable(error: PorteroError) -> bool:
    """Errors whose documented answer is a 5xx: a passing fault (retry later), or a partner's
    wallet that did not answer (502, Bad Gateway)."""
    return error.retry_after is not None or type(error).__name__ in {
        "StorageUnavailable",
        "WalletUnavailable",
    }


def test_every_part_registers_a_renderer_and_errors_are_found() -> None:
    assert {"/", "/1.0/", "/api/", "/play/api/", "/play/api/roulette/"} <= set(RENDERERS)
    names = {cls.__name__ for cls in domain_errors()}
    assert {"InvalidField", "FieldsFailed", "MissingParameter", "Invalid", "OfferGone"} <= names


@pytest.mark.parametrize("prefix", sorted(RENDERERS))
def test_every_domain_error_has_an_answer_in_every_api(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    renderer = RENDERERS[prefix]
    missing = [
        f"{cls.__module__}.{cls.__name__}: {why}"
        for cls in domain_errors()
        if (why := falls_to_the_default(renderer, prefix, sample(cls), caplog))
    ]
    assert not missing, f"the renderer of {prefix} has no answer for:\n" + "\n".join(missing)


class Unlisted(PorteroError):
    """An error no table knows: the check must see every renderer fall to its default."""


@pytest.mark.parametrize("prefix", sorted(RENDERERS))
def test_an_unlisted_error_is_seen_falling_to_the_default(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    why = falls_to_the_default(RENDERERS[prefix], prefix, Unlisted(), caplog)
    assert why == "no table entry (application/json)"


@pytest.mark.parametrize("prefix", sorted(RENDERERS))
def test_the_internal_error_itself_is_not_reported_as_missing(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="portero.errors"):
        RENDERERS[prefix](request_to(prefix, "application/json"), InternalError())
    assert not [r for r in caplog.records if "has no entry" in r.getMessage()]
