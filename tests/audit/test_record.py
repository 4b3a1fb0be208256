from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from samspil.audit import actions
from samspil.audit.models import AuditEvent, Outcome
from samspil.audit.services import UnknownAuditAction, audit_record
from samspil.core.roles import Role
from samspil.core.scoping import unscoped
from samspil.organisations.models import Organisation, OrganisationKind, Sector

pytestmark = pytest.mark.django_db


def test_audit_record__refuses_an_unregistered_action() -> None:
    with pytest.raises(UnknownAuditAction, match=r"audit\.invented"):
        audit_record(action="audit.invented")
    with unscoped("test"):
        assert AuditEvent.objects.count() == 0


def change_with_failing_audit(request: HttpRequest) -> HttpResponse:
    """A change whose audit write fails: the detail cannot be stored."""
    Organisation.objects.create(
        name="Skal ikke findes (fiktiv)", kind=OrganisationKind.MUNICIPALITY, sector=Sector.SOCIAL_SERVICES
    )
    audit_record(action=actions.COOPERATION_CONFIGURED, request=request, detail={"ugyldig": object()})
    return HttpResponse("gemt")


def change_with_unregistered_action(request: HttpRequest) -> HttpResponse:
    Organisation.objects.create(
        name="Skal heller ikke findes (fiktiv)",
        kind=OrganisationKind.MUNICIPALITY,
        sector=Sector.SOCIAL_SERVICES,
    )
    audit_record(action="cooperation.invented", request=request)
    return HttpResponse("gemt")


urlpatterns = [
    path("fejlende-revision/", change_with_failing_audit),
    path("ukendt-handling/", change_with_unregistered_action),
]


@pytest.mark.urls("tests.audit.test_record")
@pytest.mark.parametrize(
    ("url", "error", "name"),
    [
        ("/fejlende-revision/", TypeError, "Skal ikke findes (fiktiv)"),
        ("/ukendt-handling/", UnknownAuditAction, "Skal heller ikke findes (fiktiv)"),
    ],
)
def test_failed_audit_write__rolls_back_the_whole_request(
    client_for, url: str, error: type[Exception], name: str
) -> None:
    client = client_for("coordinator")
    with unscoped("test"):
        events_before = AuditEvent.objects.count()
    with pytest.raises(error):
        client.post(url)
    assert not Organisation.objects.filter(name=name).exists()
    with unscoped("test"):
        assert AuditEvent.objects.count() == events_before


def test_audit_record__returns_the_event_as_stored_with_its_id() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="2001:DB8::0:1")
    request.user = AnonymousUser()
    event = audit_record(
        action=actions.ACCESS_DENIED,
        request=request,
        organisation_id=7,
        cooperation_id=3,
        role=Role.KEY_MEMBER,
        object_type="organisations.cooperation",
        object_id=42,
        citizen_id=2**40,
        purpose="p" * 250,
        outcome=Outcome.DENIED,
        detail={"sti": "/samarbejder/æøå/", "antal": [1, 2.5, None, True]},
    )
    assert event.pk is not None and not event._state.adding
    with unscoped("test"):
        stored = AuditEvent.objects.get(pk=event.pk)
    columns = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname != "source_ip"]
    assert {c: getattr(stored, c) for c in columns} == {c: getattr(event, c) for c in columns}
    assert isinstance(stored.occurred_at, datetime) and stored.occurred_at.tzinfo is not None
    assert (stored.role, stored.object_id, stored.outcome) == ("key_member", "42", "denied")
    assert (len(stored.purpose), stored.citizen_id, stored.actor_id) == (200, 2**40, None)
    assert stored.source_ip == "2001:db8::1"  # normalised as a model save would


@pytest.mark.parametrize("prepared", [True, False])
def test_audit_record__is_one_insert_query(prepared: bool) -> None:
    settings = override_settings(SAMSPIL_AUDIT_PREPARED_INSERT=prepared)
    Organisation.objects.count()  # inside a begun transaction, as in a request
    with settings, CaptureQueriesContext(connection) as captured:
        event = audit_record(action=actions.MEMBERS_LISTED, detail={"count": 3})
    assert len(captured) == 1
    assert captured[0]["sql"].startswith('INSERT INTO "audit_auditevent"')
    with unscoped("test"):
        assert AuditEvent.objects.get(pk=event.pk).detail == {"count": 3}


def test_audit_record__second_event_on_the_same_connection__gets_the_next_id() -> None:
    first = audit_record(action=actions.MEMBERS_LISTED, organisation_id=1)
    second = audit_record(action=actions.MEMBERS_LISTED, organisation_id=40_000)  # another integer size
    assert second.pk > first.pk
    with unscoped("test"):
        stored = list(AuditEvent.objects.order_by("id").values_list("organisation_id", flat=True))
    assert stored == [1, 40_000]


