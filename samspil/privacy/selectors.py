"""Reads for the data protection officer: the audit log limited to the DPO's cooperations, and (at the
end) the citizen's-rights pages: citizens, rectifications, exemptions, legal holds, receipts and rules.

A DPO (a member whose role grants ``audit.view``) sees
- every event recorded in one of the cooperations they are DPO of, and
- events recorded outside any cooperation (logins, MFA, session ends) by people who are or were
  members of those cooperations.
Events a member recorded while acting in *another* cooperation stay with that cooperation's DPO.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from samspil.accounts.models import User
from samspil.audit.actions import label_for
from samspil.audit.models import AuditChainLink, AuditEvent, AuditSeal, Outcome
from samspil.cases.models import Case, Involvement, JournalEntry
from samspil.citizens.cpr import cpr_lookup_hash
from samspil.citizens.models import Citizen
from samspil.citizens.names import fold_name
from samspil.citizens.selectors import case_worker_organisations, citizen_visible
from samspil.concerns.models import (
    Assessment,
    Concern,
    ConcernDisclosure,
    ConcernInvolvement,
    ConcernReview,
    ConcernStatus,
    ConcernTransition,
    Decision,
)
from samspil.core.roles import Capability, Role
from samspil.core.scoping import unscoped
from samspil.organisations.models import Cooperation, Membership, Organisation
from samspil.organisations.selectors import cooperation_ids_of, cooperation_ids_with
from samspil.sharing.models import Disclosure, LegalBasis

from .models import (
    AccessExemption,
    CitizenRectification,
    DeletionReceipt,
    ExemptionSubject,
    LegalHold,
    RetentionRule,
)
from .policies import dpo_membership, own_entry_organisations, rights_cooperation_ids


def audit_cooperation_ids(user: Any) -> set[int]:
    """The cooperations whose audit log ``user`` may read."""
    return cooperation_ids_with(user, Capability.VIEW_AUDIT)


def _members_of(cooperation_ids: Iterable[int]) -> QuerySet[Membership]:
    """Memberships, active or ended, of the given cooperations (former members stay auditable)."""
    return Membership.objects.filter(cooperation_id__in=list(cooperation_ids)).scoped()


def audit_events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """The audit events ``user`` may read as DPO; nothing for anyone else."""
    cooperation_ids = audit_cooperation_ids(user)
    if not cooperation_ids:
        return AuditEvent.objects.none().scoped()
    member_ids = _members_of(cooperation_ids).values("user_id")
    in_cooperations = Q(cooperation_id__in=sorted(cooperation_ids))
    members_outside_any_cooperation = Q(cooperation_id__isnull=True, actor_id__in=member_ids)
    return AuditEvent.objects.filter(in_cooperations | members_outside_any_cooperation).scoped()


@dataclass(frozen=True)
class AuditCriteria:
    """What the DPO searches for. Only ids, codes and dates: safe to store in the search's own event."""

    person: int | None = None
    citizen: int | None = None
    organisation: int | None = None
    action: str = ""
    outcome: str = ""
    date_from: date | None = None
    date_to: date | None = None
    object_id: str = ""

    def as_detail(self) -> dict[str, Any]:
        """The criteria that were given, for the audit event of the search or export."""
        detail: dict[str, Any] = {}
        for name in ("person", "citizen", "organisation", "action", "outcome", "object_id"):
            value = getattr(self, name)
            if value not in (None, ""):
                detail[name] = value
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None:
                detail[name] = value.isoformat()
        return detail


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def audit_events_search(user: Any, criteria: AuditCriteria) -> QuerySet[AuditEvent]:
    """The DPO's visible events narrowed by ``criteria``, newest first.

    Dates are whole days in local time (Europe/Copenhagen), both ends included.
    """
    events = audit_events_visible_to(user)
    if criteria.person is not None:
        events = events.filter(actor_id=criteria.person)
    if criteria.citizen is not None:
        events = events.filter(citizen_id=criteria.citizen)
    if criteria.organisation is not None:
        events = events.filter(organisation_id=criteria.organisation)
    if criteria.action:
        events = events.filter(action=criteria.action)
    if criteria.outcome:
        events = events.filter(outcome=criteria.outcome)
    if criteria.date_from is not None:
        events = events.filter(occurred_at__gte=_local_midnight(criteria.date_from))
    if criteria.date_to is not None:
        events = events.filter(occurred_at__lt=_local_midnight(criteria.date_to + timedelta(days=1)))
    if criteria.object_id:
        events = events.filter(object_id=criteria.object_id)
    return events.order_by("-id")


