from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "samspil.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from .home import register

        register()
