"""Headers of every page shown to a player, including inside a partner's iframe."""

from __future__ import annotations

from collections.abc import Iterable


def page_headers(frame_ancestors: Iterable[str], *, media: bool = False) -> dict[str, str]:
    """`media`: the page may ask for the camera and the microphone (the call pages). A partner
    that frames such a page must delegate them too: `<iframe allow="camera; microphone;
    autoplay">`, or the browser refuses them to the frame whatever this header says."""
    # The partner's configured origins may frame the page; nobody else may. Without any, only
    # Portero itself can (a blank partner iframe means its origin is missing from the config).
    ancestors = " ".join(["'self'", *frame_ancestors])
    headers = {
        "Content-Security-Policy": (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    if media:
        headers["Permissions-Policy"] = "camera=(self), microphone=(self)"
    return headers
