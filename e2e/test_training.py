"""The PSP course in a real browser: a key member meets the training gate on a concern, enrols on an
upcoming offering and answers the pre-course questionnaire; the course administrator takes attendance
for both days and records completion; the member answers the post-course questionnaire and downloads the
certificate; anyone checks its code on the public page; and the gate opens.

Every page visited is checked with axe-core (and for CSP violations).
"""

from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta

from django.utils import timezone
from playwright.sync_api import BrowserContext, expect
from pypdf import PdfReader

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.concerns import services as concern_services
from samspil.core.roles import Role
from samspil.core.scoping import unscoped
from samspil.organisations.models import Membership, OrganisationKind, Sector
from samspil.training.models import (
    Completion,
    Enrolment,
    EnrolmentStatus,
    Goal,
    Offering,
    OfferingDay,
    Questionnaire,
    QuestionnaireKind,
    Response,
)
from samspil.training.selectors import has_valid_radicalisation_training
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.training.helpers import likert_item, mc_item, offering_of, psp_course, questionnaire

from .conftest import Checked, log_in

OBSERVATION = (
    "Har flere gange talt om, at vold er den eneste vej, og deler billeder fra en ekstrem gruppe (fiktivt)."
)


def _membership(user, cooperation) -> Membership:
    with unscoped("test setup reads a persona's membership"):
        return Membership.objects.select_related("cooperation", "organisation").get(
            user=user, cooperation=cooperation, is_active=True
        )


def _course_administrator():
    """A course administrator: a membership of the course organiser, outside any cooperation."""
    organiser = OrganisationFactory(
        name="Kursusstyrelsen (fiktiv)", kind=OrganisationKind.OTHER, sector=Sector.OTHER
    )
    user = UserFactory(full_name="Kamma Kursusadministrator", email="kamma.kursus@eksempel.invalid")
    MembershipFactory(user=user, organisation=organiser, cooperation=None, role=Role.COURSE_ADMINISTRATOR)
    return user


def _upcoming_offering() -> tuple[Offering, Questionnaire, Questionnaire]:
    """The two-day course, an offering in two weeks, and its pre- and post-course questionnaires (one
    knowledge item per goal and a self-assessment item)."""
    course = psp_course("PSP-kurset om radikalisering (test)")
    offering = offering_of(course, title="Hold Forår (test)")
    items = [
        mc_item("Hvad beskriver bedst radikalisering?", Goal.G1),
        mc_item("Hvilke aktører arbejder sammen i PSP?", Goal.G2),
        mc_item("Hvad gør du først ved en bekymring?", Goal.G3),
        likert_item("Jeg ved, hvad jeg skal gøre, hvis jeg får en bekymring.", Goal.G3),
    ]
    days = list(offering.days.order_by("date"))
    first = timezone.make_aware(datetime.combine(days[0].date, time(9)))
    last = timezone.make_aware(datetime.combine(days[-1].date, time(15)))
    pre = questionnaire(
        offering, QuestionnaireKind.PRE, items, opens=timezone.now() - timedelta(days=1), deadline=first
    )
    post = questionnaire(
        offering, QuestionnaireKind.POST, items, opens=last, deadline=last + timedelta(days=7)
    )
    return offering, pre, post


def _the_course_is_held(offering: Offering, post: Questionnaire) -> None:
    """Two weeks pass: the course days are yesterday and today, and the post-course questionnaire opens."""
    today = timezone.localdate()
    for offset, day in enumerate(offering.days.order_by("programme_day__number")):
        OfferingDay.objects.filter(pk=day.pk).update(date=today - timedelta(days=1 - offset))
    Offering.objects.filter(pk=offering.pk).update(
        registration_deadline=timezone.now() - timedelta(days=3)
    )
    Questionnaire.objects.filter(pk=post.pk).update(
        opens_at=timezone.now() - timedelta(hours=1), deadline=timezone.now() + timedelta(days=7)
    )


def _answer_all(page, *, leave_out_last: bool = False) -> None:
    """Choose the first option of every question, or of every question but the last."""
    groups = page.locator("main fieldset")
    count = groups.count()
    for index in range(count - 1 if leave_out_last else count):
        groups.nth(index).get_by_role("radio").first.check()


def _submit(page, button) -> None:
    """Click a submit button and wait for the page that answers (it may have the same address)."""
    with page.expect_navigation():
        button.click()


def _new_checked(browser, base_url: str) -> tuple[Checked, BrowserContext]:
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return Checked(page, base_url), context


