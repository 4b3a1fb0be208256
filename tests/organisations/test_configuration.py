"""The coordinator's configuration page: what it saves, what it refuses, and that it keeps input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samspil.audit import actions
from samspil.organisations.models import Cooperation, CooperationGroup, CooperationOrganisation, GroupKind
from samspil.organisations.services import StaleConfiguration, cooperation_configure

from ..factories import MembershipFactory, OrganisationFactory
from .helpers import configuration_data, events


def _url(world) -> str:
    return reverse("organisations:cooperation_configure", kwargs={"pk": world.cooperation.pk})


def _groups(cooperation: Cooperation) -> list[tuple]:
    return list(CooperationGroup.objects.filter(cooperation=cooperation).values_list(
        "kind", "name", "meetings_per_year"))


def _snapshot(cooperation: Cooperation) -> tuple:
    cooperation.refresh_from_db()
    return (
        cooperation.version,
        cooperation.meetings_per_year,
        cooperation.enabled_legal_bases,
        cooperation.anonymous_discussion_retention_days,
        cooperation.closed_case_retention_years,
        cooperation.shown_optional_fields,
        sorted(_groups(cooperation)),
        sorted(CooperationOrganisation.objects.filter(cooperation=cooperation).values_list(
            "organisation_id", flat=True)),
    )


def test_configure__coordinator_sees_the_current_configuration(world, client_for, groups) -> None:
    response = client_for("coordinator").get(_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="version" value="1"' in html
    assert "Retsplejeloven § 115, stk. 1, nr. 1 (SSP)" in html
    assert "Kendt diagnose" in html
    assert 'value="Styregruppen"' in html


def test_configure__saves_settings_bumps_the_version_and_audits_the_changed_field_names(
    world, client_for
) -> None:
    data = configuration_data(
        world.cooperation,
        meetings_per_year=12,
        enabled_legal_bases=["rpl-115-1-2", "consent"],
        closed_case_retention_years=3,
        shown_optional_fields=["known_diagnosis", "phone"],
    )
    response = client_for("coordinator").post(_url(world), data)
    assert response.status_code == 302
    world.cooperation.refresh_from_db()
    assert world.cooperation.version == 2
    assert world.cooperation.meetings_per_year == 12
    assert world.cooperation.enabled_legal_bases == ["rpl-115-1-2", "consent"]
    assert world.cooperation.closed_case_retention_years == 3
    assert world.cooperation.shown_optional_fields == ["phone", "known_diagnosis"]  # registry order
    [event] = events(actions.COOPERATION_CONFIGURED)
    assert event.detail == {
        "fields": ["meetings_per_year", "enabled_legal_bases", "closed_case_retention_years",
                   "shown_optional_fields"],
        "version": 2,
    }
    assert (event.actor_id, event.cooperation_id) == (world.user("coordinator").pk, world.cooperation.pk)


def test_configure__unchanged_save__changes_nothing_and_writes_no_event(world, client_for, groups) -> None:
    before = _snapshot(world.cooperation)
    response = client_for("coordinator").post(_url(world), configuration_data(world.cooperation))
    assert response.status_code == 302
    assert _snapshot(world.cooperation) == before
    assert events(actions.COOPERATION_CONFIGURED) == []


def test_configure__stale_save__is_refused_with_a_clear_message_and_the_input_kept(world, client_for) -> None:
    opened = configuration_data(world.cooperation)  # the coordinator opens the page at version 1
    cooperation_configure(actor=world.user("coordinator"), cooperation=world.cooperation, expected_version=1,
                          meetings_per_year=8)  # meanwhile someone else saves
    before = _snapshot(world.cooperation)
    response = client_for("coordinator").post(_url(world), {**opened, "meetings_per_year": 11,
                                                            "anonymous_discussion_retention_days": 14})
    assert response.status_code == 409
    assert _snapshot(world.cooperation) == before
    assert "En anden har gemt opsætningen, efter du åbnede siden." in response.content.decode()
    form = response.context["form"]
    assert form["meetings_per_year"].value() == "11"
    assert form["anonymous_discussion_retention_days"].value() == "14"
    assert len(events(actions.COOPERATION_CONFIGURED)) == 1


def test_cooperation_configure__stale_version__raises_and_changes_nothing(world) -> None:
    before = _snapshot(world.cooperation)
    with pytest.raises(StaleConfiguration):
        cooperation_configure(actor=world.user("coordinator"), cooperation=world.cooperation,
                              expected_version=7, meetings_per_year=20)
    assert _snapshot(world.cooperation) == before


def test_configure__invalid_numbers__keep_the_input_and_change_nothing(world, client_for) -> None:
    before = _snapshot(world.cooperation)
    data = configuration_data(world.cooperation, meetings_per_year=0, closed_case_retention_years="mange")
    response = client_for("coordinator").post(_url(world), data)
    assert response.status_code == 400
    assert _snapshot(world.cooperation) == before
    form = response.context["form"]
    assert set(form.errors) == {"meetings_per_year", "closed_case_retention_years"}
    assert form["closed_case_retention_years"].value() == "mange"
    assert 'aria-invalid="true"' in response.content.decode()


def test_configure__unknown_legal_basis__is_refused(world, client_for) -> None:
    before = _snapshot(world.cooperation)
    response = client_for("coordinator").post(_url(world), configuration_data(
        world.cooperation, enabled_legal_bases=["rpl-115-1-2", "opfundet"]))
    assert response.status_code == 400
    assert _snapshot(world.cooperation) == before


def test_configure__adds_renames_and_removes_groups(world, client_for, groups) -> None:
    data = configuration_data(world.cooperation)
    # rows: 0 = Styregruppen (steering), 1 = Nøglepersongruppen, 2 = empty row for a new group
    data.update({
        "groups-0-remove": "on",
        "groups-1-name": "Nøglepersonerne",
        "groups-1-meetings_per_year": 12,
        "groups-2-kind": GroupKind.OTHER,
        "groups-2-name": "Infohus-kontakt",
        "groups-2-meetings_per_year": 4,
    })
    response = client_for("coordinator").post(_url(world), data)
    assert response.status_code == 302
    assert sorted(_groups(world.cooperation)) == [
        ("key_persons", "Nøglepersonerne", 12), ("other", "Infohus-kontakt", 4)]
    assert events(actions.COOPERATION_CONFIGURED)[0].detail["fields"] == ["groups"]


def test_configure__swapping_two_group_names__works(world, client_for, groups) -> None:
    data = configuration_data(world.cooperation, **{"groups-0-name": "Nøglepersongruppen",
                                                     "groups-1-name": "Styregruppen"})
    assert client_for("coordinator").post(_url(world), data).status_code == 302
    groups["steering"].refresh_from_db()
    assert groups["steering"].name == "Nøglepersongruppen"


def test_configure__duplicate_group_names__are_refused_with_input_kept(world, client_for, groups) -> None:
    before = _snapshot(world.cooperation)
    data = configuration_data(world.cooperation, **{"groups-2-name": "styregruppen",
                                                     "groups-2-kind": "other"})
    response = client_for("coordinator").post(_url(world), data)
    assert response.status_code == 400
    assert _snapshot(world.cooperation) == before
    assert "To grupper kan ikke have samme navn." in response.content.decode()
    assert 'value="styregruppen"' in response.content.decode()


def test_configure__adds_and_removes_member_organisations(world, client_for) -> None:
    prison = OrganisationFactory(name="Kriminalforsorgen Demo (fiktiv)", kind="other",
                                 sector="prison_probation")
    data = configuration_data(world.cooperation, add_organisation=prison.pk)
    response = client_for("coordinator").post(_url(world), data)
    assert response.status_code == 302
    members = set(CooperationOrganisation.objects.filter(cooperation=world.cooperation).values_list(
        "organisation_id", "sector"))
    assert members == {(world.municipality.pk, "social"), (world.police.pk, "police"),
                       (world.region.pk, "psychiatry"), (prison.pk, "prison_probation")}


def test_configure__the_municipality_cannot_be_removed(world) -> None:
    from django.core.exceptions import ValidationError

    before = _snapshot(world.cooperation)
    with pytest.raises(ValidationError, match="kommune kan ikke fjernes"):
        cooperation_configure(actor=world.user("coordinator"), cooperation=world.cooperation,
                              expected_version=1, organisations=[world.police, world.region])
    assert _snapshot(world.cooperation) == before


def test_configure__an_organisation_with_active_members_cannot_be_removed(world, client_for) -> None:
    before = _snapshot(world.cooperation)
    data = configuration_data(world.cooperation, kept_organisations=[world.region.pk])  # police has a member
    response = client_for("coordinator").post(_url(world), data)
    assert response.status_code == 400
    assert "En organisation med aktive medlemmer kan ikke fjernes." in response.content.decode()
    assert _snapshot(world.cooperation) == before


def test_configure__an_organisation_without_members_can_be_removed(world, client_for) -> None:
    region_members = world.user("psychiatry_nurse").memberships.get()
    region_members.is_active = False
    region_members.save()
    data = configuration_data(world.cooperation, kept_organisations=[world.police.pk])
    assert client_for("coordinator").post(_url(world), data).status_code == 302
    remaining = CooperationOrganisation.objects.filter(cooperation=world.cooperation)
    assert not remaining.filter(organisation=world.region).exists()


@pytest.mark.parametrize("persona", ["police_officer", "dpo", "frontline_worker"])
def test_configure__member_without_the_capability__gets_403_and_nothing_changes(
    world, client_for, persona
) -> None:
    before = _snapshot(world.cooperation)
    data = configuration_data(world.cooperation, meetings_per_year=30)
    response = client_for(persona).post(_url(world), data)
    assert response.status_code == 403
    assert _snapshot(world.cooperation) == before
    assert [e.actor_id for e in events(actions.ACCESS_DENIED)] == [world.user(persona).pk]


def test_configure__outsider_coordinator__gets_404_and_nothing_changes(world, client_for) -> None:
    before = _snapshot(world.cooperation)
    data = configuration_data(world.cooperation, meetings_per_year=30)
    response = client_for("outsider").post(_url(world), data)
    assert response.status_code == 404
    assert _snapshot(world.cooperation) == before


def test_group_row__returns_the_next_empty_row_and_the_new_total(world, client_for) -> None:
    url = reverse("organisations:cooperation_group_row", kwargs={"pk": world.cooperation.pk})
    response = client_for("coordinator").get(url, {"groups-TOTAL_FORMS": "3"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="groups-3-name"' in html
    assert 'id="id_groups-TOTAL_FORMS" value="4" hx-swap-oob="true"' in html


def test_group_row__a_new_row_posted_back__creates_the_group(world, client_for, groups) -> None:
    data = configuration_data(world.cooperation)
    data.update({"groups-TOTAL_FORMS": 4, "groups-3-group_id": "", "groups-3-kind": "other",
                 "groups-3-name": "Arbejdsgruppe", "groups-3-meetings_per_year": 6})
    assert client_for("coordinator").post(_url(world), data).status_code == 302
    assert CooperationGroup.objects.filter(cooperation=world.cooperation, name="Arbejdsgruppe").exists()


def test_configure__a_group_of_another_cooperation__cannot_be_edited(world, client_for) -> None:
    from ..factories import CooperationGroupFactory

    foreign = CooperationGroupFactory(cooperation=world.other_cooperation, name="Andebys gruppe")
    data = configuration_data(world.cooperation)
    data.update({"groups-0-group_id": foreign.pk, "groups-0-kind": "other", "groups-0-name": "Overtaget",
                 "groups-0-meetings_per_year": 5, "groups-INITIAL_FORMS": 1, "groups-TOTAL_FORMS": 1})
    response = client_for("coordinator").post(_url(world), data)
    assert response.status_code == 400
    foreign.refresh_from_db()
    assert foreign.name == "Andebys gruppe"


def test_configure__members_of_a_removed_group_lose_only_that_group(world, client_for, groups) -> None:
    membership = MembershipFactory(cooperation=world.cooperation, organisation=world.municipality)
    membership.groups.set([groups["steering"], groups["key_persons"]])
    data = configuration_data(world.cooperation, **{"groups-0-remove": "on"})
    assert client_for("coordinator").post(_url(world), data).status_code == 302
    assert list(membership.groups.values_list("name", flat=True)) == ["Nøglepersongruppen"]
