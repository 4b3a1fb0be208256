from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "samspil.sharing"
    label = "sharing"
    verbose_name = "Information sharing"

    def ready(self) -> None:
        from .panels import register

        register()