def test_member__enrols_answers_attends_gets_a_verifiable_certificate_and_the_gate_opens(
    checked, world, browser, tmp_path
) -> None:
    member = world.users["social_worker"]
    admin = _course_administrator()
    offering, pre, post = _upcoming_offering()
    concern_services.lead_contact_designate(
        actor=world.users["coordinator"], cooperation=world.cooperation,
        membership=_membership(member, world.cooperation),
    )
    concern = concern_services.concern_raise(
        actor=world.users["frontline_worker"],
        membership=_membership(world.users["frontline_worker"], world.cooperation),
        subject_kind="identified", subject="Fiktiv Person, ca. 19 år", observation=OBSERVATION,
        urgency="soon", source="municipal",
    )
    assert has_valid_radicalisation_training(member) is False

    # The member, a lead contact for concerns, is stopped by the training gate.
    page = log_in(checked, member.email)
    checked.assert_accessible()
    response = page.goto(f"{checked.base_url}/bekymringer/{concern.pk}/")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Du skal have gennemført kurset for at åbne bekymringer"
    )
    assert page.get_by_text(OBSERVATION).count() == 0
    checked.assert_accessible()

    # From there to "Min uddannelse", the upcoming offerings, and "Tilmeld mig".
    page.get_by_role("link", name="Se din uddannelse og tilmeld dig et kursus").click()
    page.wait_for_url("**/kurser/mine/")
    checked.assert_accessible()
    status = page.locator(".alert").filter(has_text="uddannelseskravet")
    assert status.inner_text().startswith("Du opfylder ikke uddannelseskravet")
    status.get_by_role("link", name="Se kommende hold").click()
    page.wait_for_url("**/kurser/")
    checked.assert_accessible()
    page.get_by_role("link", name=offering.title).click()
    page.wait_for_url(f"**/kurser/hold/{offering.pk}/")
    checked.assert_accessible()
    styles = page.evaluate(  # the collected static files are served: the design system's CSS and ours
        """() => [getComputedStyle(document.querySelector('.button-primary')).display,
                  getComputedStyle(document.querySelector('.samspil-facts')).display]"""
    )
    assert styles[0] in ("flex", "inline-flex") and styles[1] == "grid"  # unstyled: inline(-block)
    _submit(page, page.get_by_role("button", name="Tilmeld mig"))
    assert page.url.endswith(f"/kurser/hold/{offering.pk}/")
    assert page.get_by_text(f"Du har fået plads på {offering.title}.", exact=False).count() == 1
    assert page.get_by_text("Du har plads på holdet.").count() == 1
    checked.assert_accessible()
    with unscoped("test reads the enrolment"):
        enrolment = Enrolment.objects.get(offering=offering, member=member)
    assert (enrolment.status, enrolment.organisation_id) == (EnrolmentStatus.ENROLLED, world.municipality.pk)

    # The pre-course questionnaire. A missing answer is refused, and the other answers stay chosen.
    page.get_by_role("link", name="Besvar spørgeskemaet: Før kurset").click()
    page.wait_for_url(f"**/kurser/spoergeskemaer/{pre.pk}/")
    checked.assert_accessible()
    _answer_all(page, leave_out_last=True)
    _submit(page, page.get_by_role("button", name="Send mine svar"))
    assert page.url.endswith(f"/kurser/spoergeskemaer/{pre.pk}/")
    assert page.get_by_text("Dine svar er ikke sendt").count() == 1
    groups = page.locator("main fieldset")
    assert [groups.nth(i).locator("input:checked").count() for i in range(4)] == [1, 1, 1, 0]
    checked.assert_accessible()
    _answer_all(page)
    page.get_by_role("button", name="Send mine svar").click()
    page.wait_for_url("**/kurser/besvarelser/*/")
    assert page.get_by_text("Tak for dine svar.").count() == 1
    checked.assert_accessible()
    with unscoped("test reads the responses"):
        assert Response.objects.filter(questionnaire=pre, participant=member).count() == 1

    # The course is held. The course administrator takes attendance for both days, then completion.
    _the_course_is_held(offering, post)
    admin_checked, admin_context = _new_checked(browser, checked.base_url)
    try:
        apage = log_in(admin_checked, admin.email)
        admin_checked.assert_accessible()
        apage = admin_checked.goto(f"/kurser/hold/{offering.pk}/")
        admin_checked.assert_accessible()
        apage.get_by_role("link", name="Fremmøde").click()
        apage.wait_for_url(f"**/kurser/hold/{offering.pk}/fremmoede/")
        admin_checked.assert_accessible()
        for number in (1, 2):
            toggle = apage.get_by_role(
                "button", name=re.compile(rf"^Til stede\s*: {re.escape(member.full_name)}, dag {number}$")
            )
            assert toggle.get_attribute("aria-pressed") == "false"
            with apage.expect_response(lambda r: r.request.method == "POST") as toggled:
                toggle.click()
            assert toggled.value.status == 200
            assert toggled.value.request.headers.get("hx-request") == "true"  # swapped in place by htmx
            expect(toggle).to_have_attribute("aria-pressed", "true")  # the same name, the new state
        admin_checked.assert_accessible()
        with unscoped("test reads the attendance"):
            assert sorted(a.present for a in enrolment.attendances.all()) == [True, True]
        assert has_valid_radicalisation_training(member) is False  # attendance alone is not completion
        _submit(apage, apage.get_by_role(
            "button", name="Registrér gennemførelse for alle, der var til stede alle dage"
        ))
        assert apage.url.endswith(f"/kurser/hold/{offering.pk}/fremmoede/")
        assert apage.get_by_text("1 deltagere er registreret som gennemført.").count() == 1
        admin_checked.assert_accessible()
    finally:
        admin_context.close()
    with unscoped("test reads the completion"):
        completion = Completion.objects.get(member=member, offering=offering)
    assert completion.recorded_by_id == admin.pk

    # The member answers the post-course questionnaire from "Min uddannelse".
    page = checked.goto("/kurser/mine/")
    checked.assert_accessible()
    page.get_by_role("link", name=f"Besvar: Efter kurset – {offering.title}").click()
    page.wait_for_url(f"**/kurser/spoergeskemaer/{post.pk}/")
    checked.assert_accessible()
    _answer_all(page)
    page.get_by_role("button", name="Send mine svar").click()
    page.wait_for_url("**/kurser/besvarelser/*/")
    checked.assert_accessible()
    with unscoped("test reads the responses"):
        assert Response.objects.filter(questionnaire=post, participant=member).count() == 1

    # The certificate: a PDF with the member's name and the verification code.
    page = checked.goto("/kurser/mine/")
    checked.assert_accessible()
    status = page.locator(".alert").filter(has_text="uddannelseskravet")
    assert status.inner_text().startswith("Du opfylder uddannelseskravet")
    assert "(Gennemført kursus i Samspil)" in status.inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Hent kursusbevis (PDF) for {offering.course.title}").click()
    download = download_info.value
    assert download.suggested_filename == f"kursusbevis-{completion.verification_code}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"%PDF-")
    text = " ".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(content)).pages)
    assert member.full_name in text
    assert completion.formatted_code in text
    assert offering.course.title in text

    # Anyone holding the code checks it on the public page, without signing in.
    public, public_context = _new_checked(browser, checked.base_url)
    try:
        ppage = public.goto("/bevis/")
        public.assert_accessible()
        ppage.get_by_label("Kode fra kursusbeviset").fill(completion.formatted_code)
        ppage.get_by_role("button", name="Efterprøv").click()
        ppage.wait_for_url("**/bevis/?kode=*")
        public.assert_accessible()
        assert ppage.locator(".alert-success .alert-heading").inner_text() == "Kursusbeviset findes: Gyldigt"
        facts = ppage.locator("dl.samspil-facts")
        facts_text = facts.inner_text()
        assert member.full_name in facts_text
        assert offering.course.title in facts_text
        completed_on = timezone.localtime(completion.completed_at)
        assert re.search(rf"\b{completed_on.day}\. \w+ {completed_on.year}\b", facts_text)
        assert "gyldig" in facts.locator("dd").nth(3).inner_text().lower()
        assert member.email not in ppage.content()
        assert ppage.get_by_role("link", name="Log af").count() == 0  # nobody is signed in
    finally:
        public_context.close()
    with unscoped("test reads the log"):
        assert AuditEvent.objects.filter(
            action=actions.COURSE_CERTIFICATE_VERIFIED, object_id=str(completion.pk)
        ).count() == 1

    # The training gate opens: the member now opens the concern.
    assert has_valid_radicalisation_training(member) is True
    response = page.goto(f"{checked.base_url}/bekymringer/{concern.pk}/")
    assert response is not None and response.status == 200
    assert page.get_by_text(OBSERVATION).count() >= 1
    checked.assert_accessible()
