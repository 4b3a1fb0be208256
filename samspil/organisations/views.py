"""Cooperation pages: overview, configuration, members, invitations; accepting an invitation.

Every view that takes a cooperation id asks ``policies.cooperation_for`` first: a cooperation the
user is not a member of is 404, a capability their role lacks is 403 (audited, see render_denials).
Sensitive changes to members (role, groups, ending, deactivating) also need sudo mode.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import devices_for_user

from samspil.accounts.models import User
from samspil.accounts.services import login_password_accepted
from samspil.accounts.sudo import sudo_required
from samspil.audit import actions
from samspil.audit.services import audit_record
from samspil.core.roles import Capability

from . import policies, selectors, services
from .forms import (
    CooperationSettingsForm,
    ExistingAccountForm,
    GroupFormSet,
    InvitationForm,
    MembershipChangeForm,
    NewAccountForm,
    group_initial,
)
from .middleware import SESSION_KEY
from .models import Cooperation, Invitation, InvitationStatus, Membership


def _messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _page(request: HttpRequest, cooperation: Cooperation, **extra: Any) -> dict[str, Any]:
    """Context shared by the cooperation's pages (its sub-navigation shows what the user may open)."""
    return {
        "cooperation": cooperation,
        "can_configure": policies.can_configure_cooperation(request.user, cooperation),
        "can_invite": policies.can_invite_members(request.user, cooperation),
        **extra,
    }


# Cooperations -----------------------------------------------------------------------------------


@require_GET
def cooperation_list(request: HttpRequest) -> HttpResponse:
    cooperations = selectors.cooperations_visible_to(request.user)
    return render(request, "organisations/cooperation_list.html", {"cooperations": cooperations})


@require_GET
@policies.render_denials
def cooperation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cooperation = policies.cooperation_for(request, pk, Capability.VIEW_COOPERATION)
    overview = selectors.cooperation_overview(request.user, cooperation)
    audit_record(
        action=actions.COOPERATION_VIEWED, request=request, target=cooperation, cooperation_id=cooperation.pk
    )
    return render(
        request,
        "organisations/cooperation_detail.html",
        _page(request, cooperation, overview=overview),
    )


def _settings_forms(
    request: HttpRequest, cooperation: Cooperation, data: Any = None
) -> tuple[CooperationSettingsForm, Any]:
    members = [p.organisation for p in selectors.cooperation_participations(cooperation)]
    settings_form = CooperationSettingsForm(
        data,
        cooperation=cooperation,
        members=members,
        addable=list(selectors.organisations_addable_to(cooperation)),
        initial={
            "version": cooperation.version,
            "meetings_per_year": cooperation.meetings_per_year,
            "enabled_legal_bases": cooperation.enabled_legal_bases,
            "anonymous_discussion_retention_days": cooperation.anonymous_discussion_retention_days,
            "closed_case_retention_years": cooperation.closed_case_retention_years,
            "shown_optional_fields": cooperation.shown_optional_fields,
            "kept_organisations": [o.pk for o in members],
        },
    )
    groups = GroupFormSet(
        data, prefix="groups", initial=group_initial(list(selectors.cooperation_groups(cooperation)))
    )
    return settings_form, groups


@require_http_methods(["GET", "POST"])
@policies.render_denials
def cooperation_configure(request: HttpRequest, pk: int) -> HttpResponse:
    cooperation = policies.cooperation_for(request, pk, Capability.CONFIGURE_COOPERATION)
    data = request.POST if request.method == "POST" else None
    settings_form, groups = _settings_forms(request, cooperation, data)
    status = 200
    if request.method == "POST":
        if settings_form.is_valid() and groups.is_valid():
            try:
                changed = services.cooperation_configure(
                    actor=request.user,  # type: ignore[arg-type]
                    cooperation=cooperation,
                    expected_version=settings_form.cleaned_data["version"],
                    request=request,
                    groups=groups.changes(),
                    **settings_form.changes(),
                )
            except services.StaleConfiguration:
                settings_form.add_error(
                    None,
                    _("En anden har gemt opsætningen, efter du åbnede siden. Dine ændringer er ikke gemt, "
                      "men står stadig i formularen: åbn siden i en ny fane for at se den gemte opsætning, "
                      "og gem derefter igen her."),
                )
                status = 409
            except ValidationError as error:
                for message in _messages_of(error):
                    settings_form.add_error(None, message)
                status = 400
            else:
                if changed:
                    messages.success(request, _("Opsætningen er gemt."))
                else:
                    messages.info(request, _("Der var ingen ændringer at gemme."))
                return redirect("organisations:cooperation_configure", pk=cooperation.pk)
        else:
            status = 400
    return render(
        request,
        "organisations/cooperation_configure.html",
        _page(request, cooperation, form=settings_form, groups=groups),
        status=status,
    )


