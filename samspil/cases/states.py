"""The case lifecycle as one table: which state may follow which, and why a refused step is refused.

    anonymous discussion -> identified -> active (action plan) -> follow-up -> closed
                                          ^---------------------------/
    any open state -> closed;  closed -> reopened (identified if a citizen is linked, else anonymous)

Identification (anonymous -> identified) needs a recorded legal basis; that gate is the sharing app's
``case_identify``, which calls ``cases.services.case_transition`` with the citizen and the basis. Every
other step has its own service in ``cases.services``. Nothing else changes ``Case.state``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import CaseState

S = CaseState

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.ANONYMOUS: frozenset({S.IDENTIFIED, S.CLOSED}),
    S.IDENTIFIED: frozenset({S.ACTIVE, S.CLOSED}),
    S.ACTIVE: frozenset({S.FOLLOW_UP, S.CLOSED}),
    S.FOLLOW_UP: frozenset({S.ACTIVE, S.CLOSED}),
    S.CLOSED: frozenset({S.ANONYMOUS, S.IDENTIFIED}),
}


def is_allowed(from_state: str, to_state: str) -> bool:
    return to_state in ALLOWED_TRANSITIONS.get(from_state, frozenset())


def reopen_state(has_citizen: bool) -> str:
    """A reopened case continues where its identity left it: identified with a citizen, else anonymous."""
    return S.IDENTIFIED if has_citizen else S.ANONYMOUS


def refusal_reason(from_state: str, to_state: str, *, has_citizen: bool) -> str | None:
    """Why the step ``from_state -> to_state`` may not be taken now, in words a person understands.

    None when the step is allowed. The table above decides; the guard on identification (a linked
    citizen) and on reopening (back to where the identity left it) are checked here too.
    """
    if from_state == to_state:
        return _("Sagen har allerede status »%(state)s«.") % {"state": S(to_state).label}
    if is_allowed(from_state, to_state):
        if to_state == S.IDENTIFIED and not has_citizen:
            return _("En sag kan kun blive identificeret, når borgeren er registreret og knyttet til sagen.")
        if from_state == S.CLOSED and to_state != reopen_state(has_citizen):
            state = S(reopen_state(has_citizen)).label
            return _("En genåbnet sag fortsætter som %(state)s.") % {"state": state}
        return None
    if from_state == S.CLOSED:
        return _("Sagen er lukket. Genåbn den først.")
    if from_state == S.ANONYMOUS and to_state in (S.ACTIVE, S.FOLLOW_UP):
        return _(
            "En anonym drøftelse skal først identificeres på et registreret hjemmelsgrundlag, "
            "før der kan lægges en handleplan."
        )
    if to_state == S.ANONYMOUS:
        return _("En identificeret sag kan ikke gøres anonym igen.")
    if to_state == S.IDENTIFIED:
        return _("Sagen er allerede identificeret.")
    if to_state == S.FOLLOW_UP:
        return _("Opfølgning forudsætter en aktiv sag med handleplan.")
    return _("Sagen kan ikke gå fra »%(from)s« til »%(to)s«.") % {
        "from": S(from_state).label,
        "to": S(to_state).label,
    }
