"""The course certificate as a PDF (WeasyPrint), with the verification code, link and QR code."""

from __future__ import annotations

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from weasyprint import HTML

from .models import Completion


def verification_url(completion: Completion) -> str:
    path = reverse("training_public:verify_code", args=[completion.verification_code])
    return settings.SAMSPIL_BASE_URL.rstrip("/") + path


def certificate_pdf(completion: Completion) -> bytes:
    url = verification_url(completion)
    with translation.override(completion.member.preferred_language or settings.LANGUAGE_CODE):
        html = render_to_string(
            "training/certificate_pdf.html",
            {
                "completion": completion,
                "member": completion.member,
                "course": completion.course,
                "offering": completion.offering,
                "days": list(completion.offering.days.order_by("date")),
                "url": url,
                "qr": segno.make(url, error="m").svg_inline(scale=3),
            },
        )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
