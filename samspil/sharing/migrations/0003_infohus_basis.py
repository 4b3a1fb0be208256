"""Ship the Infohus basis (replacing the inactive placeholder) from sharing/data/legal_bases.json."""

from django.db import migrations

from samspil.sharing.ruleset import install_rule_set


def forwards(apps, schema_editor):
    LegalBasis = apps.get_model("sharing", "LegalBasis")
    install_rule_set(LegalBasis, apps.get_model("sharing", "Restriction"))
    LegalBasis.objects.filter(code="infohus", is_shipped=True).delete()


class Migration(migrations.Migration):
    dependencies = [("sharing", "0002_rule_set")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
