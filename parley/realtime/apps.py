from typing import Any

from django.apps import AppConfig


def close_sockets_on_sign_out(sender: Any, request: Any = None, **kwargs: Any) -> None:
    from parley.realtime.publish import close_sockets_of_session

    session = getattr(request, "session", None)
    if session is not None:
        close_sockets_of_session(session.session_key)


class RealtimeConfig(AppConfig):
    name = "parley.realtime"
    label = "realtime"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(close_sockets_on_sign_out, dispatch_uid="parley-sign-out")
