"""Demo data for the training course: the two-day PSP course, two held offerings with answers and one
upcoming offering with a waitlist. Everything here is fictitious.

``seed_training`` is idempotent: when the demo course already exists it is returned unchanged.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from samspil.accounts.models import User
from samspil.core.scoping import unscoped
from samspil.organisations.models import Cooperation, Membership, Organisation, Sector

from .models import (
    Answer,
    Attendance,
    Completion,
    Course,
    Enrolment,
    EnrolmentStatus,
    Goal,
    Item,
    ItemKind,
    ItemOption,
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
)

COURSE_TITLE = "PSP-kurset: radikalisering og psykisk sårbarhed"
PARTICIPANT_EMAIL = "kursusdeltager{:02d}@demo.invalid"

PRESENTERS = {
    "prevention": ("Lærke Lindholm (fiktiv)", "Efterretningstjenestens forebyggende afdeling", "Analytiker"),
    "agency": ("Mads Kjærgaard (fiktiv)", "Den nationale integrationsstyrelse", "Chefkonsulent"),
    "psychiatry": ("Nadia Østergaard (fiktiv)", "Regionspsykiatrien", "Overlæge"),
    "social": ("Henrik Bach (fiktiv)", "Kommunernes socialpsykiatri", "Socialrådgiver"),
    "police": ("Camilla Dahl (fiktiv)", "Politiets forebyggelsesenhed", "Politikommissær"),
}

# (day number, day title, [(start, end, session title, [(module title, objectives, goals, presenters)])])
PROGRAMME: list[
    tuple[int, str, list[tuple[time, time, str, list[tuple[str, str, list[str], list[str]]]]]]
] = [
    (
        1,
        "Radikalisering og psykisk sårbarhed",
        [
            (time(9, 0), time(9, 30), "Velkomst og forventninger", []),
            (
                time(9, 30),
                time(11, 0),
                "Radikalisering som fænomen",
                [
                    (
                        "Radikalisering – socialt, psykologisk og politisk",
                        "Deltagerne kan forklare, hvordan sociale, psykologiske og politiske forhold "
                        "spiller sammen, når et "
                        "menneske bevæger sig mod ekstreme holdninger og handlinger.",
                        [Goal.G1],
                        ["prevention"],
                    ),
                ],
            ),
            (
                time(11, 15),
                time(12, 30),
                "Risikofaktorer og beskyttende faktorer",
                [
                    (
                        "Risikofaktorer hos psykisk sårbare",
                        "Deltagerne kender de faktorer, der kan øge sårbarheden for radikalisering hos "
                        "mennesker med psykisk "
                        "sygdom, og de forhold, der beskytter.",
                        [Goal.G1],
                        ["psychiatry"],
                    ),
                ],
            ),
            (
                time(13, 15),
                time(14, 45),
                "Tegn på bekymring",
                [
                    (
                        "At genkende tegn på bekymring",
                        "Deltagerne kan skelne mellem symptomer på psykisk sygdom og tegn, der giver grund "
                        "til bekymring for "
                        "radikalisering, og ved hvornår de skal handle.",
                        [Goal.G1, Goal.G3],
                        ["psychiatry", "police"],
                    ),
                ],
            ),
            (
                time(15, 0),
                time(16, 0),
                "Motivation og forebyggelse",
                [
                    (
                        "Motivation, relationer og forebyggende samtaler",
                        "Deltagerne kender metoder til at styrke motivation og relationer, så borgeren "
                        "vælger en anden vej.",
                        [Goal.G2],
                        ["social"],
                    ),
                ],
            ),
        ],
    ),
    (
        2,
        "Metoder, arbejdsdeling og fremgangsmåde",
        [
            (
                time(9, 0),
                time(10, 30),
                "Den danske strategi",
                [
                    (
                        "Danmarks strategi for forebyggelse af ekstremisme",
                        "Deltagerne kender strategiens indsatsniveauer, aktørerne og tilbuddene – også dem, "
                        "der retter sig mod "
                        "psykisk sårbare.",
                        [Goal.G2],
                        ["agency"],
                    ),
                ],
            ),
            (
                time(10, 45),
                time(12, 15),
                "Faggrupperne i PSP",
                [
                    (
                        "Socialrådgiverens, politiets og psykiatriens metoder og arbejdsdeling",
                        "Deltagerne kan beskrive, hvad hver sektor kan og må, og hvordan de supplerer "
                        "hinanden i en sag.",
                        [Goal.G2, Goal.G3],
                        ["social", "police", "psychiatry"],
                    ),
                ],
            ),
            (
                time(13, 0),
                time(14, 30),
                "Fremgangsmåden ved en bekymring",
                [
                    (
                        "Organisering og kommunikation, når en bekymring opstår",
                        "Deltagerne kender den faste fremgangsmåde: hvem der vurderer, hvem der kontaktes, "
                        "hvad der deles på "
                        "hvilket grundlag, og hvordan der følges op.",
                        [Goal.G3],
                        ["prevention", "police"],
                    ),
                ],
            ),
            (
                time(14, 45),
                time(15, 45),
                "Casearbejde på tværs af sektorer",
                [
                    (
                        "Fiktive sager gennemgået i blandede grupper",
                        "Deltagerne anvender viden fra begge dage på en fiktiv sag og aftaler "
                        "arbejdsdelingen.",
                        [Goal.G1, Goal.G2, Goal.G3],
                        ["social", "police"],
                    ),
                ],
            ),
            (time(15, 45), time(16, 0), "Evaluering og afrunding", []),
        ],
    ),
]

# (goal, question, [options], index of the key)
KNOWLEDGE_ITEMS: list[tuple[str, str, list[str], int]] = [
    (
        Goal.G1,
        "Hvilket udsagn beskriver bedst radikalisering?",
        [
            "En proces, hvor en person i stigende grad accepterer ekstreme midler",
            "En bestemt psykiatrisk diagnose",
            "Et enkeltstående voldeligt udbrud",
            "En politisk holdning i sig selv",
        ],
        0,
    ),
    (
        Goal.G1,
        "Hvilken faktor kan øge sårbarheden for radikalisering?",
        [
            "Social isolation og søgen efter tilhørsforhold",
            "Et fast job",
            "Et stabilt netværk",
            "Regelmæssig behandling",
        ],
        0,
    ),
    (
        Goal.G1,
        "Hvorfor kan psykisk sygdom gøre det sværere at vurdere en bekymring?",
        [
            "Symptomer kan ligne eller skjule tegn på radikalisering",
            "Psykisk syge kan ikke radikaliseres",
            "Psykiatrien må aldrig dele oplysninger",
            "Det kan det ikke",
        ],
        0,
    ),
    (
        Goal.G1,
        "Hvilken type forhold indgår i en forståelse af radikalisering?",
        ["Sociale, psykologiske og politiske", "Kun politiske", "Kun religiøse", "Kun økonomiske"],
        0,
    ),
    (
        Goal.G2,
        "Hvad er formålet med den forebyggende indsats?",
        [
            "At hjælpe personen væk fra ekstremisme, før der sker noget strafbart",
            "At straffe hurtigere",
            "At overvåge alle borgere",
            "At flytte sagen til en anden kommune",
        ],
        0,
    ),
    (
        Goal.G2,
        "Hvilke aktører arbejder typisk sammen i PSP?",
        [
            "Politi, socialforvaltning og psykiatri",
            "Skole, politi og forsvar",
            "Kun politiet",
            "Kriminalforsorg og skole",
        ],
        0,
    ),
    (
        Goal.G2,
        "Hvad kendetegner en god forebyggende samtale?",
        [
            "Respekt, nysgerrighed og fokus på personens egne mål",
            "Konfrontation og trusler",
            "At undgå at tale om bekymringen",
            "At lade kollegaen tage samtalen uden forberedelse",
        ],
        0,
    ),
    (
        Goal.G2,
        "Hvem kan tilbyde en mentor eller exitforløb?",
        [
            "Kommunen, ofte i samarbejde med politiet",
            "Kun psykiatrien",
            "Kun borgerens arbejdsgiver",
            "Ingen – det findes ikke",
        ],
        0,
    ),
    (
        Goal.G3,
        "Hvad gør du først, når du får en bekymring for radikalisering?",
        [
            "Drøfter den med din leder eller nøgleperson efter fremgangsmåden",
            "Kontakter pressen",
            "Venter og ser, om det går over",
            "Konfronterer borgeren med en anmeldelse",
        ],
        0,
    ),
    (
        Goal.G3,
        "Hvad skal der være på plads, før oplysninger om en borger deles i PSP?",
        [
            "Et hjemmelsgrundlag, fx retsplejelovens § 115, og at delingen er nødvendig",
            "Intet",
            "Borgerens familie skal spørges",
            "En dom",
        ],
        0,
    ),
    (
        Goal.G3,
        "Hvem aftaler, hvem der tager kontakt til borgeren?",
        [
            "Samarbejdet på mødet, ud fra hvem der kender borgeren bedst",
            "Altid politiet",
            "Altid psykiatrien",
            "Den, der først så bekymringen, uanset sektor",
        ],
        0,
    ),
    (
        Goal.G3,
        "Hvorfor følges en bekymring op efter en aftalt frist?",
        [
            "For at sikre at indsatsen virker, og at ingen sag tabes",
            "Fordi loven kræver en dom",
            "For at kunne lukke sagen hurtigt",
            "Det gør den ikke",
        ],
        0,
    ),
]
WEAK_ITEM = (
    Goal.G2,
    "Hvilket år blev den første handlingsplan vedtaget?",
    ["2009", "2008", "2011", "2014"],
    0,
)
SELF_ASSESSMENT = [
    (Goal.G1, "Jeg kan forklare, hvad der kan føre til radikalisering."),
    (Goal.G2, "Jeg kender de forebyggende tilbud, jeg kan bruge."),
    (Goal.G3, "Jeg ved, hvad jeg skal gøre, hvis jeg får en bekymring."),
]
SATISFACTION = [
    "Kurset var relevant for mit arbejde.",
    "Oplægsholderne var godt forberedte.",
    "Jeg fik et bedre kendskab til de andre sektorer.",
    "Jeg vil anbefale kurset til en kollega.",
]
COMMENTS = [
    "Godt at møde de andre faggrupper – vi bruger hinanden mere nu (fiktiv kommentar).",
    "Mere tid til casearbejdet, tak (fiktiv kommentar).",
]


def seed_training(
    *,
    administrator: User,
    cooperations: Sequence[Cooperation],
    completed: Sequence[User] = (),
    enrolled: Sequence[User] = (),
    waitlisted: Sequence[User] = (),
    participants_per_offering: int = 18,
    now: datetime | None = None,
) -> Course:
    """Create the demo course once and return it.

    ``cooperations`` supply the organisations fictitious participants come from (about a third each
    from police, social services and psychiatry, so aggregates are not suppressed). The persona users
    in ``completed`` complete the first held offering (their training gate is open); those in
    ``enrolled`` and ``waitlisted`` get a seat or a waitlist place on the upcoming offering.
    """
    existing = Course.objects.filter(title=COURSE_TITLE).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    _OPTIONS.clear()
    rng = random.Random(20090401)  # fixed seed: the same demo every time
    with transaction.atomic(), unscoped("demo data: the seeder creates and links fictitious course data"):
        course = _course()
        knowledge, self_assessment, satisfaction = _items()
        organisations = _organisations(cooperations)
        pool = _participants(organisations, count=participants_per_offering * 2 + 16)
        held_first = _offering(
            course, "Hold 1 – forår", now.date() - timedelta(days=300), OfferingStatus.HELD, 24
        )
        held_second = _offering(
            course, "Hold 2 – efterår", now.date() - timedelta(days=120), OfferingStatus.HELD, 24
        )
        upcoming = _offering(
            course, "Hold 3 – kommende", now.date() + timedelta(days=30), OfferingStatus.OPEN, 12
        )
        for offering, people, lift in (
            (held_first, pool[:participants_per_offering], 0.30),
            (held_second, pool[participants_per_offering : participants_per_offering * 2], 0.35),
        ):
            personas = [_persona_place(user) for user in completed] if offering is held_first else []
            _run_held(
                offering,
                [*people, *personas],
                knowledge,
                self_assessment,
                satisfaction,
                administrator,
                rng,
                lift,
            )
        _fill_upcoming(upcoming, pool[participants_per_offering * 2 :], enrolled, waitlisted)
        _questionnaires(upcoming, knowledge, self_assessment, satisfaction, now)
    return course


def _course() -> Course:
    course = Course.objects.create(
        title=COURSE_TITLE,
        organisers=(
            "Efterretningstjenestens forebyggende afdeling og den nationale integrationsstyrelse (demo)"
        ),
        description=(
            "Et todages kursus for nøglepersoner i PSP-samarbejdet om radikalisering blandt mennesker med "
            "psykisk "
            "sygdom eller sårbarhed. Kurset giver viden om radikalisering som socialt, psykologisk og "
            "politisk "
            "fænomen, om den danske strategi og de faglige metoder til forebyggelse, og om den faste "
            "fremgangsmåde for organisering og kommunikation, når der opstår en bekymring. Kurset er gratis; "
            "organisationerne får ikke kompensation for deltagernes tid."
        ),
    )
    presenters = {
        key: Presenter.objects.create(name=n, organisation=o, job_title=t)
        for key, (n, o, t) in PRESENTERS.items()
    }
    for number, title, sessions in PROGRAMME:
        day = ProgrammeDay.objects.create(course=course, number=number, title=title)
        for starts, ends, session_title, modules in sessions:
            session = Session.objects.create(day=day, starts_at=starts, ends_at=ends, title=session_title)
            for order, (module_title, objectives, goals, presenter_keys) in enumerate(modules, start=1):
                module = Module.objects.create(
                    session=session, title=module_title, learning_objectives=objectives, order=order
                )
                ModuleGoal.objects.bulk_create([ModuleGoal(module=module, goal=goal) for goal in goals])
                module.presenters.set([presenters[key] for key in presenter_keys])
    return course


def _items() -> tuple[list[Item], list[Item], list[Item]]:
    knowledge = []
    for goal, text, options, key in [*KNOWLEDGE_ITEMS, WEAK_ITEM]:
        item = Item.objects.create(text=text, kind=ItemKind.MULTIPLE_CHOICE, goal=goal)
        ItemOption.objects.bulk_create(
            [ItemOption(item=item, text=o, is_correct=i == key, order=i + 1) for i, o in enumerate(options)]
        )
        knowledge.append(item)
    self_assessment = [Item.objects.create(text=t, kind=ItemKind.LIKERT, goal=g) for g, t in SELF_ASSESSMENT]
    satisfaction = [Item.objects.create(text=t, kind=ItemKind.LIKERT, goal="") for t in SATISFACTION]
    return knowledge, self_assessment, satisfaction


SECTORS = (Sector.POLICE, Sector.SOCIAL_SERVICES, Sector.PSYCHIATRY)


def _organisations(
    cooperations: Sequence[Cooperation],
) -> dict[str, list[tuple[Organisation, Cooperation | None]]]:
    """Per sector, the organisations of the given cooperations (reference data when a sector is missing)."""
    found: dict[str, list[tuple[Organisation, Cooperation | None]]] = {sector: [] for sector in SECTORS}
    for cooperation in cooperations:
        for participation in cooperation.participations.select_related("organisation"):
            if participation.sector in found:
                found[participation.sector].append((participation.organisation, cooperation))
    for sector in SECTORS:
        if not found[sector]:
            fallback = Organisation.objects.filter(sector=sector).order_by("pk").first()
            if fallback is not None:
                found[sector].append((fallback, None))
    return found


FIRST_NAMES = [
    "Anne",
    "Bo",
    "Cecilie",
    "Dennis",
    "Ellen",
    "Frank",
    "Gitte",
    "Hans",
    "Ida",
    "Jens",
    "Karen",
    "Lars",
    "Maja",
    "Niels",
    "Olivia",
    "Peter",
    "Rikke",
    "Søren",
    "Tina",
    "Uffe",
    "Vibeke",
    "William",
]
LAST_NAMES = ["Andersen", "Berg", "Christensen", "Dam", "Eriksen", "Frost", "Holm", "Juul", "Krogh", "Lund"]


def _participants(
    organisations: dict[str, list[tuple[Organisation, Cooperation | None]]], *, count: int
) -> list[tuple[User, Organisation, Cooperation | None]]:
    """Fictitious participants (no membership, no password: they cannot sign in) spread over the sectors."""
    people = []
    for index in range(count):
        sector = SECTORS[index % len(SECTORS)]
        choices = organisations[sector]
        if not choices:
            continue
        organisation, cooperation = choices[index // len(SECTORS) % len(choices)]
        name = (
            f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[index * 7 % len(LAST_NAMES)]} "
            f"(fiktiv kursist {index + 1})"
        )
        user, created = User.objects.get_or_create(
            email=PARTICIPANT_EMAIL.format(index + 1), defaults={"full_name": name}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        people.append((user, organisation, cooperation))
    return people


def _persona_place(user: User) -> tuple[User, Organisation, Cooperation | None]:
    membership = (
        Membership.objects.filter(user=user, is_active=True, cooperation__isnull=False)
        .select_related("organisation", "cooperation")
        .first()
    )
    if membership is None:
        raise ValueError(f"{user} needs a membership of a cooperation to take part in the demo course")
    return user, membership.organisation, membership.cooperation


def _offering(course: Course, title: str, first_day: Any, status: str, capacity: int) -> Offering:
    offering = Offering.objects.create(
        course=course,
        title=title,
        venue="Kursuscenter Midtby (fiktivt)",
        venue_address="Kursusvej 1, 5000 Midtby",
        capacity=capacity,
        max_sector_share=40,
        registration_deadline=timezone.make_aware(
            datetime.combine(first_day - timedelta(days=7), time(12, 0))
        ),
        status=status,
    )
    for offset, day in enumerate(course.days.order_by("number")):
        OfferingDay.objects.create(
            offering=offering, programme_day=day, date=first_day + timedelta(days=offset)
        )
    return offering


def _enrol(
    offering: Offering,
    place: tuple[User, Organisation, Cooperation | None],
    status: str,
    position: int | None = None,
) -> Enrolment:
    user, organisation, cooperation = place
    enrolment, _created = Enrolment.objects.get_or_create(
        offering=offering,
        member=user,
        defaults={
            "organisation": organisation,
            "cooperation": cooperation,
            "sector": organisation.sector,
            "status": status,
            "position": position,
        },
    )
    return enrolment


def _questionnaires(
    offering: Offering,
    knowledge: list[Item],
    self_assessment: list[Item],
    satisfaction: list[Item],
    now: datetime,
) -> dict[str, Questionnaire]:
    days = list(offering.days.order_by("date"))
    first = timezone.make_aware(datetime.combine(days[0].date, time(9, 0)))
    last = timezone.make_aware(datetime.combine(days[-1].date, time(16, 0)))
    windows = {
        QuestionnaireKind.PRE: (min(now, first - timedelta(days=14)), first),
        QuestionnaireKind.POST: (last - timedelta(hours=1), last + timedelta(days=7)),
        QuestionnaireKind.SATISFACTION: (last - timedelta(hours=1), last + timedelta(days=7)),
    }
    made: dict[str, Questionnaire] = {}
    for kind, (opens, deadline) in windows.items():
        questionnaire = Questionnaire.objects.create(
            offering=offering, kind=kind, opens_at=opens, deadline=deadline
        )
        chosen = satisfaction if kind == QuestionnaireKind.SATISFACTION else [*knowledge, *self_assessment]
        QuestionnaireItem.objects.bulk_create(
            [
                QuestionnaireItem(questionnaire=questionnaire, item=item, order=i)
                for i, item in enumerate(chosen, 1)
            ]
        )
        made[kind] = questionnaire
    return made


_OPTIONS: dict[int, list[ItemOption]] = {}


def _options_of(item: Item) -> list[ItemOption]:
    """An item's options, read once per seeding run (the answers reuse them many times)."""
    if item.pk not in _OPTIONS:
        _OPTIONS[item.pk] = list(item.options.order_by("order"))
    return _OPTIONS[item.pk]


