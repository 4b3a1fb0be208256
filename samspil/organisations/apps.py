from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "samspil.organisations"
    label = "organisations"
    verbose_name = "Organisations and cooperations"

    def ready(self) -> None:
        from .panels import register

        register()
