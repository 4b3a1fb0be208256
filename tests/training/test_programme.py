"""The programme editor and offerings: goals covered by modules, days, sessions, offering dates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.training.models import Course, Goal, Module, Offering, OfferingStatus, ProgrammeDay
from samspil.training.selectors import course_hours, goal_coverage, uncovered_goals
from samspil.training.services import TrainingError, module_save

from ..conftest import World, verified_client
from .helpers import COURSE_HOURS, offering_of, psp_course


def test_goal_coverage__lists_the_modules_per_goal(course: Course) -> None:
    coverage = goal_coverage(course)
    assert {goal: [m.title for m in modules] for goal, modules in coverage.items()} == {
        "g1": ["Risikofaktorer", "Faggruppernes arbejdsdeling"],
        "g2": ["Strategi og metoder", "Faggruppernes arbejdsdeling"],
        "g3": ["Fremgangsmåden ved en bekymring"],
    }
    assert uncovered_goals(course) == []
    assert course_hours(course) == COURSE_HOURS


def test_course_page__warns_the_administrator_about_a_goal_without_a_module(
    world: World, admin_client: Client
) -> None:
    course = psp_course(goals=False)
    Module.objects.filter(title="Risikofaktorer").get().goals.create(goal=Goal.G1)
    html = admin_client.get(reverse("training:course_detail", args=[course.pk])).content.decode()
    assert "Et læringsmål har intet modul" in html
    assert f"Intet modul arbejder hen imod {Goal.G2.label}." in html
    assert f"Intet modul arbejder hen imod {Goal.G3.label}." in html
    assert f"Intet modul arbejder hen imod {Goal.G1.label}." not in html
    member_view = verified_client(world.users["police_officer"]).get(
        reverse("training:course_detail", args=[course.pk])
    )
    assert "Et læringsmål har intet modul" not in member_view.content.decode()


def test_module__needs_at_least_one_goal(course: Course, admin: Any) -> None:
    session = course.days.first().sessions.first()
    with pytest.raises(TrainingError, match="mindst ét læringsmål"):
        module_save(
            actor=admin,
            session=session,
            module=None,
            data={"title": "Uden mål", "learning_objectives": "...", "goals": []},
        )
    assert session.modules.count() == 1


def test_module_create_view__saves_goals_and_presenters(course: Course, admin_client: Client) -> None:
    session = course.days.first().sessions.first()
    presenter = course.days.first().sessions.first().modules.first().presenters.first()
    response = admin_client.post(
        reverse("training:module_create", args=[session.pk]),
        {
            "title": "Tegn på bekymring",
            "learning_objectives": "Deltagerne kan genkende tegn (fiktivt).",
            "goals": ["g1", "g3"],
            "presenters": [presenter.pk],
            "order": "2",
        },
    )
    assert response.status_code == 302
    module = session.modules.get(title="Tegn på bekymring")
    assert module.goal_list == ["g1", "g3"]
    assert list(module.presenters.all()) == [presenter]
    assert AuditEvent.objects.filter(action=actions.COURSE_PROGRAMME_CHANGED).scoped().count() == 1


def test_module_create_view__without_goals_keeps_the_form(course: Course, admin_client: Client) -> None:
    session = course.days.first().sessions.first()
    response = admin_client.post(
        reverse("training:module_create", args=[session.pk]),
        {"title": "Tegn på bekymring", "learning_objectives": "Noget", "order": "2"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Vælg mindst ét læringsmål." in html
    assert 'value="Tegn på bekymring"' in html
    assert session.modules.count() == 1


def test_day_create_view__refuses_a_duplicate_number(course: Course, admin_client: Client) -> None:
    response = admin_client.post(
        reverse("training:day_create", args=[course.pk]), {"number": "2", "title": "Igen"}
    )
    assert response.status_code == 400
    assert "Kurset har allerede en dag nr. 2." in response.content.decode()
    assert course.days.count() == 2


def test_session_form__refuses_an_end_before_the_start(course: Course, admin_client: Client) -> None:
    day = course.days.first()
    response = admin_client.post(
        reverse("training:session_create", args=[day.pk]),
        {"title": "Omvendt", "starts_at": "14:00", "ends_at": "13:00"},
    )
    assert response.status_code == 400
    assert "Sessionen skal slutte efter den starter." in response.content.decode()
    assert day.sessions.count() == 2


def test_day_delete__is_refused_while_an_offering_uses_the_day(course: Course, admin_client: Client) -> None:
    offering_of(course)
    day = course.days.first()
    response = admin_client.post(reverse("training:day_delete", args=[day.pk]), follow=True)
    assert "Dagen indgår i et hold og kan ikke slettes." in response.content.decode()
    assert ProgrammeDay.objects.filter(pk=day.pk).exists()


def _offering_data(course: Course, first: str, second: str, deadline: str, **extra: str) -> dict[str, str]:
    days = list(course.days.order_by("number"))
    return {
        "title": "Efterår",
        "venue": "Kursuscentret (fiktivt)",
        "venue_address": "",
        "capacity": "24",
        "registration_deadline": deadline,
        "max_sector_share": "40",
        "reminder_days_before": "7",
        "status": OfferingStatus.OPEN,
        f"day_{days[0].pk}": first,
        f"day_{days[1].pk}": second,
        **extra,
    }


def test_offering_create_view__creates_the_offering_with_its_dates(
    course: Course, admin_client: Client
) -> None:
    response = admin_client.post(
        reverse("training:offering_create", args=[course.pk]),
        _offering_data(course, "05-10-2031", "06-10-2031", "20-09-2031 12:00"),
    )
    assert response.status_code == 302
    offering = Offering.objects.get()
    assert [d.date.isoformat() for d in offering.days.order_by("date")] == ["2031-10-05", "2031-10-06"]
    assert (offering.capacity, offering.max_sector_share, offering.sector_seat_limit()) == (24, 40, 9)


def test_offering_create_view__dates_out_of_order_keep_the_form(course: Course, admin_client: Client) -> None:
    response = admin_client.post(
        reverse("training:offering_create", args=[course.pk]),
        _offering_data(course, "06-10-2031", "05-10-2031", "20-10-2031 12:00"),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Datoen skal ligge efter den forrige kursusdag." in html
    assert "Tilmeldingsfristen skal ligge senest på sidste kursusdag." in html
    assert 'value="Efterår"' in html
    assert Offering.objects.count() == 0


def test_offering_create_view__bad_dates_get_a_danish_message(course: Course, admin_client: Client) -> None:
    response = admin_client.post(
        reverse("training:offering_create", args=[course.pk]),
        _offering_data(course, "5. oktober", "06-10-2031", "i morgen"),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Skriv datoen som dd-mm-åååå" in html
    assert "Skriv dato og klokkeslæt som dd-mm-åååå tt:mm" in html


def test_planned_offering__exists_only_for_the_administrator(
    world: World, course: Course, admin_client: Client
) -> None:
    planned = offering_of(course, status=OfferingStatus.PLANNED)
    url = reverse("training:offering_detail", args=[planned.pk])
    assert verified_client(world.users["coordinator"]).get(url).status_code == 404
    assert admin_client.get(url).status_code == 200
    listing = (
        verified_client(world.users["coordinator"]).get(reverse("training:course_list")).content.decode()
    )
    assert "Hold A" not in listing


def test_offering_page__shows_seats_and_the_enrol_button(world: World, course: Course) -> None:
    offering = offering_of(
        course, capacity=10, max_sector_share=40, first_day=timezone.localdate() + timedelta(days=20)
    )
    html = (
        verified_client(world.users["police_officer"])
        .get(reverse("training:offering_detail", args=[offering.pk]))
        .content.decode()
    )
    assert "10 pladser, 10 ledige, 0 på venteliste" in html
    assert "Højst 4 pladser til hver sektor" in html
    assert ">Tilmeld mig</button>" in html


def test_course_create_view__creates_a_course(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("training:course_create"),
        {
            "title": "Genopfriskning (fiktiv)",
            "description": "",
            "organisers": "",
            "counts_for_concerns": "on",
            "valid_years": "",
        },
    )
    assert response.status_code == 302
    course = Course.objects.get()
    assert (course.title, course.counts_for_concerns, course.validity_years) == (
        "Genopfriskning (fiktiv)",
        True,
        3,
    )
