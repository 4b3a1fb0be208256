from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "samspil.privacy"
    label = "privacy"
    verbose_name = "Privacy: audit view, retention, citizens' rights"

    def ready(self) -> None:
        from .panels import register

        register()
