from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "parley.cases"
    label = "cases"
