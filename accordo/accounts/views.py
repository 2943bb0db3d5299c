"""Invitation links, the language switch and the personal profile."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accordo.accounts import services
from accordo.accounts.forms import AcceptInvitationForm, LanguageForm, ProfileForm
from accordo.accounts.models import Invitation, User
from accordo.core.access import AuthedRequest, login_required
from accordo.core.context import ctx_from_request

LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
    """Open an invitation: new people choose a password, existing users just accept."""
    invitation = Invitation.objects.select_related("organisation").filter(public_id=public_id).first()
    if invitation is None or not services.invitation_token_valid(invitation, token):
        raise Http404
    try:
        services.invitation_usable_check(invitation)
    except services.InvitationUnusable as exc:
        return render(
            request,
            "accounts/invitation_unusable.html",
            {"reason": exc.reason, "invitation": invitation},
            status=410,
        )
    existing = User.objects.filter(email__iexact=invitation.email).first()
    context: dict[str, object] = {"invitation": invitation, "organisation": invitation.organisation}
    if existing is not None:
        return _accept_existing(request, invitation, existing, context)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, membership = services.invitation_accept(
                invitation=invitation,
                ctx=ctx_from_request(request),
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
            )
        except services.InvitationUnusable as exc:
            return render(
                request,
                "accounts/invitation_unusable.html",
                {"reason": exc.reason, "invitation": invitation},
                status=410,
            )
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            login(request, user, backend=LOGIN_BACKEND)
            record_authentication(request, user, method="password", email=user.email, reauthenticated=True)
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("portal:organisation_home", membership.organisation.public_id)
    context["form"] = form
    return render(request, "accounts/invitation_new.html", context, status=400 if form.errors else 200)


def _accept_existing(
    request: HttpRequest, invitation: Invitation, existing: User, context: dict[str, object]
) -> HttpResponse:
    context["existing"] = existing
    if not request.user.is_authenticated:
        context["login_url"] = f"{reverse('account_login')}?next={request.path}"
        return render(request, "accounts/invitation_existing.html", context)
    if request.user.pk != existing.pk:
        context["wrong_user"] = True
        return render(request, "accounts/invitation_existing.html", context, status=403)
    if request.method == "POST":
        try:
            _user, membership = services.invitation_accept(
                invitation=invitation, ctx=ctx_from_request(request), user=request.user
            )
        except services.InvitationUnusable as exc:
            return render(
                request,
                "accounts/invitation_unusable.html",
                {"reason": exc.reason, "invitation": invitation},
                status=410,
            )
        messages.success(request, _("You now have access to %s.") % membership.organisation.name)
        return redirect("portal:organisation_home", membership.organisation.public_id)
    return render(request, "accounts/invitation_existing.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch: a cookie for everybody, the preference too for a signed-in user."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose a valid language."), status=400)
    language = form.cleaned_data["language"]
    target = form.cleaned_data.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if request.user.is_authenticated:
        services.user_set_language(actor=request.user, ctx=ctx_from_request(request), language=language)
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@require_http_methods(["GET", "POST"])
@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, initial={"full_name": user.full_name, "language": user.language})
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(actor=user, ctx=ctx_from_request(request), **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        response = redirect("profile")
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response
    return render(request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200)
