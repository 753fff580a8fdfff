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
        "roulette.balance": "Balance",
        "roulette.chip": "Chip",
        "roulette.combine": "Combine numbers (split, street, corner, six line)",
        "roulette.place_combination": "Bet on the selected numbers",
        "roulette.stake": "Total bet",
        "roulette.undo": "Undo",
        "roulette.clear": "Clear bets",
        "roulette.spin": "Spin",
        "roulette.last_numbers": "Last numbers",
        "roulette.board": "Betting layout",
        "roulette.fairness": "Provably fair",
        "roulette.commitment": "Next round's commitment, SHA-256 of the server seed",
        "roulette.client_seed": "Your client seed",
        "roulette.nonce": "Nonce",
        "roulette.formula": "The number is the first 32-bit word of HMAC-SHA256(server seed, "
        '"client seed:nonce") below 4,294,967,289, modulo 37. After each round the server '
        "seed is revealed: check it against the commitment shown before the round.",
        "roulette.history": "Your rounds",
        "roulette.time": "Time",
        "roulette.bets": "Bets",
        "roulette.number": "Number",
        "roulette.won": "Won",
        "roulette.seeds": "Seeds",
        "roulette.verify": "Verify",
        "roulette.limits": "Bets per spot",
        "roulette.no_bets": "Place a bet first.",
        "roulette.retry_spin": "Retry spin",
        "roulette.out_of_limits": "Each spot takes from {min} to {max}.",
        "roulette.refused": "The table refused these bets.",
        "roulette.bet_on": "{name}, bet {amount}",
        "roulette.illegal": "Those numbers are not a bet on this table.",
        "roulette.over_max": "The most one spot takes is {max}.",
        "roulette.over_balance": "Your bets total more than your balance.",
        "roulette.win": "{number}: you win {amount}",
        "roulette.no_win": "{number}: no win this time",
        "roulette.spin_failed": "The spin did not reach the table. Press Spin to retry the same "
        "round.",
        "roulette.verified": "Verified: these seeds give {number}",
        "roulette.mismatch": "Does NOT match: the seeds give {number}",
        "roulette.commitment_mismatch": "Does NOT match the commitment",
        "roulette.no_crypto": "This browser cannot check here (it needs HTTPS); run portero "
        "roulette verify with the seeds shown.",
        "roulette.straight": "Straight",
        "roulette.split": "Split",
        "roulette.street": "Street",
        "roulette.corner": "Corner",
        "roulette.six_line": "Six line",
        "roulette.red": "Red",
        "roulette.black": "Black",
        "roulette.even": "Even",
        "roulette.odd": "Odd",
        "roulette.low": "1-18",
        "roulette.high": "19-36",
        "roulette.dozen": "Dozen {n}",
        "roulette.column": "2:1",
        "roulette.column_n": "Column {n} (2 to 1)",
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
        "roulette.balance": "Saldo",
        "roulette.chip": "Ficha",
        "roulette.combine": "Combinar números (caballo, transversal, cuadro, seisena)",
        "roulette.place_combination": "Apostar a los números elegidos",
        "roulette.stake": "Apuesta total",
        "roulette.undo": "Deshacer",
        "roulette.clear": "Borrar apuestas",
        "roulette.spin": "Girar",
        "roulette.last_numbers": "Últimos números",
        "roulette.board": "Tapete de apuestas",
        "roulette.fairness": "Juego justo verificable",
        "roulette.commitment": "Compromiso de la próxima ronda, SHA-256 de la semilla del servidor",
        "roulette.client_seed": "Tu semilla de cliente",
        "roulette.nonce": "Nonce",
        "roulette.formula": "El número es la primera palabra de 32 bits de HMAC-SHA256(semilla "
        'del servidor, "semilla del cliente:nonce") menor que 4.294.967.289, módulo 37. Tras '
        "cada ronda se revela la semilla del servidor: compárala con el compromiso mostrado antes.",
        "roulette.history": "Tus rondas",
        "roulette.time": "Hora",
        "roulette.bets": "Apuestas",
        "roulette.number": "Número",
        "roulette.won": "Premio",
        "roulette.seeds": "Semillas",
        "roulette.verify": "Verificar",
        "roulette.limits": "Apuesta por casilla",
        "roulette.no_bets": "Primero haz una apuesta.",
        "roulette.retry_spin": "Repetir tirada",
        "roulette.out_of_limits": "Cada casilla admite de {min} a {max}.",
        "roulette.refused": "La mesa no ha aceptado estas apuestas.",
        "roulette.bet_on": "{name}, apuesta {amount}",
        "roulette.illegal": "Esos números no forman una apuesta en esta mesa.",
        "roulette.over_max": "Lo máximo por casilla es {max}.",
        "roulette.over_balance": "Tus apuestas superan tu saldo.",
        "roulette.win": "{number}: ganas {amount}",
        "roulette.no_win": "{number}: sin premio esta vez",
        "roulette.spin_failed": "La tirada no llegó a la mesa. Pulsa Girar para repetir la misma "
        "ronda.",
        "roulette.verified": "Verificado: estas semillas dan el {number}",
        "roulette.mismatch": "NO coincide: las semillas dan el {number}",
        "roulette.commitment_mismatch": "NO coincide con el compromiso",
        "roulette.no_crypto": "Este navegador no puede comprobarlo aquí (necesita HTTPS); usa "
        "portero roulette verify con las semillas mostradas.",
        "roulette.straight": "Pleno",
        "roulette.split": "Caballo",
        "roulette.street": "Transversal",
        "roulette.corner": "Cuadro",
        "roulette.six_line": "Seisena",
        "roulette.red": "Rojo",
        "roulette.black": "Negro",
        "roulette.even": "Par",
        "roulette.odd": "Impar",
        "roulette.low": "1-18",
        "roulette.high": "19-36",
        "roulette.dozen": "{n}ª docena",
        "roulette.column": "2:1",
        "roulette.column_n": "Columna {n} (2 a 1)",
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


def texts_with_prefix(language: str, prefix: str) -> dict[str, str]:
    """The texts a page's script needs (keys without the prefix)."""
    return {k.removeprefix(prefix): v for k, v in texts(language).items() if k.startswith(prefix)}
