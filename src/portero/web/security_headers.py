"""Headers of every page Portero shows: a player's, including inside a partner's iframe, and the
operator's API reference (`/docs`, `/redoc`)."""

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
            # blob: for the images sent in a call's chat, fetched with the page's token.
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
            "script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
            f"frame-ancestors {ancestors}"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    if media:
        headers["Permissions-Policy"] = "camera=(self), microphone=(self)"
    return headers


def api_docs_headers(*, inline_styles: bool = False, blob_workers: bool = False) -> dict[str, str]:
    """The API reference pages: their scripts and styles are Portero's own files (no CDN), and
    nobody else may frame them. What each viewer needs beyond a player's page, and no more:
    `inline_styles` for ReDoc, whose styling library writes `<style>` elements at run time;
    `blob_workers` for ReDoc's search, a worker built from a blob of its own bundle."""
    styles = "'self' 'unsafe-inline'" if inline_styles else "'self'"
    workers = "'self' blob:" if blob_workers else "'self'"
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; img-src 'self' data:; style-src {styles}; script-src 'self'; "
            f"worker-src {workers}; connect-src 'self'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'self'"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
