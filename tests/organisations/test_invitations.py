"""Invitations: sending by email, the invitee's round trip, and every way a link can be unusable."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samspil.accounts.models import User
from samspil.audit import actions
from samspil.core.roles import Role
from samspil.core.scoping import unscoped
from samspil.organisations.models import Invitation, Membership
from samspil.organisations.services import invitation_send

from ..factories import PASSWORD, OrganisationFactory
from .helpers import events

LINK = re.compile(r"http://testserver(/invitation/([A-Za-z0-9_-]+)/)")


@pytest.fixture(autouse=True)
def _base_url(settings) -> None:
    settings.SAMSPIL_BASE_URL = "http://testserver"


def _list_url(world) -> str:
    return reverse("organisations:invitation_list", kwargs={"pk": world.cooperation.pk})


def _invite(client: Client, world, **overrides) -> object:
    data = {"full_name": "Nina Nymand", "email": "Nina@Eksempel.invalid", "organisation": world.police.pk,
            "role": Role.KEY_MEMBER, **overrides}
    return client.post(_list_url(world), data)


def _invitations() -> list[Invitation]:
    with unscoped("tests read invitations"):
        return list(Invitation.objects.order_by("id"))


def _memberships_of(email: str) -> list[tuple]:
    with unscoped("tests read memberships"):
        return list(Membership.objects.filter(user__email=email, is_active=True).values_list(
            "organisation__name", "cooperation__name", "role"))


def _link_path() -> str:
    [message] = mail.outbox
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_invite__sends_a_danish_email_with_a_link_and_stores_only_the_token_hash(world, client_for) -> None:
    response = _invite(client_for("coordinator"), world)
    assert response.status_code == 302
    [invitation] = _invitations()
    assert (invitation.email, invitation.full_name, invitation.organisation, invitation.role) == (
        "nina@eksempel.invalid", "Nina Nymand", world.police, "key_member")
    assert invitation.invited_by == world.user("coordinator")
    assert abs(invitation.expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    [message] = mail.outbox
    assert message.to == ["nina@eksempel.invalid"]
    assert message.subject == "Invitation til PSP Testrup i Samspil"
    assert "Karin Koordinator har inviteret dig til PSP Testrup i Samspil som nøgleperson" in message.body
    token = LINK.search(message.body).group(2)
    assert len(token) >= 43
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and f'href="http://testserver/invitation/{token}/"' in html
    [event] = events(actions.INVITATION_SENT)
    assert event.detail == {"role": "key_member", "organisation_id": world.police.pk}
    assert "nina" not in str(event.detail).lower()


def test_invite__round_trip__new_account_joins_is_signed_in_and_sent_to_mfa_enrolment(
    world, client_for
) -> None:
    _invite(client_for("coordinator"), world)
    path = _link_path()
    invitee = Client()
    page = invitee.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert ("Karin Koordinator har inviteret dig til at være med som nøgleperson for "
            "Testrup Politi (fiktiv).") in html
    assert 'value="Nina Nymand"' in html

    response = invitee.post(path, {"full_name": "Nina Nymand", "password1": "Lang-Og-Sikker-Frase-2026",
                                   "password2": "Lang-Og-Sikker-Frase-2026"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_enroll")
    user = User.objects.get(email="nina@eksempel.invalid")
    assert user.check_password("Lang-Og-Sikker-Frase-2026")
    assert user.full_name == "Nina Nymand"
    assert invitee.session["_auth_user_id"] == str(user.pk)
    assert _memberships_of("nina@eksempel.invalid") == [
        ("Testrup Politi (fiktiv)", "PSP Testrup", "key_member")]
    assert _invitations()[0].accepted_at is not None
    [accepted] = events(actions.INVITATION_ACCEPTED)
    assert (accepted.actor_id, accepted.cooperation_id, accepted.detail) == (user.pk, world.cooperation.pk,
                                                                             {"new_account": True})

    used = Client().get(path)
    assert used.status_code == 410
    assert "Invitationen er allerede brugt." in used.content.decode()


def test_invite__weak_password__is_refused_with_the_name_kept_and_no_account(world, client_for) -> None:
    _invite(client_for("coordinator"), world)
    path = _link_path()
    response = Client().post(path, {"full_name": "Nina N.", "password1": "kort", "password2": "kort"})
    assert response.status_code == 400
    assert 'value="Nina N."' in response.content.decode()
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(email="nina@eksempel.invalid").exists()
    assert _invitations()[0].accepted_at is None


def test_invite__mismatched_passwords__are_refused(world, client_for) -> None:
    _invite(client_for("coordinator"), world)
    response = Client().post(_link_path(), {"full_name": "Nina", "password1": "Lang-Og-Sikker-Frase-2026",
                                            "password2": "Lang-Og-Sikker-Frase-2027"})
    assert response.status_code == 400
    assert "De to adgangskoder er ikke ens." in response.content.decode()
    assert not User.objects.filter(email="nina@eksempel.invalid").exists()


def test_invite__existing_account__logs_in_with_its_password_instead(world, client_for) -> None:
    otto = world.user("outsider")
    _invite(client_for("coordinator"), world, email=otto.email, full_name=otto.full_name,
            role=Role.DATA_PROTECTION_OFFICER, organisation=world.municipality.pk)
    path = _link_path()
    invitee = Client()
    page = invitee.get(path)
    assert "Du har allerede en konto i Samspil." in page.content.decode()

    wrong = invitee.post(path, {"password": "forkert-adgangskode"})
    assert wrong.status_code == 400
    assert "Forkert adgangskode." in wrong.content.decode()
    assert _memberships_of(otto.email) == [("Andeby Kommune (fiktiv)", "PSP Andeby", "coordinator")]

    response = invitee.post(path, {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_verify")  # Otto already has an authenticator
    assert sorted(_memberships_of(otto.email)) == [("Andeby Kommune (fiktiv)", "PSP Andeby", "coordinator"),
                                                   ("Testrup Kommune (fiktiv)", "PSP Testrup", "dpo")]
    assert User.objects.filter(email__iexact=otto.email).count() == 1


def test_invite__expired_link__shows_a_clear_message_and_creates_nothing(world, client_for) -> None:
    _invite(client_for("coordinator"), world)
    path = _link_path()
    with unscoped("the test moves the invitation's expiry into the past"):
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    page = Client().get(path)
    assert page.status_code == 410
    assert "Invitationen er udløbet. Bed koordinatoren om at sende en ny." in page.content.decode()
    post = Client().post(path, {"full_name": "Nina", "password1": "Lang-Og-Sikker-Frase-2026",
                                "password2": "Lang-Og-Sikker-Frase-2026"})
    assert post.status_code == 410
    assert not User.objects.filter(email="nina@eksempel.invalid").exists()


def test_invite__revoked_link__shows_a_clear_message(world, client_for) -> None:
    coordinator = client_for("coordinator")
    _invite(coordinator, world)
    path = _link_path()
    [invitation] = _invitations()
    revoke = reverse("organisations:invitation_revoke", kwargs={"pk": world.cooperation.pk,
                                                                "invitation_pk": invitation.pk})
    assert coordinator.post(revoke).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert [e.object_id for e in events(actions.INVITATION_REVOKED)] == [str(invitation.pk)]
    page = Client().get(path)
    assert page.status_code == 410
    assert "Invitationen er trukket tilbage." in page.content.decode()


def test_invite__unknown_or_malformed_link__is_404_with_a_message(db) -> None:
    for token in ("ukendt", "x" * 300):
        page = Client().get(f"/invitation/{token}/")
        assert page.status_code == 404
        assert "Linket er ikke gyldigt." in page.content.decode()


def test_invite__list_shows_open_accepted_and_expired_invitations(world, client_for) -> None:
    coordinator = client_for("coordinator")
    for n in range(3):
        _invite(coordinator, world, email=f"person{n}@eksempel.invalid")
    first, second, _third = _invitations()
    with unscoped("the test sets states"):
        Invitation.objects.filter(pk=first.pk).update(accepted_at=timezone.now())
        Invitation.objects.filter(pk=second.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = coordinator.get(_list_url(world))
    assert sorted((i.email, i.status) for i in response.context["invitations"]) == [
        ("person0@eksempel.invalid", "accepted"), ("person1@eksempel.invalid", "expired"),
        ("person2@eksempel.invalid", "open")]
    assert response.content.decode().count(">Tilbagekald<") == 1


def test_invite__revoking_a_used_invitation__is_refused(world, client_for) -> None:
    coordinator = client_for("coordinator")
    _invite(coordinator, world)
    [invitation] = _invitations()
    with unscoped("the test marks it accepted"):
        Invitation.objects.update(accepted_at=timezone.now())
    revoke = reverse("organisations:invitation_revoke", kwargs={"pk": world.cooperation.pk,
                                                                "invitation_pk": invitation.pk})
    response = coordinator.post(revoke, follow=True)
    assert "Kun åbne invitationer kan tilbagekaldes." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_invite__a_second_open_invitation_to_the_same_address__is_refused_with_input_kept(
    world, client_for
) -> None:
    coordinator = client_for("coordinator")
    _invite(coordinator, world)
    response = _invite(coordinator, world, email="NINA@eksempel.invalid", full_name="Nina igen")
    assert response.status_code == 400
    assert "Der er allerede en åben invitation til nina@eksempel.invalid." in response.content.decode()
    assert 'value="Nina igen"' in response.content.decode()
    assert len(_invitations()) == 1 and len(mail.outbox) == 1


def test_invite__organisation_outside_the_cooperation__is_refused(world, client_for) -> None:
    stranger = OrganisationFactory(name="Fremmed Kommune (fiktiv)")
    response = _invite(client_for("coordinator"), world, organisation=stranger.pk)
    assert response.status_code == 400
    assert response.context["form"].errors["organisation"]
    with pytest.raises(ValidationError, match="ikke med i samarbejdet"):
        invitation_send(actor=world.user("coordinator"), cooperation=world.cooperation,
                        email="x@eksempel.invalid", full_name="X", organisation=stranger,
                        role=Role.KEY_MEMBER)
    assert _invitations() == [] and mail.outbox == []


def test_invite__role_outside_cooperations__is_refused(world, client_for) -> None:
    response = _invite(client_for("coordinator"), world, role=Role.SYSTEM_ADMINISTRATOR)
    assert response.status_code == 400
    assert _invitations() == []


@pytest.mark.parametrize("persona", ["police_officer", "dpo", "frontline_worker"])
def test_invite__member_without_the_capability__gets_403_and_nothing_is_sent(
    world, client_for, persona
) -> None:
    response = _invite(client_for(persona), world)
    assert response.status_code == 403
    assert _invitations() == [] and mail.outbox == []


def test_invite__outsider__gets_404_and_nothing_is_sent(world, client_for) -> None:
    assert _invite(client_for("outsider"), world).status_code == 404
    assert _invitations() == [] and mail.outbox == []


def test_invite__mail_server_down__is_refused_and_leaves_no_invitation(world, client_for, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    response = _invite(client_for("coordinator"), world)
    assert response.status_code == 400
    assert "E-mailen kunne ikke sendes." in response.content.decode()
    assert _invitations() == []
    assert events(actions.INVITATION_SENT) == []
