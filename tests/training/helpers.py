"""Test data for the training tests, built with the models. All people and places are fictitious."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from samspil.accounts.models import User
from samspil.core.roles import Role
from samspil.organisations.models import Membership, Organisation, OrganisationKind, Sector
from samspil.training.models import (
    Answer,
    AttestationKind,
    Completion,
    Course,
    Enrolment,
    EnrolmentStatus,
    Goal,
    Item,
    ItemKind,
    ItemOption,
    Material,
    Module,
    ModuleGoal,
    Offering,
    OfferingDay,
    OfferingStatus,
    Presenter,
    ProgrammeDay,
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireKind,
    Response,
    Session,
    TrainingAttestation,
)

from ..factories import MembershipFactory, OrganisationFactory, UserFactory

PROGRAMME = (
    (
        1,
        "Radikalisering og psykisk sårbarhed",
        (
            (time(9, 0), time(12, 0), "Risikofaktorer", (Goal.G1,)),
            (time(12, 30), time(16, 0), "Strategi og metoder", (Goal.G2,)),
        ),
    ),
    (
        2,
        "Samarbejde og fremgangsmåde",
        (
            (time(9, 0), time(12, 0), "Faggruppernes arbejdsdeling", (Goal.G1, Goal.G2)),
            (time(12, 30), time(16, 0), "Fremgangsmåden ved en bekymring", (Goal.G3,)),
        ),
    ),
)
COURSE_HOURS = 13.0


def course_admin(name: str = "Kamma Kursusadministrator") -> User:
    """A course administrator: a membership outside any cooperation."""
    agency = OrganisationFactory(
        name="Styrelsen for kurser (fiktiv)", kind=OrganisationKind.OTHER, sector=Sector.OTHER
    )
    user = UserFactory(full_name=name, email=f"{name.split()[0].lower()}.kursus@eksempel.invalid")
    MembershipFactory(user=user, organisation=agency, cooperation=None, role=Role.COURSE_ADMINISTRATOR)
    return user


def psp_course(title: str = "PSP-kurset (test)", *, goals: bool = True, **fields: Any) -> Course:
    """A two-day course whose four modules cover all three goals (13 teaching hours)."""
    course = Course.objects.create(title=title, organisers="Fiktiv arrangør", **fields)
    presenter = Presenter.objects.create(name="Olga Oplægsholder", organisation="Fiktiv myndighed")
    for number, title_, sessions in PROGRAMME:
        day = ProgrammeDay.objects.create(course=course, number=number, title=title_)
        for starts, ends, module_title, module_goals in sessions:
            session = Session.objects.create(day=day, starts_at=starts, ends_at=ends, title=module_title)
            module = Module.objects.create(
                session=session, title=module_title, learning_objectives="Deltagerne kan ..."
            )
            module.presenters.add(presenter)
            if goals:
                for goal in module_goals:
                    ModuleGoal.objects.create(module=module, goal=goal)
    return course


def offering_of(
    course: Course,
    *,
    first_day: date | None = None,
    status: str = OfferingStatus.OPEN,
    capacity: int = 20,
    deadline: datetime | None = None,
    max_sector_share: int | None = None,
    title: str = "Hold A",
    track_sessions: bool = False,
) -> Offering:
    """An offering on consecutive days (the first 14 days from today unless given)."""
    first_day = first_day or timezone.localdate() + timedelta(days=14)
    offering = Offering.objects.create(
        course=course,
        title=title,
        venue="Kursuscentret (fiktivt)",
        venue_address="Testvej 1, 9999 Testrup",
        capacity=capacity,
        registration_deadline=deadline
        or timezone.make_aware(datetime.combine(first_day - timedelta(days=1), time(12))),
        max_sector_share=max_sector_share,
        status=status,
        track_sessions=track_sessions,
    )
    for offset, day in enumerate(course.days.order_by("number")):
        OfferingDay.objects.create(
            offering=offering, programme_day=day, date=first_day + timedelta(days=offset)
        )
    return offering


def membership_of(user: User) -> Membership:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation", "cooperation")
        .scoped()
        .first()
    )


def seat(
    offering: Offering, user: User, *, status: str = EnrolmentStatus.ENROLLED, position: int | None = None
) -> Enrolment:
    """An enrolment made directly (setup for pages that need one)."""
    membership = membership_of(user)
    if status == EnrolmentStatus.WAITLISTED and position is None:
        position = 1
    return Enrolment.objects.create(
        offering=offering,
        member=user,
        organisation=membership.organisation,
        cooperation=membership.cooperation,
        sector=membership.organisation.sector,
        status=status,
        position=position,
    )


def member_in(world: Any, sector: str, name: str) -> User:
    """A fictitious key member of the world's cooperation from the organisation of ``sector``."""
    organisation: Organisation = {
        Sector.POLICE: world.police,
        Sector.SOCIAL_SERVICES: world.municipality,
        Sector.PSYCHIATRY: world.region,
    }[sector]
    user = UserFactory(full_name=name, totp=False)
    MembershipFactory(
        user=user, organisation=organisation, cooperation=world.cooperation, role=Role.KEY_MEMBER
    )
    return user


