"""Every page of the course administrator renders for them (the matrix shows everyone else is refused)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ..conftest import World, verified_client
from .helpers import TrainingObjects, training_objects

ADMIN_PAGES = [
    ("training:course_list", lambda t: {}),
    ("training:my_training", lambda t: {}),
    ("training:course_create", lambda t: {}),
    ("training:course_detail", lambda t: {"pk": t.course.pk}),
    ("training:course_edit", lambda t: {"pk": t.course.pk}),
    ("training:day_create", lambda t: {"pk": t.course.pk}),
    ("training:day_edit", lambda t: {"pk": t.course.days.first().pk}),
    ("training:session_create", lambda t: {"pk": t.course.days.first().pk}),
    ("training:session_edit", lambda t: {"pk": t.course.days.first().sessions.first().pk}),
    ("training:module_create", lambda t: {"pk": t.course.days.first().sessions.first().pk}),
    ("training:module_edit", lambda t: {"pk": t.presenter.modules.first().pk}),
    ("training:presenter_list", lambda t: {}),
    ("training:presenter_create", lambda t: {}),
    ("training:presenter_edit", lambda t: {"pk": t.presenter.pk}),
    ("training:offering_create", lambda t: {"pk": t.course.pk}),
    ("training:offering_detail", lambda t: {"pk": t.offering.pk}),
    ("training:offering_edit", lambda t: {"pk": t.offering.pk}),
    ("training:participants", lambda t: {"pk": t.offering.pk}),
    ("training:attendance", lambda t: {"pk": t.held.pk}),
    ("training:completion_exception", lambda t: {"pk": t.held_enrolment.pk}),
    ("training:certificate", lambda t: {"pk": t.completion.pk}),
    ("training:completion_revoke", lambda t: {"pk": t.completion.pk}),
    ("training:attestation_list", lambda t: {}),
    ("training:external_create", lambda t: {}),
    ("training:item_list", lambda t: {}),
    ("training:item_create", lambda t: {}),
    ("training:item_edit", lambda t: {"pk": t.item.pk}),
    ("training:questionnaire_edit", lambda t: {"pk": t.offering.pk, "kind": "pre"}),
    ("training:questionnaire_edit", lambda t: {"pk": t.offering.pk, "kind": "satisfaction"}),
    ("training:response_detail", lambda t: {"pk": t.response.pk}),
    ("training:offering_results", lambda t: {"pk": t.held.pk}),
    ("training:item_analysis", lambda t: {"pk": t.held.pk}),
    ("training:course_results", lambda t: {"pk": t.course.pk}),
    ("training:staff_time", lambda t: {}),
    ("training:material_list", lambda t: {"pk": t.course.pk}),
    ("training:material_upload", lambda t: {"pk": t.course.pk}),
    ("training:material_download", lambda t: {"pk": t.material.pk}),
]


@pytest.mark.parametrize(
    ("name", "kwargs"), ADMIN_PAGES, ids=[f"{n}-{i}" for i, (n, _k) in enumerate(ADMIN_PAGES)]
)
def test_administrator_page__renders(world: World, name: str, kwargs: Any) -> None:
    objects: TrainingObjects = training_objects(world)
    response = verified_client(objects.admin).get(reverse(name, kwargs=kwargs(objects)))
    assert response.status_code == 200, name


def test_questionnaire_edit__an_unknown_kind_is_404(world: World) -> None:
    objects = training_objects(world)
    url = reverse("training:questionnaire_edit", kwargs={"pk": objects.offering.pk, "kind": "andet"})
    assert verified_client(objects.admin).get(url).status_code == 404


def test_home_panel__shows_the_training_status_and_open_questionnaires(world: World) -> None:
    objects = training_objects(world)
    html = verified_client(world.users["police_officer"]).get(reverse("core:home")).content.decode()
    assert "Du opfylder uddannelseskravet" in html
    assert f'href="{reverse("training:questionnaire_answer", args=[objects.pre.pk])}"' in html
    other = verified_client(world.users["social_worker"]).get(reverse("core:home")).content.decode()
    assert "Du opfylder ikke uddannelseskravet" in other
