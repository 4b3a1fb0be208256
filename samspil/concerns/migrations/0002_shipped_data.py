from django.db import migrations

from samspil.concerns.shipped import install_shipped, uninstall_shipped


def install(apps, schema_editor):
    install_shipped(apps.get_model("concerns", "SignOfConcern"), apps.get_model("concerns", "AssessmentTemplate"))


def uninstall(apps, schema_editor):
    uninstall_shipped(apps.get_model("concerns", "SignOfConcern"), apps.get_model("concerns", "AssessmentTemplate"))


class Migration(migrations.Migration):
    dependencies = [("concerns", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
