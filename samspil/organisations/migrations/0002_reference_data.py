"""Load the Danish reference data: 5 regions, 12 police districts and 98 municipalities."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "reference.json"


def load(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    regions = {
        r["code"]: Organisation.objects.update_or_create(
            kind="region", code=r["code"], defaults={"name": r["name"], "sector": "psychiatry"}
        )[0]
        for r in data["regions"]
    }
    districts = {
        d["code"]: Organisation.objects.update_or_create(
            kind="police_district", code=d["code"], defaults={"name": d["name"], "sector": "police"}
        )[0]
        for d in data["police_districts"]
    }
    for m in data["municipalities"]:
        Organisation.objects.update_or_create(
            kind="municipality",
            code=m["code"],
            defaults={
                "name": m["name"] if m["name"].endswith("Kommune") else f"{m['name']} Kommune",
                "sector": "social",
                "region": regions[m["region"]],
                "police_district": districts[m["police_district"]],
            },
        )


def unload(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    Organisation.objects.filter(kind__in=["municipality", "police_district", "region"]).delete()


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
