"""The URL a partner hands to its user, by the API that issued the launch.

Dialects register the shape of their own links; the native API's is `/launch/{token}`.
"""

from __future__ import annotations

from portero.launches.records import LaunchRecord
from portero.launches.service import token_of

_PATHS: dict[str, str] = {"api": "/launch/{token}"}


def register_link_path(source: str, template: str) -> None:
    _PATHS[source] = template


def link_url(base_url: str, source: str, token: str) -> str:
    return base_url + _PATHS.get(source, _PATHS["api"]).format(token=token)


def link_url_of(launch: LaunchRecord, *, base_url: str, signing_key: bytes) -> str:
    return link_url(base_url, launch.source, token_of(launch, signing_key))
