"""Test data for the citizen's-rights tests: an identified case in the world's PSP cooperation with the
police, the municipality and the region involved, a police entry shared with the others on § 115, and
helpers to read every table retention deletes from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from samspil.cases.models import Case, CaseState, JournalEntry
from samspil.citizens.models import Citizen
from samspil.core.scoping import unscoped
from samspil.privacy.models import LegalHold, RetentionCategory, RetentionRule
from samspil.privacy.retention import retention_rules_for
from samspil.sharing.models import Disclosure

from ..sharing.helpers import entry_of, psp_case, shared_disclosure


@dataclass
class RightsObjects:
    citizen: Citizen
    case: Case
    police_entry: JournalEntry
    disclosure: Disclosure
    hold: LegalHold
    consent_rule: RetentionRule


def rights_objects(world: Any) -> RightsObjects:
    """Built once per world (for the authorization matrix)."""
    cached = getattr(world, "_rights_objects", None)
    if cached is not None:
        return cached
    from ..factories import CitizenFactory

    citizen = CitizenFactory(cooperation=world.cooperation, full_name="Fiktiv Borger Rettighed")
    case = psp_case(world, citizen=citizen)
    police_entry = entry_of(case, world.police, text="Politiet har talt med borgeren (fiktivt).")
    disclosure = shared_disclosure(case, police_entry, [world.municipality, world.region])
    hold = LegalHold.objects.create(
        cooperation=world.cooperation,
        citizen=citizen,
        reason="Klagesag (fiktiv).",
        placed_by_organisation=world.municipality,
    )
    rules = retention_rules_for(world.cooperation)
    consent_rule = next(r for r in rules if r.category == RetentionCategory.CONSENT)
    objects = RightsObjects(citizen, case, police_entry, disclosure, hold, consent_rule)
    world._rights_objects = objects
    return objects


def basis_rule(world: Any) -> RetentionRule:
    """A closed-case rule for consent in the world's cooperation, next to the defaults (once per world)."""
    cached = getattr(world, "_basis_rule", None)
    if cached is not None:
        return cached
    retention_rules_for(world.cooperation)
    rule = RetentionRule.objects.create(
        cooperation=world.cooperation, category=RetentionCategory.CLOSED_CASE, legal_basis="consent", period=2,
        unit="years", note="Samtykkesager (fiktiv).",
    )
    world._basis_rule = rule
    return rule


def identified_case(world: Any, citizen: Citizen, **fields: Any) -> Case:
    case = psp_case(world, citizen=citizen)
    if fields:
        with unscoped("test sets up the case's state"):
            Case.objects.filter(pk=case.pk).update(**fields)
        case.refresh_from_db()
    return case


def closed(**fields: Any) -> dict[str, Any]:
    return {"state": CaseState.CLOSED, **fields}


def with_sudo(client: Any) -> Any:
    """The client's session in sudo mode, as after confirming password and code."""
    from django.utils import timezone

    from samspil.accounts.services import SUDO_AT

    session = client.session
    session[SUDO_AT] = timezone.now().isoformat()
    session.save()
    return client


def pdf_text(content: bytes) -> str:
    """The text of a PDF with all whitespace runs made single spaces (lines wrap anywhere)."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def assert_accessible_markup(html: str) -> None:
    """What axe checks first, without a browser: one h1, headings that never skip a level, and a label
    (``<label for>``, ``aria-label`` or ``aria-labelledby``) for every visible form control."""
    from html.parser import HTMLParser

    HIDDEN = {"hidden", "submit"}

    class Collector(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.headings: list[int] = []
            self.controls: list[dict[str, str | None]] = []
            self.label_for: set[str] = set()

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            attributes = dict(attrs)
            if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
                self.headings.append(int(tag[1]))
            elif tag == "label" and attributes.get("for"):
                self.label_for.add(str(attributes["for"]))
            elif tag in {"input", "select", "textarea"} and attributes.get("type") not in HIDDEN:
                self.controls.append(attributes)

    collector = Collector()
    collector.feed(html)
    assert collector.headings.count(1) == 1, collector.headings
    for previous, current in zip(collector.headings, collector.headings[1:], strict=False):
        assert current <= previous + 1, collector.headings
    for control in collector.controls:
        labelled = control.get("id") in collector.label_for or control.get("aria-label") or control.get(
            "aria-labelledby"
        )
        assert labelled, control
