"""The national-scale generator (samspil/demo/national.py) at a tiny scale: exact counts, only fictitious
data, deterministic with the seed, CPR numbers found through the look-up. Runs on SQLite (bulk_create)
and on PostgreSQL (COPY) alike."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from samspil.accounts.models import User
from samspil.cases.models import (
    Case,
    CaseState,
    EntryVisibility,
    Involvement,
    JournalEntry,
    StateChange,
    Task,
)
from samspil.cases.selectors import CaseCriteria, cases_search
from samspil.citizens.cpr import cpr_birth_date, cpr_decrypt, cpr_lookup_hash
from samspil.citizens.models import Citizen
from samspil.core.roles import Role
from samspil.core.scoping import unscoped
from samspil.demo.national import (
    EMAIL_DOMAIN,
    FIRST_NAMES,
    LAST_NAMES,
    GenerationReport,
    NationalDataError,
    Scale,
    generate_national,
)
from samspil.organisations.models import (
    Cooperation,
    CooperationOrganisation,
    Membership,
    Organisation,
    OrganisationKind,
    Sector,
)
from samspil.sharing.models import Disclosure

pytestmark = pytest.mark.django_db

TINY = Scale(citizens=30, cases=40, entries=200, cooperations=2)
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def _generate(seed: int = 7, scale: Scale = TINY) -> GenerationReport:
    return generate_national(scale=scale, seed=seed, now=NOW, progress=False)


def _snapshot() -> dict[str, list[Any]]:
    """The generated data without database ids (they differ between runs on PostgreSQL, whose sequences
    do not roll back), each foreign key replaced by something stable; CPR numbers decrypted."""
    with unscoped("test: comparing two generated data sets"):
        case_key = {c.pk: (c.cooperation.municipality.code, c.pseudonym)
                    for c in Case.objects.select_related("cooperation__municipality")}
        email = dict(User.objects.values_list("pk", "email"))
        citizens = sorted(
            (c.cooperation.municipality.code, c.pseudonym, cpr_decrypt(c.cpr_encrypted), c.cpr_lookup,
             c.full_name, c.birth_date, c.sex, c.address, c.registered_by_organisation_id,
             email[c.created_by_id], c.created_at)
            for c in Citizen.objects.select_related("cooperation__municipality")
        )
        citizen_key = {c.pk: c.pseudonym for c in Citizen.objects.all()}
        return {
            "cooperations": sorted(Cooperation.objects.values_list("name", "municipality__code")),
            "staff": sorted(Membership.objects.values_list(
                "user__email", "user__full_name", "organisation_id", "cooperation__name", "role"
            )),
            "citizens": citizens,
            "cases": sorted(
                (case_key[c.pk], citizen_key.get(c.citizen_id), c.state, c.age_band, c.sex, c.description,
                 c.action_plan, c.lead_organisation_id, email[c.opened_by_id], c.opened_at,
                 email.get(c.referred_by_id), c.identification_legal_basis, c.identified_at, c.closed_at,
                 c.closing_reason)
                for c in Case.objects.all()
            ),
            "involvements": sorted(
                (case_key[i.case_id], i.organisation_id, i.is_lead, i.added_at)
                for i in Involvement.objects.all()
            ),
            "state_changes": sorted(
                (case_key[s.case_id], s.from_state, s.to_state, s.reason, s.changed_at)
                for s in StateChange.objects.all()
            ),
            "entries": sorted(
                (case_key[e.case_id], e.organisation_id, email[e.author_id], e.text, e.visibility,
                 e.created_at)
                for e in JournalEntry.objects.all()
            ),
            "disclosures": sorted(
                (case_key[d.case_id], d.legal_basis_code, d.source_organisation_id, d.disclosed_at,
                 tuple(sorted(o.pk for o in d.recipients.all())))
                for d in Disclosure.objects.prefetch_related("recipients")
            ),
            "tasks": sorted(
                (case_key[t.case_id], t.title, t.owner_organisation_id, email.get(t.owner_id, ""),
                 t.due_date, t.status)
                for t in Task.objects.all()
            ),
        }


class _Undo(Exception):
    pass


def _generated_snapshot(seed: int) -> dict[str, list[Any]]:
    """Generate, take the snapshot, and roll the generation back."""
    try:
        with transaction.atomic():
            _generate(seed)
            snapshot = _snapshot()
            raise _Undo
    except _Undo:
        return snapshot


def test_generate_national__tiny_scale__creates_exactly_the_requested_counts() -> None:
    report = _generate()

    with unscoped("test: counting generated rows"):
        assert Citizen.objects.count() == 30
        assert Case.objects.count() == 40
        assert JournalEntry.objects.count() == 200
        assert report.count("citizens") == 30 and report.count("cases") == 40
        assert report.count("journal entries") == 200
        cooperations = list(Cooperation.objects.select_related("municipality").order_by("pk"))
        assert [c.municipality.code for c in cooperations] == ["101", "147"]  # the first two by official code
        assert [c.name for c in cooperations] == ["PSP København (testdata)", "PSP Frederiksberg (testdata)"]
        assert sorted(report.cooperation_ids) == [c.pk for c in cooperations]
        for cooperation in cooperations:
            municipality = cooperation.municipality
            assert sorted(
                CooperationOrganisation.objects.filter(cooperation=cooperation).values_list(
                    "organisation_id", "sector"
                )
            ) == sorted([
                (municipality.pk, Sector.SOCIAL_SERVICES),
                (municipality.police_district_id, Sector.POLICE),
                (municipality.region_id, Sector.PSYCHIATRY),
            ])
            assert Counter(
                Membership.objects.filter(cooperation=cooperation).values_list("organisation__kind", "role")
            ) == Counter({
                (OrganisationKind.MUNICIPALITY, Role.KEY_MEMBER): 1,
                (OrganisationKind.POLICE_DISTRICT, Role.KEY_MEMBER): 1,
                (OrganisationKind.REGION, Role.KEY_MEMBER): 1,
                (OrganisationKind.MUNICIPALITY, Role.COORDINATOR): 1,
                (OrganisationKind.MUNICIPALITY, Role.FRONTLINE_WORKER): 1,
            })
        # The larger cooperation (by the Zipf-like share) comes first in the report.
        sizes = [Case.objects.filter(cooperation_id=pk).count() for pk in report.cooperation_ids]
        assert sizes == sorted(sizes, reverse=True) and sum(sizes) == 40
        for case in Case.objects.prefetch_related("involvements", "state_changes"):
            involvements = list(case.involvements.all())
            assert 1 <= len(involvements) <= 3
            assert [i.organisation_id for i in involvements if i.is_lead] == [case.lead_organisation_id]
            changes = sorted(case.state_changes.all(), key=lambda s: s.changed_at)
            assert (changes[-1].to_state if changes else CaseState.ANONYMOUS) == case.state
            assert (case.citizen_id is None) == (case.identified_at is None)
        shared = set(
            JournalEntry.objects.filter(visibility=EntryVisibility.SHARED).values_list("pk", flat=True)
        )
        assert shared == set(Disclosure.objects.values_list("journal_entry_id", flat=True))
        assert Disclosure.objects.count() == len(shared) == report.count("disclosures")


def test_generate_national__ids__continue_the_tables_own_sequences() -> None:
    _generate()

    with unscoped("test: rows after the generated ones"):
        case = Case.objects.order_by("pk").last()
        assert case is not None
        highest = JournalEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
        entry = JournalEntry.objects.create(
            case=case, organisation=case.lead_organisation, text="Efter generering"
        )
        assert highest is not None and entry.pk > highest


def test_generate_national__only_fictitious_names_addresses_and_cpr_numbers() -> None:
    _generate()

    with unscoped("test: reading the generated citizens"):
        citizens = list(Citizen.objects.all())
        staff = list(User.objects.filter(memberships__isnull=False).distinct())
    assert len(citizens) == 30 and len(staff) == 10
    for person in [*citizens, *staff]:
        first, last = person.full_name.split(" ")
        assert first in FIRST_NAMES and last in LAST_NAMES
    for user in staff:
        assert user.email.endswith(f"@{EMAIL_DOMAIN}") and not user.has_usable_password()
    for citizen in citizens:
        assert citizen.address.startswith("Fiktivvej ") and citizen.address.endswith(", 9999 Fiktivby")
        digits = cpr_decrypt(citizen.cpr_encrypted)
        born = cpr_birth_date(digits)
        # The fictitious-number rules of citizens.cpr.fictitious_cpr.
        assert born == citizen.birth_date and (born.month, born.day) != (1, 1)
        serial = int(digits[6:])
        assert 9000 <= serial <= 9999 if born.year >= 1937 else 0 <= serial <= 999
        assert sum(int(d) * w for d, w in zip(digits, (4, 3, 2, 7, 6, 5, 4, 3, 2, 1), strict=True)) % 11 != 0
    assert len({cpr_decrypt(c.cpr_encrypted) for c in citizens}) == 30


def test_generate_national__same_seed__same_data_and_another_seed__other_data() -> None:
    first = _generated_snapshot(seed=7)
    second = _generated_snapshot(seed=7)
    other = _generated_snapshot(seed=8)

    assert len(first["entries"]) == 200 and len(first["citizens"]) == 30
    assert first == second
    assert other["citizens"] != first["citizens"] and other["entries"] != first["entries"]


def test_generate_national__encrypted_cpr__is_found_by_the_lookup_and_the_cpr_search() -> None:
    _generate()

    with unscoped("test: picking identified cases"):
        cases = list(Case.objects.filter(citizen__isnull=False).select_related("citizen").order_by("pk")[:5])
    assert len(cases) == 5
    for case in cases:
        digits = cpr_decrypt(case.citizen.cpr_encrypted)
        with unscoped("test: the look-up itself"):
            assert list(Citizen.objects.filter(cpr_lookup=cpr_lookup_hash(digits))) == [case.citizen]
        lead = Membership.objects.filter(
            cooperation_id=case.cooperation_id,
            organisation_id=case.lead_organisation_id,
            role=Role.KEY_MEMBER,
        ).scoped().get()
        found = cases_search(lead.user, CaseCriteria(cpr=digits))
        assert case in found
        assert {c.citizen_id for c in found} == {case.citizen_id}


def test_generate_national__data_already_present__is_refused_and_changes_nothing() -> None:
    _generate()
    with unscoped("test: counting"):
        before = (Case.objects.count(), Citizen.objects.count(), User.objects.count())

    with pytest.raises(NationalDataError, match="already present"):
        _generate(seed=9)

    with unscoped("test: counting"):
        assert (Case.objects.count(), Citizen.objects.count(), User.objects.count()) == before


def test_generate_national__more_cooperations_than_municipalities__is_refused() -> None:
    with pytest.raises(NationalDataError, match="98 municipalities"):
        _generate(scale=Scale(citizens=1, cases=1, entries=1, cooperations=99))

    assert not Cooperation.objects.exists()
    assert Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).count() == 98


def test_seed_national_command__prints_its_speed_per_table(settings) -> None:
    settings.DEBUG = True
    out = io.StringIO()

    call_command("seed_national", "--citizens", "12", "--cases", "20", "--entries", "90", "--cooperations",
                 "2", "--seed", "3", "--no-progress", stdout=out, stderr=io.StringIO())

    text = out.getvalue()
    with unscoped("test: counting"):
        assert (Citizen.objects.count(), Case.objects.count(), JournalEntry.objects.count()) == (12, 20, 90)
    assert "seed 3" in text
    lines = {line.split()[0]: line.split() for line in text.splitlines()[1:] if line.strip()}
    assert lines["citizens"][1:2] == ["12"] and lines["cases"][1:2] == ["20"]
    assert lines["journal"][2:3] == ["90"] and "ANALYZE" in lines


def test_seed_national_command__without_debug__refuses_and_creates_nothing(settings) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_national", "--citizens", "1", "--cases", "1", "--entries", "1",
                     "--cooperations", "1", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())

    assert not Cooperation.objects.exists()
    assert not User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists()
