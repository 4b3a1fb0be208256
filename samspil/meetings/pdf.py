"""The minutes as PDF for one organisation's own journal, marked confidential with the § 115 terms on
every page. It holds only what that organisation may see: items about cases it is not involved in are
"Begrænset", and of the organisation-internal notes only its own."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from .confidentiality import ConfidentialityTerms
from .models import Meeting
from .selectors import MeetingPage


def minutes_pdf(
    *,
    meeting: Meeting,
    page: MeetingPage,
    organisation: Any,
    attendances: list[Any],
    terms: ConfidentialityTerms,
) -> bytes:
    html = render_to_string(
        "meetings/minutes_pdf.html",
        {
            "meeting": meeting,
            "page": page,
            "organisation": organisation,
            "attendances": attendances,
            "terms": terms,
            "starts": timezone.localtime(meeting.starts_at),
            "printed_at": timezone.localtime(),
        },
    )
    return bytes(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())
