"""The authorization matrix: every URL pattern and API operation, and what each persona gets.

Adding a route without a row here fails tests/test_authorization_matrix.py, so nobody can add a page
without deciding who may see it. ``expect`` lists the status per persona; personas not listed get
``default``. ``kwargs`` builds the URL arguments from the test world (objects of the personas'
own cooperation, so an outsider asking for them must get 404). Routes whose action changes state
are checked with the method given; the dedicated tests assert what changes and that a denial
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANON_LOGIN = 302  # anonymous visitors are redirected to login


@dataclass(frozen=True)
class Route:
    name: str
    default: int
    expect: dict[str, int] = field(default_factory=dict)
    kwargs: Callable[[Any], dict[str, Any]] = lambda world: {}
    method: str = "GET"
    data: Callable[[Any], dict[str, Any]] = lambda world: {}
    query: str = ""

    def status_for(self, persona: str) -> int:
        return self.expect.get(persona, self.default)


EVERYONE_SIGNED_IN = {"anonymous": ANON_LOGIN}


def _sharing(world: Any) -> Any:
    """The sharing pages' objects (tests/sharing/helpers.py), built once per world."""
    from .sharing.helpers import sharing_objects

    return sharing_objects(world)


def _sharing_case(world: Any) -> dict[str, Any]:
    return {"case_pk": _sharing(world).case.pk}


def _sharing_disclosure(world: Any) -> dict[str, Any]:
    return {"pk": _sharing(world).disclosure.pk}


# sharing: key members of the three involved organisations and the municipality's coordinator work on the case
SHARING_CASE_WORKERS = {
    "police_officer": 200, "social_worker": 200, "psychiatry_nurse": 200, "coordinator": 200,
    "anonymous": ANON_LOGIN,
}

def _training(world: Any) -> Any:
    """The training pages' objects (tests/training/helpers.py), built once per world."""
    from .training.helpers import training_objects

    return training_objects(world)


# training: no persona is a course administrator; coordinators nominate, waive and see attestations
TRAINING_ADMIN = {"anonymous": ANON_LOGIN}
TRAINING_COORDINATORS = {"coordinator": 200, "outsider": 200, "anonymous": ANON_LOGIN}

