"""Infohus Netværk: counts and trends of concerns across a police district's municipalities.

Only complete calendar quarters are shown (a running quarter would change from day to day, and the
difference between two looks would reveal single concerns). Every figure goes through
``suppression.protect_table``: numbers under 5 are shown as "<5", and further numbers are hidden where
a total would otherwise give a small number away. No personal data is read: only counts leave the
database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samspil.organisations.models import Organisation

from .models import Decision
from .selectors import Period, count_concluded, count_raised, district_municipalities
from .suppression import ProtectedTable, protect_table

QUARTERS_SHOWN = 4
OUTCOMES = (
    (Decision.UNFOUNDED, gettext_lazy("Ubegrundet")),
    (Decision.INTERVENTION, gettext_lazy("Kommunal eller PSP-indsats")),
    (Decision.POLICE, gettext_lazy("Overdraget til politiet")),
    ("closed_otherwise", gettext_lazy("Lukket af anden grund")),
)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _previous_quarter(start: date) -> date:
    return date(start.year - 1, 10, 1) if start.month == 1 else date(start.year, start.month - 3, 1)


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def complete_quarters(today: date, count: int = QUARTERS_SHOWN) -> list[Period]:
    """The ``count`` latest complete quarters, oldest first."""
    end = _quarter_start(today)
    periods = []
    for _i in range(count):
        start = _previous_quarter(end)
        quarter = (start.month - 1) // 3 + 1
        periods.append(Period(label=_("%(q)d. kvt. %(year)d") % {"q": quarter, "year": start.year},
                              starts=_moment(start), ends=_moment(end)))
        end = start
    return list(reversed(periods))


@dataclass(frozen=True)
class NetworkFigures:
    district: Organisation
    municipality_count: int
    raised: ProtectedTable
    concluded: ProtectedTable


def network_figures(district: Organisation, *, today: date | None = None) -> NetworkFigures:
    periods = complete_quarters(today or timezone.localdate())
    municipalities = district_municipalities(district)
    ids = [m.pk for m in municipalities]
    labels = [p.label for p in periods]
    raised = count_raised(ids, periods)
    concluded = count_concluded(ids, periods)
    return NetworkFigures(
        district=district,
        municipality_count=len(municipalities),
        raised=protect_table(
            [m.name for m in municipalities], labels,
            [[raised.get((m.pk, i), 0) for i in range(len(periods))] for m in municipalities],
        ),
        concluded=protect_table(
            [str(label) for _code, label in OUTCOMES], labels,
            [[concluded.get((code, i), 0) for i in range(len(periods))] for code, _label in OUTCOMES],
        ),
    )
