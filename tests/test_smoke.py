import pytest

from samspil.organisations.models import Organisation, OrganisationKind


@pytest.mark.django_db
def test_reference_data__has_every_danish_municipality_police_district_and_region() -> None:
    assert Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).exclude(code="").count() == 98
    assert Organisation.objects.filter(kind=OrganisationKind.POLICE_DISTRICT).count() == 12
    assert Organisation.objects.filter(kind=OrganisationKind.REGION).count() == 5
    frederiksberg = Organisation.objects.get(kind=OrganisationKind.MUNICIPALITY, code="147")
    assert frederiksberg.name == "Frederiksberg Kommune"
    assert frederiksberg.police_district.name == "Københavns Politi"
    assert frederiksberg.region.name == "Region Hovedstaden"


def test_home__needs_login_and_verified_second_factor(client_for) -> None:
    response = client_for("anonymous").get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")
    assert client_for("coordinator").get("/").status_code == 200
