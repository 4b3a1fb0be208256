"""The cooperation's evaluation figures: the page and its download (CSV or XLSX)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from samspil.audit import actions
from samspil.audit.services import audit_record
from samspil.core.roles import Capability
from samspil.organisations import policies
from samspil.training.exports import table_download

from .figures import EvaluationFigures, download_rows, evaluation_figures

EXPORT_FORMATS = ("csv", "xlsx")


def _period_detail(evaluation: EvaluationFigures) -> dict[str, str]:
    """The quarters shown, as dates (the same whatever language the reader chose)."""
    return {
        "from": evaluation.periods[0].starts.date().isoformat(),
        "until": evaluation.periods[-1].ends.date().isoformat(),
    }


@require_GET
def cooperation_figures(request: HttpRequest, pk: int) -> HttpResponse:
    cooperation = policies.cooperation_for(request, pk, Capability.VIEW_COOPERATION)
    evaluation = evaluation_figures(cooperation)
    audit_record(
        action=actions.STATS_VIEWED, request=request, target=cooperation, cooperation_id=cooperation.pk,
        detail=_period_detail(evaluation),
    )
    return render(
        request,
        "stats/cooperation.html",
        {
            "cooperation": cooperation,
            "evaluation": evaluation,
            "can_configure": policies.can_configure_cooperation(request.user, cooperation),
            "can_invite": policies.can_invite_members(request.user, cooperation),
        },
    )


@require_GET
def cooperation_figures_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The same protected figures as the page, as a spreadsheet: no number the page hides."""
    cooperation = policies.cooperation_for(request, pk, Capability.VIEW_COOPERATION)
    if fmt not in EXPORT_FORMATS:
        raise Http404
    evaluation = evaluation_figures(cooperation)
    header, rows = download_rows(evaluation)
    audit_record(
        action=actions.STATS_EXPORTED, request=request, target=cooperation, cooperation_id=cooperation.pk,
        detail={"format": fmt, **_period_detail(evaluation)},
    )
    return table_download(
        fmt, header=header, rows=rows, basename=f"evaluering-samarbejde-{cooperation.pk}", sheet_title=_("Evaluering")
    )
