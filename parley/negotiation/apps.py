from django.apps import AppConfig


class NegotiationConfig(AppConfig):
    name = "parley.negotiation"
    label = "negotiation"
