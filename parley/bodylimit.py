"""Requests larger than Parley accepts are refused as they arrive (R11.5).

Django's ASGI handler reads a request's whole body (spooling it to disk) before any view or
upload handler can look at it, so a 150 MB upload would arrive in full before the 20 MB limit
refused it. This wrapper answers 413 at once when Content-Length is over the limit, and stops
reading a body sent without one as soon as it passes the limit."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

# Room for the multipart framing and the form's other fields around the largest file.
FORM_ALLOWANCE = 1024 * 1024


def request_limit() -> int:
    from django.conf import settings

    return int(settings.PARLEY_MAX_UPLOAD_BYTES) + FORM_ALLOWANCE


async def refuse(scope: Scope, send: Send) -> None:
    if str(scope.get("path", "")).startswith("/api/"):
        body = json.dumps(
            {"code": "too_large", "detail": "The request is larger than Parley accepts."}
        ).encode()
        kind = b"application/json"
    else:
        body = b"<!doctype html><title>Too large</title><h1>That is larger than Parley accepts</h1>"
        kind = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    def __init__(self, app: App, limit: int | None = None) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit if self.limit is not None else request_limit()
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await refuse(scope, send)
                    return
        received = 0
        over = False

        async def counted() -> Message:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Django stops reading and answers nothing on a disconnect; we answer.
                    over = True
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, counted, send)
        if over:
            await refuse(scope, send)