def _answer(response: Response, items: list[Item], ability: float, rng: random.Random) -> None:
    answers = []
    for item in items:
        if item.kind == ItemKind.MULTIPLE_CHOICE:
            chance = 0.5 if item.text == WEAK_ITEM[1] else ability
            options = _options_of(item)
            right = next(o for o in options if o.is_correct)
            wrong = [o for o in options if not o.is_correct]
            answers.append(
                Answer(
                    response=response, item=item, option=right if rng.random() < chance else rng.choice(wrong)
                )
            )
        else:
            value = round(1 + 4 * ability + rng.uniform(-0.6, 0.6))
            answers.append(Answer(response=response, item=item, likert_value=max(1, min(5, value))))
    Answer.objects.bulk_create(answers)


def _run_held(
    offering: Offering,
    places: list[tuple[User, Organisation, Cooperation | None]],
    knowledge: list[Item],
    self_assessment: list[Item],
    satisfaction: list[Item],
    administrator: User,
    rng: random.Random,
    lift: float,
) -> None:
    """Seats, answers before and after, attendance and completions for an offering already held."""
    questionnaires = _questionnaires(offering, knowledge, self_assessment, satisfaction, timezone.now())
    days = list(offering.days.order_by("date"))
    end = timezone.make_aware(datetime.combine(days[-1].date, time(16, 0)))
    for index, place in enumerate(places):
        enrolment = _enrol(offering, place, EnrolmentStatus.ENROLLED)
        before = rng.uniform(0.25, 0.6)
        after = min(0.95, before + rng.uniform(lift - 0.1, lift + 0.1))
        start = timezone.make_aware(datetime.combine(days[0].date, time(8, 30)))
        for kind, ability, at in (
            (QuestionnaireKind.PRE, before, start),
            (QuestionnaireKind.POST, after, end - timedelta(minutes=20)),
        ):
            response = Response.objects.create(
                questionnaire=questionnaires[kind], participant=place[0], enrolment=enrolment, submitted_at=at
            )
            _answer(response, [*knowledge, *self_assessment], ability, rng)
        evaluation = Response.objects.create(
            questionnaire=questionnaires[QuestionnaireKind.SATISFACTION],
            participant=place[0],
            enrolment=enrolment,
            submitted_at=end - timedelta(minutes=10),
            comment=COMMENTS[index] if index < len(COMMENTS) else "",
        )
        _answer(evaluation, satisfaction, rng.uniform(0.6, 0.95), rng)
        missed_second_day = index == 3
        for day in days:
            Attendance.objects.create(
                enrolment=enrolment,
                day=day,
                present=not (missed_second_day and day == days[-1]),
                recorded_by=administrator,
                recorded_at=end,
            )
        Completion.objects.create(
            member=place[0],
            course=offering.course,
            offering=offering,
            enrolment=enrolment,
            completed_at=end,
            recorded_by=administrator,
            exception_reason="Fulgte eftermiddagen på dag 2 på det næste hold (fiktivt)."
            if missed_second_day
            else "",
        )


def _fill_upcoming(
    offering: Offering,
    pool: list[tuple[User, Organisation, Cooperation | None]],
    enrolled: Sequence[User],
    waitlisted: Sequence[User],
) -> None:
    """Every seat taken (within the sector limit) and the rest on the waitlist, personas included."""
    limit = offering.sector_seat_limit() or offering.capacity
    taken: dict[str, int] = {}
    position = 0
    places = (
        [_persona_place(user) for user in enrolled] + pool + [_persona_place(user) for user in waitlisted]
    )
    forced_wait = {user.pk for user in waitlisted}
    for place in places:
        sector = place[1].sector
        seats = sum(taken.values())
        if place[0].pk not in forced_wait and seats < offering.capacity and taken.get(sector, 0) < limit:
            _enrol(offering, place, EnrolmentStatus.ENROLLED)
            taken[sector] = taken.get(sector, 0) + 1
        else:
            position += 1
            _enrol(offering, place, EnrolmentStatus.WAITLISTED, position)
