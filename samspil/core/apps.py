from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "samspil.core"
    label = "core"
    verbose_name = "Samspil core"
