"""The URL a partner hands to its user, by the API that issued the launch.

Dialects register the shape of their own links; the native API's is `/launch/{token}`.
"""

from __future__ import annotations

from portero.launches.records import LaunchRecord
from portero.launches.tokens import token_of

# Launches requested through the native API (and console links): their source and link shape.
NATIVE_SOURCE = "api"
NATIVE_LINK = "/launch/{token}"
_PATHS: dict[str, str] = {NATIVE_SOURCE: NATIVE_LINK}


def register_link_path(source: str, template: str) -> None:
    """Declared by each API through `web.links.serve_links`, which also serves the path."""
    _PATHS[source] = template


def link_url(base_url: str, source: str, token: str) -> str:
    return base_url + _PATHS.get(source, NATIVE_LINK).format(token=token)


def link_url_of(launch: LaunchRecord, *, base_url: str, signing_key: bytes) -> str:
    return link_url(base_url, launch.source, token_of(launch, signing_key))
