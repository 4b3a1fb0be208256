"""The cooperation's evaluation figures: what is counted, in which quarter, and what is suppressed."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.cases.models import Case
from samspil.concerns.stats import complete_quarters
from samspil.concerns.suppression import PRIMARY, PUBLISHED, SECONDARY
from samspil.core.scoping import unscoped
from samspil.meetings.models import ActionStatus, ReferrerFeedback
from samspil.stats.figures import evaluation_figures
from samspil.stats.selectors import period_index
from tests.factories import CaseFactory
from tests.meetings.helpers import action_on, item_on, meeting_in

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)  # complete quarters: 4th 2025, 1st, 2nd and 3rd 2026
Q3 = 3  # the column of the 3rd quarter of 2026


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def opened(world: Any, lead: Any, day: date, **fields: Any) -> Case:
    case = CaseFactory(cooperation=world.cooperation, lead_organisation=lead, **fields)
    with unscoped("test dates the case"):
        Case.objects.filter(pk=case.pk).update(opened_at=at(day))
    return case


def figure(evaluation: Any, key: str) -> Any:
    return next(f.table for f in evaluation.figures if f.key == key)


def column(table: Any, index: int) -> list[tuple[str, int | None]]:
    return [(cells[index].state, cells[index].value) for _label, cells in table.body]


@pytest.fixture
def worked_quarter(world: Any) -> dict[str, Any]:
    """The 3rd quarter of 2026: 6 cases led by the police and 2 by the municipality, 5 of them raised by
    the frontline worker (2 of whom heard back), 5 closed after identification, 7 actions closed."""
    police = [opened(world, world.police, date(2026, 7, 1 + n)) for n in range(6)]
    social = [opened(world, world.municipality, date(2026, 9, 30)) for _n in range(2)]
    referrer = world.users["frontline_worker"]
    referred = police[:3] + social
    with unscoped("test marks who raised the cases"):
        Case.objects.filter(pk__in=[c.pk for c in referred]).update(referred_by=referrer)
        Case.objects.filter(pk__in=[c.pk for c in police[:5]]).update(
            identified_at=at(date(2026, 8, 1)), closed_at=at(date(2026, 8, 20)), state="closed"
        )
    meeting = meeting_in(world, starts_at=at(date(2026, 8, 10)))
    for case in referred[:2]:
        item = item_on(meeting, case=case)
        ReferrerFeedback.objects.create(item=item, case=case, recipient=referrer, text="Sagen er drøftet.")
    item = item_on(meeting, case=police[5])
    outcomes = [(ActionStatus.DONE, date(2026, 8, 31))] * 5 + [
        (ActionStatus.DONE, date(2026, 8, 1)),
        (ActionStatus.NOT_POSSIBLE, date(2026, 9, 1)),
    ]
    for status, due in outcomes:
        action = action_on(item, world.police, due_date=due)
        with unscoped("test closes the action"):
            type(action).objects.filter(pk=action.pk).update(status=status, closed_at=at(date(2026, 8, 15)))
    # outside the figures: the running quarter, another cooperation, an action still open
    opened(world, world.police, date(2026, 10, 1))
    CaseFactory(cooperation=world.other_cooperation, lead_organisation=world.other_municipality)
    action_on(item, world.police, due_date=date(2026, 9, 1))
    return {"police": police, "social": social}


def test_figures__count_the_cooperations_cases_per_complete_quarter_and_suppress_small_numbers(
    world: Any, worked_quarter: dict[str, Any]
) -> None:
    evaluation = evaluation_figures(world.cooperation, today=TODAY)
    assert [p.label for p in evaluation.periods] == ["4. kvt. 2025", "1. kvt. 2026", "2. kvt. 2026", "3. kvt. 2026"]

    by_sector = figure(evaluation, "cases_by_sector")
    assert by_sector.row_labels == ("Politi", "Kommunale sociale myndigheder", "Psykiatri")
    assert column(by_sector, Q3) == [(PUBLISHED, 6), (PRIMARY, None), (PRIMARY, None)]
    assert (by_sector.totals[Q3].state, by_sector.totals[Q3].value) == (PUBLISHED, 8)
    assert [t.state for t in by_sector.totals[:Q3]] == [PRIMARY] * 3  # no case in the earlier quarters

    by_route = figure(evaluation, "cases_by_route")
    assert column(by_route, Q3) == [(PUBLISHED, 5), (PRIMARY, None)]
    assert by_route.totals[Q3].state == SECONDARY  # 8 - 5 would give the 3 away

    feedback = figure(evaluation, "referrer_feedback")
    assert column(feedback, Q3) == [(PRIMARY, None), (PRIMARY, None)]
    assert (feedback.totals[Q3].state, feedback.totals[Q3].value) == (PUBLISHED, 5)  # 2 + 3: neither can be told

    closed = figure(evaluation, "cases_closed")
    assert column(closed, Q3) == [(PUBLISHED, 5), (PRIMARY, None)]

    actions_closed = figure(evaluation, "actions_closed")
    assert column(actions_closed, Q3) == [(PUBLISHED, 5), (PRIMARY, None), (PRIMARY, None), (PRIMARY, None)]
    assert actions_closed.totals[Q3].state == PUBLISHED and actions_closed.totals[Q3].value == 7


def test_figures__a_cooperation_with_another_sector__gets_its_row_whatever_the_counts(world: Any) -> None:
    from samspil.organisations.models import OrganisationKind, Sector
    from tests.factories import OrganisationFactory, participate

    prison = OrganisationFactory(name="Kriminalforsorgen Test (fiktiv)", kind=OrganisationKind.OTHER,
                                 sector=Sector.PRISON_AND_PROBATION)
    participate(world.cooperation, prison)
    by_sector = figure(evaluation_figures(world.cooperation, today=TODAY), "cases_by_sector")
    assert by_sector.row_labels == ("Politi", "Kommunale sociale myndigheder", "Psykiatri", "Kriminalforsorgen")


def test_period_index__a_quarter_holds_its_first_moment_and_not_the_next_quarters() -> None:
    periods = complete_quarters(TODAY)
    assert period_index(periods[Q3].starts, periods) == Q3
    assert period_index(periods[Q3].ends, periods) is None
    assert period_index(at(date(2026, 7, 1), hour=0), periods) == Q3
    assert period_index(at(date(2026, 6, 30), hour=23), periods) == Q3 - 1
    assert period_index(None, periods) is None


def _figures_events() -> list[tuple[str, int | None]]:
    with unscoped("test reads the audit log"):
        events = AuditEvent.objects.filter(action__startswith="stats.").order_by("id")
        return list(events.values_list("action", "cooperation_id"))


def test_figures_page__shows_the_tables_and_is_audited(world: Any, client_for: Any, worked_quarter: Any) -> None:
    response = client_for("coordinator").get(f"/evaluering/{world.cooperation.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nye sager efter den ansvarlige organisations sektor" in body
    assert "&lt;5" in body and "skjult" in body
    assert _figures_events() == [(actions.STATS_VIEWED, world.cooperation.pk)]


def test_figures_page__frontline_worker__is_refused_and_sees_no_figures(world: Any, client_for: Any) -> None:
    response = client_for("frontline_worker").get(f"/evaluering/{world.cooperation.pk}/")
    assert response.status_code == 403
    assert "Nye sager" not in response.content.decode()
    assert _figures_events() == []
    with unscoped("test reads the audit log"):
        denial = AuditEvent.objects.filter(action=actions.ACCESS_DENIED).get()
    assert denial.cooperation_id == world.cooperation.pk and denial.detail["needed"] == "cooperation.view"


def test_figures_download__csv_and_xlsx_hold_the_protected_figures_only(
    world: Any, client_for: Any, worked_quarter: Any
) -> None:
    client = client_for("police_officer")
    response = client.get(f"/evaluering/{world.cooperation.pk}/evaluering.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="evaluering-samarbejde-{world.cooperation.pk}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Tabel", "Kategori", "4. kvt. 2025", "1. kvt. 2026", "2. kvt. 2026", "3. kvt. 2026"]
    by_sector = [r for r in rows if r[0] == "Nye sager efter den ansvarlige organisations sektor"]
    assert [r[1:] for r in by_sector] == [
        ["Politi", "<5", "<5", "<5", "6"],
        ["Kommunale sociale myndigheder", "<5", "<5", "<5", "<5"],
        ["Psykiatri", "<5", "<5", "<5", "<5"],
        ["I alt", "<5", "<5", "<5", "8"],
        ["Ændring fra kvartalet før", "", "", "", ""],
    ]
    route_total = next(r for r in rows if r[0] == "Nye sager efter hvem der rejste dem" and r[1] == "I alt")
    assert route_total[-1] == "skjult"

    workbook = client.get(f"/evaluering/{world.cooperation.pk}/evaluering.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    cells = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert cells == rows
    assert _figures_events() == [(actions.STATS_EXPORTED, world.cooperation.pk)] * 2


def test_figures_download__unknown_format__is_not_found_and_not_audited(world: Any, client_for: Any) -> None:
    response = client_for("coordinator").get(f"/evaluering/{world.cooperation.pk}/evaluering.pdf")
    assert response.status_code == 404
    assert _figures_events() == []


def test_figures_page__in_english__reads_in_english_with_its_download(
    world: Any, client_for: Any
) -> None:
    client = client_for("dpo")
    client.cookies["django_language"] = "en"
    body = client.get(f"/evaluering/{world.cooperation.pk}/").content.decode()
    assert "New cases by the sector of the responsible organisation" in body
    assert "Download the figures as CSV" in body
    csv_text = client.get(f"/evaluering/{world.cooperation.pk}/evaluering.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Table,Category,")


def test_figures_page__audit_event__names_the_quarters_by_date(world: Any, client_for: Any) -> None:
    client_for("coordinator").get(f"/evaluering/{world.cooperation.pk}/")
    with unscoped("test reads the audit log"):
        event = AuditEvent.objects.get(action=actions.STATS_VIEWED)
    quarters = complete_quarters(timezone.localdate())
    assert event.detail == {
        "from": quarters[0].starts.date().isoformat(),
        "until": quarters[-1].ends.date().isoformat(),
    }
    assert (event.object_type, event.object_id) == ("organisations.cooperation", str(world.cooperation.pk))


def test_figures__take_four_queries_whatever_the_number_of_cases(
    world: Any, worked_quarter: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(4):  # the member organisations' sectors, opened, closed, actions
        evaluation_figures(world.cooperation, today=TODAY)
