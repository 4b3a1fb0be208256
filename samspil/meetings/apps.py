from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "samspil.meetings"
    label = "meetings"
    verbose_name = "PSP meetings"

    def ready(self) -> None:
        from .panels import register

        register()
