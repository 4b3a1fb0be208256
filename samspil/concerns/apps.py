from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "samspil.concerns"
    label = "concerns"
    verbose_name = "Concerns of radicalisation"

    def ready(self) -> None:
        from .panels import register

        register()