def audit_people_for(user: Any) -> list[tuple[int, str]]:
    """The people a DPO can filter on: members (also former) of the DPO's cooperations, by name."""
    cooperation_ids = audit_cooperation_ids(user)
    if not cooperation_ids:
        return []
    people: dict[int, str] = {}
    memberships = _members_of(cooperation_ids).select_related("user", "organisation").order_by(
        "user__full_name", "user_id", "organisation__name"
    )
    for membership in memberships:
        people.setdefault(membership.user_id, f"{membership.user.full_name} ({membership.organisation.name})")
    return sorted(people.items(), key=lambda item: item[1].casefold())


def audit_organisations_for(user: Any) -> QuerySet[Organisation]:
    """Organisations taking part in, or with members in, the DPO's cooperations."""
    cooperation_ids = sorted(audit_cooperation_ids(user))
    return (
        Organisation.objects.filter(
            Q(participations__cooperation_id__in=cooperation_ids)
            | Q(memberships__cooperation_id__in=cooperation_ids)
        )
        .distinct()
        .order_by("name")
    )


def actor_names(actor_ids: Iterable[int | None]) -> dict[int, str]:
    """Names of the people behind the given actor ids, in one query (for one page of events)."""
    wanted = {actor_id for actor_id in actor_ids if actor_id is not None}
    if not wanted:
        return {}
    return dict(User.objects.filter(pk__in=wanted).values_list("pk", "full_name"))


