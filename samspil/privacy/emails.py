"""Emails of the citizen's rights. Email leaves the system, so it names no citizen: the notice of a
rectification gives the organisation, the kind of data corrected and a link to the case in Samspil."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from samspil.accounts.models import User


def absolute(path: str) -> str:
    return settings.SAMSPIL_BASE_URL.rstrip("/") + path


def rectification_message(
    user: User, *, organisation: Any, case: Any, cooperation: Any, field: str
) -> EmailMessage:
    """Tell a coordinator that data their organisation received about a citizen has been corrected."""
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = _("Berigtigelse af oplysninger i %(cooperation)s") % {"cooperation": cooperation.name}
        body = render_to_string(
            "privacy/email/rectification.txt",
            {
                "name": user.full_name,
                "organisation": organisation.name,
                "cooperation": cooperation.name,
                "field": field,
                "link": absolute(reverse("cases:case_detail", args=[case.pk])),
            },
        )
    return EmailMessage(subject=str(subject), body=body, to=[user.email])
