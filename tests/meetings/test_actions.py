"""Actions become tasks; open actions carry over to later meetings until reviewed with a reason; a meeting
cannot close while carried-over actions are neither reviewed nor deferred."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions as codes
from samspil.cases.models import Task, TaskStatus
from samspil.cases.selectors import my_open_tasks
from samspil.meetings.models import Action, ActionReview, ActionStatus, MeetingStatus, ReviewOutcome
from samspil.meetings.selectors import carried_over_actions
from samspil.organisations.models import GroupKind

from .helpers import acknowledge, action_on, events, item_on, meeting_in, psp_case, series_of


def _open(world, **kwargs):
    meeting = meeting_in(world, status=MeetingStatus.OPEN, starts_at=timezone.now(), **kwargs)
    acknowledge(meeting, world.users["coordinator"])
    return meeting


def _earlier(world, case, organisation, **kwargs):
    closed = meeting_in(world, status=MeetingStatus.CLOSED, starts_at=timezone.now() - timedelta(days=35))
    return action_on(item_on(closed, case=case), organisation, **kwargs)


def test_recorded_action__becomes_a_task_in_the_owners_task_list(world, client_for, case) -> None:
    meeting = _open(world)
    item = item_on(meeting, case=case)
    due = timezone.localdate() + timedelta(days=14)
    response = client_for("coordinator").post(
        reverse("meetings:action_add", args=[item.pk]),
        {
            "organisation": world.police.pk,
            "owner": world.users["police_officer"].pk,
            "what": "Politiet aflægger hjemmebesøg (fiktivt).",
            "due_date": due.strftime("%d-%m-%Y"),
        },
    )
    assert response.status_code == 302
    [action] = Action.objects.scoped().all()
    task = action.task
    assert (task.case, task.title, task.owner_organisation, task.owner, task.due_date, task.source) == (
        case,
        "Politiet aflægger hjemmebesøg (fiktivt).",
        world.police,
        world.users["police_officer"],
        due,
        "meeting",
    )
    assert list(my_open_tasks(world.users["police_officer"])) == [task]
    assert len(events(codes.CASE_TASK_ADDED)) == 1 and len(events(codes.MEETING_ACTION_RECORDED)) == 1
    home = client_for("police_officer").get(reverse("core:home")).content.decode()
    assert "Politiet aflægger hjemmebesøg (fiktivt)." in home


def test_action_for_an_organisation_not_involved__is_refused_keeping_the_input(world, client_for) -> None:
    case = psp_case(world, involved=("police", "municipality"), identified=True)
    meeting = _open(world)
    item = item_on(meeting, case=case)
    response = client_for("coordinator").post(
        reverse("meetings:action_add", args=[item.pk]),
        {
            "organisation": world.region.pk,
            "what": "Psykiatrien indkalder (fiktivt).",
            "due_date": "",
        },
    )
    assert response.status_code == 400
    assert "Psykiatrien indkalder (fiktivt)." in response.content.decode()
    assert not Action.objects.scoped().exists() and not Task.objects.scoped().exists()


def test_bad_due_date__is_refused_with_a_danish_message_and_the_text_kept(world, client_for, case) -> None:
    item = item_on(_open(world), case=case)
    response = client_for("coordinator").post(
        reverse("meetings:action_add", args=[item.pk]),
        {
            "organisation": world.police.pk,
            "what": "Ring op (fiktivt).",
            "due_date": "31-02-2026",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Skriv datoen som dd-mm-åååå" in page and "Ring op (fiktivt)." in page


def test_open_action__appears_at_the_next_meeting_with_the_case_and_in_the_standing_section(
    world, client_for, case
) -> None:
    action = _earlier(world, case, world.police, what="Hjemmebesøg inden næste møde (fiktivt).")
    meeting = _open(world)
    item_on(meeting, case=case)
    page = client_for("coordinator").get(reverse("meetings:minutes", args=[meeting.pk])).content.decode()
    items, standing = page.split('id="opfoelgning"')
    assert "Hjemmebesøg inden næste møde (fiktivt)." in items.split(f'id="punkt-{meeting.items.get().pk}"')[1]
    assert "Hjemmebesøg inden næste møde (fiktivt)." in standing
    assert "Mangler opfølgning" in items and "Opfølgning på handlinger" in standing
    assert [a.pk for a in carried_over_actions(meeting)] == [action.pk]


def test_open_action__is_carried_by_its_series_and_by_any_meeting_with_the_case_on_the_agenda(
    world, case
) -> None:
    action = _earlier(world, case, world.police)
    same_series = meeting_in(world)
    other_series = series_of(world, kind=GroupKind.OTHER)
    without_case, with_case = meeting_in(world, series=other_series), meeting_in(world, series=other_series)
    item_on(with_case, case=case)
    assert [a.pk for a in carried_over_actions(same_series)] == [action.pk]
    assert list(carried_over_actions(without_case)) == []
    assert [a.pk for a in carried_over_actions(with_case)] == [action.pk]


def test_reviewing_as_done__closes_the_action_and_its_task(world, client_for, case) -> None:
    action = _earlier(world, case, world.police, owner=world.users["police_officer"])
    meeting = _open(world)
    response = client_for("coordinator").post(
        reverse("meetings:action_review", args=[meeting.pk, action.pk]),
        {"outcome": ReviewOutcome.DONE, "reason": "Besøget er gennemført (fiktivt)."},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    action.task.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.task.status == TaskStatus.DONE
    [changed] = events(codes.CASE_TASK_STATUS_CHANGED)  # on the citizen's access log like any task change
    assert (changed.citizen_id, changed.detail["to"], changed.detail["meeting"]) == (
        case.citizen_id,
        TaskStatus.DONE,
        meeting.pk,
    )
    [review] = ActionReview.objects.scoped().all()
    assert (review.meeting, review.outcome, review.reason) == (
        meeting,
        ReviewOutcome.DONE,
        "Besøget er gennemført (fiktivt).",
    )
    assert [a.pk for a in carried_over_actions(meeting)] == [action.pk]  # stays in this meeting's record
    assert list(carried_over_actions(meeting_in(world, starts_at=timezone.now() + timedelta(days=30)))) == []


def test_not_undertaken__keeps_the_reason_on_the_task(world, client_for, case) -> None:
    action = _earlier(world, case, world.region)
    meeting = _open(world)
    client_for("coordinator").post(
        reverse("meetings:action_review", args=[meeting.pk, action.pk]),
        {
            "outcome": ReviewOutcome.NOT_UNDERTAKEN,
            "reason": "Ikke prioriteret i afdelingen (fiktivt).",
        },
    )
    action.task.refresh_from_db()
    assert (action.task.status, action.task.status_reason) == (
        TaskStatus.NOT_UNDERTAKEN,
        "Ikke prioriteret i afdelingen (fiktivt).",
    )


def test_review_without_reason__is_refused_and_nothing_changes(world, client_for, case) -> None:
    action = _earlier(world, case, world.police)
    meeting = _open(world)
    response = client_for("coordinator").post(
        reverse("meetings:action_review", args=[meeting.pk, action.pk]),
        {"outcome": ReviewOutcome.NOT_POSSIBLE, "reason": ""},
    )
    assert response.status_code == 400
    assert "Feltet skal udfyldes." in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN and not ActionReview.objects.scoped().exists()


def test_meeting_with_unreviewed_carried_actions__cannot_close(world, client_for, case) -> None:
    _earlier(world, case, world.police)
    meeting = _open(world)
    response = client_for("coordinator").post(reverse("meetings:meeting_close", args=[meeting.pk]))
    assert response.status_code == 400
    assert "1 handling(er) fra tidligere møder er hverken fulgt op" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.OPEN
    assert events(codes.MEETING_CLOSED) == []


def test_deferring_the_rest_with_a_reason__closes_and_carries_them_to_the_next_meeting(
    world, client_for, case
) -> None:
    action = _earlier(world, case, world.police)
    meeting = _open(world)
    response = client_for("coordinator").post(
        reverse("meetings:meeting_close", args=[meeting.pk]),
        {"defer_reason": "Ikke nået; tages op næste gang (fiktivt)."},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED and meeting.closed_by == world.users["coordinator"]
    [review] = ActionReview.objects.scoped().all()
    assert (review.outcome, review.reason) == (
        ReviewOutcome.DEFERRED,
        "Ikke nået; tages op næste gang (fiktivt).",
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    following = meeting_in(world, starts_at=timezone.now() + timedelta(days=30))
    assert [a.pk for a in carried_over_actions(following)] == [action.pk]


def test_task_closed_on_the_case__still_comes_up_for_review_at_the_meeting(world, client_for, case) -> None:
    action = _earlier(world, case, world.police)
    Task.objects.scoped().filter(pk=action.task_id).update(status=TaskStatus.DONE)
    meeting = _open(world)
    item_on(meeting, case=case)
    page = client_for("coordinator").get(reverse("meetings:minutes", args=[meeting.pk])).content.decode()
    assert "Opgaven er markeret »Udført« på sagen." in page
    assert [a.pk for a in carried_over_actions(meeting)] == [action.pk]


def test_carried_action_on_a_case_the_viewer_may_not_see__shows_as_restricted(
    world, client_for, police_case
) -> None:
    _earlier(world, police_case, world.police, what="Politiet undersøger våbenbesiddelse (fiktivt).")
    meeting = _open(world)
    acknowledge(meeting, world.users["social_worker"])
    page = client_for("social_worker").get(reverse("meetings:minutes", args=[meeting.pk])).content.decode()
    assert "våbenbesiddelse" not in page and "Borger M-2002" not in page
    assert "Begrænset" in page and "Testrup Politi (fiktiv)" in page
