"""The legal-basis engine, rule by rule, over the shipped rule set (pure: rule + facts -> decision)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samspil.organisations.legal_bases import LEGAL_BASIS_CODES
from samspil.organisations.models import CooperationType, Sector
from samspil.sharing.models import DataCategory, LegalBasis, Purpose, Restriction
from samspil.sharing.rules import BasisDecision, ConsentFacts, Party, Rule, Situation, evaluate
from samspil.sharing.ruleset import load_rule_data

DATA = load_rule_data()
RULES = {entry["code"]: Rule.from_data(entry) for entry in DATA["rules"]}
ACTIVE = [code for code, rule in RULES.items() if rule.is_active]
SECTORS = list(Sector.values)
TYPES = list(CooperationType.values)
NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)

SECTOR_NAME = {
    "police": "Politi",
    "social": "Kommunale sociale myndigheder",
    "psychiatry": "Psykiatri",
    "school": "Skole",
    "prison_probation": "Kriminalforsorgen",
    "other": "Andet",
}


def party(sector: str, pk: int | None = None, *, participates: bool = True) -> Party:
    pk = pk if pk is not None else SECTORS.index(sector) + 1
    return Party(organisation_id=pk, name=f"Org {sector}", sector=sector, participates=participates)


def consent(**overrides: Any) -> ConsentFacts:
    values: dict[str, Any] = {
        "given_at": NOW - timedelta(days=10),
        "expires_at": None,
        "withdrawn_at": None,
        "purposes": frozenset(Purpose.values),
        "sectors": frozenset(SECTORS),
        "organisation_ids": frozenset(),
        "categories": frozenset(DataCategory.values),
    }
    values.update(overrides)
    return ConsentFacts(**values)


def situation(
    code: str, cooperation_type: str, from_sector: str, to_sectors: list[str], **overrides: Any
) -> Situation:
    values: dict[str, Any] = {
        "cooperation_name": "PSP Testrup",
        "cooperation_type": cooperation_type,
        "enabled_codes": frozenset({code}),
        "source": party(from_sector, 100),
        "recipients": tuple(party(s) for s in to_sectors),
        "purpose": Purpose.COORDINATION,
        "at": NOW,
        "citizen_known": True,
        "consents": (consent(),),
    }
    values.update(overrides)
    return Situation(**values)


def decide(code: str, *args: Any, **overrides: Any) -> BasisDecision:
    """The engine's decision on the shipped rule ``code`` in the situation ``situation(code, *args)``."""
    return evaluate(RULES[code], code, situation(code, *args, **overrides))


def covered_cases() -> list[tuple[str, str, str, str]]:
    """(code, cooperation type, from sector, to sector) for every direction every active rule covers."""
    cases = []
    for code in ACTIVE:
        rule = RULES[code]
        for direction in rule.directions:
            types = sorted(rule.cooperation_types & (direction.cooperation_types or rule.cooperation_types))
            froms = SECTORS if direction.from_sector == "*" else [direction.from_sector]
            tos = SECTORS if direction.to_sector == "*" else [direction.to_sector]
            cases += [(code, t, f, to) for t, f, to in product(types, froms, tos)]
    return sorted(set(cases))


def first_covered(code: str) -> tuple[str, str, str]:
    return next((t, f, to) for c, t, f, to in covered_cases() if c == code)


def uncovered_cases() -> list[tuple[str, str, str, str]]:
    covered = set(covered_cases())
    return [
        (code, t, f, to)
        for code in ACTIVE
        for t in sorted(RULES[code].cooperation_types)
        for f, to in product(SECTORS, SECTORS)
        if (code, t, f, to) not in covered
    ]


# The data file ---------------------------------------------------------------------------------


def test_rule_set__has_every_basis_the_issue_names_and_the_cooperation_registry_uses() -> None:
    assert set(RULES) == {
        "rpl-115-1-1", "rpl-115-1-2", "rpl-115-1-3", "rpl-115-2", "rpl-115-3", "psyk-13c", "consent",
        "infohus-115",
    }
    assert set(RULES) >= LEGAL_BASIS_CODES