def mc_item(text: str, goal: str, *, options: int = 4) -> Item:
    item = Item.objects.create(text=text, kind=ItemKind.MULTIPLE_CHOICE, goal=goal)
    for index in range(options):
        ItemOption.objects.create(item=item, text=f"Svar {index + 1}", is_correct=index == 0, order=index + 1)
    return item


def likert_item(text: str, goal: str = "") -> Item:
    return Item.objects.create(text=text, kind=ItemKind.LIKERT, goal=goal)


def knowledge_items() -> list[Item]:
    """Two multiple-choice items per goal."""
    return [mc_item(f"Spørgsmål {goal} nr. {n}", goal) for goal in Goal.values for n in (1, 2)]


def questionnaire(
    offering: Offering,
    kind: str,
    items: Iterable[Item],
    *,
    opens: datetime | None = None,
    deadline: datetime | None = None,
) -> Questionnaire:
    now = timezone.now()
    q = Questionnaire.objects.create(
        offering=offering,
        kind=kind,
        opens_at=opens or now - timedelta(days=1),
        deadline=deadline or now + timedelta(days=1),
    )
    for order, item in enumerate(items, start=1):
        QuestionnaireItem.objects.create(questionnaire=q, item=item, order=order)
    return q


def respond(q: Questionnaire, enrolment: Enrolment, answers: Mapping[Item, bool | int]) -> Response:
    """Answers made directly: True/False picks the key or a wrong option, an int is a Likert value."""
    response = Response.objects.create(questionnaire=q, participant=enrolment.member, enrolment=enrolment)
    for item, value in answers.items():
        if item.kind == ItemKind.MULTIPLE_CHOICE:
            option = (
                item.options.get(is_correct=bool(value))
                if value
                else item.options.filter(is_correct=False).first()
            )
            Answer.objects.create(response=response, item=item, option=option)
        else:
            Answer.objects.create(response=response, item=item, likert_value=int(value))
    return response


def complete(enrolment: Enrolment, *, at: datetime | None = None, by: User | None = None) -> Completion:
    return Completion.objects.create(
        member=enrolment.member,
        course=enrolment.offering.course,
        offering=enrolment.offering,
        enrolment=enrolment,
        completed_at=at or timezone.now(),
        recorded_by=by,
    )


def waiver(user: User, *, by: User, cooperation: Any, days: int = 30) -> TrainingAttestation:
    now = timezone.now()
    return TrainingAttestation.objects.create(
        member=user,
        kind=AttestationKind.WAIVER,
        reason="Tilmeldt næste hold (fiktivt)",
        cooperation=cooperation,
        granted_by=by,
        valid_from=now,
        expires_at=now + timedelta(days=days),
    )


@dataclass
class TrainingObjects:
    admin: User
    course: Course
    offering: Offering  # open for enrolment, police_officer has a seat
    held: Offering  # held a month ago, police_officer completed it
    enrolment: Enrolment  # police_officer on the open offering
    held_enrolment: Enrolment
    completion: Completion
    pre: Questionnaire  # open now, on the open offering
    held_pre: Questionnaire
    response: Response  # police_officer's answers on the held offering's pre-test
    item: Item
    presenter: Presenter
    attestation: TrainingAttestation  # the coordinator's waiver for the frontline worker
    material: Material


def training_objects(world: Any) -> TrainingObjects:
    """The objects the authorization matrix needs, built once per world."""
    cached = getattr(world, "_training_objects", None)
    if cached is not None:
        return cached
    from django.core.files.base import ContentFile

    admin = course_admin()
    course = psp_course()
    offering = offering_of(course)
    held = offering_of(
        course,
        first_day=timezone.localdate() - timedelta(days=30),
        status=OfferingStatus.HELD,
        title="Hold tidligere",
    )
    officer = world.users["police_officer"]
    enrolment = seat(offering, officer)
    held_enrolment = seat(held, officer)
    completion = complete(held_enrolment, at=timezone.now() - timedelta(days=29), by=admin)
    items = knowledge_items()
    pre = questionnaire(offering, QuestionnaireKind.PRE, items)
    held_pre = questionnaire(
        held,
        QuestionnaireKind.PRE,
        items,
        opens=timezone.now() - timedelta(days=40),
        deadline=timezone.now() - timedelta(days=30),
    )
    response = respond(held_pre, held_enrolment, dict.fromkeys(items, True))
    attestation = waiver(
        world.users["frontline_worker"], by=world.users["coordinator"], cooperation=world.cooperation
    )
    material = Material(
        course=course,
        title="Slides dag 1",
        original_name="slides.pdf",
        content_type="application/pdf",
        size=8,
    )
    material.file.save("upload", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    material.save()
    objects = TrainingObjects(
        admin=admin,
        course=course,
        offering=offering,
        held=held,
        enrolment=enrolment,
        held_enrolment=held_enrolment,
        completion=completion,
        pre=pre,
        held_pre=held_pre,
        response=response,
        item=items[0],
        presenter=Presenter.objects.first(),  # type: ignore[arg-type]
        attestation=attestation,
        material=material,
    )
    world._training_objects = objects
    return objects
