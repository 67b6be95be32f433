from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "parley.ops"
    label = "ops"

    def ready(self) -> None:
        from parley.ops.middleware import install_api_handlers

        install_api_handlers()
