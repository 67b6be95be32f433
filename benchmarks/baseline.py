"""The bare baseline: a minimal Channels broadcast app with no auth, no policy and no database.
Clients say which rooms they join; a post (over the socket, or an HTTP POST) broadcasts to the
room's group. Same channel layer,
same server (uvicorn), same client as Parley's run, so the ratio shows what Parley's
confidentiality machinery costs.

Run: uvicorn baseline:application --app-dir benchmarks [--workers N]; REDIS_URL picks Redis.
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any
from urllib.parse import parse_qs

import django
from django.conf import settings

if not settings.configured:
    redis_url = os.environ.get("REDIS_URL", "")
    layer: dict[str, Any] = (
        {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": redis_url, "socket_timeout": None}]},
        }
        if redis_url
        # The same layers Parley ships (Redis pub/sub; the single-process layer without
        # Channels' per-message scans), so the ratio measures Parley's own work, not the layer's.
        else {"BACKEND": "parley.realtime.layers.LocalChannelLayer"}
    )
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bare-baseline-no-secrets-here",
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["channels"],
        CHANNEL_LAYERS={"default": layer},
        ROOT_URLCONF=__name__,
    )
    django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

urlpatterns: list[Any] = []
_ids = itertools.count(1)

Scope = dict[str, Any]
Receive = Any
Send = Any


class Broadcast(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    rooms: list[str] = []
    person: int = 0

    async def dispatch(self, message: dict[str, Any]) -> None:
        # No database here: skip Channels' per-message connection cleanup (as Parley does).
        await getattr(self, message["type"].replace(".", "_"))(message)

    async def connect(self) -> None:
        query = parse_qs(self.scope["query_string"].decode())
        self.rooms = [f"room.{r}" for r in query.get("rooms", [""])[0].split(",") if r]
        self.person = int(self.scope["url_route"]["kwargs"]["person"])
        for group in self.rooms:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello"})

    async def disconnect(self, code: int) -> None:
        for group in self.rooms:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """A post over the socket: broadcast to the room, then answer `posted`."""
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
            return
        room = int(content["room"])
        entry = await broadcast(room, self.person, content)
        await self.send_json(
            {
                "type": "posted",
                "client_key": content["client_key"],
                "entry": entry["id"],
                "room": room,
            }
        )

    async def room_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])


async def broadcast(room: int, person: int, data: dict[str, Any]) -> dict[str, Any]:
    entry = {
        "id": os.getpid() * 10_000_000 + next(_ids),
        "room": room,
        "author_id": person,
        "body": data["body"],
        "client_key": data["client_key"],
    }
    layer = get_channel_layer()
    assert layer is not None
    await layer.group_send(
        f"room.{room}", {"type": "room.event", "event": {"type": "entry", "entry": entry}}
    )
    return entry


async def respond(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def http_app(scope: Scope, receive: Receive, send: Send) -> None:
    parts = scope["path"].strip("/").split("/")
    if scope["method"] == "GET" and parts == ["healthz"]:
        await respond(send, 200, b'{"status":"ok"}')
        return
    if scope["method"] != "POST" or len(parts) != 3 or parts[0] != "post":
        await respond(send, 404, b'{"code":"not_found"}')
        return
    raw = b""
    while True:
        message = await receive()
        raw += message.get("body", b"")
        if not message.get("more_body"):
            break
    entry = await broadcast(int(parts[1]), int(parts[2]), json.loads(raw))
    await respond(send, 201, json.dumps(entry).encode())


application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": URLRouter([path("ws/<int:person>/", Broadcast.as_asgi())]),
    }
)
