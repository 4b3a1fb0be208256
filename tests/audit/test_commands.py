from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from samspil.audit.models import AuditChainLink, AuditEvent, AuditSeal
from samspil.core.scoping import unscoped

from .helpers import event_at, record_events, seal, tampering

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit", *args, stdout=out)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_audit_seal__links_due_events_and_says_so() -> None:
    record_events(7)
    code, output = run("seal")
    assert code == 0
    assert output.startswith("Sealed up to seq 7; head ")
    assert AuditChainLink.objects.count() == 7
    assert run("seal")[1].startswith("Sealed up to seq 8")  # the first run's own audit.sealed event


def test_audit_seal__with_nothing_due__says_so() -> None:
    assert run("seal") == (0, "Nothing to seal.\n")


def test_audit_verify__clean_chain__exits_0_with_throughput() -> None:
    record_events(40)
    seal()
    code, output = run("verify")
    assert code == 0
    assert output.startswith("OK. 40 links, 40 events, 1 seals, head seq 40; ")
    assert output.rstrip().endswith("events/s")


def test_audit_verify__tampered_chain__exits_1_and_prints_each_problem_with_its_position() -> None:
    ids = record_events(40)
    seal()
    with tampering():
        AuditEvent.objects.filter(pk=event_at(12)).update(actor_id=7)
        AuditEvent.objects.filter(pk=event_at(30)).delete()
    code, output = run("verify")
    lines = output.splitlines()
    assert code == 1
    assert lines[0].split()[:5] == ["EDITED", "seq", "12", "event", str(ids[11])]
    assert lines[1].split()[:5] == ["DELETED", "seq", "30", "event", str(ids[29])]
    assert lines[2].startswith("FAILED: 2 problem(s). 40 links, 39 events")


def test_audit_verify__json__is_the_whole_report() -> None:
    ids = record_events(10)
    seal()
    with tampering():
        AuditEvent.objects.filter(pk=ids[4]).update(action="auth.logout")
    code, output = run("verify", "--json")
    report = json.loads(output)
    assert code == 1
    assert report["ok"] is False
    assert (report["links"], report["events_checked"], report["seals"]) == (10, 10, 1)
    assert [(p["kind"], p["seq"], p["event_id"]) for p in report["problems"]] == [("edited", 5, ids[4])]


def test_audit_checkpoint_then_verify__finds_a_cut_tail(tmp_path: Path) -> None:
    record_events(20)
    seal(batch_size=10)
    checkpoint_file = tmp_path / "checkpoint.json"
    written = run("checkpoint", "--output", str(checkpoint_file))
    assert written == (0, f"Checkpoint written to {checkpoint_file}\n")
    checkpoint = json.loads(checkpoint_file.read_text())
    assert checkpoint["seq"] == 20
    assert checkpoint["head_hash"] == AuditSeal.objects.get(last_seq=20).head_hash
    assert set(checkpoint) == {"seq", "head_hash", "sealed_at", "algorithm"}
    assert run("verify", "--checkpoint", str(checkpoint_file))[0] == 0
    with tampering():
        tail = list(AuditChainLink.objects.filter(seq__gt=10).values_list("event_id", flat=True))
        AuditChainLink.objects.filter(seq__gt=10).delete()
        AuditEvent.objects.filter(pk__in=tail).delete()
        AuditSeal.objects.filter(last_seq__gt=10).delete()
    assert run("verify")[0] == 0
    code, output = run("verify", "--checkpoint", str(checkpoint_file))
    assert code == 1
    assert output.splitlines()[0].split()[:4] == ["TRUNCATED", "seq", "11", "event"]


def test_audit_checkpoint__to_stdout__is_json() -> None:
    record_events(3)
    seal()
    code, output = run("checkpoint")
    assert code == 0
    assert json.loads(output)["seq"] == 3


def test_audit_verify__unreadable_checkpoint__is_a_clear_error(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(CommandError, match="Cannot read checkpoint"):
        call_command("audit", "verify", "--checkpoint", str(tmp_path / "bad.json"))


def test_flush__empties_the_audit_tables_too() -> None:
    """The test runner flushes between transactional tests (live server); on PostgreSQL the audit
    tables refuse TRUNCATE, so ``flush`` must get past that (here inside the test's transaction)."""
    record_events(3)
    seal()
    call_command("flush", interactive=False, verbosity=0)
    with unscoped("test"):
        counts = (AuditEvent.objects.count(), AuditChainLink.objects.count(), AuditSeal.objects.count())
    assert counts == (0, 0, 0)


def test_audit_verify__workers_option__gives_the_same_report() -> None:
    ids = record_events(30)
    seal()
    with tampering():
        AuditEvent.objects.filter(pk=event_at(17)).update(actor_id=7)
    one_code, one = run("verify", "--workers", "1")
    three_code, three = run("verify", "--workers", "3")
    assert (one_code, three_code) == (1, 1)
    assert one.splitlines()[0] == three.splitlines()[0]
    assert three.splitlines()[0].split()[:5] == ["EDITED", "seq", "17", "event", str(ids[16])]


@pytest.mark.parametrize("value", ["0", "-2", "to"])
def test_audit_verify__workers_below_one__is_refused(value: str) -> None:
    with pytest.raises(CommandError, match="whole number of at least 1"):
        call_command("audit", "verify", "--workers", value, stdout=StringIO())
    with unscoped("test"):
        assert not AuditEvent.objects.filter(action="audit.verified").exists()