def test_audit_record__stores_a_translatable_purpose_in_danish_whatever_the_active_language() -> None:
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    with translation.override("en"):
        lazy = audit_record(action=actions.MEMBERS_LISTED, purpose=gettext_lazy("Borgerens rettigheder"))
        plain = audit_record(action=actions.MEMBERS_LISTED, purpose="Fritekst")
    with unscoped("test reads the audit log"):
        stored = dict(AuditEvent.objects.filter(pk__in=[lazy.pk, plain.pk]).values_list("pk", "purpose"))
    assert (stored[lazy.pk], stored[plain.pk]) == ("Borgerens rettigheder", "Fritekst")
    assert lazy.purpose == "Borgerens rettigheder"


def needs_postgresql(test: Any) -> Any:
    skip = pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: the insert runs through libpq"
    )
    return pytest.mark.postgres(skip(test))


def _stored_ids() -> list[int]:
    with unscoped("test reads the audit log"):
        return list(AuditEvent.objects.order_by("id").values_list("id", flat=True))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_statement", [True, False], ids=["audit-first", "after-a-read"])
def test_audit_record__in_a_transaction_that_rolls_back__leaves_no_event(first_statement: bool) -> None:
    """The event is part of the caller's transaction, whether it is the transaction's first statement
    (psycopg begins the transaction) or comes after other statements (the prepared insert)."""
    from django.db import transaction

    class Rollback(Exception):
        pass

    kept = audit_record(action=actions.MEMBERS_LISTED, organisation_id=1)
    with pytest.raises(Rollback), transaction.atomic():
        if not first_statement:
            Organisation.objects.count()
        audit_record(action=actions.MEMBERS_LISTED, organisation_id=2)
        raise Rollback
    after = audit_record(action=actions.MEMBERS_LISTED, organisation_id=3)
    assert _stored_ids() == [kept.pk, after.pk]
    with unscoped("test reads the audit log"):
        assert list(AuditEvent.objects.order_by("id").values_list("organisation_id", flat=True)) == [1, 3]


@needs_postgresql
@pytest.mark.parametrize("prepared", [True, False])
def test_audit_record__with_a_nul_character__is_refused_and_stores_nothing(prepared: bool) -> None:
    from django.db import DataError

    Organisation.objects.count()  # the transaction has begun: the prepared insert would be used
    with override_settings(SAMSPIL_AUDIT_PREPARED_INSERT=prepared), pytest.raises(DataError, match="NUL"):
        audit_record(action=actions.MEMBERS_LISTED, purpose="før\x00efter")
    assert _stored_ids() == []


@needs_postgresql  # SQLite does not hold a column to its length
@pytest.mark.parametrize("prepared", [True, False])
def test_audit_record__a_value_the_column_refuses__raises_djangos_data_error(prepared: bool) -> None:
    from django.db import DataError, transaction

    with override_settings(SAMSPIL_AUDIT_PREPARED_INSERT=prepared):
        Organisation.objects.count()  # the transaction has begun: the prepared insert would be used
        with pytest.raises(DataError), transaction.atomic():
            audit_record(action=actions.MEMBERS_LISTED, role="r" * 40)  # role holds 32 characters
        event = audit_record(action=actions.MEMBERS_LISTED, role="koordinator")
    assert _stored_ids() == [event.pk]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_audit_record__statement_deallocated_or_connection_renewed__prepares_again() -> None:
    first = audit_record(action=actions.MEMBERS_LISTED, organisation_id=1)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    second = audit_record(action=actions.MEMBERS_LISTED, organisation_id=2)
    connection.close()
    third = audit_record(action=actions.MEMBERS_LISTED, organisation_id=3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name = 'samspil_audit_insert'")
        assert cursor.fetchall() == [("samspil_audit_insert",)]
    assert _stored_ids() == [first.pk, second.pk, third.pk]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_audit_record__as_a_transactions_first_statement__begins_it_as_psycopg_would() -> None:
    """The transaction the event begins has the connection's isolation level, like any other."""
    from django.db import transaction
    from psycopg import IsolationLevel

    connection.ensure_connection()
    driver = connection.connection
    driver.isolation_level = IsolationLevel.REPEATABLE_READ
    try:
        with transaction.atomic():
            event = audit_record(action=actions.MEMBERS_LISTED)
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('transaction_isolation')")
                level = cursor.fetchone()[0]
    finally:
        driver.isolation_level = None
    assert level == "repeatable read"
    assert _stored_ids() == [event.pk]
