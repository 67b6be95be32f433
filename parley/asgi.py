"""HTTP through Django, WebSockets through Channels, one process or many."""

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
django_asgi_app: Any = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from parley.bodylimit import BodyLimit  # noqa: E402
from parley.ops.heap import settle as settle_heap  # noqa: E402
from parley.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimit(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# Load every view now, then settle the heap (parley/ops/heap.py says why and how).
get_resolver().url_patterns  # noqa: B018  (imports every view module)
settle_heap()