MATRIX: list[Route] = [
    Route("core:home", 200, EVERYONE_SIGNED_IN),
    Route("core:healthz", 200),
    Route("set_language", 302, method="POST", data=lambda w: {"language": "en", "next": "/"}),
    # accounts: sign-in pages send signed-in people on (302); device and backup-code pages ask for sudo (302)
    Route("accounts:login", 302, {"anonymous": 200}),
    Route("accounts:mfa_verify", 302),
    Route("accounts:mfa_enroll", 302),
    Route("accounts:logout", 302, method="POST"),
    Route("accounts:sudo", 200, EVERYONE_SIGNED_IN),
    Route("accounts:profile", 200, EVERYONE_SIGNED_IN),
    Route("accounts:password_change", 200, EVERYONE_SIGNED_IN),
    Route("accounts:mfa_device_remove", 302,
          kwargs=lambda w: {"pk": w.users["coordinator"].totpdevice_set.get().pk}),
    Route("accounts:backup_codes", 302),
    Route("accounts:logout_others", 302, method="POST"),
    Route("accounts:logout_everywhere", 302, method="POST"),
    # privacy / api
    Route("privacy:audit_log", 403, {"dpo": 200, "anonymous": ANON_LOGIN}),
    Route("privacy:audit_export", 403, {"dpo": 302, "anonymous": ANON_LOGIN}),  # the DPO is asked for sudo
    Route("api:openapi-view", 200, EVERYONE_SIGNED_IN),
    Route("api:openapi-json", 200, {"anonymous": 401}),
    Route("api:api-root", 404),  # ninja's anchor for the API's base path; it answers 404 to everyone
    # organisations
    Route("organisations:cooperation_list", 200, EVERYONE_SIGNED_IN),
    Route("organisations:switch_membership", 302, method="POST", data=lambda w: {"membership": "0"}),
    Route("organisations:cooperation_detail", 200,
          {"frontline_worker": 403, "outsider": 404, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": w.cooperation.pk}),
    Route("organisations:member_list", 200,
          {"frontline_worker": 403, "outsider": 404, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": w.cooperation.pk}),
    # stats: the cooperation's evaluation figures (counts only) for every member who may see the cooperation
    Route("stats:cooperation_figures", 200,
          {"frontline_worker": 403, "outsider": 404, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": w.cooperation.pk}),
    Route("stats:cooperation_figures_export", 200,
          {"frontline_worker": 403, "outsider": 404, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": w.cooperation.pk, "fmt": "csv"}),
    Route("stats:cooperation_figures_export", 200,
          {"frontline_worker": 403, "outsider": 404, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": w.cooperation.pk, "fmt": "xlsx"}),
    Route("organisations:cooperation_configure", 403,
          {"coordinator": 200, "outsider": 404, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": w.cooperation.pk}),
    Route("organisations:cooperation_configure", 403,
          {"coordinator": 400, "outsider": 404, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": w.cooperation.pk}, method="POST", data=lambda w: {"version": "1"}),
    Route("organisations:cooperation_group_row", 403,
          {"coordinator": 200, "outsider": 404, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": w.cooperation.pk}),
    Route("organisations:invitation_list", 403,
          {"coordinator": 200, "outsider": 404, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": w.cooperation.pk}),
    Route("organisations:invitation_revoke", 403,
          {"coordinator": 302, "outsider": 404, "anonymous": ANON_LOGIN},
          method="POST",
          kwargs=lambda w: {"pk": w.cooperation.pk, "invitation_pk": w.cooperation.invitations.create(
              email="nina@eksempel.invalid", full_name="Nina Ny", organisation=w.municipality,
              role="key_member", token_hash="0" * 64, expires_at="2999-01-01T00:00:00+00:00").pk}),
    # changing, ending and deactivating members needs sudo mode: the coordinator is sent to confirm (302)
    Route("organisations:member_change", 403,
          {"coordinator": 302, "outsider": 404, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": w.cooperation.pk,
                            "membership_pk": w.users["social_worker"].memberships.get().pk}),
    Route("organisations:member_end", 403,
          {"coordinator": 302, "outsider": 404, "anonymous": ANON_LOGIN},
          method="POST",
          kwargs=lambda w: {"pk": w.cooperation.pk,
                            "membership_pk": w.users["social_worker"].memberships.get().pk}),
    Route("organisations:member_deactivate", 403,
          {"coordinator": 302, "outsider": 404, "anonymous": ANON_LOGIN},
          method="POST",
          kwargs=lambda w: {"pk": w.cooperation.pk,
                            "membership_pk": w.users["social_worker"].memberships.get().pk}),
    Route("invitations:accept", 404, kwargs=lambda w: {"token": "ukendt-token"}),  # unknown link: 404 for all
    # sharing
    Route("sharing:legal_basis_list", 200, EVERYONE_SIGNED_IN),
    Route("sharing:case_disclosures", 404, SHARING_CASE_WORKERS, kwargs=_sharing_case),
    Route("sharing:entry_share", 404, {"police_officer": 200, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"case_pk": _sharing(w).case.pk, "entry_pk": _sharing(w).police_entry.pk}),
    Route("sharing:case_print", 404, SHARING_CASE_WORKERS, kwargs=_sharing_case),
    Route("sharing:case_export", 404, SHARING_CASE_WORKERS, kwargs=_sharing_case),
    Route("sharing:case_identify", 404, SHARING_CASE_WORKERS,
          kwargs=lambda w: {"case_pk": _sharing(w).anonymous_case.pk,
                            "citizen_pk": _sharing(w).case.citizen_id}),
    Route("sharing:consent_record", 404, SHARING_CASE_WORKERS, kwargs=_sharing_case),
    Route("sharing:consent_withdraw", 404, SHARING_CASE_WORKERS,
          kwargs=lambda w: {"case_pk": _sharing(w).case.pk, "consent_pk": _sharing(w).consent.pk}),
    Route("sharing:informing_record", 404, SHARING_CASE_WORKERS, kwargs=_sharing_case),
    Route("sharing:disclosure_detail", 404, SHARING_CASE_WORKERS, kwargs=_sharing_disclosure),
    Route("sharing:disclosure_forward", 404, SHARING_CASE_WORKERS, kwargs=_sharing_disclosure),
    # training: courses, programmes and open offerings are for every member; a person's own enrolment,
    # answers and certificate are 404 to everyone else; the verification page is public
    Route("training:course_list", 200, EVERYONE_SIGNED_IN),
    Route("training:my_training", 200, EVERYONE_SIGNED_IN),
    Route("training:course_create", 403, TRAINING_ADMIN),
    Route("training:course_detail", 200, EVERYONE_SIGNED_IN, kwargs=lambda w: {"pk": _training(w).course.pk}),
    Route("training:course_edit", 403, TRAINING_ADMIN, kwargs=lambda w: {"pk": _training(w).course.pk}),
    Route("training:day_create", 403, TRAINING_ADMIN, kwargs=lambda w: {"pk": _training(w).course.pk}),
    Route("training:day_edit", 403, TRAINING_ADMIN,
          kwargs=lambda w: {"pk": _training(w).course.days.first().pk}),
    Route("training:day_delete", 403, TRAINING_ADMIN, method="POST",
          kwargs=lambda w: {"pk": _training(w).course.days.first().pk}),
    Route("training:session_create", 403, TRAINING_ADMIN,
          kwargs=lambda w: {"pk": _training(w).course.days.first().pk}),
    Route("training:session_edit", 403, TRAINING_ADMIN,
          kwargs=lambda w: {"pk": _training(w).course.days.first().sessions.first().pk}),
    Route("training:session_delete", 403, TRAINING_ADMIN, method="POST",
          kwargs=lambda w: {"pk": _training(w).course.days.first().sessions.first().pk}),
    Route("training:module_create", 403, TRAINING_ADMIN,
          kwargs=lambda w: {"pk": _training(w).course.days.first().sessions.first().pk}),
    Route("training:module_edit", 403, TRAINING_ADMIN,
          kwargs=lambda w: {"pk": _training(w).presenter.modules.first().pk}),
    Route("training:module_delete", 403, TRAINING_ADMIN, method="POST",
          kwargs=lambda w: {"pk": _training(w).presenter.modules.first().pk}),
    Route("training:presenter_list", 403, TRAINING_ADMIN),
    Route("training:presenter_create", 403, TRAINING_ADMIN),
    Route("training:presenter_edit", 403, TRAINING_ADMIN, kwargs=lambda w: {"pk": _training(w).presenter.pk}),
    Route("training:offering_create", 403, TRAINING_ADMIN, kwargs=lambda w: {"pk": _training(w).course.pk}),
    Route("training:offering_detail", 200, EVERYONE_SIGNED_IN,
          kwargs=lambda w: {"pk": _training(w).offering.pk}),
    Route("training:offering_edit", 403, TRAINING_ADMIN, kwargs=lambda w: {"pk": _training(w).offering.pk}),
    Route("training:enrol", 302, method="POST", kwargs=lambda w: {"pk": _training(w).offering.pk}),
    Route("training:nominate", 403, TRAINING_COORDINATORS, kwargs=lambda w: {"pk": _training(w).offering.pk}),
    Route("training:enrolment_cancel", 404,
          {"police_officer": 302, "coordinator": 302, "anonymous": ANON_LOGIN},
          method="POST", kwargs=lambda w: {"pk": _training(w).enrolment.pk}),
    Route("training:participants", 403, TRAINING_ADMIN, kwargs=lambda w: {"pk": _training(w).offering.pk}),
    Route("training:attendance", 403, TRAINING_ADMIN, kwargs=lambda w: {"pk": _training(w).held.pk}),
    Route("training:attendance_day", 403, TRAINING_ADMIN, method="POST", data=lambda w: {"present": "1"},
          kwargs=lambda w: {"enrolment": _training(w).held_enrolment.pk,
                            "day": _training(w).held.days.first().pk}),
    Route("training:attendance_session", 403, TRAINING_ADMIN, method="POST", data=lambda w: {"present": "1"},
          kwargs=lambda w: {"enrolment": _training(w).held_enrolment.pk,
                            "session": _training(w).course.days.first().sessions.first().pk}),
    Route("training:completions_record", 403, TRAINING_ADMIN, method="POST",
          kwargs=lambda w: {"pk": _training(w).held.pk}),
    Route("training:completion_exception", 403, TRAINING_ADMIN,
          kwargs=lambda w: {"pk": _training(w).held_enrolment.pk}),
    Route("training:certificate", 404, {"police_officer": 200, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": _training(w).completion.pk}),
    Route("training:completion_revoke", 403, TRAINING_ADMIN,
          kwargs=lambda w: {"pk": _training(w).completion.pk}),
    Route("training:attestation_list", 403, TRAINING_COORDINATORS),
    Route("training:waiver_create", 403, TRAINING_COORDINATORS),
    Route("training:external_create", 403, TRAINING_ADMIN),
    Route("training:attestation_revoke", 403, {"coordinator": 302, "outsider": 404, "anonymous": ANON_LOGIN},
          method="POST", kwargs=lambda w: {"pk": _training(w).attestation.pk}),
    Route("training:item_list", 403, TRAINING_ADMIN),
    Route("training:item_create", 403, TRAINING_ADMIN),
    Route("training:item_edit", 403, TRAINING_ADMIN, kwargs=lambda w: {"pk": _training(w).item.pk}),
    Route("training:questionnaire_edit", 403, TRAINING_ADMIN,
          kwargs=lambda w: {"pk": _training(w).offering.pk, "kind": "pre"}),
    Route("training:questionnaire_answer", 404, {"police_officer": 200, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": _training(w).pre.pk}),
    Route("training:response_detail", 404, {"police_officer": 200, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": _training(w).response.pk}),
    Route("training:offering_results", 403, TRAINING_COORDINATORS,
          kwargs=lambda w: {"pk": _training(w).held.pk}),
    Route("training:offering_chart", 403, TRAINING_COORDINATORS,
          kwargs=lambda w: {"pk": _training(w).held.pk, "chart": "foer-efter", "fmt": "svg"}),
    Route("training:offering_export", 403, TRAINING_COORDINATORS,
          kwargs=lambda w: {"pk": _training(w).held.pk, "fmt": "csv"}),
    Route("training:item_analysis", 403, TRAINING_ADMIN, kwargs=lambda w: {"pk": _training(w).held.pk}),
    Route("training:course_results", 403, TRAINING_COORDINATORS,
          kwargs=lambda w: {"pk": _training(w).course.pk}),
    Route("training:course_chart", 403, TRAINING_COORDINATORS,
          kwargs=lambda w: {"pk": _training(w).course.pk, "chart": "udvikling", "fmt": "png"}),
    Route("training:course_export", 403, TRAINING_COORDINATORS,
          kwargs=lambda w: {"pk": _training(w).course.pk, "fmt": "xlsx"}),
    Route("training:staff_time", 403, TRAINING_ADMIN),
    Route("training:staff_time_export", 403, TRAINING_ADMIN, kwargs=lambda w: {"fmt": "csv"}),
    Route("training:material_list", 403, {"police_officer": 200, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": _training(w).course.pk}),
    Route("training:material_upload", 403, TRAINING_ADMIN, kwargs=lambda w: {"pk": _training(w).course.pk}),
    Route("training:material_download", 403, {"police_officer": 200, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": _training(w).material.pk}),
    Route("training:material_delete", 403, TRAINING_ADMIN, method="POST",
          kwargs=lambda w: {"pk": _training(w).material.pk}),
    Route("training_public:verify", 200),
    Route("training_public:verify_code", 200,
          kwargs=lambda w: {"code": _training(w).completion.verification_code}),
]

# cases / citizens: the matrix case (tests/cases/matrix.py) involves all three sectors and was referred by
# the frontline worker: the three key members and the municipality's coordinator work on it, the frontline
# worker gets the referral view (403 on everything else), the DPO and the outsider do not see it (404).
def _cases(world: Any) -> Any:
    from .cases import matrix

    return matrix


CASE_WORKERS = {"police_officer": 200, "social_worker": 200, "psychiatry_nurse": 200, "coordinator": 200,
                "frontline_worker": 403, "anonymous": ANON_LOGIN}
CASE_WORKERS_REDIRECTED = {
    **CASE_WORKERS, **{p: 302 for p in ("police_officer", "social_worker", "psychiatry_nurse", "coordinator")}
}
MATRIX += [
    Route("cases:case_list", 200, EVERYONE_SIGNED_IN),
    Route("cases:case_list", 200, EVERYONE_SIGNED_IN, method="POST", data=lambda w: {"cpr": "120384-9123"}),
    Route("cases:case_open", 200, {"frontline_worker": 403, "dpo": 403, "anonymous": ANON_LOGIN}),
    Route("cases:case_detail", 404, {**CASE_WORKERS, "frontline_worker": 200},
          kwargs=lambda w: _cases(w).case_kwargs(w)),
    Route("cases:case_edit", 404, CASE_WORKERS, kwargs=lambda w: _cases(w).case_kwargs(w)),
    Route("cases:case_step", 404, CASE_WORKERS, kwargs=lambda w: _cases(w).step_kwargs(w)),
    Route("cases:case_involvement", 404, CASE_WORKERS, kwargs=lambda w: _cases(w).case_kwargs(w)),
    Route("cases:case_citizen", 404, CASE_WORKERS_REDIRECTED,
          kwargs=lambda w: _cases(w).case_kwargs(w)),  # already identified: back to the case
    Route("cases:journal_add", 404, CASE_WORKERS, kwargs=lambda w: _cases(w).case_kwargs(w)),
    Route("cases:journal_edit", 404, {**CASE_WORKERS, "police_officer": 404, "psychiatry_nurse": 404},
          kwargs=lambda w: _cases(w).entry_kwargs(w)),  # the municipality's own entry
    Route("cases:flag_add", 404, CASE_WORKERS, kwargs=lambda w: _cases(w).case_kwargs(w)),
    Route("cases:flag_remove", 404, CASE_WORKERS_REDIRECTED, method="POST",
          kwargs=lambda w: _cases(w).flag_kwargs(w)),
    Route("cases:task_add", 404, CASE_WORKERS, kwargs=lambda w: _cases(w).case_kwargs(w)),
    Route("cases:task_status", 404, CASE_WORKERS, kwargs=lambda w: _cases(w).task_kwargs(w)),
    Route("citizens:citizen_detail", 404, {**CASE_WORKERS, "frontline_worker": 404},
          kwargs=lambda w: _cases(w).citizen_kwargs(w)),
    Route("citizens:citizen_cpr", 404, {**CASE_WORKERS, "frontline_worker": 404}, method="POST",
          kwargs=lambda w: _cases(w).citizen_kwargs(w)),
]

# concerns: every concern below was raised by the frontline worker (who sees its status only: 200 on the
# page, 403 on everything else); the police officer and the social worker are lead contacts; the psychiatry
# nurse's region is involved from step 2 (404 before); the coordinator, the DPO and the outsider do not see
# concerns (404). Settings are the coordinator's; templates and Infohus Netværk need cooperation.view.
def _concerns(world: Any) -> Any:
    from .concerns.helpers import matrix_concerns

    return matrix_concerns(world)


CONCERN_NOT_SEEN = {"coordinator": 404, "dpo": 404, "outsider": 404}
CONCERN_LEADS = {"police_officer": 200, "social_worker": 200, "frontline_worker": 403, **CONCERN_NOT_SEEN,
                 "anonymous": ANON_LOGIN}
CONCERN_LEADS_POST = {**CONCERN_LEADS, "police_officer": 302, "social_worker": 302}
CONCERN_DETAILS = {**CONCERN_LEADS, "psychiatry_nurse": 200}
CONCERN_SETTINGS = {"coordinator": 200, "outsider": 404, "anonymous": ANON_LOGIN}
CONCERN_VIEWERS = {"frontline_worker": 403, "anonymous": ANON_LOGIN}
MATRIX += [
    Route("concerns:concern_list", 200, EVERYONE_SIGNED_IN),
    Route("concerns:concern_raise", 200, {"dpo": 403, "anonymous": ANON_LOGIN}),
    Route("concerns:concern_detail", 404, {**CONCERN_DETAILS, "frontline_worker": 200},
          kwargs=lambda w: {"pk": _concerns(w).gathering.pk}),
    Route("concerns:concern_receive", 404, {**CONCERN_LEADS_POST}, method="POST",
          kwargs=lambda w: {"pk": _concerns(w).received.pk}),
    Route("concerns:concern_describe", 404, CONCERN_LEADS, kwargs=lambda w: {"pk": _concerns(w).received.pk}),
    Route("concerns:concern_involve", 403, CONCERN_LEADS, kwargs=lambda w: {"pk": _concerns(w).gathering.pk}),
    Route("concerns:concern_involvement_end", 403, CONCERN_LEADS_POST, method="POST",
          kwargs=lambda w: {"pk": _concerns(w).gathering.pk, "involvement_pk": _concerns(w).involvement_pk}),
    Route("concerns:concern_share", 403, CONCERN_DETAILS, kwargs=lambda w: {"pk": _concerns(w).gathering.pk}),
    Route("concerns:concern_advance", 403, CONCERN_LEADS_POST, method="POST",
          data=lambda w: {"til": "vurdering"}, kwargs=lambda w: {"pk": _concerns(w).gathering.pk}),
    Route("concerns:assessment_create", 403, CONCERN_DETAILS,
          kwargs=lambda w: {"pk": _concerns(w).assessment.pk}),
    Route("concerns:assessment_compare", 403, CONCERN_DETAILS,
          kwargs=lambda w: {"pk": _concerns(w).assessment.pk}),
    Route("concerns:assessment_detail", 403, CONCERN_DETAILS,
          kwargs=lambda w: {"pk": _concerns(w).assessment.pk,
                            "assessment_pk": _concerns(w).assessment.assessments.first().pk}),
    Route("concerns:concern_decide", 403, CONCERN_LEADS, kwargs=lambda w: {"pk": _concerns(w).decision.pk}),
    Route("concerns:plan_edit", 403, CONCERN_LEADS, kwargs=lambda w: {"pk": _concerns(w).follow_up.pk}),
    Route("concerns:plan_end", 403, CONCERN_LEADS_POST, kwargs=lambda w: {"pk": _concerns(w).follow_up.pk}),
    Route("concerns:review_record", 403, CONCERN_LEADS,
          kwargs=lambda w: {"pk": _concerns(w).follow_up.pk, "review_pk": _concerns(w).review.pk}),
    Route("concerns:concern_close", 403, CONCERN_LEADS, kwargs=lambda w: {"pk": _concerns(w).follow_up.pk}),
    Route("concerns:concern_case", 403, CONCERN_LEADS, kwargs=lambda w: {"pk": _concerns(w).follow_up.pk}),
    Route("concerns:settings_edit", 403, CONCERN_SETTINGS,
          kwargs=lambda w: {"cooperation_pk": w.cooperation.pk}),
    Route("concerns:lead_contact_add", 403, CONCERN_SETTINGS, method="POST",
          kwargs=lambda w: {"cooperation_pk": w.cooperation.pk}),
    Route("concerns:lead_contact_end", 403, {**CONCERN_SETTINGS, "coordinator": 302}, method="POST",
          kwargs=lambda w: {"cooperation_pk": w.cooperation.pk, "lead_pk": _concerns(w).lead_pk}),
    Route("concerns:sign_add", 403, CONCERN_SETTINGS, method="POST",
          kwargs=lambda w: {"cooperation_pk": w.cooperation.pk}),
    Route("concerns:template_list", 200, CONCERN_VIEWERS),
    Route("concerns:template_create", 403, {"coordinator": 200, "outsider": 200, "anonymous": ANON_LOGIN}),
    Route("concerns:template_detail", 200, CONCERN_VIEWERS,
          kwargs=lambda w: {"template_pk": _concerns(w).assessment.assessments.first().template_id}),
    Route("concerns:network", 200, CONCERN_VIEWERS),
]

# meetings: the matrix meeting is in progress, chaired by the coordinator (who has accepted its
# confidentiality statement); its case involves all three sectors and was raised by the frontline worker
# (tests/meetings/helpers.py).
def _meetings(world: Any) -> Any:
    from .meetings.helpers import meeting_objects

    return meeting_objects(world)


MEETING_MEMBERS = {"police_officer": 200, "social_worker": 200, "psychiatry_nurse": 200, "coordinator": 200,
                   "anonymous": ANON_LOGIN}
MEETING_MANAGER = {"police_officer": 403, "social_worker": 403, "psychiatry_nurse": 403, "coordinator": 200,
                   "anonymous": ANON_LOGIN}
MEETING_POSTS = {**MEETING_MANAGER, "coordinator": 302}
MEETING_CASE = {**MEETING_MEMBERS, "frontline_worker": 403}  # the referrer knows the case, not its details
MATRIX += [
    Route("meetings:meeting_list", 200, {"frontline_worker": 403, "dpo": 403, "anonymous": ANON_LOGIN}),
    Route("meetings:series_create", 403, {"coordinator": 200, "outsider": 404, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"cooperation_pk": w.cooperation.pk}),
    Route("meetings:series_detail", 404, MEETING_MEMBERS, kwargs=lambda w: {"pk": _meetings(w).series.pk}),
    Route("meetings:meeting_create", 404, MEETING_MANAGER, kwargs=lambda w: {"pk": _meetings(w).series.pk}),
    Route("meetings:meeting_detail", 404, MEETING_MEMBERS, kwargs=lambda w: {"pk": _meetings(w).meeting.pk}),
    Route("meetings:meeting_edit", 404, MEETING_MANAGER, kwargs=lambda w: {"pk": _meetings(w).meeting.pk}),
    Route("meetings:acknowledge", 404, {**{p: 302 for p in MEETING_MEMBERS}, "anonymous": ANON_LOGIN},
          method="POST", kwargs=lambda w: {"pk": _meetings(w).meeting.pk}),
    Route("meetings:agenda_add", 404, MEETING_MANAGER, kwargs=lambda w: {"pk": _meetings(w).meeting.pk}),
    Route("meetings:invitations_send", 404, MEETING_POSTS, method="POST",
          kwargs=lambda w: {"pk": _meetings(w).meeting.pk}),
    Route("meetings:attendance", 404, MEETING_MANAGER, kwargs=lambda w: {"pk": _meetings(w).meeting.pk}),
    Route("meetings:meeting_open", 404, MEETING_POSTS, method="POST",
          kwargs=lambda w: {"pk": _meetings(w).meeting.pk}),
    Route("meetings:meeting_close", 404, MEETING_MANAGER, kwargs=lambda w: {"pk": _meetings(w).meeting.pk}),
    Route("meetings:minutes", 404, MEETING_MEMBERS, kwargs=lambda w: {"pk": _meetings(w).meeting.pk}),
    Route("meetings:minutes_pdf", 404, MEETING_MEMBERS, kwargs=lambda w: {"pk": _meetings(w).meeting.pk}),
    Route("meetings:addendum_add", 404, MEETING_MANAGER, kwargs=lambda w: {"pk": _meetings(w).closed.pk}),
    Route("meetings:action_review", 404, MEETING_MANAGER,
          kwargs=lambda w: {"pk": _meetings(w).meeting.pk, "action_pk": _meetings(w).carried.pk}),
    Route("meetings:item_decide", 404, MEETING_POSTS, method="POST", data=lambda w: {"decision": "accept"},
          kwargs=lambda w: {"item_pk": _meetings(w).proposal.pk}),
    Route("meetings:item_move", 404, MEETING_POSTS, method="POST", data=lambda w: {"direction": "up"},
          kwargs=lambda w: {"item_pk": _meetings(w).item.pk}),
    Route("meetings:minutes_save", 404, MEETING_POSTS, method="POST",
          data=lambda w: {"part": "shared", "text": "Drøftet (fiktivt).", "version": "0"},
          kwargs=lambda w: {"item_pk": _meetings(w).item.pk}),
    Route("meetings:decision_add", 404, MEETING_MANAGER, kwargs=lambda w: {"item_pk": _meetings(w).item.pk}),
    Route("meetings:action_add", 404, MEETING_MANAGER, kwargs=lambda w: {"item_pk": _meetings(w).item.pk}),
    Route("meetings:item_propose", 404, MEETING_CASE, kwargs=lambda w: {"case_pk": _meetings(w).case.pk}),
    Route("meetings:discharge_request", 404, MEETING_CASE,
          kwargs=lambda w: {"case_pk": _meetings(w).case.pk}),
    Route("meetings:feedback_list", 200, EVERYONE_SIGNED_IN),
    Route("meetings:feedback_detail", 404, {"frontline_worker": 200, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": _meetings(w).feedback.pk}),
    Route("meetings:calendar_settings", 200, EVERYONE_SIGNED_IN),
    Route("meetings:discharge_list", 200, {"frontline_worker": 403, "dpo": 403, "anonymous": ANON_LOGIN}),
    Route("meetings:discharge_detail", 404, MEETING_MEMBERS,
          kwargs=lambda w: {"pk": _meetings(w).discharge.pk}),
    Route("meetings:discharge_schedule", 404, MEETING_MEMBERS,
          kwargs=lambda w: {"pk": _meetings(w).discharge.pk}),
    Route("meetings:discharge_record", 404, MEETING_MEMBERS,
          kwargs=lambda w: {"pk": _meetings(w).discharge.pk}),
    # the feed's secret token is the authority, no session needed (an unknown token is 404 for everyone)
    Route("meetings_feed:calendar_feed", 404, kwargs=lambda w: {"token": "ukendt-token"}),
]

# privacy rights: the DPO works on the citizens of their cooperation (tests/privacy/helpers.py); case workers
# who see the citizen may rectify; the police officer withholds the police's own entry. Others get 404 on
# objects and 403 on the DPO's pages. The access report asks the DPO for sudo (302).
def _rights(world: Any) -> Any:
    from .privacy.helpers import rights_objects

    return rights_objects(world)


def _basis_rule(world: Any) -> Any:
    from .privacy.helpers import basis_rule

    return basis_rule(world)


RIGHTS_DPO = {"dpo": 200, "anonymous": ANON_LOGIN}
RIGHTS_RECTIFIERS = {"police_officer": 200, "social_worker": 200, "psychiatry_nurse": 200, "coordinator": 200,
                     "dpo": 200, "anonymous": ANON_LOGIN}
# adding or removing a rule for one legal basis: the cooperation exists for all its members (403, audited,
# for all but its DPO); for an outsider it does not (404)
RULES_DPO = {"dpo": 200, "outsider": 404, "anonymous": ANON_LOGIN}
MATRIX += [
    Route("privacy:rights", 403, RIGHTS_DPO),
    Route("privacy:rights", 403, RIGHTS_DPO, method="POST", data=lambda w: {"name": "Fiktiv"}),
    Route("privacy:receipts", 403, RIGHTS_DPO),
    Route("privacy:rule_edit", 403, RULES_DPO, kwargs=lambda w: {"pk": _rights(w).consent_rule.pk}),
    Route("privacy:rule_add", 403, RULES_DPO, kwargs=lambda w: {"pk": w.cooperation.pk}),
    Route("privacy:rule_add", 403, {**RULES_DPO, "dpo": 302}, method="POST",
          kwargs=lambda w: {"pk": w.cooperation.pk},
          data=lambda w: {"legal_basis": "consent", "period": "2", "unit": "years"}),
    Route("privacy:rule_remove", 403, RULES_DPO, kwargs=lambda w: {"pk": _basis_rule(w).pk}),
    Route("privacy:rule_remove", 403, {**RULES_DPO, "dpo": 302}, method="POST",
          kwargs=lambda w: {"pk": _basis_rule(w).pk}),
    Route("privacy:citizen_rights", 404, RIGHTS_DPO, kwargs=lambda w: {"pk": _rights(w).citizen.pk}),
    Route("privacy:access_report", 404, {"dpo": 302, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"pk": _rights(w).citizen.pk, "fmt": "pdf"}),
    Route("privacy:hold_place", 404, RIGHTS_DPO, kwargs=lambda w: {"pk": _rights(w).citizen.pk}),
    Route("privacy:hold_lift", 404, {"dpo": 302, "anonymous": ANON_LOGIN}, method="POST",
          kwargs=lambda w: {"pk": _rights(w).hold.pk}),
    Route("privacy:rectify", 404, RIGHTS_RECTIFIERS, kwargs=lambda w: {"pk": _rights(w).citizen.pk}),
    Route("privacy:exemption", 404, {"police_officer": 200, "anonymous": ANON_LOGIN},
          kwargs=lambda w: {"entry_pk": _rights(w).police_entry.pk}),
    Route("privacy:exemption_end", 404, {"police_officer": 302, "anonymous": ANON_LOGIN}, method="POST",
          kwargs=lambda w: {"entry_pk": _rights(w).police_entry.pk}),
]

# API operations: (method, path template) -> Route-like expectations, keyed by the OpenAPI operation.
API_MATRIX: list[Route] = [
    # privacy / api (names are the paths as the OpenAPI schema gives them, with /api/v1)
    Route("/api/v1/me", 200, {"anonymous": 401}),
    Route("/api/v1/cooperations", 200, {"anonymous": 401}),
    Route(
        "/api/v1/cooperations/{id}",
        200,
        {"frontline_worker": 404, "outsider": 404, "anonymous": 401},
        kwargs=lambda w: {"id": w.cooperation.pk},
    ),
    Route("/api/v1/audit/events", 403, {"dpo": 200, "anonymous": 401}),
]
