"""Raising a concern: one short page, at most five required inputs, emergency guidance, no red tape."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.models import AuditEvent, Outcome
from samspil.concerns.forms import RaiseForm
from samspil.concerns.models import Concern, ConcernStatus, SignOfConcern
from samspil.concerns.selectors import signs_shown
from samspil.concerns.services import raising_memberships
from samspil.core.roles import Role
from samspil.core.scoping import unscoped
from samspil.organisations.selectors import forget_memberships

from ..factories import CaseFactory, MembershipFactory
from .helpers import raise_concern

RAISE = reverse("concerns:concern_raise")
GUIDANCE = '<div class="alert alert-error samspil-emergency" role="alert" id="emergency-guidance"'
MINIMAL = {"subject_kind": "unknown", "observation": "Eleven taler om at straffe de vantro (fiktivt).",
           "urgency": "normal", "source": "municipal"}


def _concerns() -> list[Concern]:
    with unscoped("test reads every concern"):
        return list(Concern.objects.order_by("pk"))


def _events(action: str) -> list[AuditEvent]:
    with unscoped("test reads the log"):
        return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def _required(form: RaiseForm) -> set[str]:
    return {name for name, field in form.fields.items() if field.required}


def test_raise_form__asks_for_four_required_inputs_and_five_with_several_cooperations(world) -> None:
    frontline = world.users["frontline_worker"]
    memberships = raising_memberships(frontline)
    signs = list(signs_shown(world.cooperation.pk))
    assert _required(RaiseForm(memberships=memberships, signs=signs, cases=[])) == {
        "subject_kind", "observation", "urgency", "source",
    }
    MembershipFactory(user=frontline, organisation=world.other_municipality,
                      cooperation=world.other_cooperation,
                      role=Role.FRONTLINE_WORKER)
    forget_memberships(frontline)
    memberships = raising_memberships(frontline)
    assert len(memberships) == 2
    assert _required(RaiseForm(memberships=memberships, signs=signs, cases=[])) == {
        "membership", "subject_kind", "observation", "urgency", "source",
    }


def test_frontline_worker__raises_a_concern_with_the_four_inputs_and_sees_its_status(
    world, client_for
) -> None:
    client = client_for("frontline_worker")
    response = client.post(RAISE, MINIMAL)
    [concern] = _concerns()
    assert response.status_code == 302
    assert response["Location"] == reverse("concerns:concern_detail", kwargs={"pk": concern.pk})
    assert concern.reference == f"B-{timezone.localdate().year}-0001"
    assert concern.status == ConcernStatus.RECEIVED
    assert concern.raised_by == world.users["frontline_worker"]
    assert concern.raised_by_organisation == world.municipality
    assert concern.observation == MINIMAL["observation"]
    assert concern.step_due_at is not None
    page = client.get(response["Location"]).content.decode()
    assert f"Bekymringen er registreret som {concern.reference}" in page
    assert "Modtaget. Bekymringen venter på, at en tovholder tager den." in page
    [event] = _events(actions.CONCERN_RAISED)
    assert event.detail == {"reference": concern.reference, "urgency": "normal", "source": "municipal",
                            "subject_kind": "unknown", "signs": 0, "case": None}


def test_acute_concern__shows_the_emergency_guidance_and_is_still_recorded(world, client_for) -> None:
    client = client_for("frontline_worker")
    response = client.post(RAISE, {**MINIMAL, "urgency": "acute"}, follow=True)
    [concern] = _concerns()
    assert concern.urgency == "acute"
    page = response.content.decode()
    assert "Er der fare lige nu? Ring 112." in page
    assert "ring til politiet på 114" in page


def test_acute_concern_with_a_missing_input__shows_the_guidance_and_keeps_the_text(world, client_for) -> None:
    response = client_for("frontline_worker").post(RAISE, {**MINIMAL, "urgency": "acute", "source": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{GUIDANCE}>" in page  # shown, not hidden
    assert "Er der fare lige nu? Ring 112." in page
    assert "Vælg hvor bekymringen kommer fra." in page
    assert "Eleven taler om at straffe de vantro (fiktivt)." in page
    assert _concerns() == []


def test_bad_input__gets_danish_messages_for_every_field_and_nothing_is_saved(world, client_for) -> None:
    response = client_for("frontline_worker").post(RAISE, {"subject": "Fiktiv Elev, 16 år"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{GUIDANCE} hidden>" in page  # not acute: the guidance waits, hidden, for the script
    for message in ("Vælg hvem bekymringen drejer sig om.", "Feltet skal udfyldes.",
                    "Vælg hvor meget det haster.",
                    "Vælg hvor bekymringen kommer fra."):
        assert message in page
    assert 'value="Fiktiv Elev, 16 år"' in page
    assert _concerns() == []


def test_too_long_observation__is_refused_with_the_text_kept(world, client_for) -> None:
    text = "x" * 5001
    response = client_for("frontline_worker").post(RAISE, {**MINIMAL, "observation": text})
    page = response.content.decode()
    assert "Teksten er for lang: højst 5000 tegn, du har skrevet 5001." in page
    assert text in page
    assert _concerns() == []


def test_identified_person_without_a_name__is_refused_with_a_message(world, client_for) -> None:
    response = client_for("frontline_worker").post(RAISE, {**MINIMAL, "subject_kind": "identified"})
    assert "Skriv hvem personen er, fx navn og alder." in response.content.decode()
    assert _concerns() == []


def test_signs__are_offered_as_optional_help_and_saved_without_any_score(world, client_for) -> None:
    client = client_for("frontline_worker")
    page = client.get(RAISE).content.decode()
    assert "Det er ikke en tjekliste." in page
    assert "Personens egen adfærd og udtryk" in page and "Relationer og netværk" in page
    signs = list(SignOfConcern.objects.filter(code__in=["withdrawal", "violence-talk"]).order_by("pk"))
    client.post(RAISE, {**MINIMAL, "signs": [str(s.pk) for s in signs]})
    [concern] = _concerns()
    assert sorted(concern.signs.values_list("code", flat=True)) == ["violence-talk", "withdrawal"]
    assert "score" not in page.lower() and "point" not in page.lower()


def test_hidden_sign__is_not_offered_and_is_refused_when_posted_anyway(world, client_for) -> None:
    from samspil.concerns.models import ConcernSettings

    ConcernSettings.objects.create(cooperation=world.cooperation, hidden_signs=["conflict-zone"])
    hidden = SignOfConcern.objects.get(code="conflict-zone")
    client = client_for("frontline_worker")
    assert hidden.label not in client.get(RAISE).content.decode()
    response = client.post(RAISE, {**MINIMAL, "signs": [str(hidden.pk)]})
    assert "Vælg kun blandt de viste tegn." in response.content.decode()
    assert _concerns() == []


def test_data_protection_officer__may_not_raise_and_the_denial_is_audited(world, client_for) -> None:
    response = client_for("dpo").post(RAISE, MINIMAL)
    assert response.status_code == 403
    assert _concerns() == []
    [denial] = [e for e in _events(actions.ACCESS_DENIED) if e.actor_id == world.users["dpo"].pk]
    assert denial.outcome == Outcome.DENIED
    assert denial.detail["needed"] == "concern.raise"


def test_references__run_per_cooperation_and_year(world) -> None:
    first = raise_concern(world)
    second = raise_concern(world, "social_worker")
    elsewhere = raise_concern(world, "outsider", cooperation=world.other_cooperation)
    year = timezone.localdate().year
    assert (first.reference, second.reference) == (f"B-{year}-0001", f"B-{year}-0002")
    assert elsewhere.reference == f"B-{year}-0001"


def test_known_case__is_offered_only_among_the_cases_the_raiser_knows(world, client_for) -> None:
    frontline = world.users["frontline_worker"]
    referred = CaseFactory(cooperation=world.cooperation, referred_by=frontline, pseudonym="Borger S-7001")
    CaseFactory(cooperation=world.cooperation, pseudonym="Borger S-7002")
    client = client_for("frontline_worker")
    page = client.get(RAISE).content.decode()
    assert "Borger S-7001" in page and "Borger S-7002" not in page
    client.post(RAISE, {**MINIMAL, "subject_kind": "case", "case": str(referred.pk)})
    [concern] = _concerns()
    assert concern.case == referred


def test_audit_event_of_raising__holds_no_personal_data(world) -> None:
    concern = raise_concern(world, subject="Fiktiv Fornavn Efternavn")
    [event] = _events(actions.CONCERN_RAISED)
    assert "Fiktiv Fornavn" not in str(event.detail)
    assert concern.observation not in str(event.detail)
    assert event.object_id == str(concern.pk)
