"""Enrolment: self-enrolment, nomination, waitlist, promotion on cancellation, sector balance."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.core.scoping import unscoped
from samspil.organisations.models import Sector
from samspil.training.models import Enrolment, EnrolmentStatus, Offering, OfferingStatus
from samspil.training.selectors import offering_seats, waitlist_rank
from samspil.training.services import (
    TrainingError,
    enrolment_cancel,
    enrolment_nominate,
    enrolment_self_enrol,
)

from ..conftest import World, verified_client
from .helpers import member_in, membership_of, offering_of


def _status(offering: Offering) -> dict[str, tuple[str, int | None]]:
    with unscoped("test: read back every enrolment"):
        return {
            e.member.full_name: (e.status, e.position)
            for e in Enrolment.objects.filter(offering=offering).select_related("member")
        }


def _enrol(user: object, offering: Offering) -> Enrolment:
    return enrolment_self_enrol(actor=user, offering_id=offering.pk, membership=membership_of(user)).enrolment


def test_self_enrol__gives_a_seat_and_records_organisation_and_sector(
    world: World, offering: Offering
) -> None:
    officer = world.users["police_officer"]
    outcome = enrolment_self_enrol(actor=officer, offering_id=offering.pk, membership=membership_of(officer))
    enrolment = outcome.enrolment
    assert (enrolment.status, enrolment.organisation_id, enrolment.sector, enrolment.cooperation_id) == (
        EnrolmentStatus.ENROLLED,
        world.police.pk,
        Sector.POLICE,
        world.cooperation.pk,
    )
    assert enrolment.nominated_by_id is None
    assert "har fået plads" in outcome.message
    assert (
        AuditEvent.objects.filter(action=actions.COURSE_ENROLLED, object_id=str(enrolment.pk))
        .scoped()
        .count()
        == 1
    )


def test_self_enrol__a_member_of_another_cooperation_may_enrol_too(world: World, offering: Offering) -> None:
    enrolment = _enrol(world.users["outsider"], offering)
    assert (enrolment.status, enrolment.cooperation_id) == (
        EnrolmentStatus.ENROLLED,
        world.other_cooperation.pk,
    )


def test_self_enrol__twice_is_refused(world: World, offering: Offering) -> None:
    officer = world.users["police_officer"]
    _enrol(officer, offering)
    with pytest.raises(TrainingError, match="allerede tilmeldt"):
        _enrol(officer, offering)
    assert offering_seats(offering).enrolled == 1


def test_self_enrol__with_someone_elses_membership_is_refused(world: World, offering: Offering) -> None:
    with pytest.raises(TrainingError):
        enrolment_self_enrol(
            actor=world.users["police_officer"],
            offering_id=offering.pk,
            membership=membership_of(world.users["social_worker"]),
        )
    assert _status(offering) == {}


@pytest.mark.parametrize(
    ("status", "deadline_hours", "message"),
    [
        (OfferingStatus.PLANNED, 24, "ikke åbent"),
        (OfferingStatus.CLOSED, 24, "ikke åbent"),
        (OfferingStatus.OPEN, -1, "fristen er overskredet"),
    ],
)
def test_self_enrol__is_refused_when_not_open_or_after_the_deadline(
    world: World, course: object, status: str, deadline_hours: int, message: str
) -> None:
    offering = offering_of(course, status=status, deadline=timezone.now() + timedelta(hours=deadline_hours))
    with pytest.raises(TrainingError, match=message):
        _enrol(world.users["police_officer"], offering)
    assert _status(offering) == {}


def test_full_offering__puts_the_next_on_the_waitlist_in_order(world: World, course: object) -> None:
    offering = offering_of(course, capacity=1)
    _enrol(world.users["police_officer"], offering)
    second = enrolment_self_enrol(
        actor=world.users["social_worker"],
        offering_id=offering.pk,
        membership=membership_of(world.users["social_worker"]),
    )
    third = _enrol(world.users["psychiatry_nurse"], offering)
    assert second.enrolment.status == EnrolmentStatus.WAITLISTED
    assert "nr. 1 på ventelisten" in second.message
    assert (waitlist_rank(second.enrolment), waitlist_rank(third)) == (1, 2)


def test_cancellation__promotes_the_first_on_the_waitlist(world: World, course: object) -> None:
    offering = offering_of(course, capacity=1)
    first = _enrol(world.users["police_officer"], offering)
    _enrol(world.users["social_worker"], offering)
    _enrol(world.users["psychiatry_nurse"], offering)
    enrolment_cancel(actor=world.users["police_officer"], enrolment=first)
    assert _status(offering) == {
        "Per Betjent": (EnrolmentStatus.CANCELLED, None),
        "Sofie Socialrådgiver": (EnrolmentStatus.ENROLLED, None),
        "Pia Sygeplejerske": (EnrolmentStatus.WAITLISTED, 2),
    }
    assert AuditEvent.objects.filter(action=actions.COURSE_PROMOTED).scoped().count() == 1


def test_cancellation__of_a_waitlist_place_promotes_nobody(world: World, course: object) -> None:
    offering = offering_of(course, capacity=1)
    _enrol(world.users["police_officer"], offering)
    waiting = _enrol(world.users["social_worker"], offering)
    _enrol(world.users["psychiatry_nurse"], offering)
    enrolment_cancel(actor=world.users["social_worker"], enrolment=waiting)
    assert _status(offering)["Per Betjent"] == (EnrolmentStatus.ENROLLED, None)
    assert _status(offering)["Pia Sygeplejerske"] == (EnrolmentStatus.WAITLISTED, 2)
    assert waitlist_rank(Enrolment.objects.filter(member=world.users["psychiatry_nurse"]).scoped().get()) == 1


def test_cancellation__after_the_first_day_is_refused_for_the_member(world: World, course: object) -> None:
    offering = offering_of(
        course,
        first_day=timezone.localdate() - timedelta(days=1),
        deadline=timezone.now() - timedelta(days=3),
    )
    with unscoped("test setup"):
        enrolment = Enrolment.objects.create(
            offering=offering,
            member=world.users["police_officer"],
            organisation=world.police,
            sector=Sector.POLICE,
            status=EnrolmentStatus.ENROLLED,
        )
    with pytest.raises(TrainingError, match="gået i gang"):
        enrolment_cancel(actor=world.users["police_officer"], enrolment=enrolment)
    assert _status(offering)["Per Betjent"] == (EnrolmentStatus.ENROLLED, None)


def test_re_enrol_after_cancellation__reuses_the_row(world: World, offering: Offering) -> None:
    officer = world.users["police_officer"]
    first = _enrol(officer, offering)
    enrolment_cancel(actor=officer, enrolment=first)
    again = _enrol(officer, offering)
    assert (again.pk, again.status) == (first.pk, EnrolmentStatus.ENROLLED)


def test_sector_balance__waitlists_a_sector_at_its_limit_with_a_clear_message(
    world: World, course: object
) -> None:
    offering = offering_of(course, capacity=5, max_sector_share=40)  # at most 2 seats per sector
    police = [member_in(world, Sector.POLICE, f"Betjent {n}") for n in range(3)]
    _enrol(police[0], offering)
    _enrol(police[1], offering)
    outcome = enrolment_self_enrol(
        actor=police[2], offering_id=offering.pk, membership=membership_of(police[2])
    )
    assert outcome.enrolment.status == EnrolmentStatus.WAITLISTED
    assert "Pladserne til deltagere fra politi er optaget: højst 2 af 5 pladser pr. sektor" in outcome.message
    social = _enrol(world.users["social_worker"], offering)
    assert social.status == EnrolmentStatus.ENROLLED
    assert offering_seats(offering).by_sector == {Sector.POLICE: 2, Sector.SOCIAL_SERVICES: 1}


def test_sector_balance__promotion_skips_people_whose_sector_is_full(world: World, course: object) -> None:
    offering = offering_of(course, capacity=3, max_sector_share=34)  # at most 1 seat per sector
    officers = [member_in(world, Sector.POLICE, f"Betjent {n}") for n in range(2)]
    nurse = world.users["psychiatry_nurse"]
    social = _enrol(world.users["social_worker"], offering)
    _enrol(officers[0], offering)
    _enrol(nurse, offering)
    second_officer = _enrol(officers[1], offering)  # police full and the offering full: waitlisted
    social_two = _enrol(member_in(world, Sector.SOCIAL_SERVICES, "Socialrådgiver 2"), offering)
    assert (second_officer.status, social_two.status) == (
        EnrolmentStatus.WAITLISTED,
        EnrolmentStatus.WAITLISTED,
    )
    enrolment_cancel(actor=world.users["social_worker"], enrolment=social)
    social_two.refresh_from_db()
    second_officer.refresh_from_db()
    assert (second_officer.status, social_two.status) == (
        EnrolmentStatus.WAITLISTED,
        EnrolmentStatus.ENROLLED,
    )


def test_raising_the_capacity__promotes_from_the_waitlist(
    world: World, course: object, admin: object
) -> None:
    from samspil.training.services import offering_save

    offering = offering_of(course, capacity=1)
    _enrol(world.users["police_officer"], offering)
    waiting = _enrol(world.users["social_worker"], offering)
    data = {"capacity": 2}
    offering_save(
        actor=admin,
        course=course,
        offering=offering,
        data=data,
        day_dates={d.programme_day_id: d.date for d in offering.days.all()},
    )
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.ENROLLED


def test_nominate__a_coordinator_enrols_a_member_of_their_cooperation(
    world: World, offering: Offering
) -> None:
    coordinator, worker = world.users["coordinator"], world.users["frontline_worker"]
    outcome = enrolment_nominate(actor=coordinator, offering_id=offering.pk, membership=membership_of(worker))
    assert (outcome.enrolment.member_id, outcome.enrolment.nominated_by_id) == (worker.pk, coordinator.pk)
    assert outcome.message.startswith("Frede Frontmedarbejder har fået plads")


@pytest.mark.parametrize("actor", ["outsider", "social_worker"])
def test_nominate__a_member_outside_the_coordinators_cooperation_is_refused(
    world: World, offering: Offering, actor: str
) -> None:
    with pytest.raises(TrainingError, match="koordinator for"):
        enrolment_nominate(
            actor=world.users[actor],
            offering_id=offering.pk,
            membership=membership_of(world.users["frontline_worker"]),
        )
    assert _status(offering) == {}


def test_enrol_view__enrols_and_tells_the_member(world: World, offering: Offering) -> None:
    client = verified_client(world.users["police_officer"])
    response = client.post(reverse("training:enrol", args=[offering.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("training:offering_detail", args=[offering.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Du har fået plads på Hold A. En bekræftelse er sendt på e-mail."
    ]
    assert _status(offering) == {"Per Betjent": (EnrolmentStatus.ENROLLED, None)}


def test_enrol_view__a_planned_offering_does_not_exist_for_members(world: World, course: object) -> None:
    offering = offering_of(course, status=OfferingStatus.PLANNED)
    response = verified_client(world.users["police_officer"]).post(
        reverse("training:enrol", args=[offering.pk])
    )
    assert response.status_code == 404
    assert _status(offering) == {}


def test_nominate_view__lists_only_the_coordinators_own_cooperation(world: World, offering: Offering) -> None:
    _enrol(world.users["outsider"], offering)
    _enrol(world.users["social_worker"], offering)
    response = verified_client(world.users["coordinator"]).get(
        reverse("training:nominate", args=[offering.pk])
    )
    names = [e.member.full_name for e in response.context["enrolments"]]
    assert names == ["Sofie Socialrådgiver"]
    assert "Otto Udefra" not in response.content.decode()
    assert AuditEvent.objects.filter(action=actions.COURSE_NOMINATION_LIST_VIEWED).scoped().count() == 1


def test_nominate_view__posts_a_nomination(world: World, offering: Offering) -> None:
    client = verified_client(world.users["coordinator"])
    worker = membership_of(world.users["frontline_worker"])
    response = client.post(reverse("training:nominate", args=[offering.pk]), {"membership": worker.pk})
    assert response.status_code == 302
    assert _status(offering) == {"Frede Frontmedarbejder": (EnrolmentStatus.ENROLLED, None)}


def test_nominate_view__an_unknown_member_keeps_the_form_with_a_message(
    world: World, offering: Offering
) -> None:
    client = verified_client(world.users["coordinator"])
    outsider = membership_of(world.users["outsider"])
    response = client.post(reverse("training:nominate", args=[offering.pk]), {"membership": outsider.pk})
    assert response.status_code == 400
    assert "Vælg et medlem fra listen." in response.content.decode()
    assert _status(offering) == {}


def test_cancel_view__someone_elses_enrolment_is_404_and_unchanged(world: World, offering: Offering) -> None:
    enrolment = _enrol(world.users["police_officer"], offering)
    response = verified_client(world.users["social_worker"]).post(
        reverse("training:enrolment_cancel", args=[enrolment.pk])
    )
    assert response.status_code == 404
    assert _status(offering) == {"Per Betjent": (EnrolmentStatus.ENROLLED, None)}


def test_participants_view__is_for_the_course_administrator_and_audited(
    world: World, offering: Offering, admin_client: object
) -> None:
    _enrol(world.users["police_officer"], offering)
    response = admin_client.get(reverse("training:participants", args=[offering.pk]))  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert "Per Betjent" in response.content.decode()
    assert AuditEvent.objects.filter(action=actions.COURSE_PARTICIPANTS_VIEWED).scoped().count() == 1
    denied = verified_client(world.users["coordinator"]).get(
        reverse("training:participants", args=[offering.pk])
    )
    assert denied.status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers"
)
def test_concurrent_enrolments__never_overfill_the_offering(world: World, course: object) -> None:
    offering = offering_of(course, capacity=3)
    people = [member_in(world, Sector.SOCIAL_SERVICES, f"Samtidig {n}") for n in range(8)]
    memberships = [membership_of(p) for p in people]
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def enrol(index: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            enrolment_self_enrol(actor=people[index], offering_id=offering.pk, membership=memberships[index])
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = _status(offering)
    assert sorted(s for s, _p in statuses.values()).count(EnrolmentStatus.ENROLLED) == 3
    positions = sorted(p for s, p in statuses.values() if s == EnrolmentStatus.WAITLISTED)
    assert positions == [1, 2, 3, 4, 5]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers"
)
def test_concurrent_cancellations__promote_each_waiting_person_once(world: World, course: object) -> None:
    offering = offering_of(course, capacity=2)
    people = [member_in(world, Sector.SOCIAL_SERVICES, f"Samtidig {n}") for n in range(5)]
    enrolments = [_enrol(p, offering) for p in people]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def cancel(index: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            enrolment_cancel(actor=people[index], enrolment=enrolments[index])
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cancel, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = _status(offering)
    assert statuses == {
        "Samtidig 0": (EnrolmentStatus.CANCELLED, None),
        "Samtidig 1": (EnrolmentStatus.CANCELLED, None),
        "Samtidig 2": (EnrolmentStatus.ENROLLED, None),
        "Samtidig 3": (EnrolmentStatus.ENROLLED, None),
        "Samtidig 4": (EnrolmentStatus.WAITLISTED, 3),
    }
