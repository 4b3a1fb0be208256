"""What the person who raised a concern is told: its status and, once decided, its outcome in plain
words. Never its content, who handles it or which intervention was chosen (that could be health data)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Concern, ConcernStatus, Decision

S = ConcernStatus


def raiser_status(concern: Concern) -> str:
    if concern.status == S.RECEIVED:
        if concern.lead_contact_id is None:
            return _("Modtaget. Bekymringen venter på, at en tovholder tager den.")
        return _("Modtaget af en tovholder, som er ved at beskrive og vurdere bekymringen.")
    if concern.status in (S.GATHERING, S.ASSESSMENT, S.DECISION):
        return _("Under behandling hos tovholderne: %(step)s.") % {"step": S(concern.status).label.lower()}
    return _("Afsluttet hos tovholderne.")


def raiser_outcome(concern: Concern) -> str:
    """The outcome for the raiser, or '' while there is none yet."""
    if concern.decision == Decision.UNFOUNDED:
        return _("Bekymringen er vurderet og lukket uden en indsats, fordi den ikke gav grundlag for det. "
                 "Tak fordi du sagde til: det er altid rigtigt at dele en bekymring.")
    if concern.decision == Decision.INTERVENTION:
        if concern.status == S.CLOSED:
            return _("Der blev sat en indsats i gang, og den er nu afsluttet.")
        return _("Der er sat en indsats i gang for personen. Tovholderne følger op på den.")
    if concern.decision == Decision.POLICE:
        return _("Bekymringen er overdraget til politiet, som håndterer den videre. Du får ikke flere "
                 "oplysninger om den.")
    if concern.status == S.CLOSED:
        return _("Bekymringen er lukket.")
    return ""
