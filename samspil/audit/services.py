"""Writing audit events. Every service that reads or writes personal data calls ``audit_record``
inside its own transaction, so the event and the change commit or fail together.

Every request that touches personal data pays for one event, so on PostgreSQL the write is one
prepared ``INSERT ... RETURNING id`` executed through libpq rather than a model save (which costs about
three times the client CPU, and a parse and plan on the server per event); the values go through the
same field conversions as a save, so the row is the same. See docs/benchmarks.md, "Audit".
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DataError, connection, connections, models
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.functional import Promise

from .actions import REGISTRY
from .models import AuditEvent, Outcome


class UnknownAuditAction(ValueError):
    pass


DEFERRED_ATTR = "_samspil_audit_deferred"

# Every column but the id, in the model's field order (AuditEvent(None, *values) relies on it).
COLUMNS = (
    "occurred_at",
    "actor_id",
    "organisation_id",
    "cooperation_id",
    "role",
    "action",
    "object_type",
    "object_id",
    "citizen_id",
    "purpose",
    "outcome",
    "request_id",
    "source_ip",
    "detail",
)
_FIELDS = {field.attname: field for field in AuditEvent._meta.concrete_fields}
if tuple(_FIELDS) != ("id", *COLUMNS):  # pragma: no cover - guards a model change
    raise RuntimeError("samspil.audit.services.COLUMNS must list AuditEvent's fields in model order")
_SOURCE_IP = _FIELDS["source_ip"]
_DETAIL_ENCODER = cast(models.JSONField, _FIELDS["detail"]).encoder
_INSERT: dict[str, str] = {}
_PREPARED_ATTR = "_samspil_audit_insert_prepared_on"


def _insert_sql(db: Any) -> str:
    """The INSERT statement for the database (quoting differs per vendor), built once."""
    sql = _INSERT.get(db.vendor)
    if sql is None:
        quote = db.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - fixed names, values are parameters
            quote(AuditEvent._meta.db_table),
            ", ".join(quote(_FIELDS[name].column) for name in COLUMNS),
            ", ".join(["%s"] * len(COLUMNS)),
        )
        if db.features.can_return_columns_from_insert:
            sql += f" RETURNING {quote('id')}"
        _INSERT[db.vendor] = sql
    return sql


def _params(event: AuditEvent, db: Any) -> list[Any]:
    """The column values as a model save sends them."""
    return [_FIELDS[name].get_db_prep_save(getattr(event, name), db) for name in COLUMNS]


def _text_params(event: AuditEvent) -> list[bytes | None]:
    """The column values in PostgreSQL's text format, each typed by its column on the server, as a
    model save stores them: the time with its UTC offset, the IP address normalised by the field, the
    detail encoded with the field's encoder. Written out column by column: this runs on every event."""
    values: list[bytes | None] = []
    for value in (
        event.occurred_at.isoformat(),
        event.actor_id,
        event.organisation_id,
        event.cooperation_id,
        event.role,
        event.action,
        event.object_type,
        event.object_id,
        event.citizen_id,
        event.purpose,
        event.outcome,
        event.request_id,
        _SOURCE_IP.get_prep_value(event.source_ip),
        json.dumps(event.detail, cls=_DETAIL_ENCODER),
    ):
        if value is None:
            values.append(None)
        elif isinstance(value, int):
            values.append(b"%d" % value)
        elif "\x00" in value:  # a text parameter would end at the NUL; refused as psycopg refuses it
            raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        else:
            values.append(value.encode())
    return values


def _numbered(sql: str) -> str:
    """The statement with libpq's numbered placeholders ($1, $2, ...) instead of %s."""
    parts = sql.split("%s")
    return "".join(part + (f"${n}" if n < len(parts) else "") for n, part in enumerate(parts, 1))


class _SentQuery:
    """What Django's query log reads back from a psycopg cursor (``cursor._query.query``)."""

    def __init__(self, query: bytes) -> None:
        self.query = query


class _PreparedInsert:
    """A cursor for the one audit INSERT on PostgreSQL: a named prepared statement executed through
    libpq on the connection's own session, in its current transaction (``PQexecPrepared``: one round
    trip, parameters as text). psycopg's cursor costs about twice the client CPU per event (query
    conversion, adaptation and its wait loop), and every request that touches personal data pays it.

    It is used inside Django's cursor wrapper, so query logging, ``CaptureQueriesContext``, execute
    wrappers and the translation of database errors see the insert as any other query. Prepared
    statements belong to the session, not to a transaction: one prepared in a transaction that rolls
    back stays prepared."""

    NAME = b"samspil_audit_insert"

    def __init__(self, driver_connection: Any, event: AuditEvent, *, begin: bytes | None = None) -> None:
        self.driver_connection = driver_connection
        self.event = event
        self.begin = begin
        self.row: tuple[int] | None = None
        self._query: _SentQuery | None = None

    def execute(self, sql: str, params: Any = None) -> None:
        from psycopg import errors, pq

        values = _text_params(self.event)
        self._query = _SentQuery(sql.encode())
        driver = self.driver_connection
        with driver.lock:
            pgconn = driver.pgconn
            if self.begin is not None:  # psycopg sees the open transaction and sends no BEGIN of its own
                begun = pgconn.exec_(self.begin)
                if begun.status != pq.ExecStatus.COMMAND_OK:
                    raise errors.error_from_result(begun)
            for attempt in (1, 2):
                if getattr(driver, _PREPARED_ATTR, None) is not pgconn:
                    prepared = pgconn.prepare(self.NAME, _numbered(sql).encode())
                    if prepared.status != pq.ExecStatus.COMMAND_OK:
                        raise errors.error_from_result(prepared)
                    setattr(driver, _PREPARED_ATTR, pgconn)
                result = pgconn.exec_prepared(self.NAME, values)
                if result.status == pq.ExecStatus.TUPLES_OK:
                    self.row = (int(result.get_value(0, 0) or b"0"),)
                    return
                error = errors.error_from_result(result)
                if attempt == 1 and isinstance(error, errors.InvalidSqlStatementName):
                    setattr(driver, _PREPARED_ATTR, None)  # deallocated in the session: prepare it again
                    continue
                raise error

    def fetchone(self) -> tuple[int] | None:
        return self.row

    def close(self) -> None:
        self.row = None


