"""The whole procedure through the pages, as the browser test will click it: the frontline worker raises,
the lead contact triages, gathers, assesses, decides on a mentor, and the 6-month review falls due."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from samspil.concerns.models import Concern, ConcernStatus, SignOfConcern

from .helpers import template

S = ConcernStatus


def _concern() -> Concern:
    return Concern.objects.all().scoped().get()


def _date(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).strftime("%d-%m-%Y")


def test_click_path__from_frontline_concern_to_a_due_6_month_review(people, client_for) -> None:
    frontline, lead, nurse = client_for("frontline_worker"), client_for("police_officer"), client_for(
        "psychiatry_nurse"
    )

    # The frontline worker raises the concern from the home page.
    assert "Rejs en bekymring" in frontline.get(reverse("core:home")).content.decode()
    sign = SignOfConcern.objects.get(code="withdrawal")
    response = frontline.post(reverse("concerns:concern_raise"), {
        "subject_kind": "identified", "subject": "Fiktiv Elev, 17 år",
        "observation": "Har trukket sig fra holdet og taler om at straffe de vantro (fiktivt).",
        "signs": [str(sign.pk)], "urgency": "soon", "source": "municipal",
    })
    concern = _concern()
    detail = reverse("concerns:concern_detail", kwargs={"pk": concern.pk})
    assert response["Location"] == detail

    # The lead contact sees it on the home page, receives it, describes and triages it.
    assert concern.reference in lead.get(reverse("core:home")).content.decode()
    assert "Modtag bekymringen" in lead.get(detail).content.decode()
    lead.post(reverse("concerns:concern_receive", kwargs={"pk": concern.pk}))
    describe = reverse("concerns:concern_describe", kwargs={"pk": concern.pk})
    assert "Hvad er der set, sagt eller gjort, og hvornår?" in lead.get(describe).content.decode()
    described = lead.post(describe, {"q_what_happened": "Udtalelser i klassen.", "triage": "amber",
                                     "triage_reason": "Udtalelser, ingen planer.", "version": "1"})
    assert described.status_code == 302
    assert _concern().status == S.GATHERING

    # Information gathering: psychiatry is involved and shares on a legal basis.
    lead.post(reverse("concerns:concern_involve", kwargs={"pk": concern.pk}),
              {"organisation": str(people.region.pk), "reason": "Kendt i psykiatrien"})
    share = reverse("concerns:concern_share", kwargs={"pk": concern.pk})
    assert nurse.post(share,
                      {"organisation": str(people.region.pk), "text": "Kortvarig indlæggelse (fiktivt).",
                              "basis": "rpl-115-2", "justification": "Nødvendigt for vurderingen.",
                              "categories": ["health"], "purpose": "crime_prevention"}).status_code == 302
    lead.post(reverse("concerns:concern_advance", kwargs={"pk": concern.pk}), {"til": "vurdering"})
    assert _concern().status == S.ASSESSMENT

    # Assessment on the dialogue board, then the overall assessment and the decision: a mentor.
    create = reverse("concerns:assessment_create", kwargs={"pk": concern.pk})
    assert "Dialogtavle: risiko over for trivsel" in lead.get(create).content.decode()
    assessed = lead.post(create, {
        "skabelon": str(template().pk),
        "rating__isolation": "2", "reason__isolation": "Har forladt fodboldholdet.",
        "rating__family-support": "2", "reason__family-support": "Moren er engageret.",
        "summary": "Reel bekymring.", "management_plan": "Mentor.",
    })
    assert assessed.status_code == 302
    lead.post(reverse("concerns:concern_advance", kwargs={"pk": concern.pk}), {"til": "beslutning"})
    decide = reverse("concerns:concern_decide", kwargs={"pk": concern.pk})
    assert lead.post(decide,
                     {"overall_assessment": "Reel bekymring, gode ressourcer.", "recommendation": "Mentor.",
                              "decision": "intervention", "intervention_kinds": ["mentor"],
                              "reason": "Eleven vil gerne have en mentor."}).status_code == 302
    assert _concern().status == S.FOLLOW_UP
    assert "Der er sat en indsats i gang for personen." in frontline.get(detail).content.decode()

    # Follow-up: the plan with a goal, the intervention ends, the 6-month review falls due.
    plan = reverse("concerns:plan_edit", kwargs={"pk": concern.pk})
    lead.post(plan, {"handling": "plan", "started_on": _date(330), "planned_end_on": _date(200)})
    lead.post(plan, {"handling": "maal", "text": "Ugentlige møder med mentor",
                     "responsible_organisation": str(people.municipality.pk),
                     "responsible_person": str(people.users["social_worker"].pk)})
    assert "Ugentlige møder med mentor" in lead.get(detail).content.decode()
    lead.post(
        reverse("concerns:plan_end", kwargs={"pk": concern.pk}),
        {"ended_on": _date(200), "note": "Godt forløb."},
    )
    page = lead.get(detail).content.decode()
    assert "Opfølgning efter 6 måneder" in page and "Forfalden" in page
    assert "Registrér opfølgning" in page
    home = lead.get(reverse("core:home")).content.decode()
    assert "Opfølgninger, der er forfaldne" in home and concern.reference in home


def test_describe_page__keeps_the_typed_text_when_someone_else_saved_first(people, client_for) -> None:
    client_for("frontline_worker").post(reverse("concerns:concern_raise"), {
        "subject_kind": "unknown", "observation": "Uro (fiktivt).", "urgency": "normal", "source": "police"})
    concern = _concern()
    describe = reverse("concerns:concern_describe", kwargs={"pk": concern.pk})
    data = {"q_what_happened": "Første udgave.", "triage": "green", "triage_reason": "Lav.", "version": "1"}
    client_for("police_officer").post(describe, data)
    response = client_for("social_worker").post(describe, {**data, "q_what_happened": "Min egen udgave."})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bekymringen er blevet ændret af en anden" in page
    assert "Min egen udgave." in page
    assert _concern().interview["what_happened"] == "Første udgave."
