"""The call pages' endpoints: one WebSocket each for the customer and the agent's console."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from portero.calls import callback_api, file_api, rating_api
from portero.calls.queue import refuse_taken_call
from portero.calls.runtime import serve_calls
from portero.calls.ws.agent import serve_agent
from portero.calls.ws.customer import serve_customer
from portero.calls.ws.wallboard import serve_wallboard
from portero.http.assembly import Assembly
from portero.launches.admission import guard_openings
from portero.products.registry import ProductName

router = APIRouter(prefix="/play/api", tags=["call pages"])


@router.websocket("/call/ws")
async def customer_socket(websocket: WebSocket) -> None:
    """The customer's waiting room and call: queue position, state, signalling, chat."""
    await serve_customer(websocket)


@router.websocket("/console/ws")
async def agent_socket(websocket: WebSocket) -> None:
    """The agent's console: presence, offers, calls in progress, signalling, chat."""
    await serve_agent(websocket)


@router.websocket("/wallboard/ws")
async def wallboard_socket(websocket: WebSocket) -> None:
    """The supervisor's wallboard: the desk's figures, pushed as they change."""
    await serve_wallboard(websocket)


def install(assembly: Assembly) -> None:
    """The sockets (customer, agent, supervisor), the customer's rating and callback request,
    the bus and clock they rely on, and the rule that a live call's link lets no one else in."""
    assembly.include(router)
    assembly.include(rating_api.router, callback_api.router, file_api.router)
    assembly.run(serve_calls)
    guard_openings(ProductName.call, refuse_taken_call)
