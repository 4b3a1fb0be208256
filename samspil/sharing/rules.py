"""The legal-basis engine: may this information go from this organisation to those, on this basis?

The engine knows no law. It reads the rule set (``LegalBasis`` rows, loaded from
``data/legal_bases.json`` and extended by the operator) and the facts of the situation, and answers
with a ``BasisDecision``: allowed or not, and every reason in plain Danish. ``evaluate`` is the pure
part (rule + facts -> decision); ``check_basis`` gathers the facts from the database. Consent is read
on every check, never cached, so a withdrawal takes effect on the very next request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samspil.organisations.models import (
    Cooperation,
    CooperationOrganisation,
    CooperationType,
    Organisation,
    Sector,
)

from .models import DataCategory, LegalBasis, Purpose

ANY_SECTOR = "*"


def _strings(value: Any) -> frozenset[str]:
    """A set of strings from rule data that may be malformed (operator-edited): never raises."""
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(item for item in value if isinstance(item, str))
    return frozenset()


@dataclass(frozen=True)
class Direction:
    """Information may go from ``from_sector`` to ``to_sector`` (in the given cooperation types)."""

    from_sector: str
    to_sector: str
    cooperation_types: frozenset[str] | None = None
    to_be_confirmed: bool = False

    @classmethod
    def from_data(cls, data: Any) -> Direction | None:
        if not isinstance(data, Mapping):
            return None
        from_sector, to_sector = data.get("from"), data.get("to")
        if not isinstance(from_sector, str) or not isinstance(to_sector, str):
            return None
        types = data.get("cooperation_types")
        return cls(
            from_sector=from_sector,
            to_sector=to_sector,
            cooperation_types=_strings(types) if types is not None else None,
            to_be_confirmed=bool(data.get("to_be_confirmed", False)),
        )

    def covers(self, from_sector: str, to_sector: str, cooperation_type: str) -> bool:
        return (
            self.from_sector in (ANY_SECTOR, from_sector)
            and self.to_sector in (ANY_SECTOR, to_sector)
            and (self.cooperation_types is None or cooperation_type in self.cooperation_types)
        )


@dataclass(frozen=True)
class Rule:
    """One legal basis as the engine sees it."""

    code: str
    name: str
    citation: str
    cooperation_types: frozenset[str]
    directions: tuple[Direction, ...]
    requires_consent: bool
    within_cooperation_only: bool
    restrictions: tuple[str, ...]
    can_identify: bool
    is_active: bool

    @classmethod
    def from_model(cls, basis: LegalBasis) -> Rule:
        return cls.from_data(
            {
                "code": basis.code,
                "name": basis.name,
                "cooperation_types": basis.cooperation_types,
                "directions": basis.directions,
                "requires_consent": basis.requires_consent,
                "within_cooperation_only": basis.within_cooperation_only,
                "restrictions": basis.restrictions,
                "can_identify": basis.can_identify,
                "is_active": basis.is_active,
            },
            citation=basis.citation,
        )

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, citation: str = "") -> Rule:
        """A rule from one entry of the data file (or the model's fields); malformed parts are dropped."""
        directions = data.get("directions")
        directions = directions if isinstance(directions, list) else []
        restrictions = data.get("restrictions")
        restrictions = restrictions if isinstance(restrictions, list) else []
        return cls(
            code=str(data.get("code", "")),
            name=str(data.get("name", "") or data.get("code", "")),
            citation=citation,
            cooperation_types=_strings(data.get("cooperation_types")),
            directions=tuple(d for d in (Direction.from_data(item) for item in directions) if d is not None),
            requires_consent=bool(data.get("requires_consent", False)),
            within_cooperation_only=bool(data.get("within_cooperation_only", True)),
            restrictions=tuple(r for r in restrictions if isinstance(r, str)),
            can_identify=bool(data.get("can_identify", False)),
            is_active=bool(data.get("is_active", True)),
        )

    def direction_for(self, from_sector: str, to_sector: str, cooperation_type: str) -> Direction | None:
        return next((d for d in self.directions if d.covers(from_sector, to_sector, cooperation_type)), None)


@dataclass(frozen=True)
class Party:
    """An organisation taking part in an exchange, with its sector in the cooperation."""

    organisation_id: int | None
    name: str
    sector: str
    participates: bool


@dataclass(frozen=True)
class ConsentFacts:
    given_at: datetime
    expires_at: datetime | None
    withdrawn_at: datetime | None
    purposes: frozenset[str]
    sectors: frozenset[str]
    organisation_ids: frozenset[int]
    categories: frozenset[str]


@dataclass(frozen=True)
class Situation:
    """Everything the engine needs to know about one intended exchange."""

    cooperation_name: str
    cooperation_type: str
    enabled_codes: frozenset[str]
    source: Party
    recipients: tuple[Party, ...]
    purpose: str
    at: datetime
    citizen_known: bool = False
    consents: tuple[ConsentFacts, ...] = ()
    categories: frozenset[str] = frozenset()
    for_identification: bool = False


@dataclass(frozen=True)
class BasisDecision:
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    rule: Rule | None = None
    to_be_confirmed: bool = False

    @property
    def restrictions(self) -> tuple[str, ...]:
        return self.rule.restrictions if self.rule is not None else ()


# Plain-language pieces -------------------------------------------------------------------------


def sector_label(code: str) -> str:
    if code in Sector.values:
        return str(Sector(code).label)
    return code or _("ukendt sektor")


def cooperation_type_label(code: str) -> str:
    """The short name of a cooperation type ('PSP', 'SSP+')."""
    if code in CooperationType.values:
        return str(CooperationType(code).label).split(" (")[0]
    return code


def _category_label(code: str) -> str:
    return str(DataCategory(code).label) if code in DataCategory.values else code


def _purpose_label(code: str) -> str:
    return str(Purpose(code).label) if code in Purpose.values else code


def _date(value: datetime) -> str:
    return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "d-m-Y")


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s og %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


