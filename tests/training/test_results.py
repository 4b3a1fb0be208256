"""Results per goal, sector and offering; suppression for coordinators; charts; CSV/XLSX exports; item
analysis; staff time per organisation."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.organisations.models import Sector
from samspil.training.exports import safe_cell
from samspil.training.models import Enrolment, Item, Offering, OfferingStatus, QuestionnaireKind
from samspil.training.services import attendance_set

from ..conftest import World, verified_client
from .helpers import (
    COURSE_HOURS,
    knowledge_items,
    likert_item,
    member_in,
    offering_of,
    questionnaire,
    respond,
    seat,
)


@dataclass
class Measured:
    offering: Offering
    items: list[Item]
    enrolments: dict[str, list[Enrolment]]


@pytest.fixture
def measured(world: World, course: Any) -> Measured:
    """A held offering: 6 police, 5 social services and 2 psychiatry participants. Before the course each
    answered one of the two items per goal right (50 %); after it, both (100 %)."""
    offering = offering_of(
        course,
        first_day=timezone.localdate() - timedelta(days=20),
        status=OfferingStatus.HELD,
        title="Hold C",
    )
    items = knowledge_items()
    satisfaction = likert_item("Kurset var relevant for mit arbejde")
    pre = questionnaire(
        offering,
        QuestionnaireKind.PRE,
        items,
        opens=timezone.now() - timedelta(days=30),
        deadline=timezone.now() - timedelta(days=20),
    )
    post = questionnaire(
        offering,
        QuestionnaireKind.POST,
        items,
        opens=timezone.now() - timedelta(days=19),
        deadline=timezone.now() - timedelta(days=10),
    )
    evaluation = questionnaire(
        offering,
        QuestionnaireKind.SATISFACTION,
        [satisfaction],
        opens=timezone.now() - timedelta(days=19),
        deadline=timezone.now() - timedelta(days=10),
    )
    sizes = {Sector.POLICE: 6, Sector.SOCIAL_SERVICES: 5, Sector.PSYCHIATRY: 2}
    names = {
        Sector.POLICE: "=Betjent",
        Sector.SOCIAL_SERVICES: "Rådgiver",
        Sector.PSYCHIATRY: "Sygeplejerske",
    }
    enrolments: dict[str, list[Enrolment]] = {}
    for sector, size in sizes.items():
        enrolments[sector] = []
        for n in range(size):
            enrolment = seat(offering, member_in(world, sector, f"{names[sector]} {n} (fiktiv)"))
            respond(pre, enrolment, {item: index % 2 == 0 for index, item in enumerate(items)})
            respond(post, enrolment, dict.fromkeys(items, True))
            respond(evaluation, enrolment, {satisfaction: 4 if n % 2 else 5})
            enrolments[sector].append(enrolment)
    return Measured(offering, items, enrolments)


def _url(name: str, offering: Offering, **kwargs: Any) -> str:
    return reverse(f"training:{name}", kwargs={"pk": offering.pk, **kwargs})


def test_results__the_administrator_sees_groups_and_individuals(
    measured: Measured, admin_client: Client
) -> None:
    response = admin_client.get(_url("offering_results", measured.offering))
    assert response.status_code == 200
    context = response.context
    overall = context["overall"]
    assert (overall.n, overall.hidden) == (13, False)
    for goal in ("g1", "g2", "g3"):
        summary = overall.goals[goal]
        assert (summary.pre, summary.post, summary.gain, summary.normalised) == (0.5, 1.0, 0.5, 1.0)
    assert [(g.label, g.n, g.hidden) for g in context["sectors"]] == [
        ("Politi", 6, False),
        ("Kommunale sociale myndigheder", 5, False),
        ("Psykiatri", 2, False),
    ]
    assert len(context["people"]) == 13
    html = response.content.decode()
    assert "Sygeplejerske 1 (fiktiv)" in html
    assert [(row.n, row.mean, row.distribution) for row in context["satisfaction"]] == [
        (13, pytest.approx(59 / 13), [0, 0, 0, 6, 7])
    ]
    event = AuditEvent.objects.filter(action=actions.COURSE_RESULTS_VIEWED).scoped().get()
    assert event.detail == {"individuals": True}


def test_results__a_coordinator_sees_aggregates_with_small_groups_hidden(
    world: World, measured: Measured
) -> None:
    response = verified_client(world.users["coordinator"]).get(_url("offering_results", measured.offering))
    assert response.status_code == 200
    context = response.context
    assert context["people"] == []
    assert [(g.label, g.n_display, g.hidden) for g in context["sectors"]] == [
        ("Politi", "6", False),
        ("Kommunale sociale myndigheder", "<5", True),
        ("Psykiatri", "<5", True),
    ]
    assert context["overall"].n_display == "13"
    html = response.content.decode()
    assert "Betjent 0" not in html and "Rådgiver 0" not in html and "Sygeplejerske 0" not in html
    assert "Fordeling" not in html
    assert [(row.n, row.mean, row.distribution) for row in context["satisfaction"]] == [
        (13, pytest.approx(59 / 13), [])
    ]


@pytest.mark.parametrize("persona", ["police_officer", "frontline_worker", "dpo"])
def test_results__other_members_are_refused(world: World, measured: Measured, persona: str) -> None:
    response = verified_client(world.users[persona]).get(_url("offering_results", measured.offering))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=actions.COURSE_RESULTS_VIEWED).scoped().count() == 0
    assert AuditEvent.objects.filter(action=actions.ACCESS_DENIED).scoped().count() == 1


@pytest.mark.parametrize("chart", ["foer-efter", "sektorer"])
def test_charts__are_served_as_svg_and_png(world: World, measured: Measured, chart: str) -> None:
    client = verified_client(world.users["coordinator"])
    svg = client.get(_url("offering_chart", measured.offering, chart=chart, fmt="svg"))
    assert (svg.status_code, svg["Content-Type"]) == (200, "image/svg+xml")
    assert b"<svg" in svg.content
    assert "Content-Disposition" not in svg
    png = client.get(_url("offering_chart", measured.offering, chart=chart, fmt="png") + "?hent=1")
    assert (png.status_code, png["Content-Type"]) == (200, "image/png")
    assert png.content.startswith(b"\x89PNG")
    assert png["Content-Disposition"] == f'attachment; filename="hold-{measured.offering.pk}-{chart}.png"'


def test_charts__an_unknown_chart_or_format_is_404(world: World, measured: Measured) -> None:
    client = verified_client(world.users["coordinator"])
    assert client.get(_url("offering_chart", measured.offering, chart="andet", fmt="svg")).status_code == 404
    assert (
        client.get(_url("offering_chart", measured.offering, chart="sektorer", fmt="gif")).status_code == 404
    )


def test_results_page__puts_a_table_of_the_numbers_next_to_each_chart(
    world: World, measured: Measured
) -> None:
    html = (
        verified_client(world.users["coordinator"])
        .get(_url("offering_results", measured.offering))
        .content.decode()
    )
    assert 'aria-describedby="table-pre-post"' in html and 'id="table-pre-post"' in html
    assert 'aria-describedby="table-sectors"' in html and 'id="table-sectors"' in html


def test_export__for_a_coordinator_is_suppressed_and_has_no_names(world: World, measured: Measured) -> None:
    response = verified_client(world.users["coordinator"]).get(
        _url("offering_export", measured.offering, fmt="csv")
    )
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="kursusresultater-hold-{measured.offering.pk}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Gruppe", "Læringsmål", "Antal", "Før", "Efter", "Gevinst", "Normaliseret gevinst"]
    psychiatry = [row for row in rows if row[0] == "Psykiatri"]
    assert psychiatry[0][2:] == ["<5", "", "", "", ""]
    assert all("fiktiv" not in cell for row in rows for cell in row)
    event = AuditEvent.objects.filter(action=actions.COURSE_RESULTS_EXPORTED).scoped().get()
    assert event.detail == {"format": "csv", "individuals": False}


def test_export__xlsx_for_the_administrator_defuses_formulas(
    measured: Measured, admin_client: Client
) -> None:
    response = admin_client.get(_url("offering_export", measured.offering, fmt="xlsx"))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    names = [row[0] for row in values[1:] if row[0]]
    assert "'=Betjent 0 (fiktiv)" in names
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    numbers = [row for row in values if row[0] == "'=Betjent 0 (fiktiv)" and row[3] == "G1 Forståelse"]
    assert numbers == [
        ["'=Betjent 0 (fiktiv)", "Testrup Politi (fiktiv)", "Politi", "G1 Forståelse", 1, 0.5, 1, 0.5, 1]
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+45 12 34", "'+45 12 34"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Almindelig tekst", "Almindelig tekst"),
        (-0.25, -0.25),
        (3, 3),
        (None, ""),
    ],
)
def test_safe_cell__prefixes_text_that_could_run_as_a_formula(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


def test_item_analysis__flags_weak_items_for_the_administrator(
    measured: Measured, admin_client: Client
) -> None:
    response = admin_client.get(_url("item_analysis", measured.offering))
    assert response.status_code == 200
    analyses = dict((q.kind, rows) for q, rows in response.context["analyses"])
    post = analyses[QuestionnaireKind.POST]
    assert [row.statistics.difficulty for row in post] == [1.0] * 6
    assert all(
        row.flag_messages == ["Meget let: mere end ni ud af ti svarer rigtigt. Spørgsmålet måler næppe forskel."]
        for row in post
    )
    pre = analyses[QuestionnaireKind.PRE]
    assert [row.statistics.difficulty for row in pre] == [1.0, 0.0] * 3
    assert "Få svar: tolk med forsigtighed." in response.content.decode()
    assert AuditEvent.objects.filter(action=actions.COURSE_ITEM_ANALYSIS_VIEWED).scoped().count() == 1


def test_course_results__show_the_trend_over_offerings(world: World, measured: Measured) -> None:
    course = measured.offering.course
    response = verified_client(world.users["coordinator"]).get(
        reverse("training:course_results", args=[course.pk])
    )
    assert response.status_code == 200
    trend = response.context["trend"]
    assert [(p.label, p.group.n, p.group.goals["g2"].normalised) for p in trend] == [("Hold C", 13, 1.0)]
    png = verified_client(world.users["coordinator"]).get(
        reverse("training:course_chart", args=[course.pk, "udvikling", "png"])
    )
    assert png.content.startswith(b"\x89PNG")


def test_course_export__xlsx_reads_back(world: World, measured: Measured) -> None:
    course = measured.offering.course
    response = verified_client(world.users["coordinator"]).get(
        reverse("training:course_export", args=[course.pk, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1] == ["Hold C", "G1 Forståelse", "13", 0.5, 1, 0.5, 1]


def test_staff_time__counts_participants_and_hours_per_organisation(
    world: World, measured: Measured, admin: Any, admin_client: Client
) -> None:
    first_day, second_day = list(measured.offering.days.order_by("date"))
    officer = measured.enrolments[Sector.POLICE][0]
    social = measured.enrolments[Sector.SOCIAL_SERVICES][0]
    for day in (first_day, second_day):
        attendance_set(actor=admin, enrolment=officer, day=day, present=True)
    attendance_set(actor=admin, enrolment=social, day=first_day, present=True)
    response = admin_client.get(reverse("training:staff_time") + f"?hold={measured.offering.pk}")
    rows = [
        (r.organisation, r.participants, r.planned_hours, r.attended_hours) for r in response.context["rows"]
    ]
    assert rows == [
        ("Testrup Politi (fiktiv)", 6, 6 * COURSE_HOURS, 13.0),
        ("Region Test (fiktiv)", 2, 2 * COURSE_HOURS, 0.0),
        ("Testrup Kommune (fiktiv)", 5, 5 * COURSE_HOURS, 6.5),
    ]
    export = admin_client.get(
        reverse("training:staff_time_export", args=["csv"]) + f"?hold={measured.offering.pk}"
    )
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert lines[1] == ["Testrup Politi (fiktiv)", "Politi", "6", "78.0", "13.0"]
    assert AuditEvent.objects.filter(action=actions.COURSE_STAFF_TIME_EXPORTED).scoped().count() == 1
