"""Tenant scoping in one place: every read of a partner's rows says whose rows it reads.

A partner-owned table is one with a `partner_id` column (launches, players, calls, agents,
categories, partner tokens). A query that reads one either goes through `for_partner()`, which
adds the partner filter, or declares with `across_partners()` that it is not on behalf of one
partner: the clocks and sweeps that serve every partner, look-ups by an unguessable token (a
link, a play session, a partner token), and reads by an id that was itself found under a
partner's scope (a call of the socket's own session).

`guard()` makes the rule checkable: installed on an engine (the tests install it on every
application they run), it refuses any SELECT on a partner-owned table that was built without
one of the two. Writes are not checked: they follow a read, or key on an id the caller owns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from sqlalchemy import Delete, Engine, Select, Table, Update, event
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ClauseElement

from portero.kit.db import Base

OPTION = "portero_tenancy"
ACROSS_PARTNERS = "across partners"

Statement = TypeVar("Statement", bound=Select[Any] | Update | Delete)


class UnscopedQuery(AssertionError):
    """A read of a partner-owned table that says neither whose rows it reads nor why it may
    read everyone's: a bug, found by the guard."""


def for_partner(statement: Statement, owner: Any, partner_id: int) -> Statement:
    """`statement` restricted to the rows of `owner` (a table, or a model) that belong to
    `partner_id`."""
    column = owner.c.partner_id if isinstance(owner, Table) else owner.partner_id
    scoped = statement.where(column == partner_id).execution_options(**{OPTION: partner_id})
    return cast(Statement, scoped)


def across_partners(statement: Statement) -> Statement:
    """`statement` as a deliberate read across partners (see the module's docstring)."""
    return cast(Statement, statement.execution_options(**{OPTION: ACROSS_PARTNERS}))


def partner_owned_tables() -> frozenset[str]:
    """Of the tables declared so far (all of them, once the models are imported)."""
    return frozenset(
        table.name for table in Base.metadata.tables.values() if "partner_id" in table.columns
    )


def tables_read(statement: ClauseElement) -> set[str]:
    return {element.name for element in visitors.iterate(statement) if isinstance(element, Table)}


def check(statement: object, options: Mapping[str, Any], owned_tables: frozenset[str]) -> None:
    """Raise UnscopedQuery for an unmarked SELECT of one of `owned_tables`."""
    if not isinstance(statement, Select) or OPTION in options:
        return
    owned = tables_read(statement) & owned_tables
    if owned:
        raise UnscopedQuery(
            f"a read of {', '.join(sorted(owned))} neither filters by partner "
            "(tenancy.for_partner) nor says why it reads across partners "
            f"(tenancy.across_partners):\n{statement}"
        )


def guard(engine: Engine) -> None:
    """Check every statement this engine executes (see `check`); install it once the models
    are imported (an application has imported them all)."""
    owned_tables = partner_owned_tables()

    def before_execute(
        _connection: object,
        statement: object,
        _multiparams: object,
        _params: object,
        options: Mapping[str, Any],
    ) -> None:
        check(statement, options, owned_tables)

    event.listen(engine, "before_execute", before_execute)
