from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "samspil.demo"
    label = "demo"
    verbose_name = "Demo data"
