"""On PostgreSQL the audit tables are append-only: row triggers refuse UPDATE and DELETE, a statement
trigger refuses TRUNCATE, whoever asks. A no-op on SQLite (the embedded development database).

Somebody with owner rights can still disable the triggers; the hash chain (audit verify) is what
detects that. In production the application's role should also lack UPDATE, DELETE and TRUNCATE
privileges on these tables.
"""

from django.db import migrations

TABLES = ("audit_auditevent", "audit_auditchainlink", "audit_auditseal")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION samspil_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'samspil audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def forward_sql():
    yield CREATE_FUNCTION
    for table in TABLES:
        yield (
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION samspil_audit_append_only();"
        )
        yield (
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION samspil_audit_append_only();"
        )


def reverse_sql():
    for table in TABLES:
        yield f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"
        yield f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
    yield "DROP FUNCTION IF EXISTS samspil_audit_append_only();"


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements():
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run(forward_sql), _run(reverse_sql), elidable=False),
    ]
