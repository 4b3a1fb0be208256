"""Writes (and audited reads) of cases. Each service runs in one transaction with its audit event.

Every service checks, again, that the actor may act on the case (``policies.case_access``): views check
first to answer 404/403, but other apps (sharing, meetings) call these services too. Refusals a person
should read are ``CaseError`` subclasses with a Danish message; the views show it and keep the input.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from samspil.audit import actions
from samspil.audit.services import audit_record
from samspil.citizens.names import generate_pseudonym
from samspil.citizens.selectors import case_worker_organisations
from samspil.organisations.models import Cooperation, CooperationOrganisation, Organisation

from .identifiers import identifier_problem
from .models import (
    Case,
    CaseState,
    EntryVisibility,
    Flag,
    Involvement,
    JournalEntry,
    StateChange,
    Task,
    TaskStatus,
)
from .policies import CaseAccess, case_access
from .selectors import CaseCriteria
from .states import refusal_reason, reopen_state

DESCRIPTION_MAX = Case._meta.get_field("description").max_length or 5000
REASON_MAX = 2000
JOURNAL_MAX = JournalEntry._meta.get_field("text").max_length or 20000


class CaseError(ValueError):
    """A refused change, with a Danish message for the person; ``field`` names the form field, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CaseTransitionError(CaseError):
    """The state change is not allowed now (see cases.states)."""


class StaleEditError(CaseError):
    """Someone saved a newer version while the actor was writing; nothing was saved."""


def stale_message() -> str:
    return _(
        "Teksten er blevet ændret af en anden, siden du åbnede den. Din tekst er ikke gemt, men står "
        "herunder, så du kan sammenholde den med den nye version og gemme igen."
    )


def _details(actor: Any, case: Case) -> CaseAccess:
    access = case_access(actor, case)
    if not access.has_details:
        raise PermissionDenied(_("Din organisation er ikke involveret i sagen"))
    return access


def _check_open(case: Case) -> None:
    if case.state == CaseState.CLOSED:
        raise CaseError(_("Sagen er lukket. Genåbn den for at ændre i den."))


