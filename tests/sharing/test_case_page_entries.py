"""The case page shows, under each journal entry, its basis badge or the "share" action."""

from __future__ import annotations

from django.urls import reverse

from .helpers import shared_disclosure


def test_case_page__offers_share_on_own_entries_and_shows_the_basis_on_shared_ones(
    world, case, police_entry, municipality_entry, client_for
) -> None:
    shared_disclosure(case, police_entry, [world.municipality, world.region], by=world.users["police_officer"])
    html = client_for("social_worker").get(reverse("cases:case_detail", kwargs={"pk": case.pk})).content.decode()
    share_url = reverse("sharing:entry_share", kwargs={"case_pk": case.pk, "entry_pk": municipality_entry.pk})
    assert share_url in html
    assert html.count("Del i samarbejdet</") + html.count("Del i samarbejdet<span") == 1
    assert "§ 115, stk. 1, nr. 2 (PSP)" in html
    police_share_url = reverse("sharing:entry_share", kwargs={"case_pk": case.pk, "entry_pk": police_entry.pk})
    assert police_share_url not in html


def test_case_page__another_organisations_unshared_entry_offers_no_share_action(
    world, case, municipality_entry, client_for
) -> None:
    html = client_for("police_officer").get(reverse("cases:case_detail", kwargs={"pk": case.pk})).content.decode()
    share_url = reverse("sharing:entry_share", kwargs={"case_pk": case.pk, "entry_pk": municipality_entry.pk})
    assert share_url not in html
