"""Structured assessments: shipped templates as data, versions kept, re-assessments and what changed."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.concerns import services
from samspil.concerns.assessments import Change, compare, definition_problems, factors_of
from samspil.concerns.models import Assessment, AssessmentTemplate, ConcernStatus
from samspil.concerns.services import ConcernError
from samspil.core.scoping import unscoped

from .helpers import assess, at_status, template

S = ConcernStatus


def test_shipped_templates__are_the_dialogue_board_and_the_22_factor_structure(db) -> None:
    board = template("dialogtavle")
    assert [(s["kind"], len(s["factors"])) for s in board.sections] == [("risk", 10), ("protective", 8)]
    factors = template("tilknytning-hensigt-evne")
    assert [(s["title"], len(s["factors"])) for s in factors.sections] == [
        ("Tilknytning", 13), ("Hensigt", 6), ("Evne", 3)]
    assert factors.factor_count == 22
    assert (board.version, board.is_shipped, board.cooperation_id) == (1, True, None)
    assert definition_problems(board.definition) == [] and definition_problems(factors.definition) == []


@pytest.mark.parametrize(
    ("definition", "problem"),
    [
        ([], "Skabelonen skal være et JSON-objekt med »scale« og »sections«."),
        ({"scale": [], "sections": [{"code": "a", "title": "A", "factors": [{"code": "f", "label": "F"}]}]},
         "»scale« skal være en liste med mindst ét trin"),
        ({"scale": [{"value": 0, "label": "Nej"}, {"value": 0, "label": "Ja"}],
          "sections": [{"code": "a", "title": "A", "factors": [{"code": "f", "label": "F"}]}]},
         "To trin i »scale« har samme værdi."),
        ({"scale": [{"value": 0, "label": "Nej"}], "sections": []}, "»sections« skal være en liste"),
        ({"scale": [{"value": 0, "label": "Nej"}],
          "sections": [{"code": "a", "title": "A", "kind": "scary",
                        "factors": [{"code": "f", "label": "F"}]}]},
         "»kind« skal være »risk«, »protective« eller »other«."),
        ({"scale": [{"value": 0, "label": "Nej"}],
          "sections": [{"code": "a", "title": "A",
                        "factors": [{"code": "f", "label": "F"}, {"code": "f", "label": "G"}]}]},
         "Disse faktorkoder bruges mere end én gang: f."),
        ({"scale": [{"value": 0, "label": "Nej"}],
          "sections": [{"code": "a", "title": "A", "factors": [{"code": "Store Bogstaver", "label": "F"}]}]},
         "hver faktor skal have en kode"),
    ],
)
def test_definition_problems__are_explained_in_danish(definition, problem) -> None:
    assert any(problem in p for p in definition_problems(definition))


def _two_assessments(world):
    concern = at_status(world, S.ASSESSMENT)
    first = Assessment.objects.filter(concern=concern).scoped().get()
    second = assess(world, concern, summary="Bekymringen er vokset.", plan="Bekymringssamtale og mentor.",
                    ratings={
        "violence-endorsed": (2, "Har nu delt voldelige videoer."),
        "family-support": (2, "Moren er fortsat meget involveret, nu også faren."),
        "isolation": (1, "Er stoppet til fodbold."),
    })
    return concern, first, second


def test_comparison__says_per_factor_what_changed_and_whether_it_is_worse_or_better(people) -> None:
    _concern, first, second = _two_assessments(people)
    comparison = compare(first, second)
    rows = {row.factor.code: row for row in comparison.factors}
    assert (rows["violence-endorsed"].change, rows["violence-endorsed"].direction) == (Change.HIGHER, "worse")
    assert (rows["violence-endorsed"].before_rating, rows["violence-endorsed"].after_rating) == (
        "I nogen grad", "I høj grad")
    assert rows["family-support"].change == Change.REASON_ONLY
    assert rows["isolation"].change == Change.RATED
    assert rows["grievance"].change == Change.UNCHANGED
    assert comparison.changed_count == 3
    assert (comparison.summary_changed, comparison.management_plan_changed) == (True, False)
    assert [row.factor.code for row in comparison.factors] == [f.code for f in factors_of(first.template)]


def test_lower_resilience__is_worse_and_lower_risk_is_better(people) -> None:
    concern, first, _second = _two_assessments(people)
    third = assess(people, concern, ratings={"violence-endorsed": (0, "Tager nu afstand."),
                                             "family-support": (1, "Konflikt med faren.")})
    rows = {row.factor.code: row for row in compare(first, third).factors}
    assert (rows["violence-endorsed"].change, rows["violence-endorsed"].direction) == (Change.LOWER, "better")
    assert (rows["family-support"].change, rows["family-support"].direction) == (Change.LOWER, "worse")


def test_new_template_version__leaves_old_assessments_on_their_version_and_compares_by_factor_code(
    people
) -> None:
    concern, first, _second = _two_assessments(people)
    board = template("dialogtavle")
    definition = json.loads(json.dumps(board.definition))
    definition["sections"][0]["factors"] = [
        f for f in definition["sections"][0]["factors"] if f["code"] != "means"
    ]
    definition["sections"][0]["factors"].append(
        {"code": "online-radicalisation", "label": "Radikaliseres online"}
    )
    with unscoped("test"):
        AssessmentTemplate.objects.create(
            code="dialogtavle", version=2, name=board.name, definition=definition
        )
    v2 = template("dialogtavle")
    third = services.assessment_record(actor=people.users["social_worker"], concern=concern, template=v2,
                                       ratings={
                                           "online-radicalisation": (2, "Mange timer i lukkede grupper.")
                                       },
                                       summary="S", management_plan="P")
    first = Assessment.objects.filter(pk=first.pk).scoped().get()
    assert (first.template.version, third.template.version) == (1, 2)
    rows = {row.factor.code: row for row in compare(first, third).factors}
    assert rows["online-radicalisation"].change == Change.ADDED
    assert rows["means"].change == Change.REMOVED
    assert rows["violence-endorsed"].change == Change.UNRATED


def test_old_template_version__can_no_longer_be_used_for_a_new_assessment(people) -> None:
    concern = at_status(people, S.ASSESSMENT)
    board = template("dialogtavle")
    with unscoped("test"):
        AssessmentTemplate.objects.create(
            code="dialogtavle", version=2, name=board.name, definition=board.definition
        )
    with pytest.raises(ConcernError, match="Skabelonen er ikke i brug i samarbejdet"):
        services.assessment_record(actor=people.users["social_worker"], concern=concern, template=board,
                                   ratings={"isolation": (1, "Grund.")}, summary="S", management_plan="P")


def test_compare_page__shows_the_changes_factor_by_factor_and_is_audited(people, client_for) -> None:
    concern, first, second = _two_assessments(people)
    url = reverse("concerns:assessment_compare", kwargs={"pk": concern.pk})
    page = client_for("police_officer").get(url).content.decode()
    assert "Vurdering 1 sammenlignet med Vurdering 2: 3 faktorer har ændret sig." in page
    assert "Har nu delt voldelige videoer." in page
    assert "Samme vurdering, ny begrundelse" in page
    only = client_for("police_officer").get(url, {"fra": first.pk, "til": second.pk, "kun": "aendringer"})
    assert "Fastlåst oplevelse af krænkelse" not in only.content.decode()
    with unscoped("test reads the log"):
        compared = AuditEvent.objects.filter(action=actions.CONCERN_ASSESSMENTS_COMPARED)
        events = list(compared.values_list("detail", flat=True))
    assert events == [{"reference": concern.reference, "before": 1, "after": 2}] * 2


def test_assessment_form__is_prefilled_from_the_previous_one_and_a_missing_reason_keeps_the_input(
    people, client_for
) -> None:
    concern = at_status(people, S.ASSESSMENT)
    url = reverse("concerns:assessment_create", kwargs={"pk": concern.pk})
    client = client_for("psychiatry_nurse")
    page = client.get(url).content.decode()
    assert "Har udtalt sig positivt om vold." in page
    assert "Felterne er udfyldt med vurdering 1." in page
    response = client.post(url, {"skabelon": template().pk, "rating__isolation": "2", "reason__isolation": "",
                                 "summary": "Min sammenfatning", "management_plan": "Min plan"})
    body = response.content.decode()
    assert response.status_code == 200
    factor = "Isolation fra familie, venner, skole eller arbejde"
    assert f"Skriv en begrundelse for vurderingen af »{factor}«." in body
    assert "Min sammenfatning" in body
    assert Assessment.objects.filter(concern=concern).scoped().count() == 1


def test_template_form__refuses_bad_json_with_the_text_kept_and_makes_new_versions(
    people, client_for
) -> None:
    client = client_for("coordinator")
    url = reverse("concerns:template_create")
    bad = '{"scale": [}'
    response = client.post(url, {"scope": str(people.cooperation.pk), "code": "egen", "name": "Egen",
                                 "definition": bad})
    assert "Skabelonen er ikke gyldig JSON (linje 1, kolonne 12)" in response.content.decode()
    assert not AssessmentTemplate.objects.filter(code="egen").exists()
    good = json.dumps({"scale": [{"value": 0, "label": "Nej"}, {"value": 1, "label": "Ja"}],
                       "sections": [{"code": "a", "title": "Risiko", "kind": "risk",
                                     "factors": [{"code": "f1", "label": "Faktor 1"}]}]})
    for _ in range(2):
        client.post(
            url, {"scope": str(people.cooperation.pk), "code": "egen", "name": "Egen", "definition": good}
        )
    assert list(AssessmentTemplate.objects.filter(code="egen").values_list("version", "cooperation_id")) == [
        (2, people.cooperation.pk), (1, people.cooperation.pk)]
    refused = client_for("outsider").post(url, {"scope": str(people.other_cooperation.pk), "code": "egen",
                                                "name": "Andens", "definition": good})
    assert "Koden bruges allerede af en anden skabelon." in refused.content.decode()
    shipped = client.post(url, {"scope": str(people.cooperation.pk), "code": "dialogtavle", "name": "Min",
                                "definition": good})
    assert "Koden bruges allerede af en anden skabelon." in shipped.content.decode()
    assert AssessmentTemplate.objects.filter(code="dialogtavle").count() == 1


def test_cooperations_own_template__is_offered_there_only(people) -> None:
    from samspil.concerns.selectors import templates_in_use

    definition = {"scale": [{"value": 0, "label": "Nej"}],
                  "sections": [{"code": "a", "title": "A", "factors": [{"code": "f", "label": "F"}]}]}
    services.template_create(actor=people.users["coordinator"], cooperation=people.cooperation, code="lokal",
                             name="Lokal", description="", definition=definition)
    assert "lokal" in [t.code for t in templates_in_use(people.cooperation.pk)]
    assert "lokal" not in [t.code for t in templates_in_use(people.other_cooperation.pk)]
