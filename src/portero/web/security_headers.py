"""Headers of every page shown to a player, including inside a partner's iframe."""

from __future__ import annotations

from collections.abc import Iterable


def page_headers(frame_ancestors: Iterable[str]) -> dict[str, str]:
    # The partner's configured origins may frame the page; nobody else may. Without any, only
    # Portero itself can (a blank partner iframe means its origin is missing from the config).
    ancestors = " ".join(["'self'", *frame_ancestors])
    return {
        "Content-Security-Policy": (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
