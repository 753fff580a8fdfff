"""Reads of calls with their people: what the customer's page and the agent's console show
(views.py), and the partner's call records (records.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portero.calls.models import (
    AGENT,
    CALL,
    CALLBACK,
    OFFER,
    CallCategory,
    CallStatus,
    agent_category,
)
from portero.calls.transfer_repository import took_part
from portero.kit.db import AnyRow
from portero.kit.pagination import Page, fetch_page, newest_first
from portero.kit.tenancy import across_partners, for_partner
from portero.players.models import Player

_PLAYER = cast(Table, Player.__table__)
_CATEGORY = cast(Table, CallCategory.__table__)
_TARGET_AGENT = AGENT.alias("target_agent")
_HANDLING_AGENT = AGENT.alias("handling_agent")
_OFFER_AGENT = AGENT.alias("offer_agent")


# What the pages show (ids from the socket's own session) --------------------------------------


def _calls_with_customer() -> Select[Any]:
    return select(
        CALL.c.id,
        CALL.c.status,
        CALL.c.tickets,
        CALL.c.agent_id,
        CALL.c.created_at,
        CALL.c.offered_at,
        CALL.c.offer_expires_at,
        CALL.c.answered_at,
        CALL.c.ended_at,
        CALL.c.satisfaction_score,
        CALL.c.satisfaction_comment,
        _PLAYER.c.name.label("customer_name"),
        _PLAYER.c.cellphone.label("customer_cellphone"),
        _PLAYER.c.email.label("customer_email"),
    ).join(_PLAYER, _PLAYER.c.id == CALL.c.player_id)


async def customer_call(session: AsyncSession, call_id: str) -> AnyRow:
    """The customer's call with the name of the agent on it, and its callback request's
    status if it has one."""
    query = (
        select(
            CALL.c.id,
            CALL.c.partner_id,
            CALL.c.status,
            CALL.c.tickets,
            CALL.c.answered_at,
            CALL.c.ended_at,
            CALL.c.ended_by,
            CALL.c.agent_id,
            CALL.c.target_category_id,
            AGENT.c.name.label("agent_name"),
            CALLBACK.c.status.label("callback_status"),
        )
        .outerjoin(AGENT, AGENT.c.id == CALL.c.agent_id)
        .outerjoin(CALLBACK, CALLBACK.c.call_id == CALL.c.id)
        .where(CALL.c.id == call_id)
    )
    return (await session.execute(across_partners(query))).one()


async def agent(session: AsyncSession, agent_id: int) -> AnyRow:
    query = select(AGENT).where(AGENT.c.id == agent_id)
    return (await session.execute(across_partners(query))).one()


async def ringing_on(session: AsyncSession, *, agent_id: int, call_id: str) -> AnyRow | None:
    """The call, with its customer, if it is still ringing on the agent."""
    query = _calls_with_customer().where(
        CALL.c.id == call_id,
        CALL.c.agent_id == agent_id,
        CALL.c.status == CallStatus.ringing.value,
    )
    found: AnyRow | None = (await session.execute(across_partners(query))).one_or_none()
    return found


async def connected(session: AsyncSession, call_id: str) -> AnyRow | None:
    """The call, with its customer, if it is in progress (a transfer's offer shows it)."""
    query = _calls_with_customer().where(
        CALL.c.id == call_id, CALL.c.status == CallStatus.connected.value
    )
    found: AnyRow | None = (await session.execute(across_partners(query))).one_or_none()
    return found


async def in_progress(session: AsyncSession, agent_id: int) -> list[AnyRow]:
    """The agent's calls in progress with their customers, first answered first."""
    query = (
        _calls_with_customer()
        .where(CALL.c.agent_id == agent_id, CALL.c.status == CallStatus.connected.value)
        .order_by(CALL.c.answered_at)
    )
    return list((await session.execute(across_partners(query))).all())


def could_take(agent_id: int | ColumnElement[int]) -> ColumnElement[bool]:
    """The calls an agent (an id, or the agent table's id column in a join) could answer:
    addressed to them, to a category they serve, or to nobody in particular."""
    serves_category = exists().where(
        agent_category.c.agent_id == agent_id,
        agent_category.c.category_id == CALL.c.target_category_id,
    )
    return or_(
        CALL.c.target_agent_id == agent_id,
        serves_category,
        and_(CALL.c.target_agent_id.is_(None), CALL.c.target_category_id.is_(None)),
    )


async def recent_for(session: AsyncSession, agent: AnyRow, *, limit: int) -> list[AnyRow]:
    """The agent's last calls (with those it handed over or took over), and the requests
    they could have taken that were missed."""
    could_have_taken = could_take(agent.id)
    was_offered = exists().where(OFFER.c.call_id == CALL.c.id, OFFER.c.agent_id == agent.id)
    query = (
        _calls_with_customer()
        .where(
            or_(
                and_(CALL.c.status == CallStatus.completed.value, took_part(agent.id)),
                and_(
                    CALL.c.status == CallStatus.missed.value,
                    or_(could_have_taken, was_offered),
                ),
            ),
        )
        .order_by(CALL.c.created_at.desc(), CALL.c.id.desc())
        .limit(limit)
    )
    return list((await session.execute(for_partner(query, CALL, agent.partner_id))).all())


# The partner's call records -------------------------------------------------------------------


def _records(partner_id: int) -> Select[Any]:
    query = (
        select(
            CALL.c.id,
            CALL.c.status,
            CALL.c.launch_id,
            CALL.c.tickets,
            CALL.c.created_at,
            CALL.c.offered_at,
            CALL.c.answered_at,
            CALL.c.ended_at,
            CALL.c.ended_by,
            CALL.c.satisfaction_score,
            CALL.c.satisfaction_comment,
            CALL.c.rated_at,
            _PLAYER.c.external_id.label("customer_id"),
            _PLAYER.c.name.label("customer_name"),
            _PLAYER.c.cellphone.label("customer_cellphone"),
            _PLAYER.c.email.label("customer_email"),
            _TARGET_AGENT.c.code.label("target_agent"),
            _CATEGORY.c.code.label("target_category"),
            _HANDLING_AGENT.c.code.label("agent_code"),
            _HANDLING_AGENT.c.name.label("agent_name"),
        )
        .join(_PLAYER, _PLAYER.c.id == CALL.c.player_id)
        .outerjoin(_TARGET_AGENT, _TARGET_AGENT.c.id == CALL.c.target_agent_id)
        .outerjoin(_CATEGORY, _CATEGORY.c.id == CALL.c.target_category_id)
        .outerjoin(_HANDLING_AGENT, _HANDLING_AGENT.c.id == CALL.c.agent_id)
    )
    return for_partner(query, CALL, partner_id)


async def record(session: AsyncSession, *, partner_id: int, call_id: str) -> AnyRow | None:
    query = _records(partner_id).where(CALL.c.id == call_id)
    found: AnyRow | None = (await session.execute(query)).one_or_none()
    return found


async def records(
    session: AsyncSession,
    *,
    partner_id: int,
    limit: int,
    after: str | None,
    agent_id: int | None = None,
    status: CallStatus | None = None,
) -> Page[AnyRow]:
    """Newest first (call ids are time-ordered); `agent_id`: the calls addressed to that agent
    or that it was on (answered, handed over, taken over)."""
    query = newest_first(_records(partner_id), CALL.c.id, after)
    if status is not None:
        query = query.where(CALL.c.status == status.value)
    if agent_id is not None:
        query = query.where(or_(took_part(agent_id), CALL.c.target_agent_id == agent_id))
    return await fetch_page(session, query, limit=limit)


async def offers_of(
    session: AsyncSession, call_ids: Sequence[str]
) -> dict[str, list[tuple[str, datetime, datetime | None, str | None]]]:
    """Each call's offers, in order: (agent code, offered at, answered at, outcome)."""
    found: dict[str, list[tuple[str, datetime, datetime | None, str | None]]] = {
        call_id: [] for call_id in call_ids
    }
    if not call_ids:
        return found
    query = (
        select(
            OFFER.c.call_id,
            _OFFER_AGENT.c.code,
            OFFER.c.offered_at,
            OFFER.c.answered_at,
            OFFER.c.outcome,
        )
        .join(_OFFER_AGENT, _OFFER_AGENT.c.id == OFFER.c.agent_id)
        .where(OFFER.c.call_id.in_(call_ids))
        .order_by(OFFER.c.offered_at, OFFER.c.id)
    )
    # The call ids come from a page already scoped to the partner.
    for call_id, code, offered_at, answered_at, outcome in (
        await session.execute(across_partners(query))
    ).all():
        found[call_id].append((code, offered_at, answered_at, outcome))
    return found