def organisation_names(organisation_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {organisation_id for organisation_id in organisation_ids if organisation_id is not None}
    if not wanted:
        return {}
    return dict(Organisation.objects.filter(pk__in=wanted).values_list("pk", "name"))


@dataclass(frozen=True)
class EventRow:
    """One audit event ready to show: names and labels resolved, ids kept."""

    event: AuditEvent
    person: str
    organisation: str
    role: str
    action: str
    outcome: str


def present_events(events: Iterable[AuditEvent]) -> list[EventRow]:
    """Resolve the names of the people and organisations of a page of events: two queries per page."""
    events = list(events)
    people = actor_names(e.actor_id for e in events)
    organisations = organisation_names(e.organisation_id for e in events)
    roles = dict(Role.choices)
    outcomes = dict(Outcome.choices)
    rows = []
    for event in events:
        if event.actor_id is None:
            person = _("System")
        else:
            person = people.get(event.actor_id) or _("Ukendt person (id %(id)s)") % {"id": event.actor_id}
        rows.append(
            EventRow(
                event=event,
                person=person,
                organisation=organisations.get(event.organisation_id, "") if event.organisation_id else "",
                role=str(roles.get(event.role, event.role)),
                action=label_for(event.action),
                outcome=str(outcomes.get(event.outcome, event.outcome)),
            )
        )
    return rows


@dataclass(frozen=True)
class ChainStatus:
    last_sealed_at: datetime | None
    sealed: int
    unsealed: int


def audit_chain_status() -> ChainStatus:
    """How far the whole log is sealed into the hash chain (counts only, no event content).

    Chain positions run 1, 2, 3 ... without gaps, so the highest position is the sealed count; events
    newer than the last sealed one are the unsealed count.
    """
    last_seal = AuditSeal.objects.order_by("-last_seq").first()
    links = AuditChainLink.objects.aggregate(sealed=Max("seq"), last_event=Max("event_id"))
    with unscoped("chain status shows a count of events, never their content"):
        unsealed = AuditEvent.objects.filter(id__gt=links["last_event"] or 0).aggregate(n=Count("id"))["n"]
    return ChainStatus(
        last_sealed_at=last_seal.sealed_at if last_seal else None,
        sealed=links["sealed"] or 0,
        unsealed=unsealed,
    )


# --- The citizen's rights: reads for the DPO, for rectification and for exemptions ----------------------

RIGHTS_SEARCH_LIMIT = 50


def rights_cooperations(user: Any) -> QuerySet[Cooperation]:
    """The cooperations the user is DPO of, by name."""
    return Cooperation.objects.filter(pk__in=sorted(rights_cooperation_ids(user))).order_by("name", "pk")


def rights_citizens_search(user: Any, *, name: str = "", cpr_digits: str = "") -> QuerySet[Citizen]:
    """Citizens of the user's DPO cooperations matching an exact CPR number (through the keyed hash) or
    every word of a name (accent-folded, in any order), by name; at most ``RIGHTS_SEARCH_LIMIT``."""
    cooperation_ids = sorted(rights_cooperation_ids(user))
    if not cooperation_ids or not (name.strip() or cpr_digits):
        return Citizen.objects.none().scoped()
    citizens = Citizen.objects.filter(cooperation_id__in=cooperation_ids)
    if cpr_digits:
        citizens = citizens.filter(cpr_lookup=cpr_lookup_hash(cpr_digits))
    for word in fold_name(name).split():
        citizens = citizens.filter(search_name__contains=word)
    return (
        citizens.select_related("cooperation")
        .annotate(case_count=Count("cases"))
        .order_by("full_name", "pk")[:RIGHTS_SEARCH_LIMIT]
        .scoped()
    )


def rights_citizen(user: Any, pk: int) -> Citizen | None:
    """One citizen of the user's DPO cooperations, or None (-> 404)."""
    cooperation_ids = sorted(rights_cooperation_ids(user))
    return (
        Citizen.objects.filter(pk=pk, cooperation_id__in=cooperation_ids)
        .select_related("cooperation", "registered_by_organisation")
        .scoped()
        .first()
    )


def citizen_cases(citizen: Citizen) -> QuerySet[Case]:
    """The citizen's cases with their lead organisation, newest first (the caller has checked access)."""
    return Case.objects.filter(citizen=citizen).select_related("lead_organisation").order_by(
        "-opened_at", "-pk"
    ).scoped()


def rectifiable_citizen(user: Any, pk: int) -> tuple[Citizen, int] | None:
    """The citizen and the organisation the user rectifies for, or None (-> 404).

    A case worker who sees the citizen acts for the first of their organisations involved in one of
    the citizen's cases (or that registered the citizen); the DPO for the organisation of their DPO
    membership.
    """
    citizen = citizen_visible(user, pk)
    if citizen is not None:
        organisation_ids = case_worker_organisations(user).get(citizen.cooperation_id, set())
        involved = set(
            Involvement.objects.filter(
                case__citizen=citizen, organisation_id__in=sorted(organisation_ids), ended_at__isnull=True
            )
            .values_list("organisation_id", flat=True)
            .scoped()
        )
        if citizen.registered_by_organisation_id in organisation_ids:
            involved.add(citizen.registered_by_organisation_id)
        if involved:
            return citizen, min(involved)
    citizen = rights_citizen(user, pk)
    if citizen is not None:
        membership = dpo_membership(user, citizen.cooperation_id)
        if membership is not None:
            return citizen, membership.organisation_id
    return None


def rectifications_of(citizen: Citizen) -> QuerySet[CitizenRectification]:
    return (
        CitizenRectification.objects.filter(citizen=citizen)
        .select_related("rectified_by_organisation")
        .prefetch_related(Prefetch("notified_organisations", queryset=Organisation.objects.order_by("name")))
        .scoped()
    )


def citizen_recipient_organisations(citizen: Citizen) -> list[tuple[Organisation, Case]]:
    """Each organisation that received the citizen's data through a disclosure, with the case of the
    newest such disclosure (where the notice of a rectification goes), by organisation name."""
    disclosures = (
        Disclosure.objects.filter(Q(case__citizen=citizen) | Q(citizen_id=citizen.pk))
        .select_related("case", "case__lead_organisation")
        .prefetch_related("recipients")
        .order_by("-disclosed_at", "-pk")
        .scoped()
    )
    found: dict[int, tuple[Organisation, Case]] = {}
    for disclosure in disclosures:
        for organisation in disclosure.recipients.all():
            found.setdefault(organisation.pk, (organisation, disclosure.case))
    return sorted(found.values(), key=lambda pair: (pair[0].name, pair[0].pk))


def organisation_contacts(cooperation_id: int, organisation_ids: Iterable[int]) -> dict[int, list[User]]:
    """Per organisation, the active coordinators in the cooperation who receive emails about it; an
    organisation without a coordinator there gets its key members instead."""
    wanted = sorted(set(organisation_ids))
    memberships = (
        Membership.objects.filter(
            cooperation_id=cooperation_id,
            organisation_id__in=wanted,
            is_active=True,
            role__in=[Role.COORDINATOR, Role.KEY_MEMBER],
        )
        .select_related("user")
        .order_by("user__full_name", "pk")
        .scoped()
    )
    coordinators: dict[int, list[User]] = defaultdict(list)
    key_members: dict[int, list[User]] = defaultdict(list)
    for membership in memberships:
        if not membership.user.is_active or not membership.user.email:
            continue
        target = coordinators if membership.role == Role.COORDINATOR else key_members
        if membership.user not in target[membership.organisation_id]:
            target[membership.organisation_id].append(membership.user)
    return {pk: coordinators.get(pk) or key_members.get(pk, []) for pk in wanted}


def exemptable_entry(user: Any, pk: int) -> JournalEntry | None:
    """A journal entry of one of the organisations the user works on its case for, or None (-> 404)."""
    entry = (
        JournalEntry.objects.filter(pk=pk, case__cooperation_id__in=sorted(cooperation_ids_of(user)))
        .select_related("case", "case__citizen", "organisation")
        .scoped()
        .first()
    )
    if entry is None or entry.organisation_id not in own_entry_organisations(user, entry.case):
        return None
    return entry


def active_exemption_of(entry: JournalEntry) -> AccessExemption | None:
    return (
        AccessExemption.objects.filter(
            subject_type=ExemptionSubject.JOURNAL_ENTRY, subject_id=str(entry.pk), lifted_at__isnull=True
        )
        .scoped()
        .first()
    )


def active_exemptions_on_case(case: Case) -> dict[int, AccessExemption]:
    """The case's active exemptions by journal entry id, in one query."""
    exemptions = AccessExemption.objects.filter(
        case=case, subject_type=ExemptionSubject.JOURNAL_ENTRY, lifted_at__isnull=True
    ).scoped()
    return {int(e.subject_id): e for e in exemptions}


def exemptions_of_citizen(citizen: Citizen) -> QuerySet[AccessExemption]:
    """Active exemptions on the citizen's cases (what the access report withholds)."""
    return (
        AccessExemption.objects.filter(case__citizen=citizen, lifted_at__isnull=True)
        .order_by("legal_reference", "pk")
        .scoped()
    )


def legal_holds_visible_to(user: Any) -> QuerySet[LegalHold]:
    """Holds in force in the user's DPO cooperations, newest first."""
    return (
        LegalHold.objects.filter(
            cooperation_id__in=sorted(rights_cooperation_ids(user)), lifted_at__isnull=True
        )
        .select_related("case", "citizen", "cooperation", "placed_by_organisation")
        .scoped()
    )


def legal_hold_visible(user: Any, pk: int) -> LegalHold | None:
    return legal_holds_visible_to(user).filter(pk=pk).first()


def legal_holds_of_citizen(citizen: Citizen) -> QuerySet[LegalHold]:
    """Holds in force on the citizen or one of their cases."""
    return (
        LegalHold.objects.filter(Q(citizen=citizen) | Q(case__citizen=citizen), lifted_at__isnull=True)
        .select_related("case", "placed_by_organisation")
        .scoped()
    )


def deletion_receipts_visible_to(user: Any) -> QuerySet[DeletionReceipt]:
    """Receipts of deletions in the user's DPO cooperations, newest first."""
    return DeletionReceipt.objects.filter(cooperation_id__in=sorted(rights_cooperation_ids(user))).order_by(
        "-deleted_at", "-pk"
    )


def member_cooperation(user: Any, pk: int) -> Cooperation | None:
    """A cooperation the user belongs to in any role; others do not exist for them (404). Whether the
    user may change its retention rules is the DPO check's answer (403, audited)."""
    if pk not in cooperation_ids_of(user):
        return None
    return Cooperation.objects.filter(pk=pk).first()


def retention_rule_of_member(user: Any, pk: int) -> RetentionRule | None:
    """A retention rule of a cooperation the user belongs to in any role (see ``member_cooperation``)."""
    return (
        RetentionRule.objects.filter(pk=pk, cooperation_id__in=sorted(cooperation_ids_of(user)))
        .select_related("cooperation")
        .first()
    )


def retention_rule_bases(cooperation: Cooperation) -> list[LegalBasis]:
    """The legal bases a closed-case rule may name in the cooperation: those enabled in its configuration
    on which the rule set lets a citizen be identified. A closed case falls under the rule of the basis it
    was identified on (``Case.identification_legal_basis``), so a rule for any other basis would never
    apply. In the rule set's order."""
    return list(LegalBasis.objects.filter(code__in=sorted(_enabled_codes(cooperation)), can_identify=True))


def identifying_basis_codes() -> set[str]:
    """The codes of the rule set's bases on which a citizen can be identified (for many cooperations at
    once: intersect with ``_enabled_codes`` instead of calling ``retention_rule_bases`` per cooperation)."""
    return set(LegalBasis.objects.filter(can_identify=True).values_list("code", flat=True))


def _enabled_codes(cooperation: Cooperation) -> set[str]:
    return {code for code in cooperation.enabled_legal_bases if isinstance(code, str)}


def may_add_basis_rule(cooperation: Cooperation, identifying: set[str]) -> bool:
    """Does the cooperation use a basis a closed-case rule may name (see ``retention_rule_bases``)?"""
    return bool(_enabled_codes(cooperation) & identifying)


def legal_basis_names(codes: Iterable[str]) -> dict[str, str]:
    """Each code's short name in the rule set (e.g. 'Samtykke'); a code it no longer has stays a code."""
    wanted = sorted({code for code in codes if code})
    names = {code: code for code in wanted}
    names.update(LegalBasis.objects.filter(code__in=wanted).values_list("code", "name"))
    return names


def citizen_access_events(citizen: Citizen) -> QuerySet[AuditEvent]:
    """Every audit event about the citizen, oldest first: the access log of the access report. The
    citizen is the scope (the caller has checked that the DPO may report on them)."""
    return AuditEvent.objects.filter(citizen_id=citizen.pk).order_by("occurred_at", "id").scoped()


# A concern handed to the police (now, or before it was closed): the access report withholds it whole
# (see samspil/privacy/access_report.py).
CONCERN_WITH_POLICE = (
    Q(handed_to_police_at__isnull=False) | Q(status=ConcernStatus.POLICE) | Q(decision=Decision.POLICE)
)


def citizen_concerns(citizen: Citizen) -> QuerySet[Concern]:
    """The concerns of radicalisation about the citizen (linked to one of their cases), oldest first,
    marked ``is_with_police``, with what the access report shows of them: steps, organisations,
    assessments (dates only), the intervention plan, reviews and disclosures. A fixed number of queries,
    whatever the number of concerns. The citizen is the scope (the caller has checked that the DPO may
    report on them)."""
    return (
        Concern.objects.filter(case__citizen=citizen)
        .annotate(is_with_police=ExpressionWrapper(CONCERN_WITH_POLICE, output_field=BooleanField()))
        .select_related("case", "raised_by_organisation", "plan")
        .prefetch_related(
            Prefetch("transitions", queryset=ConcernTransition.objects.order_by("at", "pk").scoped()),
            Prefetch(
                "involvements",
                queryset=ConcernInvolvement.objects.select_related("organisation").order_by("added_at", "pk")
                .scoped(),
            ),
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related("created_by_organisation").order_by("number")
                .scoped(),
            ),
            Prefetch("reviews", queryset=ConcernReview.objects.order_by("due_on", "pk").scoped()),
            Prefetch(
                "disclosures",
                queryset=ConcernDisclosure.objects.select_related("source_organisation")
                .prefetch_related(Prefetch("recipients", queryset=Organisation.objects.order_by("name")))
                .order_by("shared_at", "pk")
                .scoped(),
            ),
        )
        .order_by("raised_at", "pk")
        .scoped()
    )


def citizen_concerns_with_police(citizen: Citizen) -> int:
    """How many concerns about the citizen the access report withholds (for the DPO's page)."""
    return Concern.objects.filter(CONCERN_WITH_POLICE, case__citizen=citizen).scoped().count()
