"""The firm's team (staff administrators only): add staff, change roles, block sign-in."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accordo.accounts import services
from accordo.accounts.forms import StaffAddForm, StaffRoleForm
from accordo.accounts.models import User
from accordo.core.access import AuthedRequest, firm_admin_required
from accordo.core.context import ctx_from_request


def access_staff_member(actor: User, public_id: str) -> User:
    """A staff account, for a staff administrator; 404 otherwise."""
    if not actor.is_firm_admin:
        raise Http404
    user = User.objects.exclude(staff_role="").filter(public_id=public_id).first()
    if user is None:
        raise Http404
    return user


@require_http_methods(["GET", "POST"])
@firm_admin_required
def team(request: AuthedRequest) -> HttpResponse:
    form = StaffAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_add(actor=request.user, ctx=ctx_from_request(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(
                request, _("%s was added and receives an e-mail to choose a password.") % form.cleaned_data["email"]
            )
            return redirect("staff:team")
    has_2fa = Authenticator.objects.filter(user=OuterRef("pk")).exclude(type=Authenticator.Type.RECOVERY_CODES)
    members = User.objects.exclude(staff_role="").annotate(has_2fa=Exists(has_2fa)).order_by("full_name", "email")
    return render(
        request,
        "accounts/team.html",
        {"form": form, "members": members, "role_form": StaffRoleForm()},
        status=400 if form.errors else 200,
    )


@require_POST
@firm_admin_required
def team_role(request: AuthedRequest, public_id: str) -> HttpResponse:
    member = access_staff_member(request.user, public_id)
    form = StaffRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a valid role."))
        services.staff_change_role(
            actor=request.user, ctx=ctx_from_request(request), user=member, role=form.cleaned_data["role"]
        )
        messages.success(request, _("Role changed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("staff:team")
    return redirect("staff:team")


@require_POST
@firm_admin_required
def team_active(request: AuthedRequest, public_id: str) -> HttpResponse:
    member = access_staff_member(request.user, public_id)
    active = request.POST.get("active") == "1"
    try:
        services.staff_set_active(actor=request.user, ctx=ctx_from_request(request), user=member, active=active)
        messages.success(request, _("Sign-in allowed again.") if active else _("Sign-in blocked."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("staff:team")