# The pure engine -------------------------------------------------------------------------------


def evaluate(rule: Rule | None, code: str, situation: Situation) -> BasisDecision:
    """Decide on one exchange. Collects every reason that applies, so the person sees them all."""
    if rule is None:
        return BasisDecision(False, [_("Der findes ingen hjemmel med koden »%(code)s«.") % {"code": code}])
    basis = {"basis": rule.name}
    if not rule.is_active:
        return BasisDecision(
            False, [_("Hjemlen »%(basis)s« er ikke taget i brug i Samspil.") % basis], rule=rule
        )
    reasons: list[str] = []
    if rule.code not in situation.enabled_codes:
        reasons.append(
            _("Hjemlen »%(basis)s« er ikke slået til i samarbejdet %(cooperation)s.")
            % {**basis, "cooperation": situation.cooperation_name}
        )
    type_applies = situation.cooperation_type in rule.cooperation_types
    if not type_applies:
        types = sorted(cooperation_type_label(t) for t in rule.cooperation_types)
        reasons.append(
            _("Hjemlen »%(basis)s« gælder ikke i %(type)s-samarbejder.")
            % {**basis, "type": cooperation_type_label(situation.cooperation_type)}
            + (" " + _("Den gælder i %(types)s.") % {"types": _join(types)} if types else "")
        )
    if situation.for_identification and not rule.can_identify:
        reasons.append(_("Hjemlen »%(basis)s« kan ikke bruges til at identificere en borger.") % basis)

    outside = [p for p in (situation.source, *situation.recipients) if not p.participates]
    if rule.within_cooperation_only:
        for party in _unique(outside):
            reasons.append(
                _("%(organisation)s deltager ikke i samarbejdet %(cooperation)s, og hjemlen »%(basis)s« "
                  "gælder kun inden for samarbejdet.")
                % {**basis, "organisation": party.name, "cooperation": situation.cooperation_name}
            )
    to_be_confirmed = False
    reachable = not rule.within_cooperation_only
    if type_applies and (situation.source.participates or reachable):
        source = situation.source
        for recipient in [r for r in _unique(situation.recipients) if r.participates or reachable]:
            direction = rule.direction_for(source.sector, recipient.sector, situation.cooperation_type)
            if direction is None:
                reasons.append(
                    _("Hjemlen »%(basis)s« dækker ikke videregivelse fra %(from_sector)s (%(from_org)s) "
                      "til %(to_sector)s (%(to_org)s).")
                    % {
                        **basis,
                        "from_sector": sector_label(source.sector),
                        "from_org": source.name,
                        "to_sector": sector_label(recipient.sector),
                        "to_org": recipient.name,
                    }
                )
            elif direction.to_be_confirmed:
                to_be_confirmed = True
    if rule.requires_consent:
        reasons.extend(_consent_reasons(situation))
    return BasisDecision(not reasons, reasons, rule=rule, to_be_confirmed=to_be_confirmed and not reasons)


def _unique(parties: Iterable[Party]) -> list[Party]:
    seen: set[tuple[int | None, str]] = set()
    unique = []
    for party in parties:
        key = (party.organisation_id, party.name)
        if key not in seen:
            seen.add(key)
            unique.append(party)
    return unique


def _consent_reasons(situation: Situation) -> list[str]:
    if not situation.citizen_known:
        return [_("Sagen er ikke knyttet til en identificeret borger, så der kan ikke foreligge samtykke.")]
    if not situation.consents:
        return [_("Der er ikke registreret samtykke fra borgeren i dette samarbejde.")]
    per_consent = [_reasons_for_consent(consent, situation) for consent in situation.consents]
    if any(not reasons for reasons in per_consent):
        return []
    newest = max(range(len(situation.consents)), key=lambda i: situation.consents[i].given_at)
    return per_consent[newest]


