"""The cooperation's evaluation figures: how it works, quarter by quarter, without personal data.

What the 2014 evaluation of PSP asked to follow: which sectors bring cases, whether frontline workers
raise them and hear back, whether citizens are identified only where a basis is recorded, and whether
what meetings agree gets done. Only complete calendar quarters are shown, and every column goes
through ``concerns.suppression.protect_table``: numbers under 5 are shown as "<5", and a total is
hidden where it would give a small number away. Rows are fixed by the cooperation's set-up, never by
the data, so a row's presence tells nothing either.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from samspil.concerns.selectors import Period
from samspil.concerns.stats import complete_quarters
from samspil.concerns.suppression import PRIMARY, PUBLISHED, ProtectedTable, Shown, protect_table
from samspil.meetings.models import ActionStatus
from samspil.organisations.models import Cooperation, Sector
from samspil.organisations.selectors import cooperation_participations

from . import selectors

QUARTERS_SHOWN = 4
CORE_SECTORS = (Sector.POLICE, Sector.SOCIAL_SERVICES, Sector.PSYCHIATRY)


@dataclass(frozen=True)
class Figure:
    key: str
    caption: str
    row_heading: str
    table: ProtectedTable


@dataclass(frozen=True)
class EvaluationFigures:
    periods: tuple[Period, ...]
    figures: tuple[Figure, ...]


def _table(rows: Sequence[tuple[object, str]], counts: Counter, periods: Sequence[Period]) -> ProtectedTable:
    """``rows`` are (category, label); ``counts`` counts (category, quarter index)."""
    return protect_table(
        [label for _category, label in rows],
        [p.label for p in periods],
        [[counts[(category, index)] for index in range(len(periods))] for category, _label in rows],
    )


def _sectors(cooperation: Cooperation) -> list[tuple[object, str]]:
    """The three PSP sectors, and any other sector the cooperation has a member organisation from."""
    present = {p.organisation.sector for p in cooperation_participations(cooperation).select_related("organisation")}
    return [(sector, str(sector.label)) for sector in Sector if sector in CORE_SECTORS or sector in present]


def evaluation_figures(cooperation: Cooperation, *, today: date | None = None) -> EvaluationFigures:
    periods = complete_quarters(today or timezone.localdate(), QUARTERS_SHOWN)
    opened = selectors.opened_cases(cooperation, periods)
    closed = selectors.closed_cases(cooperation, periods)
    actions = selectors.actions_closed(cooperation, periods)

    by_sector = Counter((sector, index) for sector, _referred, _feedback, index in opened)
    by_route = Counter((referred, index) for _sector, referred, _feedback, index in opened)
    feedback = Counter((given, index) for _sector, referred, given, index in opened if referred)
    by_identification = Counter(closed)
    by_outcome = Counter(
        ("done_in_time" if status == ActionStatus.DONE and in_time else
         "done_late" if status == ActionStatus.DONE else status, index)
        for status, in_time, index in actions
    )
    figures = (
        Figure("cases_by_sector", _("Nye sager efter den ansvarlige organisations sektor"), _("Sektor"),
               _table(_sectors(cooperation), by_sector, periods)),
        Figure("cases_by_route", _("Nye sager efter hvem der rejste dem"), _("Rejst af"),
               _table([(True, _("En henviser, fx en frontmedarbejder")),
                       (False, _("Samarbejdets egne medlemmer"))], by_route, periods)),
        Figure("referrer_feedback", _("Sager rejst af en henviser: har henviseren fået en tilbagemelding?"),
               _("Tilbagemelding"),
               _table([(True, _("Ja, fra et møde")), (False, _("Ikke endnu"))], feedback, periods)),
        Figure("cases_closed", _("Afsluttede sager efter om borgeren blev identificeret"), _("Borgeren"),
               _table([(True, _("Identificeret på et registreret grundlag")),
                       (False, _("Drøftet anonymt til det sidste"))], by_identification, periods)),
        Figure("actions_closed", _("Handlinger fra møderne, afsluttet i kvartalet efter udfald"), _("Udfald"),
               _table([("done_in_time", _("Udført inden fristen")), ("done_late", _("Udført efter fristen")),
                       (ActionStatus.NOT_POSSIBLE, _("Ikke muligt (forholdene ændret)")),
                       (ActionStatus.NOT_UNDERTAKEN, _("Ikke udført (organisationens ansvar)"))],
                      by_outcome, periods)),
    )
    return EvaluationFigures(periods=tuple(periods), figures=figures)


def shown_text(cell: Shown) -> str | int:
    """A protected figure as the page and the download show it."""
    if cell.state == PUBLISHED and cell.value is not None:
        return cell.value
    return "<5" if cell.state == PRIMARY else _("skjult")


def download_rows(evaluation: EvaluationFigures) -> tuple[list[str], list[list[str | int]]]:
    """Header and rows of the download: one row per category, then each table's totals and changes."""
    header = [_("Tabel"), _("Kategori"), *(p.label for p in evaluation.periods)]
    rows: list[list[str | int]] = []
    for figure in evaluation.figures:
        for label, cells in figure.table.body:
            rows.append([figure.caption, label, *(shown_text(cell) for cell in cells)])
        rows.append([figure.caption, _("I alt"), *(shown_text(cell) for cell in figure.table.totals)])
        rows.append([figure.caption, _("Ændring fra kvartalet før"),
                     *("" if change is None else change for change in figure.table.changes)])
    return header, rows
