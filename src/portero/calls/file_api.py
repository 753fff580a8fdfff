"""Files in a call's chat, from the call's two pages (bearer: the page's play-session token):
`POST /play/api/call/files` sends one (the body is the file itself, `?name=` what the browser
calls it, `?call_id=` which call for a console), `GET /play/api/call/files/{id}` reads one back
(calls/files.py)."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from portero.blobs.store import BlobMissing, BlobStoreUnavailable
from portero.calls import files
from portero.calls.bus import BusUnavailable
from portero.calls.errors import FileNotFound, FilesUnavailable, FileTooLarge
from portero.calls.files import Party
from portero.calls.models import MessageSender
from portero.calls.outbox import SENDER, agent_channel, call_channel
from portero.calls.runtime import calls_of, publishing
from portero.calls.transcripts import Said
from portero.http.deps import only_query_params
from portero.http.error_body import responses
from portero.http.runtime import runtime_of
from portero.kit.clock import iso_utc, utcnow
from portero.kit.db import AnyRow
from portero.kit.ids import new_id
from portero.launches.deps import PlayContextDep

FILES_PATH = "/play/api/call/files"
router = APIRouter(prefix="/play/api", tags=["call pages"])
log = logging.getLogger(__name__)
# The store's answer as a download: its type as its content said, never shown as a page.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
}


class CallFileOut(BaseModel):
    object: Literal["call_file"] = "call_file"
    id: str
    call_id: str
    name: str
    content_type: str
    size: int
    created_at: datetime


@router.post(
    "/call/files",
    status_code=status.HTTP_201_CREATED,
    response_model=CallFileOut,
    responses=responses(400, 401, 403, 409, 413, 415, 503),
    dependencies=[Depends(only_query_params(frozenset({"name", "call_id"})))],
)
async def send_file(
    request: Request,
    context: PlayContextDep,
    name: Annotated[str, Query(max_length=255)] = "",
    call_id: Annotated[str | None, Query(max_length=40)] = None,
) -> CallFileOut:
    """An image or a PDF into the call's chat: the other party receives it as a chat message,
    and the call's transcript keeps it. At most `PORTERO_CALL_FILE_MAX_BYTES` (413), its type
    told by its content (415)."""
    calls = calls_of(request)
    sender = await publishing(
        request, lambda session, _: files.party(session, context, call_id=call_id)
    )
    try:
        data = await request.body()  # bounded by the body limit of this path (app.py)
    except HTTPException as error:
        if error.status_code != 413:  # the body limit (app.py)
            raise
        limit = runtime_of(request).settings.call_file_max_bytes
        raise FileTooLarge(f"Files are limited to {limit // 1024} KiB.") from None
    content_type, shown_name = files.checked(data, name)
    file_id = new_id("cf")
    try:
        await calls.files.put(file_id, data, content_type=content_type)
    except BlobStoreUnavailable as error:
        log.warning("file store unavailable: %s", error)
        raise FilesUnavailable() from None
    now = utcnow()
    try:
        made = await publishing(
            request,
            lambda session, _: files.record(
                session, sender, file_id=file_id, name=shown_name, content_type=content_type,
                data=data, now=now,
            ),
        )  # fmt: skip
    except BaseException:
        with contextlib.suppress(Exception):
            await calls.files.remove(file_id)
        raise
    await _tell_the_other_party(request, sender, made, now)
    return CallFileOut(call_id=sender.call_id, created_at=now, **made)


async def _tell_the_other_party(
    request: Request, sender: Party, made: dict[str, object], now: datetime
) -> None:
    """A chat message carrying the file, relayed as the sockets relay chat, and kept in the
    transcript; the file is stored whatever becomes of the message."""
    calls = calls_of(request)
    side = sender.side
    message: dict[str, object] = {
        "type": "chat",
        "call_id": sender.call_id,
        "from": side.value,
        "text": made["name"],
        "file": made,
        "at": iso_utc(now),
    }
    if side is MessageSender.customer:
        channel = agent_channel(sender.agent_id)
    else:
        channel = call_channel(sender.call_id)
        message[SENDER] = sender.agent_id
    try:
        await calls.bus.publish(channel, message)
    except BusUnavailable:
        log.warning("call %s: a file's message could not be relayed", sender.call_id)
    calls.transcripts.add(
        Said(sender.call_id, side, sender.agent_id, str(made["name"]), now, file_id=str(made["id"]))
    )


@router.get(
    "/call/files/{file_id}",
    responses=responses(401, 403, 404, 503),
    response_class=Response,
    dependencies=[Depends(only_query_params(frozenset()))],
)
async def read_file(request: Request, context: PlayContextDep, file_id: str) -> Response:
    """A file of the page's call, while it is in progress, for either party."""
    row = await publishing(request, lambda session, _: files.readable_by(session, context, file_id))
    return await download(request, row)


async def download(request: Request, row: AnyRow) -> Response:
    """The stored bytes of a file row (`name`, `content_type`, `id`) as an attachment."""
    try:
        data = await calls_of(request).files.get(row.id)
    except BlobMissing:
        raise FileNotFound() from None
    except BlobStoreUnavailable as error:
        log.warning("file store unavailable: %s", error)
        raise FilesUnavailable() from None
    name = quote(row.name, safe="")
    headers = DOWNLOAD_HEADERS | {"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
    return Response(data, media_type=row.content_type, headers=headers)
