"""May this user see or change this course object? Not visible -> 404; visible but not allowed -> 403."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from samspil.core.roles import Capability
from samspil.organisations.policies import deny, has_capability

from . import selectors
from .models import Course, Module, Offering, Presenter, ProgrammeDay, Session, TrainingAttestation


def course_for(pk: int) -> Course:
    """Courses and their programmes are open to every signed-in member."""
    course = selectors.course_get(pk)
    if course is None:
        raise Http404
    return course


def offering_for(request: HttpRequest, pk: int) -> Offering:
    """An offering the user may see: planned offerings exist only for course administrators."""
    offering = selectors.offering_visible_to(request.user, pk)
    if offering is None:
        raise Http404
    return offering


def day_for(pk: int) -> ProgrammeDay:
    day = selectors.day_get(pk)
    if day is None:
        raise Http404
    return day


def session_for(pk: int) -> Session:
    session = selectors.session_get(pk)
    if session is None:
        raise Http404
    return session


def module_for(pk: int) -> Module:
    module = selectors.module_get(pk)
    if module is None:
        raise Http404
    return module


def presenter_for(pk: int) -> Presenter:
    presenter = selectors.presenter_get(pk)
    if presenter is None:
        raise Http404
    return presenter


def attestation_for(request: HttpRequest, pk: int) -> TrainingAttestation:
    """A waiver or registered course the user may manage: coordinators of the member's cooperation
    and course administrators (403 for everyone else); one outside their reach does not exist (404)."""
    if not (
        selectors.is_course_administrator(request.user)
        or has_capability(request.user, Capability.WAIVE_TRAINING)
    ):
        raise deny(request, what=Capability.WAIVE_TRAINING)
    attestation = selectors.attestations_visible_to(request.user).filter(pk=pk).first()
    if attestation is None:
        raise Http404
    return attestation
