from django.apps import AppConfig


class CitizensConfig(AppConfig):
    name = "samspil.citizens"
    label = "citizens"
    verbose_name = "Citizens"
