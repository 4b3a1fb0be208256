"""Demo concerns: one fictitious concern in every step and with every outcome, and earlier concerns so
that Infohus Netværk has figures. Idempotent: a concern is recognised by its demo subject and never made
twice; lead contacts and training are only added where missing.

Call ``seed_concerns(cooperation, personas)`` with the demo cooperation and a mapping from persona key to
user that holds at least ``coordinator``, ``police_officer``, ``social_worker``, ``psychiatry_nurse`` and
``frontline_worker``. It returns what it created, one line each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from samspil.core.scoping import unscoped
from samspil.organisations.models import Cooperation, CooperationOrganisation, Membership, Sector
from samspil.training.selectors import has_valid_radicalisation_training
from samspil.training.services import attestation_grant_waiver

from . import services
from .models import AssessmentTemplate, Concern, Decision, LeadContact, Triage

LEAD_PERSONAS = ("police_officer", "social_worker")
TRAINED_PERSONAS = ("police_officer", "social_worker", "psychiatry_nurse")
DECISION_REASONS: dict[str, str] = {
    Decision.UNFOUNDED: "Udtalelserne var et led i en skoleopgave; ingen grund til bekymring.",
    Decision.INTERVENTION: "Personen og familien vil gerne tage imod en mentor.",
    Decision.POLICE: "Konkrete trusler mod en navngiven person; politiet overtager.",
}
OBSERVATION = (
    "Har over nogle uger talt mere og mere om, at vold er den eneste måde at blive hørt på, og viser "
    "videoer fra en ekstrem gruppe til de andre (fiktivt demoeksempel)."
)


def _membership(user: Any, cooperation: Cooperation) -> Membership:
    return Membership.objects.filter(user=user, cooperation=cooperation, is_active=True).select_related(
        "organisation", "cooperation").order_by("pk").first()  # type: ignore[return-value]


def _organisation(cooperation: Cooperation, sector: str) -> Any:
    participation = (
        CooperationOrganisation.objects.filter(cooperation=cooperation, sector=sector)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    return participation.organisation if participation else None


class _Demo:
    def __init__(self, cooperation: Cooperation, personas: Mapping[str, Any]) -> None:
        self.cooperation = cooperation
        self.people = personas
        self.lead = personas["social_worker"]
        self.police_lead = personas["police_officer"]
        self.created: list[str] = []

    def raise_(self, subject: str, *, raiser: str = "frontline_worker", urgency: str = "soon",
               subject_kind: str = "identified") -> Concern:
        user = self.people[raiser]
        return services.concern_raise(
            actor=user, membership=_membership(
                user, self.cooperation
            ), subject_kind=subject_kind, subject=subject,
            observation=OBSERVATION, urgency=urgency, source="municipal",
        )

    def describe(self, concern: Concern, triage: str = Triage.AMBER) -> Concern:
        concern.refresh_from_db()
        return services.concern_describe(
            actor=self.lead, concern=concern, triage=triage,
            triage_reason="Tydelige udtalelser, ingen kendte planer.",
            interview={"what_happened": "Udtalelser i klassen og på sociale medier over tre uger.",
                       "resources": "Mor og storebror er støttende; går til boksning.",
                       "known_to": "Kendt af psykiatrien fra en kort indlæggelse."},
            version=concern.version,
        )

    def gather(self, concern: Concern) -> Concern:
        concern = self.describe(concern)
        region = _organisation(self.cooperation, Sector.PSYCHIATRY)
        if region is not None:
            services.concern_involve(actor=self.lead, concern=concern, organisation=region,
                                     reason="Har haft kontakt med psykiatrien")
            services.concern_disclose(
                actor=self.people["psychiatry_nurse"], concern=concern, organisation=region,
                text="Var kortvarigt indlagt sidste år; kom i ambulant behandling bagefter (fiktivt).",
                basis_code="rpl-115-2", justification="Nødvendigt for at vurdere sårbarhed og ressourcer.",
                categories=["health"],
            )
        return concern

    def assess(self, concern: Concern, number: int = 1) -> None:
        board = AssessmentTemplate.objects.filter(code="dialogtavle").order_by("-version").first()
        assert board is not None
        ratings = {
            "violence-endorsed": (number, "Har delt og rost voldelige videoer."),
            "isolation": (1, "Er stoppet til boksning for nylig."),
            "family-support": (2, "Moren er meget engageret og vil gerne samarbejde."),
            "school-work": (2 if number == 1 else 1, "Møder i skolen, men med fravær."),
        }
        services.assessment_record(
            actor=self.lead, concern=concern, template=board, ratings=ratings,
            summary="Reel bekymring; stærke ressourcer i familien." if number == 1 else
            "Bekymringen er vokset siden sidst; familien er fortsat en ressource.",
            management_plan="Bekymringssamtale med mor til stede, derefter mentor.",
        )

    def to_decision(self, concern: Concern, *, assessments: int = 1) -> Concern:
        concern = self.gather(concern)
        concern = services.concern_advance(actor=self.lead, concern=concern, to_status="assessment")
        for number in range(1, assessments + 1):
            self.assess(concern, number)
        return services.concern_advance(actor=self.lead, concern=concern, to_status="decision")

    def decide(self, concern: Concern, decision: str, kinds: list[str] | None = None) -> Concern:
        return services.concern_decide(
            actor=self.lead, concern=concern, decision=decision,
            overall_assessment="Samlet set en reel bekymring, men med gode ressourcer omkring personen.",
            recommendation="Mentor fra det nationale korps i et halvt år." if kinds else "Se beslutningen.",
            reason=DECISION_REASONS[decision],
            intervention_kinds=kinds or [],
        )

    def follow_up(self, concern: Concern, *, started_days_ago: int, ended_days_ago: int | None) -> Concern:
        concern = self.decide(self.to_decision(concern), Decision.INTERVENTION, ["mentor"])
        today = timezone.localdate()
        services.plan_save(actor=self.lead, concern=concern,
                           started_on=today - timedelta(days=started_days_ago),
                           planned_end_on=today + timedelta(days=30) if ended_days_ago is None else
                           today - timedelta(days=ended_days_ago))
        municipality = self.cooperation.municipality
        services.goal_add(actor=self.lead, concern=concern, text="Ugentlige samtaler med mentor",
                          organisation=municipality, person=self.lead)
        services.goal_add(actor=self.lead, concern=concern, text="Tilbage til boksning inden sommer",
                          organisation=municipality)
        if ended_days_ago is not None:
            services.intervention_end(actor=self.lead, concern=concern,
                                      ended_on=today - timedelta(days=ended_days_ago),
                                      note="Mentorforløbet er gennemført som planlagt.")
        return concern


def _at(day_offset: int) -> datetime:
    return timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=day_offset), time(10, 0))
    )


def _demo_concerns(demo: _Demo) -> dict[str, Callable[[str], Any]]:
    """Subject (the demo key) -> how to make that concern."""

    def received_acute(subject: str) -> None:
        demo.raise_(subject, urgency="acute", subject_kind="unknown")

    def received_taken(subject: str) -> None:
        services.concern_receive(actor=demo.police_lead, concern=demo.raise_(subject))

    def gathering(subject: str) -> None:
        demo.gather(demo.raise_(subject))

    def overdue(subject: str) -> None:
        concern = demo.gather(demo.raise_(subject, raiser="social_worker"))
        Concern.objects.filter(pk=concern.pk).update(step_due_at=timezone.now() - timedelta(days=2))

    def assessment(subject: str) -> None:
        concern = demo.gather(demo.raise_(subject))
        concern = services.concern_advance(actor=demo.lead, concern=concern, to_status="assessment")
        demo.assess(concern)

    def decision(subject: str) -> None:
        demo.to_decision(demo.raise_(subject), assessments=2)

    def mentor_ongoing(subject: str) -> None:
        demo.follow_up(demo.raise_(subject), started_days_ago=60, ended_days_ago=None)

    def review_due(subject: str) -> None:
        demo.follow_up(demo.raise_(subject), started_days_ago=330, ended_days_ago=200)

    def unfounded(subject: str) -> None:
        demo.decide(demo.to_decision(demo.raise_(subject)), Decision.UNFOUNDED)

    def police(subject: str) -> None:
        concern = demo.describe(demo.raise_(subject, urgency="acute"), triage=Triage.RED)
        services.concern_decide(
            actor=demo.police_lead, concern=concern, decision=Decision.POLICE,
            overall_assessment="Konkrete trusler og adgang til våben.", recommendation="Politiet alene.",
            reason="Konkrete trusler mod en navngiven person; politiet overtager.",
        )

    def closed_after_follow_up(subject: str) -> None:
        concern = demo.follow_up(demo.raise_(subject), started_days_ago=700, ended_days_ago=450)
        for review in concern.reviews.order_by("due_on"):
            services.review_record(actor=demo.lead, concern=concern, review=review, concern_persists=False,
                                   note="Går i skole, har fået arbejde ved siden af; ingen nye bekymringer.")
        services.concern_close(actor=demo.lead, concern=concern,
                               reason="Opfølgningerne er gennemført, og bekymringen består ikke længere.")

    def closed_otherwise(subject: str) -> None:
        services.concern_close(actor=demo.lead, concern=demo.raise_(subject, raiser="police_officer"),
                               reason="Dublet af en bekymring, der allerede behandles.")

    return {
        "Demo A (fiktiv), ukendt – akut, venter på tovholder": received_acute,
        "Demo B (fiktiv), 16 år – modtaget af tovholder": received_taken,
        "Demo C (fiktiv), 19 år – informationsindsamling": gathering,
        "Demo D (fiktiv), 22 år – fristen er overskredet": overdue,
        "Demo E (fiktiv), 17 år – vurdering": assessment,
        "Demo F (fiktiv), 24 år – samlet vurdering, to vurderinger": decision,
        "Demo G (fiktiv), 15 år – mentor i gang": mentor_ongoing,
        "Demo H (fiktiv), 18 år – opfølgning efter 6 måneder forfalden": review_due,
        "Demo I (fiktiv), 14 år – ubegrundet": unfounded,
        "Demo J (fiktiv), 27 år – overdraget til politiet": police,
        "Demo K (fiktiv), 20 år – lukket efter opfølgning": closed_after_follow_up,
        "Demo L (fiktiv), ukendt – lukket som dublet": closed_otherwise,
    }


# Earlier concerns for Infohus Netværk: (days ago raised, how many); closed as unfounded.
HISTORY = ((100, 6), (190, 3), (280, 7), (370, 5))


def seed_concerns(cooperation: Cooperation, personas: Mapping[str, Any]) -> list[str]:
    created: list[str] = []
    with transaction.atomic(), unscoped("seeding the fictitious demo concerns"):
        for key in LEAD_PERSONAS:
            membership = _membership(personas[key], cooperation)
            current = LeadContact.objects.filter(membership=membership, ended_at__isnull=True)
            if not current.filter(cooperation=cooperation).exists():
                LeadContact.objects.create(cooperation=cooperation, membership=membership,
                                           designated_by=personas["coordinator"])
                created.append(f"lead contact {key}")
        for key in TRAINED_PERSONAS:
            if not has_valid_radicalisation_training(personas[key]):
                attestation_grant_waiver(
                    actor=personas["coordinator"], membership=_membership(personas[key], cooperation),
                    reason="Demodata: fritaget, indtil demopersonen har været på PSP-kurset.",
                    expires_on=timezone.localdate() + timedelta(days=365),
                )
                created.append(f"training waiver {key}")
        demo = _Demo(cooperation, personas)
        existing = set(Concern.objects.filter(cooperation=cooperation).values_list("subject", flat=True))
        for subject, make in _demo_concerns(demo).items():
            if subject not in existing:
                make(subject)
                created.append(f"concern {subject}")
        for days_ago, count in HISTORY:
            for number in range(1, count + 1):
                subject = f"Demo tidligere (fiktiv) {days_ago}-{number}"
                if subject in existing:
                    continue
                concern = demo.raise_(subject, raiser="police_officer", subject_kind="unknown")
                services.concern_close(
                    actor=demo.lead, concern=concern, reason="Demodata: afsluttet tidligere."
                )
                Concern.objects.filter(pk=concern.pk).update(raised_at=_at(-days_ago),
                                                             closed_at=_at(-days_ago + 7),
                                                             status_changed_at=_at(-days_ago + 7))
                created.append(f"concern {subject}")
    return created
