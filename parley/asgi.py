"""HTTP through Django, WebSockets through Channels, one process or many."""

import os
from typing import Any

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
django.setup(set_prefix=False)


class HttpHandler(ASGIHandler):
    """Django's ASGI handler, with the middleware and the view run in one thread per request.

    Django's own builds an async middleware chain: every middleware that is not natively async
    (all of Django's, WhiteNoise, ours) and the view are each handed between the event loop and
    the request's thread, several hand-offs per request through a loop that also carries
    every WebSocket. Parley's views and middleware are all synchronous, so the whole chain runs
    as Django's WSGI handler runs it, on the request's thread (the same thread Django would use
    for the request's database connection)."""

    def __init__(self) -> None:
        # Not ASGIHandler.__init__: it builds the async chain this handler replaces (and would
        # instantiate every middleware twice, WhiteNoise's scan of the static files included).
        self.load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = await sync_to_async(self.get_response, thread_sensitive=True)(
            request
        )
        return response


django_asgi_app: Any = HttpHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from parley.bodylimit import BodyLimit  # noqa: E402
from parley.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimit(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)


def _settle_the_heap() -> None:
    """Load every view now and move everything loaded so far out of the garbage collector's
    way: Django, the API, the negotiation engine's numerical libraries. Otherwise each full
    collection walks all of it (a quarter of a second per pass, measured under load).

    Then fewer full collections. Each still walks every open socket's objects, and the worker
    answers nobody meanwhile (40-160 ms with 400 sockets per worker). Frozen objects no longer
    count as long-lived, so Python's "a quarter more long-lived objects" rule fired every few
    seconds under load: 14-18 full collections per 30 s in the two PostgreSQL workers, the
    slowest p99 deliveries. At most one per 100 middle-generation passes instead (Python's
    default is 10): 0-2 per 30 s, and p99 at 500/s 92-111 ms against 174-275 ms with the
    default, in alternating runs. Cyclic garbage that lives long enough to reach the oldest
    generation waits longer to be freed; such objects are few (requests and posts end young)."""
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every view module)
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 100)


_settle_the_heap()