def test_rule_set__every_rule_has_citation_summary_note_and_known_codes() -> None:
    restriction_codes = {r["code"] for r in DATA["restrictions"]}
    for entry in DATA["rules"]:
        assert entry["title"] and entry["summary"] and entry["name"], entry["code"]
        assert "juridiske rådgiver" in entry["counsel_note"], entry["code"]
        assert set(entry["cooperation_types"]) <= set(TYPES), entry["code"]
        assert set(entry["restrictions"]) <= restriction_codes, entry["code"]
        for direction in entry["directions"]:
            assert {direction["from"], direction["to"]} <= {*SECTORS, "*"}, entry["code"]
            types = set(direction.get("cooperation_types", []))
            assert types <= set(entry["cooperation_types"]), entry["code"]


def test_rule_set__every_section_115_basis_carries_both_restrictions_and_cites_section_115() -> None:
    for code in ("rpl-115-1-1", "rpl-115-1-2", "rpl-115-1-3", "rpl-115-2", "rpl-115-3"):
        entry = next(e for e in DATA["rules"] if e["code"] == code)
        assert entry["citation"]["law"] == "Retsplejeloven"
        assert entry["citation"]["paragraph"] == "§ 115"
        assert entry["restrictions"] == ["no_onward_disclosure", "no_criminal_investigation"]
        assert entry["requires_consent"] is False


def test_rule_set__onward_disclosure_ban_cites_stk_4_and_asks_to_confirm_the_wording() -> None:
    ban = next(r for r in DATA["restrictions"] if r["code"] == "no_onward_disclosure")
    assert ban["citation"] == {"law": "Retsplejeloven", "paragraph": "§ 115", "stk": "4", "nr": ""}
    assert "Ordlyden af § 115, stk. 4" in ban["counsel_note"]


def test_rule_set__social_services_and_psychiatry_in_psp_share_under_stk_2_to_be_confirmed() -> None:
    rule = RULES["rpl-115-2"]
    for pair in (("social", "psychiatry"), ("psychiatry", "social")):
        direction = rule.direction_for(*pair, "psp")
        assert direction is not None and direction.to_be_confirmed is True
    assert rule.direction_for("social", "police", "psp").to_be_confirmed is False  # type: ignore[union-attr]


@pytest.mark.django_db
def test_data_migration__loads_the_file_into_the_database() -> None:
    assert sorted(LegalBasis.objects.values_list("code", flat=True)) == sorted(RULES)
    for entry in DATA["rules"]:
        basis = LegalBasis.objects.get(code=entry["code"])
        assert Rule.from_model(basis) == Rule.from_data(entry, citation=basis.citation)
        assert basis.is_shipped is True
    assert LegalBasis.objects.get(code="rpl-115-1-2").citation == "Retsplejeloven § 115, stk. 1, nr. 2"
    assert sorted(Restriction.objects.values_list("code", flat=True)) == [
        "no_criminal_investigation", "no_onward_disclosure",
    ]


# Allowed where the rule applies -----------------------------------------------------------------


@pytest.mark.parametrize(("code", "cooperation_type", "from_sector", "to_sector"), covered_cases())
def test_rule__allows_every_direction_it_covers(code, cooperation_type, from_sector, to_sector) -> None:
    decision = evaluate(RULES[code], code, situation(code, cooperation_type, from_sector, [to_sector]))
    assert decision == BasisDecision(True, [], RULES[code], decision.to_be_confirmed)
    assert decision.restrictions == RULES[code].restrictions


@pytest.mark.parametrize(("code", "cooperation_type", "from_sector", "to_sector"), uncovered_cases())
def test_rule__refuses_every_direction_it_does_not_cover_and_names_the_sectors(
    code, cooperation_type, from_sector, to_sector
) -> None:
    decision = evaluate(RULES[code], code, situation(code, cooperation_type, from_sector, [to_sector]))
    assert decision.allowed is False
    assert decision.reasons == [
        f"Hjemlen »{RULES[code].name}« dækker ikke videregivelse fra {SECTOR_NAME[from_sector]} "
        f"(Org {from_sector}) til {SECTOR_NAME[to_sector]} (Org {to_sector})."
    ]


