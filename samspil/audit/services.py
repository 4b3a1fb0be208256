"""Writing audit events. Every service that reads or writes personal data calls ``audit_record``
inside its own transaction, so the event and the change commit or fail together.

Every request that touches personal data pays for one event, so the write is one prepared
``INSERT ... RETURNING id`` rather than a model save (which costs about twice the client CPU and a
parse and plan on the server per event); the values go through the same field conversions as a save,
so the row is the same. See docs/benchmarks.md, "Audit".
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
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
_OCCURRED_AT, _SOURCE_IP, _DETAIL = _FIELDS["occurred_at"], _FIELDS["source_ip"], _FIELDS["detail"]
_INSERT: dict[str, str] = {}
_CURSOR_ATTR = "_samspil_audit_insert_cursor"


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
    """The column values as a model save would send them (same field conversions)."""
    return [
        _OCCURRED_AT.get_db_prep_save(event.occurred_at, db),
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
        _SOURCE_IP.get_db_prep_save(event.source_ip, db),
        _DETAIL.get_db_prep_save(event.detail, db),
    ]


@functools.cache
def _prepared_cursor_class() -> type | None:
    """psycopg 3: a cursor with server-side binding that prepares its statements (Django's own cursors
    bind on the client and never prepare), with every integer sent as bigint, so that one prepared
    statement serves all values."""
    try:
        from django.db.backends.postgresql import base as postgresql
        from psycopg.types.numeric import Int8Dumper
    except (ImportError, ImproperlyConfigured):  # pragma: no cover - no PostgreSQL driver
        return None
    server_binding = getattr(postgresql, "ServerBindingCursor", None)  # psycopg 3 only
    if server_binding is None:  # pragma: no cover - psycopg 2
        return None

    class PreparedCursor(server_binding):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.adapters.register_dumper(int, Int8Dumper)

        def execute(self, query: Any, params: Any = None, **_options: Any) -> Any:
            return super().execute(query, params, prepare=True)

    return PreparedCursor


def _prepare_allowed() -> bool:
    """Prepared statements live in the server session: behind a pooler that hands one session to many
    clients (PgBouncer in transaction mode without prepared-statement support) set
    ``SAMSPIL_AUDIT_PREPARED_INSERT = False``. With a new connection per request they are prepared
    once per request, which costs no more than an unprepared insert."""
    return bool(getattr(settings, "SAMSPIL_AUDIT_PREPARED_INSERT", True))


def _insert_cursor(db: Any) -> tuple[Any, Any]:
    """(Django cursor wrapper, driver cursor) for the insert. On PostgreSQL one prepared cursor is kept
    per connection and reused; it is still wrapped like any Django cursor, so query logging,
    ``CaptureQueriesContext`` and execute wrappers see the insert."""
    prepared = _prepared_cursor_class() if db.vendor == "postgresql" and _prepare_allowed() else None
    if prepared is None:
        wrapper = db.cursor()
        return wrapper, wrapper
    db.ensure_connection()
    db.validate_thread_sharing()
    cached = getattr(db, _CURSOR_ATTR, None)
    if cached is None or cached[0] is not db.connection or cached[1].closed:
        cached = (db.connection, prepared(db.connection))
        setattr(db, _CURSOR_ATTR, cached)
    raw = cached[1]
    return (db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)), raw


def _write(event: AuditEvent) -> None:
    db = connections[DEFAULT_DB_ALIAS]
    params = _params(event, db)
    wrapper, raw = _insert_cursor(db)
    wrapper.execute(_insert_sql(db), params)
    if db.features.can_return_columns_from_insert:
        event.pk = raw.fetchone()[0]
    else:  # pragma: no cover - SQLite before 3.35
        event.pk = db.ops.last_insert_id(raw, AuditEvent._meta.db_table, "id")
    if raw is wrapper:
        wrapper.close()
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
