from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "samspil.training"
    label = "training"
    verbose_name = "Training courses"

    def ready(self) -> None:
        from samspil.core.home import register_panel

        from .panels import training_panel

        register_panel("training", template="training/panel.html", order=40, context=training_panel)