def test_psp_police_to_social_services_and_psychiatry__allowed_under_stk_1_nr_2() -> None:
    decision = decide("rpl-115-1-2", "psp", "police", ["social", "psychiatry"])
    assert (decision.allowed, decision.reasons, decision.to_be_confirmed) == (True, [], False)


def test_psp_social_services_to_police__refused_under_stk_1_and_allowed_under_stk_2() -> None:
    refused = decide("rpl-115-1-2", "psp", "social", ["police"])
    allowed = decide("rpl-115-2", "psp", "social", ["police"])
    assert refused.reasons == [
        "Hjemlen »§ 115, stk. 1, nr. 2 (PSP)« dækker ikke videregivelse fra Kommunale sociale myndigheder "
        "(Org social) til Politi (Org police)."
    ]
    assert (allowed.allowed, allowed.reasons) == (True, [])


def test_stk_2_between_social_services_and_psychiatry__allowed_but_marked_to_be_confirmed() -> None:
    decision = decide("rpl-115-2", "psp", "social", ["psychiatry"])
    assert (decision.allowed, decision.to_be_confirmed) == (True, True)


def test_one_uncovered_recipient__refuses_the_whole_disclosure() -> None:
    decision = decide("psyk-13c", "psp", "psychiatry", ["social", "police"])
    assert decision.reasons == [
        "Hjemlen »Psykiatriloven § 13 c« dækker ikke videregivelse fra Psykiatri (Org psychiatry) "
        "til Politi (Org police)."
    ]


# Refused with reasons --------------------------------------------------------------------------


def test_unknown_code__is_refused() -> None:
    decision = evaluate(None, "rpl-999", situation("rpl-999", "psp", "police", ["social"]))
    assert decision == BasisDecision(False, ["Der findes ingen hjemmel med koden »rpl-999«."])


@pytest.mark.parametrize("code", ACTIVE)
def test_rule__refused_when_not_enabled_in_the_cooperation(code) -> None:
    cooperation_type, from_sector, to_sector = first_covered(code)
    decision = evaluate(
        RULES[code], code,
        situation(code, cooperation_type, from_sector, [to_sector], enabled_codes=frozenset()),
    )
    assert decision.allowed is False
    assert decision.reasons == [f"Hjemlen »{RULES[code].name}« er ikke slået til i samarbejdet PSP Testrup."]


@pytest.mark.parametrize(
    ("code", "cooperation_type"),
    [(code, t) for code in ACTIVE for t in TYPES if t not in RULES[code].cooperation_types],
)
def test_rule__refused_in_a_cooperation_type_it_does_not_apply_to(code, cooperation_type) -> None:
    decision = evaluate(RULES[code], code, situation(code, cooperation_type, "police", ["social"]))
    label = {"psp": "PSP", "ssp": "SSP", "ssp_plus": "SSP+", "ksp": "KSP", "infohus": "Infohus"}
    applies = sorted(label[t] for t in RULES[code].cooperation_types)
    applies_text = applies[0] if len(applies) == 1 else f"{', '.join(applies[:-1])} og {applies[-1]}"
    assert decision.reasons == [
        f"Hjemlen »{RULES[code].name}« gælder ikke i {label[cooperation_type]}-samarbejder. "
        f"Den gælder i {applies_text}."
    ]


def test_inactive_rule__is_refused_whatever_else_holds() -> None:
    entry = next(e for e in DATA["rules"] if e["code"] == "infohus-115")
    inactive = Rule.from_data({**entry, "is_active": False})
    decision = evaluate(inactive, "infohus-115", situation("infohus-115", "infohus", "police", ["social"]))
    assert decision.reasons == ["Hjemlen »Infohus, § 115« er ikke taget i brug i Samspil."]


