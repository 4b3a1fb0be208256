from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "samspil.accounts"
    label = "accounts"
    verbose_name = "Accounts"
