from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parley.accounts"
    label = "accounts"

    def ready(self) -> None:
        from allauth.account.signals import (
            email_confirmed,
            password_changed,
            password_reset,
            password_set,
        )
        from django.contrib.auth.signals import user_logged_in

        from parley.accounts.actions import on_email_confirmed
        from parley.accounts.signout import on_password_changed, track_session

        email_confirmed.connect(on_email_confirmed, dispatch_uid="parley-open-signup")
        user_logged_in.connect(track_session, dispatch_uid="parley-track-session")
        for signal in (password_changed, password_reset, password_set):
            signal.connect(on_password_changed, dispatch_uid=f"parley-end-sessions-{id(signal)}")