def _prepare_allowed() -> bool:
    """Prepared statements live in the server session: behind a pooler that hands one session to many
    clients (PgBouncer in transaction mode without prepared-statement support) set
    ``SAMSPIL_AUDIT_PREPARED_INSERT = False``. With a new connection per request the statement is
    prepared once per request, which costs no more than an unprepared insert."""
    return bool(getattr(settings, "SAMSPIL_AUDIT_PREPARED_INSERT", True))


def _prepared_insert(db: Any, event: AuditEvent) -> _PreparedInsert | None:
    """The libpq cursor for this event where it applies: PostgreSQL through psycopg 3 and preparing
    allowed. In autocommit the insert is its own transaction; inside Django's atomic block before its
    first query (the event is often a view's first statement: its querysets run when rendered) the
    transaction is begun with psycopg's own BEGIN command (isolation level and all), as psycopg would
    begin it. A failed transaction goes through psycopg's cursor, which reports it as psycopg does."""
    if db.vendor != "postgresql" or not _prepare_allowed():
        return None
    db.ensure_connection()
    driver = db.connection
    pgconn = getattr(driver, "pgconn", None)  # psycopg 3 only
    if pgconn is None:  # pragma: no cover - psycopg 2
        return None
    from psycopg.pq import TransactionStatus

    status = pgconn.transaction_status
    if status == TransactionStatus.INTRANS or (status == TransactionStatus.IDLE and driver.autocommit):
        return _PreparedInsert(driver, event)
    begin_command = getattr(driver, "_get_tx_start_command", None)
    if status == TransactionStatus.IDLE and begin_command is not None:
        return _PreparedInsert(driver, event, begin=begin_command())
    return None


def _write(event: AuditEvent) -> None:
    db = connections[DEFAULT_DB_ALIAS]
    prepared = _prepared_insert(db, event)
    if prepared is None:
        with db.cursor() as cursor:
            cursor.execute(_insert_sql(db), _params(event, db))
            if db.features.can_return_columns_from_insert:
                event.pk = cursor.fetchone()[0]
            else:  # pragma: no cover - SQLite before 3.35
                event.pk = db.ops.last_insert_id(cursor, AuditEvent._meta.db_table, "id")
    else:
        db.validate_thread_sharing()
        driver_cursor = cast(Any, prepared)
        cursor = db.make_debug_cursor(driver_cursor) if db.queries_logged else db.make_cursor(driver_cursor)
        cursor.execute(_insert_sql(db), None)
        event.pk = prepared.row[0] if prepared.row else None
    event._state.adding = False
    event._state.db = db.alias


def _stored_text(text: str | Promise) -> str:
    """A purpose as the log keeps it: a lazy translatable message is stored in the default language
    (Danish), whatever language the person acting reads, so the log and the access report read alike."""
    if isinstance(text, Promise):
        with translation.override(settings.LANGUAGE_CODE):
            return str(text)
    return str(text)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _request_context(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {}
    membership = getattr(request, "active_membership", None)
    context: dict[str, Any] = {
        "request_id": getattr(request, "request_id", ""),
        "source_ip": request.META.get("REMOTE_ADDR") or None,
    }
    if membership is not None:
        context.update(
            organisation_id=membership.organisation_id,
            cooperation_id=membership.cooperation_id,
            role=membership.role,
        )
    return context


def audit_record(
    *,
    action: str,
    actor: Any = None,
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    citizen_id: int | None = None,
    purpose: str | Promise = "",
    outcome: str = Outcome.ALLOWED,
    organisation_id: int | None = None,
    cooperation_id: int | None = None,
    role: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Raises if the action code is not registered or the write fails; callers
    run inside the request's transaction, so a failed audit write fails the request.

    A denied or failed attempt is usually followed by an exception (403, 404, a refused service)
    that rolls back the request's transaction; such events are therefore deferred and written by
    ``DeferredAuditMiddleware`` once the view has finished, in a transaction of their own.
    """
    if action not in REGISTRY:
        raise UnknownAuditAction(f"Register the audit action {action!r} in samspil.audit.actions")
    context = _request_context(request)
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    event = AuditEvent(
        None,
        timezone.now(),
        _int(getattr(actor, "pk", None)),
        _int(organisation_id if organisation_id is not None else context.get("organisation_id")),
        _int(cooperation_id if cooperation_id is not None else context.get("cooperation_id")),
        str(role or context.get("role", "")),
        str(action),
        str(object_type),
        str(object_id),
        _int(citizen_id),
        _stored_text(purpose)[:200],
        str(outcome),
        str(context.get("request_id", "")),
        context.get("source_ip"),
        detail or {},
    )
    deferred = getattr(request, DEFERRED_ATTR, None) if request is not None else None
    if outcome != Outcome.ALLOWED and deferred is not None and connection.in_atomic_block:
        deferred.append(event)
    else:
        _write(event)
    return event


def audit_write_deferred(events: list[AuditEvent]) -> None:
    """Write events collected during a request (``DeferredAuditMiddleware``), in the caller's
    transaction, the same way ``audit_record`` writes."""
    for event in events:
        _write(event)
