"""Load the shipped legal-basis rule set from sharing/data/legal_bases.json."""

from django.db import migrations

from samspil.sharing.ruleset import install_rule_set, uninstall_rule_set


def load(apps, schema_editor):
    install_rule_set(apps.get_model("sharing", "LegalBasis"), apps.get_model("sharing", "Restriction"))


def unload(apps, schema_editor):
    uninstall_rule_set(apps.get_model("sharing", "LegalBasis"), apps.get_model("sharing", "Restriction"))


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
