"""Attendance, the completion rule and its exception, the certificate PDF and the public verification page."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.core.scoping import unscoped
from samspil.training.models import Attendance, Completion, EnrolmentStatus, OfferingStatus, SessionAttendance
from samspil.training.selectors import has_valid_radicalisation_training
from samspil.training.services import (
    TrainingError,
    attendance_set,
    completion_record_exception,
    completion_revoke,
    completions_record,
)

from ..conftest import World, verified_client
from .helpers import complete, offering_of, seat


@pytest.fixture
def held(course: Any) -> Any:
    """Both days are over (yesterday and the day before)."""
    return offering_of(
        course,
        first_day=timezone.localdate() - timedelta(days=2),
        status=OfferingStatus.CLOSED,
        deadline=timezone.now() - timedelta(days=5),
        title="Hold B",
    )


def _days(offering: Any) -> list[Any]:
    return list(offering.days.order_by("date"))


def _completions() -> list[tuple[str, str]]:
    with unscoped("test: read back"):
        return [(c.member.full_name, c.exception_reason) for c in Completion.objects.select_related("member")]


def test_attendance_toggle__with_htmx_returns_the_new_button(
    world: World, held: Any, admin_client: Client
) -> None:
    enrolment = seat(held, world.users["police_officer"])
    day = _days(held)[0]
    url = reverse("training:attendance_day", args=[enrolment.pk, day.pk])
    response = admin_client.post(url, {"present": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-pressed="true"' in html
    assert '<input type="hidden" name="present" value="0">' in html
    with unscoped("test: read back"):
        assert list(Attendance.objects.values_list("present", flat=True)) == [True]
    admin_client.post(url, {"present": "0"}, HTTP_HX_REQUEST="true")
    with unscoped("test: read back"):
        assert list(Attendance.objects.values_list("present", flat=True)) == [False]
    assert AuditEvent.objects.filter(action=actions.COURSE_ATTENDANCE_RECORDED).scoped().count() == 2


def test_attendance_toggle__without_htmx_redirects_to_the_sheet(
    world: World, held: Any, admin_client: Client
) -> None:
    enrolment = seat(held, world.users["police_officer"])
    response = admin_client.post(
        reverse("training:attendance_day", args=[enrolment.pk, _days(held)[0].pk]), {"present": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("training:attendance", args=[held.pk])


def test_attendance_toggle__is_refused_to_others_and_changes_nothing(world: World, held: Any) -> None:
    enrolment = seat(held, world.users["police_officer"])
    client = verified_client(world.users["coordinator"])
    response = client.post(
        reverse("training:attendance_day", args=[enrolment.pk, _days(held)[0].pk]), {"present": "1"}
    )
    assert response.status_code == 403
    with unscoped("test: read back"):
        assert Attendance.objects.count() == 0


def test_session_attendance__is_recorded_per_session(world: World, course: Any, admin_client: Client) -> None:
    offering = offering_of(course, first_day=timezone.localdate() - timedelta(days=2), track_sessions=True)
    enrolment = seat(offering, world.users["police_officer"])
    session = _days(offering)[0].programme_day.sessions.first()
    response = admin_client.post(
        reverse("training:attendance_session", args=[enrolment.pk, session.pk]),
        {"present": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    with unscoped("test: read back"):
        assert list(SessionAttendance.objects.values_list("session_id", "present")) == [(session.pk, True)]
    sheet = admin_client.get(reverse("training:attendance", args=[offering.pk])).content.decode()
    assert "Risikofaktorer" in sheet


def test_attendance_sheet__is_audited(world: World, held: Any, admin_client: Client) -> None:
    seat(held, world.users["police_officer"])
    response = admin_client.get(reverse("training:attendance", args=[held.pk]))
    assert response.status_code == 200
    assert "Per Betjent" in response.content.decode()
    assert AuditEvent.objects.filter(action=actions.COURSE_ATTENDANCE_VIEWED).scoped().count() == 1


def test_completion__needs_both_days(world: World, held: Any, admin: Any) -> None:
    first_day, second_day = _days(held)
    both = seat(held, world.users["police_officer"])
    one = seat(held, world.users["social_worker"])
    for day in (first_day, second_day):
        attendance_set(actor=admin, enrolment=both, day=day, present=True)
    attendance_set(actor=admin, enrolment=one, day=first_day, present=True)
    attendance_set(actor=admin, enrolment=one, day=second_day, present=False)
    created = completions_record(actor=admin, offering=held)
    assert [c.member.full_name for c in created] == ["Per Betjent"]
    assert completions_record(actor=admin, offering=held) == []
    assert has_valid_radicalisation_training(world.users["police_officer"]) is True
    assert has_valid_radicalisation_training(world.users["social_worker"]) is False


def test_completion__is_refused_before_the_last_day(world: World, offering: Any, admin: Any) -> None:
    seat(offering, world.users["police_officer"])
    with pytest.raises(TrainingError, match="ikke slut endnu"):
        completions_record(actor=admin, offering=offering)
    assert _completions() == []


def test_completion_exception__records_the_organisers_reason(
    world: World, held: Any, admin_client: Client
) -> None:
    enrolment = seat(held, world.users["social_worker"])
    url = reverse("training:completion_exception", args=[enrolment.pk])
    short = admin_client.post(url, {"reason": "kort"})
    assert short.status_code == 400
    assert "Skriv mindst 10 tegn." in short.content.decode()
    assert "kort</textarea>" in short.content.decode()
    assert _completions() == []
    response = admin_client.post(url, {"reason": "Tog dag 2 på hold A i foråret (fiktivt)"})
    assert response.status_code == 302
    assert _completions() == [("Sofie Socialrådgiver", "Tog dag 2 på hold A i foråret (fiktivt)")]


def test_completion_exception__twice_is_refused(world: World, held: Any, admin: Any) -> None:
    enrolment = seat(held, world.users["social_worker"])
    completion_record_exception(
        actor=admin, enrolment=enrolment, reason="Dokumenteret sygdom dag 2 (fiktivt)"
    )
    with pytest.raises(TrainingError, match="allerede registreret"):
        completion_record_exception(
            actor=admin, enrolment=enrolment, reason="Dokumenteret sygdom dag 2 (fiktivt)"
        )
    assert len(_completions()) == 1


def test_certificate__pdf_holds_name_course_and_code(world: World, held: Any) -> None:
    completion = complete(seat(held, world.users["psychiatry_nurse"]))
    response = verified_client(world.users["psychiatry_nurse"]).get(
        reverse("training:certificate", args=[completion.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="kursusbevis-{completion.verification_code}.pdf"'
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Pia Sygeplejerske" in text
    assert "PSP-kurset (test)" in text
    assert completion.formatted_code in text
    assert f"/bevis/{completion.verification_code}/" in text
    assert AuditEvent.objects.filter(action=actions.COURSE_CERTIFICATE_DOWNLOADED).scoped().count() == 1


def test_certificate__of_someone_else_is_404(world: World, held: Any) -> None:
    completion = complete(seat(held, world.users["psychiatry_nurse"]))
    response = verified_client(world.users["police_officer"]).get(
        reverse("training:certificate", args=[completion.pk])
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=actions.COURSE_CERTIFICATE_DOWNLOADED).scoped().count() == 0


def test_verification_code__is_16_characters_of_base32_and_unique(world: World, held: Any) -> None:
    codes = {
        complete(seat(held, world.users[p])).verification_code for p in ("police_officer", "social_worker")
    }
    assert len(codes) == 2
    assert all(len(c) == 16 and set(c) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for c in codes)


def test_verification_page__shows_only_name_course_date_and_validity(world: World, held: Any) -> None:
    completion = complete(seat(held, world.users["psychiatry_nurse"]))
    response = Client().get(reverse("training_public:verify_code", args=[completion.verification_code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pia Sygeplejerske" in html and "PSP-kurset (test)" in html and "Gyldigt" in html
    assert "pia@eksempel.invalid" not in html and "Testrup Kommune" not in html and "Region Test" not in html
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action=actions.COURSE_CERTIFICATE_VERIFIED).scoped().count() == 1


def test_verification_page__accepts_the_code_as_printed_with_dashes(world: World, held: Any) -> None:
    completion = complete(seat(held, world.users["psychiatry_nurse"]))
    response = Client().get(reverse("training_public:verify"), {"kode": completion.formatted_code.lower()})
    assert response.status_code == 200
    assert "Pia Sygeplejerske" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "label"),
    [
        ({"revoked_at": timezone.now()}, "Tilbagekaldt"),
        ({"completed_at": timezone.now() - timedelta(days=4 * 365)}, "Udløbet"),
    ],
)
def test_verification_page__shows_revoked_and_expired(
    world: World, held: Any, change: dict, label: str
) -> None:
    completion = complete(seat(held, world.users["psychiatry_nurse"]))
    Completion.objects.filter(pk=completion.pk).scoped().update(**change)
    response = Client().get(reverse("training_public:verify_code", args=[completion.verification_code]))
    assert response.status_code == 200
    assert f"Kursusbeviset findes: {label}" in response.content.decode()


@pytest.mark.parametrize("code", ["AAAAAAAAAAAAAAAA", "kort", "1111111111111111", "'; DROP TABLE--"])
def test_verification_page__an_unknown_code_gets_the_neutral_page_with_404(
    world: World, held: Any, code: str
) -> None:
    complete(seat(held, world.users["psychiatry_nurse"]))
    response = Client().get(reverse("training_public:verify"), {"kode": code})
    html = response.content.decode()
    assert response.status_code == 404
    assert "Vi kan ikke finde et kursusbevis med den kode." in html
    assert "Pia" not in html
    assert AuditEvent.objects.filter(action=actions.COURSE_CERTIFICATE_NOT_FOUND).scoped().count() == 1


def test_revoke__closes_the_gate_and_shows_on_the_public_page(world: World, held: Any, admin: Any) -> None:
    completion = complete(seat(held, world.users["psychiatry_nurse"]))
    completion_revoke(actor=admin, completion=completion, reason="Udstedt ved en fejl (fiktivt)")
    assert has_valid_radicalisation_training(world.users["psychiatry_nurse"]) is False
    response = Client().get(reverse("training_public:verify_code", args=[completion.verification_code]))
    assert "Kursusbeviset findes: Tilbagekaldt" in response.content.decode()


def test_my_training__lists_the_members_certificates(world: World, held: Any) -> None:
    complete(seat(held, world.users["psychiatry_nurse"]))
    html = (
        verified_client(world.users["psychiatry_nurse"]).get(reverse("training:my_training")).content.decode()
    )
    assert "Hent kursusbevis (PDF) for PSP-kurset (test)" in html
    assert "Du opfylder uddannelseskravet" in html


def test_attendance__only_for_seated_participants(world: World, held: Any, admin: Any) -> None:
    waiting = seat(held, world.users["social_worker"], status=EnrolmentStatus.WAITLISTED)
    with pytest.raises(TrainingError):
        attendance_set(actor=admin, enrolment=waiting, day=_days(held)[0], present=True)
    with unscoped("test: read back"):
        assert Attendance.objects.count() == 0