@require_GET
@policies.render_denials
def cooperation_group_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One more empty group row for the configuration page (htmx), with the formset's new total."""
    cooperation = policies.cooperation_for(request, pk, Capability.CONFIGURE_COOPERATION)
    raw = request.GET.get("groups-TOTAL_FORMS", "")
    index = int(raw) if raw.isdigit() and int(raw) < 100 else 0
    form = GroupFormSet(prefix="groups").empty_form
    form.prefix = f"groups-{index}"
    return render(
        request,
        "organisations/partials/group_row.html",
        {"cooperation": cooperation, "row": form, "index": index, "total": index + 1, "oob": True},
    )


# Members ----------------------------------------------------------------------------------------


@require_GET
@policies.render_denials
def member_list(request: HttpRequest, pk: int) -> HttpResponse:
    cooperation = policies.cooperation_for(request, pk, Capability.VIEW_COOPERATION)
    members = list(selectors.members_visible_to(request.user, cooperation))
    audit_record(
        action=actions.MEMBERS_LISTED,
        request=request,
        target=cooperation,
        cooperation_id=cooperation.pk,
        detail={"count": len(members)},
    )
    return render(
        request,
        "organisations/member_list.html",
        _page(request, cooperation, members=members),
    )


def _membership_or_404(request: HttpRequest, cooperation: Cooperation, membership_pk: int) -> Membership:
    membership = selectors.member_of_cooperation(request.user, cooperation, membership_pk)
    if membership is None:
        raise Http404
    return membership


