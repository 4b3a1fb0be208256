"""The one registry of audit action codes, namespaced ``area.verb``, each with a human label.

Recording an action that is not registered here raises, so the DPO's view can always explain an event.
Later domain apps add their codes with ``register()`` at import time of their own ``audit_actions``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Action:
    code: str
    label: str | Promise


REGISTRY: dict[str, Action] = {}


def register(code: str, label: str | Promise) -> str:
    area, _sep, verb = code.partition(".")
    if not area or not verb:
        raise ValueError(f"Audit action codes are namespaced as area.verb, got {code!r}")
    if code in REGISTRY and REGISTRY[code].label != label:
        raise ValueError(f"Audit action {code!r} registered twice with different labels")
    REGISTRY[code] = Action(code, label)
    return code


def label_for(code: str) -> str:
    action = REGISTRY.get(code)
    return str(action.label) if action else code


# Authentication and sessions
LOGIN_PASSWORD_OK = register("auth.login_password_ok", _("Adgangskode godkendt (mangler anden faktor)"))
LOGIN_FAILED = register("auth.login_failed", _("Mislykket login"))
LOGIN_LOCKED_OUT = register("auth.locked_out", _("Login spærret efter for mange forsøg"))
MFA_VERIFIED = register("auth.mfa_verified", _("Anden faktor godkendt; logget ind"))
MFA_FAILED = register("auth.mfa_failed", _("Forkert engangskode"))
MFA_ENROLLED = register("auth.mfa_enrolled", _("Godkenderapp tilknyttet"))
MFA_DEVICE_REMOVED = register("auth.mfa_device_removed", _("Godkenderapp fjernet"))
BACKUP_CODES_GENERATED = register("auth.backup_codes_generated", _("Nye reservekoder dannet"))
BACKUP_CODE_USED = register("auth.backup_code_used", _("Reservekode brugt"))
LOGOUT = register("auth.logout", _("Logget ud"))
LOGOUT_EVERYWHERE = register("auth.logout_everywhere", _("Logget ud på alle enheder"))
SESSION_EXPIRED = register("auth.session_expired", _("Session udløbet"))
SUDO_GRANTED = register("auth.sudo_granted", _("Identitet bekræftet til følsom handling"))
SUDO_FAILED = register("auth.sudo_failed", _("Bekræftelse af identitet mislykkedes"))
PASSWORD_CHANGED = register("auth.password_changed", _("Adgangskode ændret"))
ACCESS_DENIED = register("auth.access_denied", _("Adgang nægtet"))
LOGOUT_OTHER_SESSIONS = register("auth.logout_others", _("Logget ud på alle andre enheder"))
PROFILE_UPDATED = register("auth.profile_updated", _("Egen profil ændret"))

# People and organisations
ACCOUNT_DEACTIVATED = register("account.deactivated", _("Konto deaktiveret"))
PROFILE_VIEWED = register("account.profile_viewed", _("Egen profil set"))
INVITATION_SENT = register("invitation.sent", _("Invitation sendt"))
INVITATION_ACCEPTED = register("invitation.accepted", _("Invitation modtaget og konto oprettet"))
INVITATION_REVOKED = register("invitation.revoked", _("Invitation tilbagekaldt"))
MEMBERSHIP_CHANGED = register("membership.changed", _("Medlemskab eller rolle ændret"))
MEMBERSHIP_ENDED = register("membership.ended", _("Medlemskab afsluttet"))
COOPERATION_VIEWED = register("cooperation.viewed", _("Samarbejde set"))
COOPERATION_CONFIGURED = register("cooperation.configured", _("Samarbejdets opsætning ændret"))
MEMBERS_LISTED = register("cooperation.members_listed", _("Medlemsliste set"))

# The audit log itself
AUDIT_SEARCHED = register("audit.searched", _("Revisionslog søgt"))
AUDIT_EXPORTED = register("audit.exported", _("Revisionslog eksporteret"))
AUDIT_SEALED = register("audit.sealed", _("Revisionslog forseglet"))
AUDIT_VERIFIED = register("audit.verified", _("Revisionslog efterprøvet"))
AUDIT_CHECKPOINT = register("audit.checkpoint", _("Kontrolpunkt for revisionslog udskrevet"))

# Training
COURSE_CREATED = register("course.created", _("Kursus oprettet"))
COURSE_CHANGED = register("course.changed", _("Kursus ændret"))
COURSE_PROGRAMME_CHANGED = register("course.programme_changed", _("Kursusprogram ændret"))
COURSE_OFFERING_CREATED = register("course.offering_created", _("Kursushold oprettet"))
COURSE_OFFERING_CHANGED = register("course.offering_changed", _("Kursushold ændret"))
COURSE_ENROLLED = register("course.enrolled", _("Tilmeldt kursushold"))
COURSE_WAITLISTED = register("course.waitlisted", _("Sat på venteliste til kursushold"))
COURSE_PROMOTED = register("course.promoted", _("Rykket fra venteliste til plads på kursushold"))
COURSE_ENROLMENT_CANCELLED = register("course.enrolment_cancelled", _("Kursustilmelding afmeldt"))
COURSE_PARTICIPANTS_VIEWED = register("course.participants_viewed", _("Deltagerliste for kursushold set"))
COURSE_NOMINATION_LIST_VIEWED = register(
    "course.nomination_list_viewed", _("Samarbejdets tilmeldinger til kursushold set")
)
COURSE_ATTENDANCE_VIEWED = register("course.attendance_viewed", _("Fremmødeliste set"))
COURSE_ATTENDANCE_RECORDED = register("course.attendance_recorded", _("Fremmøde registreret"))
COURSE_COMPLETED = register("course.completed", _("Kursus registreret som gennemført"))
COURSE_COMPLETION_REVOKED = register("course.completion_revoked", _("Kursusbevis tilbagekaldt"))
COURSE_CERTIFICATE_DOWNLOADED = register("course.certificate_downloaded", _("Kursusbevis hentet"))
COURSE_CERTIFICATE_VERIFIED = register(
    "course.certificate_verified", _("Kursusbevis efterprøvet på den offentlige side")
)
COURSE_CERTIFICATE_NOT_FOUND = register(
    "course.certificate_not_found", _("Ukendt kode på siden til efterprøvning af kursusbeviser")
)
COURSE_ATTESTATION_GRANTED = register(
    "course.attestation_granted", _("Fritagelse eller ekstern uddannelse registreret")
)
COURSE_ATTESTATION_REVOKED = register(
    "course.attestation_revoked", _("Fritagelse eller ekstern uddannelse tilbagekaldt")
)
COURSE_ATTESTATIONS_VIEWED = register(
    "course.attestations_viewed", _("Fritagelser og uddannelsesstatus for medlemmer set")
)
COURSE_ITEM_CHANGED = register("course.item_changed", _("Spørgsmål i spørgsmålsbanken ændret"))
COURSE_QUESTIONNAIRE_CHANGED = register("course.questionnaire_changed", _("Spørgeskema ændret"))
COURSE_RESPONSE_SUBMITTED = register("course.response_submitted", _("Spørgeskema besvaret"))
COURSE_RESPONSE_VIEWED = register("course.response_viewed", _("Besvarelse af spørgeskema set"))
COURSE_RESULTS_VIEWED = register("course.results_viewed", _("Kursusresultater set"))
COURSE_RESULTS_EXPORTED = register("course.results_exported", _("Kursusresultater eksporteret"))
COURSE_ITEM_ANALYSIS_VIEWED = register("course.item_analysis_viewed", _("Opgaveanalyse set"))
COURSE_STAFF_TIME_VIEWED = register("course.staff_time_viewed", _("Organisationernes tidsforbrug set"))
COURSE_STAFF_TIME_EXPORTED = register(
    "course.staff_time_exported", _("Organisationernes tidsforbrug eksporteret")
)
COURSE_MATERIAL_UPLOADED = register("course.material_uploaded", _("Kursusmateriale lagt op"))
COURSE_MATERIAL_DOWNLOADED = register("course.material_downloaded", _("Kursusmateriale hentet"))
COURSE_MATERIAL_DELETED = register("course.material_deleted", _("Kursusmateriale slettet"))
COURSE_EMAIL_SENT = register("course.email_sent", _("Kursusmail sendt"))

# Citizens and cases
CITIZEN_REGISTERED = register("citizen.registered", _("Borger registreret"))
CITIZEN_VIEWED = register("citizen.viewed", _("Borger set"))
CITIZEN_CPR_REVEALED = register("citizen.cpr_revealed", _("Fuldt CPR-nummer vist"))
CITIZEN_DUPLICATES_CHECKED = register("citizen.duplicates_checked", _("Søgt efter mulige dubletter"))
CASE_OPENED = register("case.opened", _("Anonym drøftelse oprettet"))
CASE_VIEWED = register("case.viewed", _("Sag set"))
CASE_SEARCHED = register("case.searched", _("Sager søgt eller listet"))
CASE_UPDATED = register("case.updated", _("Sagens beskrivelse eller handleplan ændret"))
CASE_STATE_CHANGED = register("case.state_changed", _("Sagens status ændret"))
CASE_ACTIVATED = register("case.activated", _("Sag aktiveret med handleplan"))
CASE_FOLLOW_UP_STARTED = register("case.follow_up_started", _("Sag sat til opfølgning"))
CASE_CLOSED = register("case.closed", _("Sag lukket"))
CASE_REOPENED = register("case.reopened", _("Sag genåbnet"))
CASE_INVOLVEMENT_ADDED = register("case.involvement_added", _("Organisation involveret i sag"))
CASE_INVOLVEMENT_ENDED = register("case.involvement_ended", _("Organisations involvering i sag afsluttet"))
CASE_LEAD_CHANGED = register("case.lead_changed", _("Sagens ledende organisation ændret"))
CASE_JOURNAL_ENTRY_ADDED = register("case.journal_entry_added", _("Journalnotat skrevet"))
CASE_JOURNAL_ENTRY_EDITED = register("case.journal_entry_edited", _("Journalnotat ændret"))
CASE_FLAG_ADDED = register("case.flag_added", _("Advarsel sat på sag"))
CASE_FLAG_REMOVED = register("case.flag_removed", _("Advarsel fjernet fra sag"))
CASE_TASK_ADDED = register("case.task_added", _("Opgave oprettet på sag"))
CASE_TASK_STATUS_CHANGED = register("case.task_status_changed", _("Opgavens status ændret"))

# Sharing
DISCLOSURE_CREATED = register("disclosure.created", _("Oplysninger delt i samarbejdet på et hjemmelsgrundlag"))
DISCLOSURE_VIEWED = register("disclosure.viewed", _("Delt oplysning åbnet"))
DISCLOSURES_LISTED = register("disclosure.listed", _("Videregivelser på en sag set"))
DISCLOSURE_FORWARDED = register("disclosure.forwarded", _("Modtaget oplysning videregivet til andre"))
CASE_IDENTIFIED = register("case.identified", _("Sag identificeret på et hjemmelsgrundlag"))
CASE_PRINTED = register("case.printed", _("Delte oplysninger på en sag udskrevet"))
CASE_SHARED_EXPORTED = register("case.shared_exported", _("Delte oplysninger på en sag eksporteret"))
CASE_INFORMING_RECORDED = register("case.informing_recorded", _("Registreret om borgeren er orienteret"))
CITIZEN_CONSENT_RECORDED = register("citizen.consent_recorded", _("Borgerens samtykke registreret"))
CITIZEN_CONSENT_WITHDRAWN = register("citizen.consent_withdrawn", _("Borgerens samtykke trukket tilbage"))

# Meetings
MEETING_SERIES_CREATED = register("meeting.series_created", _("Mødeserie oprettet"))
MEETING_PLANNED = register("meeting.planned", _("Møde planlagt"))
MEETING_CHANGED = register("meeting.changed", _("Mødets tid, sted eller ledelse ændret"))
MEETINGS_LISTED = register("meeting.listed", _("Møder listet"))
MEETING_AGENDA_VIEWED = register("meeting.agenda_viewed", _("Mødets dagsorden set"))
MEETING_MINUTES_VIEWED = register("meeting.minutes_viewed", _("Mødets referat set"))
MEETING_ITEM_PROPOSED = register("meeting.item_proposed", _("Sag foreslået til et møde"))
MEETING_ITEM_ADDED = register("meeting.item_added", _("Punkt sat på dagsordenen"))
MEETING_ITEM_ACCEPTED = register("meeting.item_accepted", _("Forslag optaget på dagsordenen"))
MEETING_ITEM_DECLINED = register("meeting.item_declined", _("Punkt ikke optaget eller taget af dagsordenen"))
MEETING_AGENDA_REORDERED = register("meeting.agenda_reordered", _("Dagsordenens rækkefølge ændret"))
MEETING_INVITATIONS_SENT = register("meeting.invitations_sent", _("Mødeindkaldelser sendt"))
MEETING_ATTENDANCE_RECORDED = register("meeting.attendance_recorded", _("Fremmøde registreret"))
MEETING_CONFIDENTIALITY_ACCEPTED = register("meeting.confidentiality_accepted", _("Fortrolighedserklæring accepteret"))
MEETING_OPENED = register("meeting.opened", _("Møde startet"))
MEETING_CLOSED = register("meeting.closed", _("Møde afsluttet og referat låst"))
MEETING_MINUTES_SAVED = register("meeting.minutes_saved", _("Referat gemt"))
MEETING_DECISION_RECORDED = register("meeting.decision_recorded", _("Beslutning registreret"))
MEETING_ACTION_RECORDED = register("meeting.action_recorded", _("Handling aftalt på møde"))
MEETING_ACTION_REVIEWED = register("meeting.action_reviewed", _("Handling fulgt op på møde"))
MEETING_ADDENDUM_ADDED = register("meeting.addendum_added", _("Tilføjelse til låst referat"))
MEETING_MINUTES_EXPORTED = register("meeting.minutes_exported", _("Referat hentet som PDF"))
# One per citizen whose case an agenda, the minutes or a minutes PDF showed (samspil.audit.citizens):
# the lines of the citizen's access log; the read's own event above is the DPO's one line per look.
MEETING_CASE_AGENDA_VIEWED = register(
    "meeting.case_agenda_viewed", _("Sag set på dagsordenen til et PSP-møde")
)
MEETING_CASE_MINUTES_VIEWED = register(
    "meeting.case_minutes_viewed", _("Sag set i referatet af et PSP-møde")
)
MEETING_CASE_MINUTES_EXPORTED = register(
    "meeting.case_minutes_exported", _("Sag med i referatet af et PSP-møde, hentet som PDF")
)
MEETING_FEEDBACK_CREATED = register("meeting.feedback_created", _("Tilbagemelding til den, der rejste sagen"))
MEETING_FEEDBACK_EMAILED = register("meeting.feedback_emailed", _("Besked om tilbagemelding sendt pr. e-mail"))
MEETING_FEEDBACK_VIEWED = register("meeting.feedback_viewed", _("Tilbagemelding læst"))
MEETING_REMINDER_SENT = register("meeting.reminder_sent", _("Påmindelse om handling sendt"))
MEETING_CALENDAR_CREATED = register("meeting.calendar_created", _("Personligt kalenderlink oprettet"))
MEETING_CALENDAR_REVOKED = register("meeting.calendar_revoked", _("Personligt kalenderlink tilbagekaldt"))
MEETING_CALENDAR_READ = register("meeting.calendar_read", _("Kalenderlink hentet"))
DISCHARGE_REQUESTED = register("discharge.requested", _("Udskrivningsmøde anmodet"))
DISCHARGE_VIEWED = register("discharge.viewed", _("Udskrivningsmøde set"))
DISCHARGE_LISTED = register("discharge.listed", _("Udskrivningsmøder listet"))
DISCHARGE_SCHEDULED = register("discharge.scheduled", _("Udskrivningsmøde berammet"))
DISCHARGE_RECORDED = register("discharge.recorded", _("Udskrivningsaftale eller koordinationsplan registreret"))

# Concerns
CONCERN_RAISED = register("concern.raised", _("Bekymring for radikalisering rejst"))
CONCERN_LISTED = register("concern.listed", _("Bekymringer listet"))
CONCERN_VIEWED = register("concern.viewed", _("Bekymring åbnet"))
CONCERN_STATUS_VIEWED = register("concern.status_viewed", _("Status for egen bekymring set"))
CONCERN_RECEIVED = register("concern.received", _("Bekymring modtaget af tovholder"))
CONCERN_DESCRIBED = register("concern.described", _("Bekymring beskrevet efter interviewguiden"))
CONCERN_TRIAGED = register("concern.triaged", _("Bekymring triageret"))
CONCERN_STEP_CHANGED = register("concern.step_changed", _("Bekymring flyttet til et nyt trin"))
CONCERN_ORGANISATION_INVOLVED = register(
    "concern.organisation_involved", _("Organisation inddraget i bekymring")
)
CONCERN_ORGANISATION_RELEASED = register(
    "concern.organisation_released", _("Organisations inddragelse i bekymring afsluttet")
)
CONCERN_DISCLOSED = register("concern.disclosed", _("Oplysninger delt i en bekymring på et hjemmelsgrundlag"))
CONCERN_ASSESSED = register("concern.assessed", _("Vurdering af bekymring registreret"))
CONCERN_ASSESSMENT_VIEWED = register("concern.assessment_viewed", _("Vurdering af bekymring set"))
CONCERN_ASSESSMENTS_COMPARED = register(
    "concern.assessments_compared", _("To vurderinger af en bekymring sammenlignet")
)
CONCERN_DECIDED = register("concern.decided", _("Beslutning truffet om bekymring"))
CONCERN_HANDED_TO_POLICE = register("concern.handed_to_police", _("Bekymring overdraget til politiet"))
CONCERN_PLAN_SAVED = register("concern.plan_saved", _("Plan for indsats gemt"))
CONCERN_GOAL_ADDED = register("concern.goal_added", _("Mål tilføjet plan for indsats"))
CONCERN_INTERVENTION_ENDED = register(
    "concern.intervention_ended", _("Indsats afsluttet; opfølgninger planlagt")
)
CONCERN_REVIEWED = register("concern.reviewed", _("Opfølgning på bekymring registreret"))
CONCERN_CLOSED = register("concern.closed", _("Bekymring lukket"))
CONCERN_CASE_LINKED = register("concern.case_linked", _("Bekymring knyttet til en sag"))
CONCERN_SETTINGS_VIEWED = register("concern.settings_viewed", _("Opsætning af bekymringer set"))
CONCERN_SETTINGS_CHANGED = register("concern.settings_changed", _("Opsætning af bekymringer ændret"))
CONCERN_LEAD_CONTACT_DESIGNATED = register(
    "concern.lead_contact_designated", _("Tovholder for bekymringer udpeget")
)
CONCERN_LEAD_CONTACT_ENDED = register("concern.lead_contact_ended", _("Tovholder for bekymringer afsluttet"))
CONCERN_SIGN_ADDED = register("concern.sign_added", _("Tegn på bekymring tilføjet kataloget"))
CONCERN_TEMPLATES_VIEWED = register("concern.templates_viewed", _("Vurderingsskabeloner set"))
CONCERN_TEMPLATE_CREATED = register("concern.template_created", _("Vurderingsskabelon oprettet"))
CONCERN_NETWORK_VIEWED = register("concern.network_viewed", _("Infohus Netværk-tal set"))
MEETING_FEEDBACK_LISTED = register("meeting.feedback_listed", _("Egne tilbagemeldinger fra møder listet"))

# Privacy rights
PRIVACY_CITIZEN_SEARCHED = register(
    "privacy.citizen_searched", _("Borger søgt til indsigt eller berigtigelse")
)
PRIVACY_CITIZEN_VIEWED = register("privacy.citizen_viewed", _("Borgerens rettigheder set"))
ACCESS_REPORT_PRODUCED = register(
    "privacy.access_report_produced", _("Indsigtsrapport udarbejdet til borgeren")
)
ACCESS_EXEMPTION_RECORDED = register("privacy.exemption_recorded", _("Notat undtaget fra borgerens indsigt"))
ACCESS_EXEMPTION_LIFTED = register("privacy.exemption_lifted", _("Undtagelse fra borgerens indsigt ophævet"))
CITIZEN_RECTIFIED = register("citizen.rectified", _("Borgerens oplysninger berigtiget"))
RECTIFICATION_NOTIFIED = register(
    "privacy.rectification_notified", _("Modtagere af oplysninger underrettet om berigtigelse")
)
LEGAL_HOLD_PLACED = register("privacy.legal_hold_placed", _("Retligt hold sat (sletning udsat)"))
LEGAL_HOLD_LIFTED = register("privacy.legal_hold_lifted", _("Retligt hold ophævet"))
RETENTION_RULE_CHANGED = register("privacy.retention_rule_changed", _("Slettefrist ændret"))
RETENTION_RULE_ADDED = register("privacy.retention_rule_added", _("Slettefrist for en hjemmel tilføjet"))
RETENTION_RULE_REMOVED = register(
    "privacy.retention_rule_removed", _("Slettefrist for en hjemmel fjernet (standardfristen gælder igen)")
)
RETENTION_DELETED = register("privacy.retention_deleted", _("Slettet efter slettefrist (kvittering)"))
RETENTION_RUN = register("privacy.retention_run", _("Sletning efter slettefrister gennemført"))
DELETION_RECEIPTS_VIEWED = register("privacy.receipts_viewed", _("Sletningskvitteringer set"))

# Evaluation figures (counts only, small numbers suppressed)
STATS_VIEWED = register("stats.figures_viewed", _("Samarbejdets evalueringstal set"))
STATS_EXPORTED = register("stats.figures_exported", _("Samarbejdets evalueringstal hentet som regneark"))
