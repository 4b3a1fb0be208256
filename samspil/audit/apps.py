from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "samspil.audit"
    label = "audit"
    verbose_name = "Audit"
