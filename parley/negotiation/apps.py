from django.apps import AppConfig
from django.db.models.signals import post_save


class NegotiationConfig(AppConfig):
    name = "parley.negotiation"
    label = "negotiation"

    def ready(self) -> None:
        from parley.cases.models import Case
        from parley.negotiation import tasks  # noqa: F401  (the job consumer must know them)
        from parley.negotiation.signals import close_bidding_on_termination

        post_save.connect(
            close_bidding_on_termination, sender=Case, dispatch_uid="negotiation.close_bidding"
        )
