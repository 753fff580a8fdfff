"""Page texts in Spanish and English (the launch's language picks; English is the fallback)."""

from __future__ import annotations

SUPPORTED = ("en", "es")

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "link_expired.title": "This link has expired",
        "link_expired.body": "Links are valid for a short time. Go back and open the game again.",
        "link_revoked.title": "This link is no longer valid",
        "link_revoked.body": "The operator has cancelled this link. Go back and start again.",
        "link_used.title": "This link has already been used",
        "link_used.body": "Each link opens once, in one browser. Go back and open it again "
        "from the site that sent you.",
        "link_missing.title": "This link does not exist",
        "link_missing.body": "Check that the address is complete, or go back and start again.",
        "session_expired.title": "Your session has ended",
        "session_expired.body": "Go back to the site that sent you and open it again.",
        "error.title": "This page is not available right now",
        "error.body": "Go back and try again in a moment.",
        "back": "Back",
        "retry": "Try again",
        "loading": "Loading…",
        "welcome": "Welcome",
        "product": "Product",
        "session_until": "Session valid until",
        "leave": "Leave",
        "product.roulette": "Roulette",
        "product.slot": "Slots",
        "product.call": "Video call",
    },
    "es": {
        "link_expired.title": "Este enlace ha caducado",
        "link_expired.body": "Los enlaces son válidos poco tiempo. Vuelve atrás y abre el juego "
        "de nuevo.",
        "link_revoked.title": "Este enlace ya no es válido",
        "link_revoked.body": "El operador ha anulado este enlace. Vuelve atrás y empieza de nuevo.",
        "link_used.title": "Este enlace ya se ha usado",
        "link_used.body": "Cada enlace se abre una sola vez, en un solo navegador. Vuelve al "
        "sitio que te envió y ábrelo de nuevo.",
        "link_missing.title": "Este enlace no existe",
        "link_missing.body": "Comprueba que la dirección esté completa o vuelve a empezar.",
        "session_expired.title": "Tu sesión ha terminado",
        "session_expired.body": "Vuelve al sitio que te envió y ábrelo de nuevo.",
        "error.title": "Esta página no está disponible ahora",
        "error.body": "Vuelve atrás e inténtalo de nuevo en un momento.",
        "back": "Volver",
        "retry": "Reintentar",
        "loading": "Cargando…",
        "welcome": "Bienvenido",
        "product": "Producto",
        "session_until": "Sesión válida hasta",
        "leave": "Salir",
        "product.roulette": "Ruleta",
        "product.slot": "Tragaperras",
        "product.call": "Videollamada",
    },
}


def pick_language(preferred: str | None, accept_language: str | None = None) -> str:
    if preferred in SUPPORTED:
        return preferred
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in SUPPORTED:
            return code
    return "en"


def texts(language: str) -> dict[str, str]:
    return MESSAGES.get(language, MESSAGES["en"])
