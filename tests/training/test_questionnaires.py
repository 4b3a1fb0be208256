"""Questionnaires in the browser: once, before the deadline, every item answered; bad input keeps answers;
individual answers only for the participant and the course administrator; the item bank."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.core.scoping import unscoped
from samspil.training.models import Answer, Goal, Item, ItemKind, QuestionnaireKind, Response
from samspil.training.services import TrainingError, item_save, questionnaire_save

from ..conftest import World, verified_client
from .helpers import likert_item, mc_item, questionnaire, respond, seat


@pytest.fixture
def items(db: None) -> list[Item]:
    return [
        mc_item("Hvad er en risikofaktor? (fiktivt)", Goal.G1),
        likert_item("Jeg kender fremgangsmåden", Goal.G3),
    ]


def _responses() -> list[tuple[str, int]]:
    with unscoped("test: read back"):
        return [
            (r.participant.full_name, r.answers.count())
            for r in Response.objects.select_related("participant")
        ]


def _post(client: Client, pre: Any, items: list[Item], *, mc: Any = None, likert: Any = None) -> Any:
    data = {}
    if mc is not None:
        data[f"item_{items[0].pk}"] = mc
    if likert is not None:
        data[f"item_{items[1].pk}"] = likert
    return client.post(reverse("training:questionnaire_answer", args=[pre.pk]), data)


def test_answer__is_saved_once_and_shown_back_to_the_participant(
    world: World, offering: Any, items: list[Item]
) -> None:
    seat(offering, world.users["police_officer"])
    pre = questionnaire(offering, QuestionnaireKind.PRE, items)
    client = verified_client(world.users["police_officer"])
    page = client.get(reverse("training:questionnaire_answer", args=[pre.pk])).content.decode()
    assert '<legend class="form-label">1. Hvad er en risikofaktor? (fiktivt)</legend>' in page
    assert 'type="radio"' in page and "checked" not in page
    key = items[0].options.get(is_correct=True)
    response = _post(client, pre, items, mc=key.pk, likert=4)
    assert response.status_code == 302
    assert _responses() == [("Per Betjent", 2)]
    again = client.get(reverse("training:questionnaire_answer", args=[pre.pk]))
    assert again.status_code == 302
    assert again["Location"].startswith("/kurser/besvarelser/")
    second_post = _post(client, pre, items, mc=key.pk, likert=1)
    assert second_post.status_code == 302
    with unscoped("test: read back"):
        assert list(Answer.objects.exclude(likert_value=None).values_list("likert_value", flat=True)) == [4]


def test_answer__missing_items_keep_the_given_answers_with_a_message(
    world: World, offering: Any, items: list[Item]
) -> None:
    seat(offering, world.users["police_officer"])
    pre = questionnaire(offering, QuestionnaireKind.PRE, items)
    response = _post(verified_client(world.users["police_officer"]), pre, items, likert=4)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Dine svar er ikke sendt" in html
    assert "Vælg et svar." in html
    chosen = re.search(rf'<input[^>]*id="id_item_{items[1].pk}_3"[^>]*>', html)
    assert chosen is not None and "checked" in chosen.group(0) and 'value="4"' in chosen.group(0)
    assert html.count("checked") == 1
    assert _responses() == []


def test_answer__an_option_of_another_item_is_refused(world: World, offering: Any, items: list[Item]) -> None:
    seat(offering, world.users["police_officer"])
    other = mc_item("Et andet spørgsmål (fiktivt)", Goal.G2)
    pre = questionnaire(offering, QuestionnaireKind.PRE, items)
    response = _post(
        verified_client(world.users["police_officer"]), pre, items, mc=other.options.first().pk, likert=2
    )
    assert response.status_code == 400
    assert "Vælg et af svarene." in response.content.decode()
    assert _responses() == []


def test_answer__after_the_deadline_is_closed(world: World, offering: Any, items: list[Item]) -> None:
    seat(offering, world.users["police_officer"])
    pre = questionnaire(
        offering,
        QuestionnaireKind.PRE,
        items,
        opens=timezone.now() - timedelta(days=3),
        deadline=timezone.now() - timedelta(minutes=1),
    )
    client = verified_client(world.users["police_officer"])
    page = client.get(reverse("training:questionnaire_answer", args=[pre.pk]))
    assert page.status_code == 409
    assert "Der kan ikke længere sendes svar." in page.content.decode()
    key = items[0].options.get(is_correct=True)
    assert _post(client, pre, items, mc=key.pk, likert=3).status_code == 409
    assert _responses() == []


def test_answer__by_someone_not_on_the_offering_is_404(
    world: World, offering: Any, items: list[Item]
) -> None:
    seat(offering, world.users["police_officer"])
    pre = questionnaire(offering, QuestionnaireKind.PRE, items)
    key = items[0].options.get(is_correct=True)
    assert (
        _post(verified_client(world.users["social_worker"]), pre, items, mc=key.pk, likert=3).status_code
        == 404
    )
    assert _responses() == []


def test_response__is_visible_to_the_participant_and_the_administrator_only(
    world: World, offering: Any, items: list[Item], admin_client: Client
) -> None:
    enrolment = seat(offering, world.users["police_officer"])
    pre = questionnaire(offering, QuestionnaireKind.PRE, items)
    response = respond(pre, enrolment, {items[0]: True, items[1]: 5})
    url = reverse("training:response_detail", args=[response.pk])
    assert verified_client(world.users["police_officer"]).get(url).status_code == 200
    assert AuditEvent.objects.filter(action=actions.COURSE_RESPONSE_VIEWED).scoped().count() == 0
    for persona in ("coordinator", "social_worker", "dpo", "outsider"):
        assert verified_client(world.users[persona]).get(url).status_code == 404
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Svar fra Per Betjent" in page.content.decode()
    viewed = AuditEvent.objects.filter(action=actions.COURSE_RESPONSE_VIEWED).scoped().get()
    assert (viewed.object_id, viewed.detail) == (
        str(response.pk),
        {"member": world.users["police_officer"].pk},
    )


def test_response__hides_the_key_from_the_participant_until_the_deadline(
    world: World, offering: Any, items: list[Item]
) -> None:
    enrolment = seat(offering, world.users["police_officer"])
    pre = questionnaire(offering, QuestionnaireKind.PRE, items)
    response = respond(pre, enrolment, {items[0]: False, items[1]: 2})
    html = (
        verified_client(world.users["police_officer"])
        .get(reverse("training:response_detail", args=[response.pk]))
        .content.decode()
    )
    assert "De rigtige svar vises, når fristen er udløbet." in html
    assert "Rigtigt?" not in html


def test_item_save__multiple_choice_needs_options_and_a_key(admin: Any) -> None:
    with pytest.raises(TrainingError, match="mellem 2 og 6"):
        item_save(
            actor=admin,
            item=None,
            text="Spørgsmål",
            kind=ItemKind.MULTIPLE_CHOICE,
            goal=Goal.G1,
            is_active=True,
            options=["Kun én"],
            key=0,
        )
    with pytest.raises(TrainingError, match="rigtige"):
        item_save(
            actor=admin,
            item=None,
            text="Spørgsmål",
            kind=ItemKind.MULTIPLE_CHOICE,
            goal=Goal.G1,
            is_active=True,
            options=["A", "B"],
            key=None,
        )
    item = item_save(
        actor=admin,
        item=None,
        text="Spørgsmål",
        kind=ItemKind.MULTIPLE_CHOICE,
        goal=Goal.G1,
        is_active=True,
        options=["A", "B", "C"],
        key=2,
    )
    assert [(o.text, o.is_correct) for o in item.options.order_by("order")] == [
        ("A", False),
        ("B", False),
        ("C", True),
    ]


def test_item_save__an_answered_item_can_only_be_retired(
    world: World, offering: Any, items: list[Item], admin: Any
) -> None:
    enrolment = seat(offering, world.users["police_officer"])
    respond(questionnaire(offering, QuestionnaireKind.PRE, items), enrolment, {items[0]: True, items[1]: 3})
    likert = items[1]
    with pytest.raises(TrainingError, match="besvaret og kan ikke ændres"):
        item_save(
            actor=admin,
            item=likert,
            text="Ny formulering",
            kind=ItemKind.LIKERT,
            goal=Goal.G3,
            is_active=True,
        )
    likert.refresh_from_db()
    assert likert.text == "Jeg kender fremgangsmåden"
    item_save(actor=admin, item=likert, text=likert.text, kind=ItemKind.LIKERT, goal=Goal.G3, is_active=False)
    likert.refresh_from_db()
    assert likert.is_active is False


def test_item_form__keeps_what_was_typed_on_error(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("training:item_create"),
        {
            "text": "Hvad gør man først? (fiktivt)",
            "kind": ItemKind.MULTIPLE_CHOICE,
            "goal": Goal.G3,
            "option_0": "Ringer til politiet",
            "key": "1",
            "is_active": "on",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "mindst 2 svarmuligheder" in html
    assert "Hvad gør man først? (fiktivt)</textarea>" in html
    assert 'value="Ringer til politiet"' in html
    assert Item.objects.count() == 0


def test_questionnaire_save__pre_and_post_only_take_goal_items(offering: Any, admin: Any) -> None:
    satisfaction = likert_item("Kurset var relevant")
    with pytest.raises(TrainingError, match="læringsmål"):
        questionnaire_save(
            actor=admin,
            offering=offering,
            kind=QuestionnaireKind.PRE,
            opens_at=timezone.now(),
            deadline=timezone.now() + timedelta(days=1),
            items=[satisfaction],
        )
    saved = questionnaire_save(
        actor=admin,
        offering=offering,
        kind=QuestionnaireKind.SATISFACTION,
        opens_at=timezone.now(),
        deadline=timezone.now() + timedelta(days=1),
        items=[satisfaction],
    )
    assert list(saved.entries.values_list("item_id", flat=True)) == [satisfaction.pk]


def test_questionnaire_edit_view__saves_items_and_dates(
    offering: Any, items: list[Item], admin_client: Client
) -> None:
    url = reverse("training:questionnaire_edit", args=[offering.pk, "post"])
    response = admin_client.post(
        url,
        {
            "opens_at": "01-01-2030 09:00",
            "deadline": "02-01-2030 16:00",
            "items": [str(items[1].pk), str(items[0].pk)],
        },
    )
    assert response.status_code == 302
    saved = offering.questionnaires.get(kind="post")
    assert sorted(saved.entries.values_list("item_id", flat=True)) == sorted(i.pk for i in items)
    assert timezone.localtime(saved.deadline).strftime("%d-%m-%Y %H:%M") == "02-01-2030 16:00"
    bad = admin_client.post(
        url, {"opens_at": "02-01-2030 09:00", "deadline": "01-01-2030 16:00", "items": []}
    )
    assert bad.status_code == 400
    assert "Fristen skal ligge efter" in bad.content.decode()
