"""Reading seed 002's request: every failing field is reported at once, as its validator does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Headers

from portero.dialects.cammer.errors import FieldsFailed, complaint
from portero.kit.validation import (
    check_cellphone,
    check_display_text,
    check_email,
    check_printable,
)
from portero.products.registry import MAX_TICKETS

LIMITS = {"name": 200, "email": 254, "cellphone": 32, "title": 200, "description": 2000}
# Texts an agent reads on the console (and the customer on the call page): they must display
# as what they are (kit/text.py). The others are checked only for being printable.
SHOWN = frozenset({"name", "title", "description"})


@dataclass
class SessionLinkRequest:
    name: str
    cellphone: str
    email: str | None = None
    category_code: str | None = None
    agent_code: str | None = None
    tickets: list[dict[str, str]] = field(default_factory=list)


def read_request(headers: Headers, data: dict[str, Any]) -> SessionLinkRequest:
    detail: dict[str, list[str]] = {}
    if headers.get("x-requested-with", "").strip() != "XMLHttpRequest":
        detail["X-Requested-With"] = [complaint("X-Requested-With", "required")]
    name = _text(data, "name", LIMITS["name"], detail, required=True)
    email = _checked(
        _text(data, "email", LIMITS["email"], detail, required=False),
        check_email,
        "email",
        detail,
    )
    cellphone = _checked(
        _text(data, "cellphone", LIMITS["cellphone"], detail, required=True),
        check_cellphone,
        "cellphone",
        detail,
    )
    category_code = _text(data, "categoryCode", 64, detail, required=False)
    agent_code = _text(data, "userCode", 64, detail, required=False)
    if category_code and agent_code:
        detail["categoryCode"] = detail["userCode"] = [complaint("categoryCode", "both")]
    tickets = _tickets(data, detail)
    if detail or name is None or cellphone is None:
        raise FieldsFailed(detail)
    return SessionLinkRequest(
        name=name,
        cellphone=cellphone,
        email=email,
        category_code=category_code.lower() if category_code else None,
        agent_code=agent_code.lower() if agent_code else None,
        tickets=tickets,
    )


def _text(
    data: dict[str, Any],
    field: str,
    limit: int,
    detail: dict[str, list[str]],
    *,
    required: bool,
    path: str | None = None,
) -> str | None:
    """A string field, trimmed; records the complaint (if any) under its dotted path."""
    where = path or field
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            detail[where] = [complaint(where, "required")]
        return None
    if not isinstance(value, str):
        detail[where] = [complaint(where, "invalid")]
        return None
    value = value.strip()
    if len(value) > limit:
        detail[where] = [complaint(where, "too_long")]
        return None
    try:
        return check_display_text(value) if field in SHOWN else check_printable(value)
    except ValueError:
        detail[where] = [complaint(where, "invalid")]
        return None


def _checked(value: str | None, check: Any, where: str, detail: dict[str, list[str]]) -> str | None:
    if value is None:
        return None
    try:
        result: str = check(value)
    except ValueError:
        detail[where] = [complaint(where, "invalid")]
        return None
    return result


def _tickets(data: dict[str, Any], detail: dict[str, list[str]]) -> list[dict[str, str]]:
    """`ticket`: one object (the example) or a list of them (the document's OBJECT[])."""
    raw = data.get("ticket")
    if raw is None:
        return []
    single = isinstance(raw, dict)
    items = [raw] if single else raw if isinstance(raw, list) else None
    if items is None or not all(isinstance(item, dict) for item in items):
        detail["ticket"] = [complaint("ticket", "invalid")]
        return []
    if len(items) > MAX_TICKETS:
        detail["ticket"] = [complaint("ticket", "too_long")]
        return []
    tickets = []
    for index, item in enumerate(items):
        prefix = "ticket" if single else f"ticket.{index}"
        title = _text(item, "title", LIMITS["title"], detail, required=True, path=f"{prefix}.title")
        description = _text(
            item,
            "description",
            LIMITS["description"],
            detail,
            required=True,
            path=f"{prefix}.description",
        )
        if title and description:
            tickets.append({"title": title, "description": description})
    return tickets
