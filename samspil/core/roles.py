"""Roles and the one table that maps a role to its capabilities.

A person holds a role through a membership (of an organisation, usually within a cooperation).
Views and services ask for a capability, never for a role, so a cooperation's practice can change
which role may do what in one place. Object-level rules ("may this user see *this* case") live in the
domain apps' policies.py and build on these capabilities.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Koordinator")
    KEY_MEMBER = "key_member", _("Nøgleperson")
    FRONTLINE_WORKER = "frontline_worker", _("Frontmedarbejder")
    DATA_PROTECTION_OFFICER = "dpo", _("Databeskyttelsesrådgiver")
    COURSE_ADMINISTRATOR = "course_admin", _("Kursusadministrator")
    SYSTEM_ADMINISTRATOR = "sysadmin", _("Systemadministrator")


class Capability(models.TextChoices):
    VIEW_COOPERATION = "cooperation.view", _("Se samarbejdet og dets medlemmer")
    CONFIGURE_COOPERATION = "cooperation.configure", _("Tilpasse samarbejdets opsætning")
    INVITE_MEMBERS = "cooperation.invite", _("Invitere og administrere medlemmer")
    VIEW_AUDIT = "audit.view", _("Se revisionsloggen")
    EXPORT_AUDIT = "audit.export", _("Eksportere fra revisionsloggen")
    OPEN_CASE = "case.open", _("Oprette sager og anonyme drøftelser")
    RAISE_CONCERN = "concern.raise", _("Indberette en bekymring")
    ADMINISTER_COURSES = "course.administer", _("Administrere kurser")
    ADMINISTER_SYSTEM = "system.administer", _("Administrere systemet")
    NOMINATE_FOR_COURSES = "course.nominate", _("Indstille samarbejdets medlemmer til kurser")
    WAIVE_TRAINING = "course.waive", _("Give tidsbegrænset fritagelse for uddannelseskravet")
    VIEW_COURSE_RESULTS = "course.view_results", _("Se samlede kursusresultater uden enkeltpersoner")
    ACCESS_REPORT = "privacy.access_report", _(
        "Udarbejde indsigtsrapporter, sætte retligt hold og se sletningskvitteringer"
    )


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COORDINATOR: frozenset(
        {C.VIEW_COOPERATION, C.CONFIGURE_COOPERATION, C.INVITE_MEMBERS, C.OPEN_CASE, C.RAISE_CONCERN}
    ),
    Role.KEY_MEMBER: frozenset({C.VIEW_COOPERATION, C.OPEN_CASE, C.RAISE_CONCERN}),
    Role.FRONTLINE_WORKER: frozenset({C.RAISE_CONCERN}),
    Role.DATA_PROTECTION_OFFICER: frozenset({C.VIEW_COOPERATION, C.VIEW_AUDIT, C.EXPORT_AUDIT}),
    Role.COURSE_ADMINISTRATOR: frozenset({C.ADMINISTER_COURSES}),
    Role.SYSTEM_ADMINISTRATOR: frozenset({C.ADMINISTER_SYSTEM}),
}


def role_has_capability(role: str, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())


# Training: coordinators nominate their members, grant waivers and see aggregated course results.
ROLE_CAPABILITIES[Role.COORDINATOR] = ROLE_CAPABILITIES[Role.COORDINATOR] | {
    C.NOMINATE_FOR_COURSES,
    C.WAIVE_TRAINING,
    C.VIEW_COURSE_RESULTS,
}

# Citizens' rights: the data protection officer produces access reports (GDPR Art. 15), places legal holds
# and reads the deletion receipts of the cooperations they advise.
ROLE_CAPABILITIES[Role.DATA_PROTECTION_OFFICER] = ROLE_CAPABILITIES[Role.DATA_PROTECTION_OFFICER] | {
    C.ACCESS_REPORT,
}