def _check_text(text: str, *, field: str, limit: int, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise CaseError(_("Feltet skal udfyldes."), field=field)
    if len(text) > limit:
        raise CaseError(
            _(
                "Teksten er for lang: %(length)s tegn, højst %(limit)s. Intet er gemt; din tekst står "
                "herunder."
            )
            % {"length": len(text), "limit": limit},
            field=field,
        )
    return text


def _check_anonymous(case_state: str, text: str, field: str) -> None:
    if case_state == CaseState.ANONYMOUS:
        problem = identifier_problem(text)
        if problem:
            raise CaseError(problem, field=field)


def _active_involvements(case: Case) -> Any:
    return Involvement.objects.filter(case=case, ended_at__isnull=True).scoped()


def _is_participant(cooperation_id: int, organisation_id: int) -> bool:
    return CooperationOrganisation.objects.filter(
        cooperation_id=cooperation_id, organisation_id=organisation_id
    ).exists()


def _acting_organisation(organisation: Organisation | None, allowed: set[int]) -> int:
    if organisation is not None:
        if organisation.pk not in allowed:
            raise PermissionDenied(_("Du kan ikke handle for denne organisation i sagen."))
        return organisation.pk
    if not allowed:
        raise PermissionDenied(_("Din organisation er ikke involveret i sagen"))
    return min(allowed)


def _unique_case_pseudonym(cooperation_id: int) -> str:
    for _attempt in range(50):
        candidate = generate_pseudonym(_("Borger"))
        if not Case.objects.filter(cooperation_id=cooperation_id, pseudonym=candidate).scoped().exists():
            return candidate
    raise RuntimeError("Could not find a free pseudonym")  # pragma: no cover


# --- Opening and the lifecycle -------------------------------------------------------------------------


@transaction.atomic
def case_open_anonymous(
    *,
    actor: Any,
    cooperation: Cooperation,
    age_band: str,
    description: str,
    lead_organisation: Organisation,
    sex: str = "",
    pseudonym: str = "",
    referred_by: Any = None,
    organisation: Organisation | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open an anonymous discussion. Any member who may work on cases (``case.open``) may open one.

    The opener's organisation (``organisation``, or their only/first one in the cooperation) and the
    lead organisation become involved. The description and pseudonym must not name the person (a light
    check: CPR-like numbers, e-mail addresses, phone numbers are refused).
    """
    allowed = case_worker_organisations(actor).get(cooperation.pk, set())
    if not allowed:
        raise PermissionDenied(_("Du kan ikke oprette sager i dette samarbejde."))
    acting = _acting_organisation(organisation, allowed)
    description = _check_text(description, field="description", limit=DESCRIPTION_MAX)
    _check_anonymous(CaseState.ANONYMOUS, description, "description")
    pseudonym = " ".join((pseudonym or "").split())
    if pseudonym:
        _check_anonymous(CaseState.ANONYMOUS, pseudonym, "pseudonym")
        if Case.objects.filter(cooperation=cooperation, pseudonym=pseudonym).scoped().exists():
            raise CaseError(
                _("Pseudonymet er allerede i brug i samarbejdet. Vælg et andet."), field="pseudonym"
            )
    if not _is_participant(cooperation.pk, lead_organisation.pk):
        raise CaseError(_("Den ledende organisation skal være med i samarbejdet."), field="lead_organisation")
    if referred_by is not None and not referred_by.memberships.filter(
        cooperation=cooperation, is_active=True
    ).exists():
        raise CaseError(_("Den, der rejste sagen, skal være medlem af samarbejdet."), field="referred_by")
    case = Case.objects.create(
        cooperation=cooperation,
        pseudonym=pseudonym or _unique_case_pseudonym(cooperation.pk),
        age_band=age_band,
        sex=sex,
        description=description,
        lead_organisation=lead_organisation,
        opened_by=actor,
        referred_by=referred_by,
    )
    for organisation_id in sorted({lead_organisation.pk, acting}):
        Involvement.objects.create(
            case=case,
            organisation_id=organisation_id,
            is_lead=organisation_id == lead_organisation.pk,
            added_by=actor,
        )
    audit_record(
        action=actions.CASE_OPENED,
        actor=actor,
        request=request,
        target=case,
        cooperation_id=cooperation.pk,
        organisation_id=acting,
        detail={"lead_organisation": lead_organisation.pk, "referred": referred_by is not None},
    )
    return case


# Fields a caller may set together with a transition (identification sets the citizen and its basis).
TRANSITION_FIELDS = frozenset(
    {
        "citizen",
        "identification_legal_basis",
        "identification_justification",
        "identified_by",
        "identified_at",
        "action_plan",
    }
)


@transaction.atomic
def case_transition(
    *,
    actor: Any,
    case: Case,
    to_state: str,
    reason: str = "",
    action: str = actions.CASE_STATE_CHANGED,
    changes: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """The one way a case changes state: checks the table in cases.states, records a StateChange and an
    audit event (``action``, with the case id and, once identified, the citizen id).

    ``changes`` sets fields that belong to the step (only those in TRANSITION_FIELDS). The sharing app's
    ``case_identify`` calls this with ``to_state=CaseState.IDENTIFIED`` and ``changes={"citizen": ...,
    "identification_legal_basis": ..., "identification_justification": ..., "identified_by": actor,
    "identified_at": now}``, after its own legal-basis gate. Raises CaseTransitionError (Danish message)
    for a step that is not allowed and PermissionDenied when the actor may not act on the case. The
    given ``case`` object is updated in place as well as returned.
    """
    changes = dict(changes or {})
    unknown = set(changes) - TRANSITION_FIELDS
    if unknown:
        raise ValueError(f"case_transition cannot set {sorted(unknown)}")
    locked = Case.objects.select_for_update().filter(pk=case.pk).scoped().get()
    _details(actor, locked)
    reason = _check_text(reason, field="reason", limit=REASON_MAX, required=False)
    for name, value in changes.items():
        setattr(locked, name, value)
    from_state = locked.state
    refusal = refusal_reason(from_state, to_state, has_citizen=locked.citizen_id is not None)
    if refusal:
        raise CaseTransitionError(refusal)
    now = timezone.now()
    locked.state = to_state
    fields = {"state", *changes}
    if to_state == CaseState.CLOSED:
        locked.closed_at, locked.closing_reason = now, reason
        fields |= {"closed_at", "closing_reason"}
    elif from_state == CaseState.CLOSED:
        locked.closed_at = None
        fields.add("closed_at")
    if "action_plan" in changes:
        locked.version += 1
        fields.add("version")
    locked.save(update_fields=sorted(fields))
    StateChange.objects.create(
        case=locked, from_state=from_state, to_state=to_state, reason=reason, actor=actor, changed_at=now
    )
    audit_record(
        action=action,
        actor=actor,
        request=request,
        target=locked,
        citizen_id=locked.citizen_id,
        cooperation_id=locked.cooperation_id,
        detail={"from": from_state, "to": to_state, **(detail or {})},
    )
    for name in fields:
        setattr(case, name, getattr(locked, name))
    return locked


def case_activate(*, actor: Any, case: Case, action_plan: str, request: HttpRequest | None = None) -> Case:
    """Identified (or followed-up) -> active, with the action plan the cooperation agreed."""
    action_plan = _check_text(action_plan, field="action_plan", limit=DESCRIPTION_MAX)
    return case_transition(
        actor=actor,
        case=case,
        to_state=CaseState.ACTIVE,
        action=actions.CASE_ACTIVATED,
        changes={"action_plan": action_plan},
        request=request,
    )


def case_follow_up(*, actor: Any, case: Case, note: str = "", request: HttpRequest | None = None) -> Case:
    """Active -> follow-up: the plan is carried out and the cooperation follows up."""
    return case_transition(
        actor=actor,
        case=case,
        to_state=CaseState.FOLLOW_UP,
        reason=note,
        action=actions.CASE_FOLLOW_UP_STARTED,
        request=request,
    )


def case_close(*, actor: Any, case: Case, reason: str, request: HttpRequest | None = None) -> Case:
    """Any open state -> closed, with the reason (recorded on the case and in its history)."""
    reason = _check_text(reason, field="reason", limit=REASON_MAX)
    return case_transition(
        actor=actor,
        case=case,
        to_state=CaseState.CLOSED,
        reason=reason,
        action=actions.CASE_CLOSED,
        request=request,
    )


def case_reopen(*, actor: Any, case: Case, reason: str, request: HttpRequest | None = None) -> Case:
    """Closed -> identified (a citizen is linked) or anonymous (never identified), with the reason."""
    if case.state != CaseState.CLOSED:
        raise CaseTransitionError(_("Kun en lukket sag kan genåbnes."))
    reason = _check_text(reason, field="reason", limit=REASON_MAX)
    return case_transition(
        actor=actor,
        case=case,
        to_state=reopen_state(case.citizen_id is not None),
        reason=reason,
        action=actions.CASE_REOPENED,
        request=request,
    )


@transaction.atomic
def case_update_text(
    *,
    actor: Any,
    case: Case,
    description: str,
    version: int,
    action_plan: str | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Save a new description (and action plan) if nobody saved since ``version`` was read.

    The compare-and-increment is one UPDATE ... WHERE version = ``version``: of any number of editors of
    the same version exactly one succeeds; the others get StaleEditError and keep their text.
    """
    _details(actor, case)
    _check_open(case)
    description = _check_text(description, field="description", limit=DESCRIPTION_MAX)
    _check_anonymous(case.state, description, "description")
    values: dict[str, Any] = {"description": description, "version": F("version") + 1}
    fields = ["description"]
    if action_plan is not None:
        values["action_plan"] = _check_text(
            action_plan, field="action_plan", limit=DESCRIPTION_MAX, required=False
        )
        fields.append("action_plan")
    if Case.objects.filter(pk=case.pk, version=version).scoped().update(**values) != 1:
        raise StaleEditError(stale_message())
    audit_record(
        action=actions.CASE_UPDATED,
        actor=actor,
        request=request,
        target=case,
        citizen_id=case.citizen_id,
        cooperation_id=case.cooperation_id,
        detail={"fields": fields, "version": version + 1},
    )
    case.refresh_from_db()
    return case


# --- Involvement ---------------------------------------------------------------------------------------


def _audit_case(
    action: str, *, actor: Any, case: Case, request: HttpRequest | None, detail: dict[str, Any]
) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        target=case,
        citizen_id=case.citizen_id,
        cooperation_id=case.cooperation_id,
        detail=detail,
    )


@transaction.atomic
def involvement_add(
    *, actor: Any, case: Case, organisation: Organisation, request: HttpRequest | None = None
) -> Involvement:
    """Involve one of the cooperation's member organisations in the case."""
    _details(actor, case)
    _check_open(case)
    if not _is_participant(case.cooperation_id, organisation.pk):
        raise CaseError(
            _("Kun organisationer, der er med i samarbejdet, kan involveres."), field="organisation"
        )
    if _active_involvements(case).filter(organisation=organisation).exists():
        raise CaseError(_("Organisationen er allerede involveret i sagen."), field="organisation")
    involvement = Involvement.objects.create(case=case, organisation=organisation, added_by=actor)
    _audit_case(
        actions.CASE_INVOLVEMENT_ADDED, actor=actor, case=case, request=request,
        detail={"organisation": organisation.pk},
    )
    return involvement


@transaction.atomic
def involvement_end(
    *, actor: Any, case: Case, organisation: Organisation, request: HttpRequest | None = None
) -> None:
    """End an organisation's involvement. The lead organisation cannot be removed (choose another first)."""
    _details(actor, case)
    _check_open(case)
    involvement = _active_involvements(case).filter(organisation=organisation).first()
    if involvement is None:
        raise CaseError(_("Organisationen er ikke involveret i sagen."), field="organisation")
    if involvement.is_lead or case.lead_organisation_id == organisation.pk:
        raise CaseError(
            _("Den ledende organisation kan ikke fjernes. Gør en anden organisation ledende først."),
            field="organisation",
        )
    involvement.ended_at = timezone.now()
    involvement.save(update_fields=["ended_at"])
    _audit_case(
        actions.CASE_INVOLVEMENT_ENDED, actor=actor, case=case, request=request,
        detail={"organisation": organisation.pk},
    )


@transaction.atomic
def involvement_set_lead(
    *, actor: Any, case: Case, organisation: Organisation, request: HttpRequest | None = None
) -> None:
    """Make an involved organisation the lead."""
    _details(actor, case)
    _check_open(case)
    involvements = _active_involvements(case)
    if not involvements.filter(organisation=organisation).exists():
        raise CaseError(_("Kun en involveret organisation kan være ledende."), field="organisation")
    previous = case.lead_organisation_id
    involvements.exclude(organisation=organisation).update(is_lead=False)
    involvements.filter(organisation=organisation).update(is_lead=True)
    Case.objects.filter(pk=case.pk).scoped().update(lead_organisation=organisation)
    case.lead_organisation = organisation
    _audit_case(
        actions.CASE_LEAD_CHANGED,
        actor=actor,
        case=case,
        request=request,
        detail={"from": previous, "to": organisation.pk},
    )


# --- Journal -------------------------------------------------------------------------------------------


@transaction.atomic
def journal_entry_add(
    *,
    actor: Any,
    case: Case,
    text: str,
    organisation: Organisation | None = None,
    request: HttpRequest | None = None,
) -> JournalEntry:
    """Write an entry for the actor's organisation, visible to that organisation only. Sharing it in the
    cooperation is a disclosure (the sharing app's service), never done here."""
    access = _details(actor, case)
    _check_open(case)
    acting = _acting_organisation(organisation, set(access.organisation_ids))
    text = _check_text(text, field="text", limit=JOURNAL_MAX)
    _check_anonymous(case.state, text, "text")
    entry = JournalEntry.objects.create(
        case=case,
        organisation_id=acting,
        author=actor,
        text=text,
        visibility=EntryVisibility.OWN_ORGANISATION,
    )
    audit_record(
        action=actions.CASE_JOURNAL_ENTRY_ADDED,
        actor=actor,
        request=request,
        target=entry,
        citizen_id=case.citizen_id,
        cooperation_id=case.cooperation_id,
        organisation_id=acting,
        detail={"case": case.pk},
    )
    return entry


@transaction.atomic
def journal_entry_edit(
    *, actor: Any, entry: JournalEntry, text: str, version: int, request: HttpRequest | None = None
) -> JournalEntry:
    """Change an own-organisation entry if nobody saved it since ``version`` was read (StaleEditError
    otherwise). A shared entry has been disclosed and is not changed: write a new entry instead."""
    case = entry.case
    access = _details(actor, case)
    _check_open(case)
    if entry.organisation_id not in access.organisation_ids:
        raise PermissionDenied(_("Du kan kun ændre din egen organisations notater."))
    if entry.visibility != EntryVisibility.OWN_ORGANISATION:
        raise CaseError(
            _("Et delt notat kan ikke ændres, fordi det er videregivet. Skriv et nyt notat."), field="text"
        )
    text = _check_text(text, field="text", limit=JOURNAL_MAX)
    _check_anonymous(case.state, text, "text")
    updated = (
        JournalEntry.objects.filter(pk=entry.pk, version=version, visibility=EntryVisibility.OWN_ORGANISATION)
        .scoped()
        .update(text=text, version=F("version") + 1, edited_at=timezone.now(), edited_by=actor)
    )
    if updated != 1:
        raise StaleEditError(stale_message())
    audit_record(
        action=actions.CASE_JOURNAL_ENTRY_EDITED,
        actor=actor,
        request=request,
        target=entry,
        citizen_id=case.citizen_id,
        cooperation_id=case.cooperation_id,
        organisation_id=entry.organisation_id,
        detail={"case": case.pk, "version": version + 1},
    )
    entry.refresh_from_db()
    return entry


# --- Flags and tasks -----------------------------------------------------------------------------------


@transaction.atomic
def flag_add(
    *,
    actor: Any,
    case: Case,
    text: str,
    organisation: Organisation | None = None,
    request: HttpRequest | None = None,
) -> Flag:
    """Put a warning on the case (shown on every view of it), e.g. "Mød kun op to medarbejdere"."""
    access = _details(actor, case)
    _check_open(case)
    acting = _acting_organisation(organisation, set(access.organisation_ids))
    text = _check_text(text, field="text", limit=Flag._meta.get_field("text").max_length or 200)
    _check_anonymous(case.state, text, "text")
    flag = Flag.objects.create(case=case, text=text, organisation_id=acting, created_by=actor)
    audit_record(
        action=actions.CASE_FLAG_ADDED,
        actor=actor,
        request=request,
        target=flag,
        citizen_id=case.citizen_id,
        cooperation_id=case.cooperation_id,
        detail={"case": case.pk},
    )
    return flag


@transaction.atomic
def flag_remove(*, actor: Any, flag: Flag, request: HttpRequest | None = None) -> None:
    case = flag.case
    _details(actor, case)
    if not flag.is_active:
        raise CaseError(_("Advarslen er allerede fjernet."))
    Flag.objects.filter(pk=flag.pk).scoped().update(is_active=False)
    flag.is_active = False
    audit_record(
        action=actions.CASE_FLAG_REMOVED,
        actor=actor,
        request=request,
        target=flag,
        citizen_id=case.citizen_id,
        cooperation_id=case.cooperation_id,
        detail={"case": case.pk},
    )


@transaction.atomic
def task_add(
    *,
    actor: Any,
    case: Case,
    title: str,
    owner_organisation: Organisation,
    owner: Any = None,
    due_date: date | None = None,
    source: str = "case",
    request: HttpRequest | None = None,
) -> Task:
    """Give an involved organisation (and optionally one of its case workers) something to do by a date."""
    _details(actor, case)
    _check_open(case)
    title = _check_text(title, field="title", limit=Task._meta.get_field("title").max_length or 300)
    _check_anonymous(case.state, title, "title")
    if not _active_involvements(case).filter(organisation=owner_organisation).exists():
        raise CaseError(
            _("Opgaven kan kun gives til en organisation, der er involveret i sagen."),
            field="owner_organisation",
        )
    if owner is not None and owner_organisation.pk not in case_worker_organisations(owner).get(
        case.cooperation_id, set()
    ):
        raise CaseError(
            _("Den ansvarlige person skal være nøgleperson eller koordinator for den valgte organisation."),
            field="owner",
        )
    return task_write(
        actor=actor,
        case=case,
        title=title,
        owner_organisation=owner_organisation,
        owner=owner,
        due_date=due_date,
        source=source,
        request=request,
    )


def task_write(
    *,
    actor: Any,
    case: Case,
    title: str,
    owner_organisation: Organisation,
    owner: Any,
    due_date: date | None,
    source: str,
    request: HttpRequest | None,
    detail: dict[str, Any] | None = None,
) -> Task:
    """Create a task with its audit event, once the caller has made its checks: ``task_add`` for a case
    worker; a meeting's agreed action, where the meeting (not the secretary writing it) gives the task."""
    task = Task.objects.create(
        case=case,
        title=title,
        owner_organisation=owner_organisation,
        owner=owner,
        due_date=due_date,
        source=source,
        created_by=actor,
    )
    audit_record(
        action=actions.CASE_TASK_ADDED,
        actor=actor,
        request=request,
        target=task,
        citizen_id=case.citizen_id,
        cooperation_id=case.cooperation_id,
        detail={"case": case.pk, "owner_organisation": owner_organisation.pk, **(detail or {})},
    )
    return task


REASON_REQUIRED = frozenset({TaskStatus.NOT_POSSIBLE, TaskStatus.NOT_UNDERTAKEN})


@transaction.atomic
def task_set_status(
    *, actor: Any, task: Task, status: str, reason: str = "", request: HttpRequest | None = None
) -> Task:
    """Mark a task done, not possible or not undertaken (the last two with a reason), or open again."""
    case = task.case
    _details(actor, case)
    if status not in TaskStatus.values:
        raise CaseError(_("Vælg en gyldig status."), field="status")
    reason = _check_text(reason, field="reason", limit=REASON_MAX, required=status in REASON_REQUIRED)
    if status == task.status:
        raise CaseError(_("Opgaven har allerede den status."), field="status")
    task_status_write(actor=actor, task=task, status=status, reason=reason, request=request)
    return task


def task_status_write(
    *,
    actor: Any,
    task: Task,
    status: str,
    reason: str,
    request: HttpRequest | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Give the task a new status with its audit event, once the caller has made its checks:
    ``task_set_status`` for a case worker; a meeting's review of an action for the meeting."""
    case = task.case
    previous = task.status
    task.status = status
    task.status_reason = reason if status in REASON_REQUIRED else ""
    task.closed_at = None if status == TaskStatus.OPEN else timezone.now()
    task.save(update_fields=["status", "status_reason", "closed_at"])
    audit_record(
        action=actions.CASE_TASK_STATUS_CHANGED,
        actor=actor,
        request=request,
        target=task,
        citizen_id=case.citizen_id,
        cooperation_id=case.cooperation_id,
        detail={"case": case.pk, "from": previous, "to": status, **(detail or {})},
    )


# --- Audited reads -------------------------------------------------------------------------------------


@transaction.atomic
def case_record_view(
    *, actor: Any, case: Case, access: CaseAccess, request: HttpRequest | None = None
) -> None:
    """Audit a look at the case page: the case id, and the citizen id when the identity was shown."""
    audit_record(
        action=actions.CASE_VIEWED,
        actor=actor,
        request=request,
        target=case,
        citizen_id=case.citizen_id if access.has_details else None,
        cooperation_id=case.cooperation_id,
        detail={"view": "details" if access.has_details else "referral"},
    )


@transaction.atomic
def case_record_search(
    *, actor: Any, criteria: CaseCriteria, matches: int, request: HttpRequest | None = None
) -> None:
    """Audit a listing or search by the kind of its criterion (never the value: no name, no CPR)."""
    kinds = criteria.criterion_kinds()
    criterion = "cpr" if criteria.cpr else "name" if criteria.name else "filter" if kinds else "list"
    audit_record(
        action=actions.CASE_SEARCHED,
        actor=actor,
        request=request,
        detail={
            "criterion": criterion,
            "filters": [k for k in kinds if k not in ("cpr", "name")],
            "matches": matches,
        },
    )