@pytest.mark.parametrize("code", ACTIVE)
def test_rule__identifies_only_when_the_rule_says_it_may(code) -> None:
    cooperation_type, from_sector, to_sector = first_covered(code)
    decision = evaluate(
        RULES[code], code,
        situation(code, cooperation_type, from_sector, [to_sector], for_identification=True,
                  purpose=Purpose.IDENTIFICATION),
    )
    if RULES[code].can_identify:
        assert (decision.allowed, decision.reasons) == (True, [])
    else:
        assert decision.reasons == [
            f"Hjemlen »{RULES[code].name}« kan ikke bruges til at identificere en borger."
        ]


def test_organisation_outside_the_cooperation__is_refused_under_section_115() -> None:
    outsider = Party(organisation_id=77, name="Andeby Kommune", sector="social", participates=False)
    decision = decide("rpl-115-1-2", "psp", "police", [], recipients=(outsider,))
    assert decision.reasons == [
        "Andeby Kommune deltager ikke i samarbejdet PSP Testrup, og hjemlen »§ 115, stk. 1, nr. 2 (PSP)« "
        "gælder kun inden for samarbejdet."
    ]


def test_several_problems__are_all_reported() -> None:
    decision = decide("rpl-115-1-1", "psp", "police", ["social"], enabled_codes=frozenset())
    assert decision.reasons == [
        "Hjemlen »§ 115, stk. 1, nr. 1 (SSP)« er ikke slået til i samarbejdet PSP Testrup.",
        "Hjemlen »§ 115, stk. 1, nr. 1 (SSP)« gælder ikke i PSP-samarbejder. Den gælder i SSP og SSP+.",
    ]


# Consent ---------------------------------------------------------------------------------------


def consent_decision(**overrides: Any) -> BasisDecision:
    return decide("consent", "psp", "police", ["social"], **overrides)


def test_consent__valid_and_covering__allows_any_direction_and_reaches_outside_the_cooperation() -> None:
    outsider = Party(organisation_id=77, name="Andeby Kommune", sector="social", participates=False)
    assert consent_decision().allowed is True
    assert consent_decision(recipients=(outsider,)).allowed is True


def test_consent__without_a_citizen__is_refused() -> None:
    assert consent_decision(citizen_known=False, consents=()).reasons == [
        "Sagen er ikke knyttet til en identificeret borger, så der kan ikke foreligge samtykke."
    ]


def test_consent__none_recorded__is_refused() -> None:
    assert consent_decision(consents=()).reasons == [
        "Der er ikke registreret samtykke fra borgeren i dette samarbejde."
    ]


def test_consent__withdrawn__is_refused_with_the_date() -> None:
    withdrawn = consent(withdrawn_at=NOW - timedelta(hours=1))
    assert consent_decision(consents=(withdrawn,)).reasons == [
        "Borgerens samtykke blev trukket tilbage den 05-03-2025."
    ]


def test_consent__withdrawn_later_than_the_moment_asked_about__still_counts() -> None:
    assert consent_decision(consents=(consent(withdrawn_at=NOW + timedelta(seconds=1)),)).allowed is True


def test_consent__expired__is_refused_with_the_date() -> None:
    expired = consent(expires_at=NOW - timedelta(days=3))
    assert consent_decision(consents=(expired,)).reasons == ["Borgerens samtykke udløb den 02-03-2025."]


def test_consent__given_later__is_refused() -> None:
    future = consent(given_at=NOW + timedelta(days=2))
    assert consent_decision(consents=(future,)).reasons == [
        "Borgerens samtykke gælder først fra den 07-03-2025."
    ]


