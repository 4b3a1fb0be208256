"""The cooperation's evaluation figures in a real browser: reached from the cooperation's page,
accessible, small numbers shown as "<5", and the download holds the same protected figures."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta

from django.utils import timezone

from samspil.cases.models import Case
from samspil.concerns.stats import complete_quarters
from samspil.core.scoping import unscoped
from tests.factories import CaseFactory

from .conftest import log_in


def test_key_member__reads_the_evaluation_figures_and_downloads_them(checked, world, tmp_path) -> None:
    last_quarter = complete_quarters(timezone.localdate())[-1]
    day = last_quarter.starts.date() + timedelta(days=10)
    cases = [CaseFactory(cooperation=world.cooperation, lead_organisation=world.police) for _n in range(6)]
    cases.append(CaseFactory(cooperation=world.cooperation, lead_organisation=world.municipality))
    with unscoped("test dates the cases"):
        Case.objects.filter(pk__in=[c.pk for c in cases]).update(
            opened_at=timezone.make_aware(datetime.combine(day, time(10)))
        )

    page = log_in(checked, world.users["police_officer"].email)
    page = checked.goto(f"/samarbejder/{world.cooperation.pk}/")
    page.get_by_role("link", name="Evaluering").click()
    page.wait_for_url(f"**/evaluering/{world.cooperation.pk}/")
    checked.assert_accessible()

    table = page.get_by_role("table", name="Nye sager efter den ansvarlige organisations sektor")
    police_row = table.get_by_role("row", name="Politi")
    assert police_row.get_by_role("cell").last.inner_text() == "6"
    social_row = table.get_by_role("row", name="Kommunale sociale myndigheder")
    assert social_row.get_by_role("cell").last.inner_text() == "<5"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Hent tallene som CSV").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows[0][-1] == last_quarter.label
    assert rows[1][:2] == ["Nye sager efter den ansvarlige organisations sektor", "Politi"]
    assert rows[1][-1] == "6" and rows[2][-1] == "<5"
