from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "parley.notifications"
    label = "notifications"

    def ready(self) -> None:
        # Registers the tasks and the dead-letter hook on the queue in every process: the web
        # workers that enqueue and the consumer that runs them.
        from parley.notifications import tasks  # noqa: F401