def test_consent__not_covering_purpose_sector_organisation_or_category__says_each() -> None:
    narrow = consent(
        purposes=frozenset({Purpose.DISCHARGE_COORDINATION}),
        sectors=frozenset({"police"}),
        organisation_ids=frozenset({100}),
        categories=frozenset({DataCategory.SOCIAL}),
    )
    decision = consent_decision(
        consents=(narrow,), recipients=(party("social"), party("police", 5)),
        categories=frozenset({DataCategory.HEALTH, DataCategory.SOCIAL}),
    )
    assert decision.reasons == [
        "Samtykket dækker ikke formålet »Koordinering af indsatsen over for borgeren i samarbejdet«.",
        "Samtykket dækker ikke Kommunale sociale myndigheder (Org social).",
        "Samtykket omfatter ikke Org police.",
        "Samtykket dækker ikke typen »Helbredsoplysninger«.",
    ]


def test_consent__one_valid_consent_among_old_ones__is_enough() -> None:
    old = consent(withdrawn_at=NOW - timedelta(days=5))
    assert consent_decision(consents=(old, consent())).allowed is True


def test_consent__several_invalid__reports_the_newest() -> None:
    older = consent(given_at=NOW - timedelta(days=100), expires_at=NOW - timedelta(days=50))
    newer = consent(given_at=NOW - timedelta(days=20), withdrawn_at=NOW - timedelta(days=1))
    assert consent_decision(consents=(newer, older)).reasons == [
        "Borgerens samtykke blev trukket tilbage den 04-03-2025."
    ]


# Nothing crashes -------------------------------------------------------------------------------

any_text = st.text(max_size=12)
any_value = st.recursive(
    st.none() | st.booleans() | st.integers() | any_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4),
    max_leaves=12,
)
sector_or_text = st.sampled_from([*SECTORS, "*"]) | any_text
direction_data = st.fixed_dictionaries(
    {"from": sector_or_text, "to": sector_or_text},
    optional={"cooperation_types": st.lists(st.sampled_from(TYPES) | any_text, max_size=3) | any_value,
              "to_be_confirmed": any_value},
) | any_value
rule_data = st.sampled_from(DATA["rules"]) | st.fixed_dictionaries(
    {},
    optional={
        "code": any_text | st.sampled_from(list(RULES)),
        "name": any_value,
        "cooperation_types": st.lists(st.sampled_from(TYPES), max_size=5) | any_value,
        "directions": st.lists(direction_data, max_size=4) | any_value,
        "requires_consent": any_value,
        "within_cooperation_only": any_value,
        "restrictions": any_value,
        "can_identify": any_value,
        "is_active": any_value,
    },
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
parties = st.builds(
    Party,
    organisation_id=st.none() | st.integers(1, 5),
    name=any_text,
    sector=sector_or_text,
    participates=st.booleans(),
)
consents = st.builds(
    ConsentFacts,
    given_at=moments,
    expires_at=st.none() | moments,
    withdrawn_at=st.none() | moments,
    purposes=st.frozensets(st.sampled_from(Purpose.values) | any_text, max_size=3),
    sectors=st.frozensets(sector_or_text, max_size=4),
    organisation_ids=st.frozensets(st.integers(1, 5), max_size=3),
    categories=st.frozensets(st.sampled_from(DataCategory.values) | any_text, max_size=4),
)
situations = st.builds(
    Situation,
    cooperation_name=any_text,
    cooperation_type=st.sampled_from(TYPES) | any_text,
    enabled_codes=st.frozensets(st.sampled_from(list(RULES)) | any_text, max_size=4),
    source=parties,
    recipients=st.lists(parties, max_size=4).map(tuple),
    purpose=st.sampled_from(Purpose.values) | any_text,
    at=moments,
    citizen_known=st.booleans(),
    consents=st.lists(consents, max_size=3).map(tuple),
    categories=st.frozensets(st.sampled_from(DataCategory.values) | any_text, max_size=4),
    for_identification=st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(data=rule_data, facts=situations, missing=st.booleans())
def test_engine__never_crashes_and_allows_only_without_reasons(data, facts, missing) -> None:
    rule = None if missing or not isinstance(data, dict) else Rule.from_data(data)
    decision = evaluate(rule, str(data.get("code", "")) if isinstance(data, dict) else "", facts)
    assert decision.allowed == (not decision.reasons)
    assert all(isinstance(reason, str) and reason for reason in decision.reasons)