def _reasons_for_consent(consent: ConsentFacts, situation: Situation) -> list[str]:
    at = situation.at
    if consent.withdrawn_at is not None and consent.withdrawn_at <= at:
        return [
            _("Borgerens samtykke blev trukket tilbage den %(date)s.")
            % {"date": _date(consent.withdrawn_at)}
        ]
    if consent.expires_at is not None and consent.expires_at <= at:
        return [_("Borgerens samtykke udløb den %(date)s.") % {"date": _date(consent.expires_at)}]
    if consent.given_at > at:
        return [_("Borgerens samtykke gælder først fra den %(date)s.") % {"date": _date(consent.given_at)}]
    reasons = []
    if situation.purpose not in consent.purposes:
        purpose = _purpose_label(situation.purpose)
        reasons.append(_("Samtykket dækker ikke formålet »%(purpose)s«.") % {"purpose": purpose})
    for party in _unique((situation.source, *situation.recipients)):
        if ANY_SECTOR not in consent.sectors and party.sector not in consent.sectors:
            reasons.append(
                _("Samtykket dækker ikke %(sector)s (%(organisation)s).")
                % {"sector": sector_label(party.sector), "organisation": party.name}
            )
        elif consent.organisation_ids and party.organisation_id not in consent.organisation_ids:
            reasons.append(_("Samtykket omfatter ikke %(organisation)s.") % {"organisation": party.name})
    for category in sorted(situation.categories - consent.categories):
        reasons.append(
            _("Samtykket dækker ikke typen »%(category)s«.") % {"category": _category_label(category)}
        )
    return reasons


# Gathering the facts ---------------------------------------------------------------------------


def rule_for(code: str) -> Rule | None:
    basis = LegalBasis.objects.filter(code=code).first()
    return Rule.from_model(basis) if basis is not None else None


def check_basis(
    *,
    basis_code: str,
    cooperation: Cooperation,
    from_organisation: Organisation,
    to_organisations: Iterable[Organisation],
    citizen: Any = None,
    purpose: str,
    at: datetime | None = None,
    categories: Iterable[str] = (),
    for_identification: bool = False,
) -> BasisDecision:
    """May ``from_organisation`` pass information to ``to_organisations`` on ``basis_code`` here?

    Sectors are the organisations' sectors in this cooperation (an organisation that does not take
    part keeps its own sector, and only rules that reach outside the cooperation can cover it).
    ``citizen`` is needed for consent; ``categories`` narrows what a consent must cover;
    ``for_identification`` also demands a rule that may identify a citizen.
    """
    recipients = list({o.pk: o for o in to_organisations}.values())
    rule = rule_for(basis_code)
    sectors = dict(
        CooperationOrganisation.objects.filter(
            cooperation=cooperation, organisation_id__in=[from_organisation.pk, *(o.pk for o in recipients)]
        ).values_list("organisation_id", "sector")
    )

    def party(organisation: Organisation) -> Party:
        in_cooperation = organisation.pk in sectors
        return Party(
            organisation_id=organisation.pk,
            name=organisation.name,
            sector=sectors[organisation.pk] if in_cooperation else organisation.sector,
            participates=in_cooperation,
        )

    consents: tuple[ConsentFacts, ...] = ()
    if rule is not None and rule.requires_consent and citizen is not None and citizen.pk is not None:
        consents = tuple(
            ConsentFacts(
                given_at=c.given_at,
                expires_at=c.expires_at,
                withdrawn_at=c.withdrawn_at,
                purposes=_strings(c.purposes),
                sectors=_strings(c.sectors),
                organisation_ids=frozenset(o.pk for o in c.organisations.all()),
                categories=_strings(c.categories),
            )
            for c in citizen.consents.filter(cooperation=cooperation).prefetch_related("organisations")
        )
    situation = Situation(
        cooperation_name=cooperation.name,
        cooperation_type=cooperation.type,
        enabled_codes=_strings(cooperation.enabled_legal_bases),
        source=party(from_organisation),
        recipients=tuple(party(o) for o in recipients),
        purpose=purpose,
        at=at or timezone.now(),
        citizen_known=citizen is not None and citizen.pk is not None,
        consents=consents,
        categories=_strings(list(categories)),
        for_identification=for_identification,
    )
    return evaluate(rule, basis_code, situation)


def applicable_bases(cooperation: Cooperation) -> list[LegalBasis]:
    """Active rules that are enabled in the cooperation and apply to its type (for choosing one)."""
    enabled = _strings(cooperation.enabled_legal_bases)
    return [
        basis
        for basis in LegalBasis.objects.filter(is_active=True, code__in=enabled)
        if cooperation.type in _strings(basis.cooperation_types)
    ]
