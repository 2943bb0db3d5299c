"""Staff pages: the organisation list, detail, create/edit, members, invitations, timeline, firm."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Subquery
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accordo.accounts import services as account_services
from accordo.accounts.models import Invitation
from accordo.approvals.selectors import organisation_approvals
from accordo.clients import services, tables
from accordo.clients.access import access_staff_organisation
from accordo.clients.forms import (
    FirmForm,
    InvitationForm,
    LabelForm,
    MembershipRoleForm,
    OrganisationFilters,
    OrganisationForm,
    TierBulkForm,
)
from accordo.clients.models import Firm, Label, Membership, Organisation, StaffAssignment, Tier
from accordo.clients.selectors import (
    OrganisationRow,
    OrganisationRows,
    firm_for_request,
    organisation_filter_choices,
)
from accordo.core.access import AuthedRequest, firm_admin_required, staff_required
from accordo.core.context import ctx_from_request
from accordo.core.models import Event
from accordo.core.pagecache import cached_page
from accordo.core.timeline import events_page
from accordo.deliveries.models import Delivery
from accordo.deliveries.selectors import OPEN
from accordo.work.selectors import staff_home_data

PAGE_SIZE = 50


@require_GET
@staff_required
@cached_page
def staff_home(request: AuthedRequest) -> HttpResponse:
    """My clients, my open and overdue tasks, what waits on clients, the counts and recent activity."""
    assigned = StaffAssignment.objects.filter(user=request.user).values("organisation_id")
    mine = Organisation.objects.filter(pk__in=Subquery(assigned)).order_by("name", "id").only("public_id", "name")[:20]
    recent = Event.objects.exclude(organisation=None).select_related("organisation").order_by("-seq")[:15]
    return render(
        request,
        "clients/staff/home.html",
        {
            "mine": mine,
            "recent": recent,
            "organisation_count": Organisation.objects.count(),
            "open_deliveries": Delivery.objects.filter(status__in=OPEN).count(),
            "work": staff_home_data(request.user),
            "today": timezone.localdate(),
        },
    )


@require_GET
@staff_required
@cached_page
def organisation_list(request: AuthedRequest) -> HttpResponse:
    choices = organisation_filter_choices()
    filters = OrganisationFilters(request.GET, choices)
    rows = OrganisationRows(
        choices, query=filters.query, label=filters.label, tier=filters.tier, assignee=filters.assignee
    )
    # Paginator only counts and slices; OrganisationRows does both without being a full sequence.
    paginator: Paginator[OrganisationRow] = Paginator(rows, PAGE_SIZE)  # type: ignore[arg-type]
    page = paginator.get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "clients/staff/organisation_list.html",
        {
            "filters": filters,
            "label_options": tables.choice_options(_("All labels"), choices.labels, filters.raw["label"]),
            "tier_options": tables.options([("", _("All tiers")), *Tier.choices], filters.raw["tier"]),
            "bulk_tier_options": tables.options(Tier.choices, ""),
            "assignee_options": tables.choice_options(_("Anyone"), choices.staff, filters.raw["assignee"]),
            "page": page,
            "rows": tables.organisation_rows(page.object_list),
            "querystring": querystring.urlencode(),
        },
    )


@require_POST
@staff_required
def organisation_bulk_tier(request: AuthedRequest) -> HttpResponse:
    """Move the organisations chosen on the list to one service tier; an event for each that changed."""
    form = TierBulkForm(request.POST)
    back = reverse("staff:organisation_list")
    if not form.is_valid():
        messages.error(request, str(next(iter(form.errors.values()))[0]))
        return redirect(back)
    chosen = Organisation.objects.filter(public_id__in=form.cleaned_data["organisation"])
    changed = services.organisations_set_tier(
        actor=request.user, ctx=ctx_from_request(request), organisations=chosen, tier=form.cleaned_data["tier"]
    )
    tier = Tier(form.cleaned_data["tier"]).label
    messages.success(
        request,
        ngettext("%(count)d client moved to %(tier)s.", "%(count)d clients moved to %(tier)s.", changed)
        % {"count": changed, "tier": tier},
    )
    filters = QueryDict(form.cleaned_data["filters"]).urlencode()  # re-encoded: only a query string
    return redirect(back + (f"?{filters}" if filters else ""))


@require_http_methods(["GET", "POST"])
@staff_required
def organisation_create(request: AuthedRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_create(
            actor=request.user,
            ctx=ctx_from_request(request),
            data=form.changes(),
            labels=form.cleaned_data["labels"],
            assignments=form.assignments(),
        )
        messages.success(request, _("Organisation created."))
        return redirect("staff:organisation_detail", organisation.public_id)
    return render(request, "clients/staff/organisation_form.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
@staff_required
def organisation_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation = access_staff_organisation(request.user, public_id)
    members = organisation.memberships.select_related("user").order_by("user__email")
    invitations = organisation.invitations.filter(status=Invitation.Status.PENDING).select_related("invited_by")
    return render(
        request,
        "clients/staff/organisation_detail.html",
        {
            "organisation": organisation,
            "members": members,
            "invitations": invitations,
            "assignments": organisation.assignments.select_related("user"),
            "labels": organisation.labels.all(),
            "invite_form": InvitationForm(),
            "role_form": MembershipRoleForm(),
            "recent_events": events_page(organisation=organisation, limit=5)[0],
            "approvals": organisation_approvals(organisation),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def organisation_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation = access_staff_organisation(request.user, public_id)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        fresh = Organisation.objects.get(pk=organisation.pk)
        diff = services.organisation_update(
            actor=request.user,
            ctx=ctx_from_request(request),
            organisation=fresh,
            changes=form.changes(),
            labels=form.cleaned_data["labels"],
            assignments=form.assignments(),
        )
        messages.success(request, _("Changes saved.") if diff else _("Nothing was changed."))
        return redirect("staff:organisation_detail", organisation.public_id)
    return render(
        request,
        "clients/staff/organisation_form.html",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required
def organisation_bsn(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation = access_staff_organisation(request.user, public_id)
    bsn = services.organisation_bsn_reveal(actor=request.user, ctx=ctx_from_request(request), organisation=organisation)
    return render(request, "clients/staff/_bsn.html", {"organisation": organisation, "bsn": bsn})


@require_GET
@staff_required
def organisation_timeline(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation = access_staff_organisation(request.user, public_id)
    try:
        before = int(request.GET.get("before", "0")) or None
    except ValueError:
        before = None
    events, next_before = events_page(organisation=organisation, before=before, limit=PAGE_SIZE)
    return render(
        request,
        "clients/staff/organisation_timeline.html",
        {
            "organisation": organisation,
            "events": events,
            "next_before": next_before,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def invitation_create(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation = access_staff_organisation(request.user, public_id)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.invitation_create(
                actor=request.user,
                ctx=ctx_from_request(request),
                organisation=organisation,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, _("Invitation sent to %s.") % form.cleaned_data["email"])
            return redirect("staff:organisation_detail", organisation.public_id)
    return render(
        request,
        "clients/staff/invitation_form.html",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )


def _staff_invitation(request: AuthedRequest, public_id: str) -> Invitation:
    if not request.user.is_firm_staff:
        raise Http404
    invitation = Invitation.objects.select_related("organisation").filter(public_id=public_id).first()
    if invitation is None:
        raise Http404
    return invitation


@require_POST
@staff_required
def invitation_resend(request: AuthedRequest, public_id: str) -> HttpResponse:
    invitation = _staff_invitation(request, public_id)
    try:
        account_services.invitation_resend(actor=request.user, ctx=ctx_from_request(request), invitation=invitation)
        messages.success(request, _("A new invitation link was sent."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("staff:organisation_detail", invitation.organisation.public_id)


@require_POST
@staff_required
def invitation_revoke(request: AuthedRequest, public_id: str) -> HttpResponse:
    invitation = _staff_invitation(request, public_id)
    try:
        account_services.invitation_revoke(actor=request.user, ctx=ctx_from_request(request), invitation=invitation)
        messages.success(request, _("The invitation was withdrawn."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("staff:organisation_detail", invitation.organisation.public_id)


def _staff_membership(request: AuthedRequest, public_id: str) -> Membership:
    membership = Membership.objects.select_related("organisation", "user").filter(public_id=public_id).first()
    if membership is None or not request.user.is_firm_staff:
        raise Http404
    return membership


@require_POST
@staff_required
def membership_role(request: AuthedRequest, public_id: str) -> HttpResponse:
    membership = _staff_membership(request, public_id)
    form = MembershipRoleForm(request.POST)
    if form.is_valid():
        services.membership_change_role(
            actor=request.user,
            ctx=ctx_from_request(request),
            membership=membership,
            role=form.cleaned_data["role"],
        )
        messages.success(request, _("Role changed."))
    else:
        messages.error(request, _("Choose a valid role."))
        return redirect("staff:organisation_detail", membership.organisation.public_id)
    return redirect("staff:organisation_detail", membership.organisation.public_id)


@require_POST
@staff_required
def membership_remove(request: AuthedRequest, public_id: str) -> HttpResponse:
    membership = _staff_membership(request, public_id)
    organisation = membership.organisation
    services.membership_remove(actor=request.user, ctx=ctx_from_request(request), membership=membership)
    messages.success(request, _("Access removed."))
    return redirect("staff:organisation_detail", organisation.public_id)


@require_http_methods(["GET", "POST"])
@firm_admin_required
def firm_settings(request: AuthedRequest) -> HttpResponse:
    firm = firm_for_request(request)
    form = FirmForm(
        request.POST or None,
        request.FILES or None,
        instance=firm,
        initial={"locked_fields": firm.locked_fields},
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in FirmForm.Meta.fields}
        # The form already copied its data onto ``firm``; the service diffs against the stored row.
        services.firm_update(
            actor=request.user,
            ctx=ctx_from_request(request),
            firm=Firm.objects.get(pk=firm.pk),
            changes=changes,
            logo=form.cleaned_data.get("logo_upload"),
        )
        messages.success(request, _("Firm settings saved."))
        return redirect("staff:firm_settings")
    labels = Label.objects.annotate(usage=Count("organisations")).order_by("name")
    return render(
        request,
        "clients/staff/firm_settings.html",
        {
            "form": form,
            "labels": labels,
            "label_form": LabelForm(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@firm_admin_required
def label_create(request: AuthedRequest) -> HttpResponse:
    form = LabelForm(request.POST)
    if form.is_valid():
        try:
            services.label_create(actor=request.user, ctx=ctx_from_request(request), name=form.cleaned_data["name"])
            messages.success(request, _("Label added."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Give the label a name."))
    return redirect("staff:firm_settings")


@require_POST
@firm_admin_required
def label_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    label = Label.objects.filter(public_id=public_id).first()
    if label is None:
        raise Http404
    services.label_delete(actor=request.user, ctx=ctx_from_request(request), label=label)
    messages.success(request, _("Label removed."))
    return redirect("staff:firm_settings")
