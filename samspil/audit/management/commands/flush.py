"""Django's ``flush``, able to empty the append-only audit tables on PostgreSQL.

The audit tables refuse TRUNCATE through a trigger (migration 0002). Emptying the whole database on
purpose (``flush`` asks for confirmation; the test runner uses it between transactional tests) runs
the TRUNCATE with ``session_replication_role = replica``, under which ordinary triggers do not fire.
Only a superuser may set that, so this opens nothing that a superuser could not do anyway; for any
other role the audit tables still refuse and the flush fails.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DatabaseError, connections, transaction


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        replica = False
        if connection.vendor == "postgresql":
            try:
                with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                    cursor.execute("SET session_replication_role = replica")
                replica = True
            except DatabaseError:
                replica = False
        try:
            super().handle(**options)
        finally:
            if replica:
                with connection.cursor() as cursor:
                    cursor.execute("RESET session_replication_role")