@require_http_methods(["GET", "POST"])
@policies.render_denials
def member_change(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    cooperation = policies.cooperation_for(request, pk, Capability.INVITE_MEMBERS)
    membership = _membership_or_404(request, cooperation, membership_pk)
    return _member_change(request, cooperation, membership)


@sudo_required
def _member_change(request: HttpRequest, cooperation: Cooperation, membership: Membership) -> HttpResponse:
    initial = {"role": membership.role, "groups": list(membership.groups.all())}
    form = MembershipChangeForm(request.POST or None, cooperation=cooperation, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = services.membership_change_role(
                    actor=request.user,  # type: ignore[arg-type]
                    membership=membership,
                    role=form.cleaned_data["role"],
                    groups=form.cleaned_data["groups"],
                    request=request,
                )
            except ValidationError as error:
                for message in _messages_of(error):
                    form.add_error(None, message)
                status = 400
            else:
                if changed:
                    messages.success(request, _("Medlemskabet er ændret."))
                return redirect("organisations:member_list", pk=cooperation.pk)
        else:
            status = 400
    return render(
        request,
        "organisations/member_change.html",
        _page(request, cooperation, membership=membership, form=form),
        status=status,
    )


@require_http_methods(["GET", "POST"])
@policies.render_denials
def member_end(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """POST does it; GET (also where sudo mode sends one back to) shows the member's page with the button."""
    cooperation = policies.cooperation_for(request, pk, Capability.INVITE_MEMBERS)
    membership = _membership_or_404(request, cooperation, membership_pk)
    if request.method == "GET":
        return redirect("organisations:member_change", pk=cooperation.pk, membership_pk=membership.pk)
    return _member_end(request, cooperation, membership)


@sudo_required
def _member_end(request: HttpRequest, cooperation: Cooperation, membership: Membership) -> HttpResponse:
    try:
        services.membership_end(actor=request.user, membership=membership, request=request)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        name = membership.user.full_name
        messages.success(request, _("Medlemskabet for %(name)s er afsluttet.") % {"name": name})
    return redirect("organisations:member_list", pk=cooperation.pk)


@require_http_methods(["GET", "POST"])
@policies.render_denials
def member_deactivate(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """POST does it; GET (also where sudo mode sends one back to) shows the member's page with the button."""
    cooperation = policies.cooperation_for(request, pk, Capability.INVITE_MEMBERS)
    membership = _membership_or_404(request, cooperation, membership_pk)
    if request.method == "GET":
        return redirect("organisations:member_change", pk=cooperation.pk, membership_pk=membership.pk)
    return _member_deactivate(request, cooperation, membership)


@sudo_required
def _member_deactivate(
    request: HttpRequest, cooperation: Cooperation, membership: Membership
) -> HttpResponse:
    try:
        services.membership_deactivate_account(
            actor=request.user, membership=membership, request=request  # type: ignore[arg-type]
        )
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        name = membership.user.full_name
        messages.success(request, _("Kontoen for %(name)s er deaktiveret.") % {"name": name})
    return redirect("organisations:member_list", pk=cooperation.pk)


# Invitations ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policies.render_denials
def invitation_list(request: HttpRequest, pk: int) -> HttpResponse:
    cooperation = policies.cooperation_for(request, pk, Capability.INVITE_MEMBERS)
    form = InvitationForm(request.POST or None, cooperation=cooperation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation = services.invitation_send(
                    actor=request.user,  # type: ignore[arg-type]
                    cooperation=cooperation,
                    email=form.cleaned_data["email"],
                    full_name=form.cleaned_data["full_name"],
                    organisation=form.cleaned_data["organisation"],
                    role=form.cleaned_data["role"],
                    request=request,
                )
            except ValidationError as error:
                for message in _messages_of(error):
                    form.add_error(None, message)
                status = 400
            else:
                sent = _("Invitationen er sendt til %(email)s.") % {"email": invitation.email}
                messages.success(request, sent)
                return redirect("organisations:invitation_list", pk=cooperation.pk)
        else:
            status = 400
    invitations = list(selectors.invitations_visible_to(request.user, cooperation))
    return render(
        request,
        "organisations/invitation_list.html",
        _page(request, cooperation, form=form, invitations=invitations, open=InvitationStatus.OPEN),
        status=status,
    )


@require_POST
@policies.render_denials
def invitation_revoke(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    cooperation = policies.cooperation_for(request, pk, Capability.INVITE_MEMBERS)
    invitation = selectors.invitations_visible_to(request.user, cooperation).filter(pk=invitation_pk).first()
    if invitation is None:
        raise Http404
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation, request=request)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        revoked = _("Invitationen til %(email)s er tilbagekaldt.") % {"email": invitation.email}
        messages.success(request, revoked)
    return redirect("organisations:invitation_list", pk=cooperation.pk)


_UNUSABLE_MESSAGES = {
    InvitationStatus.ACCEPTED: _("Invitationen er allerede brugt. Log ind med din e-mail og adgangskode."),
    InvitationStatus.REVOKED: _(
        "Invitationen er trukket tilbage. Kontakt den koordinator, der inviterede dig."
    ),
    InvitationStatus.EXPIRED: _("Invitationen er udløbet. Bed koordinatoren om at sende en ny."),
}


def _unusable(request: HttpRequest, invitation: Invitation | None) -> HttpResponse:
    if invitation is None:
        message = _("Linket er ikke gyldigt. Kontrollér, at du har kopieret hele linket fra e-mailen.")
        return render(request, "organisations/invitation_unusable.html", {"message": message}, status=404)
    message = str(_UNUSABLE_MESSAGES.get(InvitationStatus(invitation.status), ""))
    return render(request, "organisations/invitation_unusable.html", {"message": message}, status=410)


@sensitive_post_parameters("password", "password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's page: choose a password (new account) or prove the existing one, then join.

    The invitee is signed in and sent on to set up (or use) the second factor.
    """
    invitation = selectors.invitation_by_token(token)
    if invitation is None or not invitation.is_open:
        return _unusable(request, invitation)
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    form: NewAccountForm | ExistingAccountForm
    if has_account:
        form = ExistingAccountForm(request.POST or None)
    else:
        form = NewAccountForm(
            request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name}
        )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = _accept(request, invitation, form, has_account=has_account)
            except services.InvitationUnusable:
                invitation.refresh_from_db()
                return _unusable(request, invitation)
            except ValidationError as error:
                for message in _messages_of(error):
                    form.add_error(None, message)
            else:
                if user is not None:
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                    login_password_accepted(request=request, user=user)
                    enrolled = any(devices_for_user(user, confirmed=True))
                    welcome = _("Velkommen til %(name)s.") % {"name": invitation.cooperation.name}
                    messages.success(request, welcome)
                    return redirect("accounts:mfa_verify" if enrolled else "accounts:mfa_enroll")
                form.add_error("password", _("Forkert adgangskode."))
        status = 400
    return render(
        request,
        "organisations/invitation_accept.html",
        {"invitation": invitation, "form": form, "has_account": has_account},
        status=status,
    )


def _accept(
    request: HttpRequest,
    invitation: Invitation,
    form: NewAccountForm | ExistingAccountForm,
    *,
    has_account: bool,
) -> User | None:
    """Accept for the right account; None when an existing account's password was wrong."""
    if not has_account:
        return services.invitation_accept_with_new_account(
            invitation=invitation,
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
            request=request,
        )
    user = authenticate(request, username=invitation.email, password=form.cleaned_data["password"])
    if user is None:
        return None
    services.invitation_accept(actor=user, invitation=invitation, request=request)  # type: ignore[arg-type]
    return user  # type: ignore[return-value]


# The membership switcher in the header ---------------------------------------------------------


@require_POST
def switch_membership(request: HttpRequest) -> HttpResponse:
    """Act in another of one's own memberships. Only the user's own active memberships are accepted."""
    wanted = request.POST.get("membership", "")
    own = selectors.membership_list(request.user)
    chosen = next((m for m in own if wanted.isdigit() and m.pk == int(wanted)), None)
    if chosen is None:
        messages.error(request, _("Det valgte medlemskab findes ikke eller er ikke længere aktivt."))
    else:
        request.session[SESSION_KEY] = chosen.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("core:home")
    return redirect(target)
