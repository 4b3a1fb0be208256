"""Informing the citizen: told or not; if not, why and a re-evaluation date that becomes a task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samspil.audit.models import Outcome
from samspil.cases.models import Task, TaskStatus
from samspil.cases.selectors import my_open_tasks, overdue_tasks, tasks_of
from samspil.core.scoping import unscoped
from samspil.sharing.models import CitizenInforming, InformingReason
from samspil.sharing.services import SharingRefused, informing_record

from .conftest import events


def record(world, case, persona="police_officer", organisation=None, **fields):
    values = {
        "actor": world.users[persona],
        "case": case,
        "organisation": organisation or world.police,
        "is_informed": False,
        "reason": InformingReason.POLICE_MATTER,
        "reevaluate_on": timezone.localdate() + timedelta(days=30),
    }
    values.update(fields)
    return informing_record(**values)


def records() -> list[CitizenInforming]:
    with unscoped("test"):
        return list(CitizenInforming.objects.order_by("pk"))


def test_not_informed__records_the_reason_and_gives_the_lead_organisation_a_task(world, case):
    due = timezone.localdate() + timedelta(days=30)
    informing = record(world, case, reason_text="Verserende sag (fiktivt)")

    assert records() == [informing]
    assert (informing.is_informed, informing.reason, informing.reevaluate_on) == (False, "police_matter", due)
    [task] = list(tasks_of(case))
    assert informing.task == task
    assert (task.source, task.owner_organisation, task.due_date, task.status) == (
        "informing", world.municipality, due, TaskStatus.OPEN
    )
    [event] = events("case.informing_recorded")
    assert (event.outcome, event.citizen_id, event.detail["task"]) == (
        Outcome.ALLOWED, case.citizen_id, task.pk
    )


def test_not_informed__recorded_by_the_lead_organisation__the_recorder_owns_the_re_evaluation(world, case):
    informing = record(world, case, persona="social_worker", organisation=world.municipality)
    assert (informing.task.owner, informing.task.owner_organisation) == (
        world.users["social_worker"],
        world.municipality,
    )
    assert list(my_open_tasks(world.users["social_worker"])) == [informing.task]


def test_not_informed__recorded_by_another_organisation__the_task_waits_on_the_lead_organisation(world, case):
    informing = record(world, case)  # the police officer; the municipality leads
    assert (informing.task.owner, informing.task.owner_organisation) == (None, world.municipality)


def test_re_evaluation_task__appears_in_the_lead_organisation_s_overdue_list_when_due(world, case):
    informing = record(world, case)
    later = informing.reevaluate_on + timedelta(days=1)
    assert list(overdue_tasks(world.users["social_worker"], today=later)) == [informing.task]
    assert list(overdue_tasks(world.users["police_officer"], today=later)) == []


def test_recording_again__closes_the_old_task(world, case):
    first = record(world, case)
    second = record(world, case, reevaluate_on=timezone.localdate() + timedelta(days=60))
    with unscoped("test"):
        old = Task.objects.get(pk=first.task_id)
    assert old.status == TaskStatus.DONE and old.closed_at is not None
    assert [t.pk for t in tasks_of(case).filter(status=TaskStatus.OPEN)] == [second.task_id]


def test_informed__closes_the_open_task_and_creates_none(world, case):
    first = record(world, case)
    informed = record(
        world, case, is_informed=True, informed_on=timezone.localdate(), reason="", reevaluate_on=None
    )
    assert (informed.is_informed, informed.task, informed.reason) == (True, None, "")
    assert [t.status for t in tasks_of(case)] == [TaskStatus.DONE]
    assert first.task_id is not None


def test_not_informed_without_reason_or_with_a_past_date__refused_and_nothing_changes(world, case):
    with pytest.raises(SharingRefused) as refused:
        record(world, case, reason="", reevaluate_on=timezone.localdate())
    assert refused.value.reasons == [
        "Vælg hvorfor borgeren ikke er orienteret.",
        "Datoen for genvurdering skal ligge efter i dag.",
    ]
    assert records() == [] and list(tasks_of(case)) == []
    [event] = events("case.informing_recorded")
    assert event.outcome == Outcome.DENIED


def test_other_reason__needs_an_explanation(world, case):
    with pytest.raises(SharingRefused) as refused:
        record(world, case, reason=InformingReason.OTHER)
    assert refused.value.reasons == ["Uddyb grunden, når du vælger »Anden grund«."]


def test_informing_page__records_and_explains_missing_answers(world, case, client_for):
    client = client_for("social_worker")
    url = reverse("sharing:informing_record", kwargs={"case_pk": case.pk})
    missing = client.post(url, {"is_informed": "no", "reason_text": "Kan ikke træffes"})
    page = missing.content.decode()
    assert missing.status_code == 200
    assert "Vælg hvorfor borgeren ikke er orienteret." in page
    assert "Angiv hvornår det skal vurderes igen." in page
    assert "Kan ikke træffes" in page
    assert records() == []
    date = (timezone.localdate() + timedelta(days=14)).strftime("%d-%m-%Y")
    saved = client.post(url, {"is_informed": "no", "reason": "not_reached", "reevaluate_on": date})
    assert saved.status_code == 302
    assert [r.reason for r in records()] == ["not_reached"]
