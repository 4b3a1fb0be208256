from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "samspil.stats"
    label = "stats"
    verbose_name = "Evaluation figures"
