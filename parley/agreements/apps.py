from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "parley.agreements"
    label = "agreements"
