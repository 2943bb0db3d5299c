"""Administration pages of work (firm administrators): signal rules and e-mail templates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accordo.approvals.models import ApprovalType
from accordo.clients.models import Label, Organisation, Tier
from accordo.core.access import AuthedRequest, firm_admin_required, public_id_or_404
from accordo.core.context import ctx_from_request
from accordo.core.pagecache import cached_page
from accordo.core.timeline import verb_label
from accordo.deliveries.models import Tray
from accordo.work import services, services_mail
from accordo.work.forms_admin import MailTemplateForm, RuleForm
from accordo.work.models import MailTemplate, SignalRule


def access_rule(public_id: uuid.UUID | str) -> SignalRule:
    """A rule by its public id (the views are for firm administrators only); 404 when missing."""
    rule = (
        SignalRule.objects.select_related("assignee", "mail_template", "workflow_template")
        .filter(public_id=public_id_or_404(public_id))
        .first()
    )
    if rule is None:
        raise Http404
    return rule


def access_mail_template(public_id: uuid.UUID | str) -> MailTemplate:
    """An e-mail template by its public id; 404 when missing."""
    template = MailTemplate.objects.filter(public_id=public_id_or_404(public_id)).first()
    if template is None:
        raise Http404
    return template


def message_of(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


# --- rules ------------------------------------------------------------------------------------------


def _condition_names() -> dict[str, dict[str, str]]:
    """Readable names of every condition value, for the rules list (a query for labels, one for trays)."""
    return {
        "tier": {k: str(v) for k, v in Tier.choices},
        "organisation_kind": {k: str(v) for k, v in Organisation.Kind.choices},
        "approval_type": {k: str(v) for k, v in ApprovalType.choices},
        "label": {str(p): n for p, n in Label.objects.values_list("public_id", "name")},
        "tray": dict(Tray.objects.values_list("slug", "name")),
    }


def _condition_titles() -> dict[str, str]:
    return {
        "tier": _("Service tier"),
        "label": _("Label"),
        "organisation_kind": _("Kind of client"),
        "tray": _("Tray"),
        "approval_type": _("Approval type"),
    }


def rule_rows(rules: Sequence[SignalRule]) -> list[dict[str, Any]]:
    names, titles = _condition_names(), _condition_titles()
    rows = []
    for rule in rules:
        conditions = []
        for key, values in (rule.conditions or {}).items():
            values = values if isinstance(values, list) else [values]
            shown = ", ".join(names.get(key, {}).get(str(v), str(v)) for v in values)
            conditions.append(f"{titles.get(key, key)}: {shown}")
        rows.append({"rule": rule, "event": verb_label(rule.verb), "conditions": conditions})
    return rows


@require_GET
@firm_admin_required
@cached_page
def rule_list(request: AuthedRequest) -> HttpResponse:
    rules = list(
        SignalRule.objects.select_related("assignee", "mail_template", "workflow_template")
        .annotate(fired=Count("firings"))
        .order_by("name", "id")
    )
    return render(request, "work/admin/rule_list.html", {"rows": rule_rows(rules)})


def _rule_page(request: AuthedRequest, form: RuleForm, rule: SignalRule | None, status: int) -> HttpResponse:
    return render(request, "work/admin/rule_form.html", {"form": form, "rule": rule}, status=status)


@require_http_methods(["GET", "POST"])
@firm_admin_required
def rule_create(request: AuthedRequest) -> HttpResponse:
    form = RuleForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.rule_create(actor=request.user, ctx=ctx_from_request(request), **form.service_fields())
            except ValidationError as error:
                form.add_error(None, message_of(error))
            else:
                messages.success(request, _("Rule added."))
                return redirect("work_admin:rule_list")
        return _rule_page(request, form, None, 400)
    return _rule_page(request, form, None, 200)


@require_http_methods(["GET", "POST"])
@firm_admin_required
def rule_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    rule = access_rule(public_id)
    form = RuleForm(request.POST or None, rule=rule)
    if request.method == "POST":
        if form.is_valid():
            try:
                diff = services.rule_update(
                    actor=request.user, ctx=ctx_from_request(request), rule=rule, changes=form.service_fields()
                )
            except ValidationError as error:
                form.add_error(None, message_of(error))
            else:
                messages.success(request, _("Changes saved.") if diff else _("Nothing was changed."))
                return redirect("work_admin:rule_list")
        return _rule_page(request, form, rule, 400)
    return _rule_page(request, form, rule, 200)


@require_http_methods(["GET", "POST"])
@firm_admin_required
def rule_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Ask, then remove a rule (its tasks, mails and workflows stay)."""
    rule = access_rule(public_id)
    if request.method == "POST":
        services.rule_delete(actor=request.user, ctx=ctx_from_request(request), rule=rule)
        messages.success(request, _("Rule removed."))
        return redirect("work_admin:rule_list")
    return render(
        request,
        "work/admin/confirm_delete.html",
        {
            "title": _("Remove the rule “%(name)s”?") % {"name": rule.name},
            "text": _("The tasks, e-mails and workflows it made stay."),
            "back": "work_admin:rule_list",
        },
    )


@require_POST
@firm_admin_required
def rule_active(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Switch a rule on or off (``active`` is "1" or "0")."""
    rule = access_rule(public_id)
    wanted = request.POST.get("active")
    if wanted not in ("0", "1"):
        messages.error(request, _("Choose on or off."))
        return redirect("work_admin:rule_list")
    try:
        services.rule_update(
            actor=request.user, ctx=ctx_from_request(request), rule=rule, changes={"active": wanted == "1"}
        )
    except ValidationError as error:  # a rule made invalid elsewhere (e.g. its workflow deactivated)
        messages.error(request, message_of(error))
        return redirect("work_admin:rule_edit", rule.public_id)
    messages.success(request, _("Rule switched on.") if wanted == "1" else _("Rule switched off."))
    return redirect("work_admin:rule_list")


# --- e-mail templates -----------------------------------------------------------------------------


@require_GET
@firm_admin_required
@cached_page
def mail_template_list(request: AuthedRequest) -> HttpResponse:
    templates = MailTemplate.objects.annotate(rules_count=Count("rules")).order_by("name", "id")
    return render(request, "work/admin/mail_template_list.html", {"templates": templates})


def _example_organisation() -> Organisation:
    return Organisation.objects.order_by("name").first() or Organisation(name=_("Example Ltd"))


def _preview(subject: str, body: str) -> dict[str, str]:
    """The mail as the example organisation's first recipient would read it (text part)."""
    organisation = _example_organisation()
    recipient = services_mail.Recipient("preview@example.invalid", request_language(), _("Jane Example"))
    template = MailTemplate(name="preview", subject=subject, body=body)
    message = services_mail.mail_template_render(
        template, organisation=organisation, recipient=recipient, verb="delivery.received", when=timezone.localdate()
    )
    return {"subject": str(message.subject), "body": str(message.body), "organisation": organisation.name}


def request_language() -> str:
    from django.utils.translation import get_language

    return get_language() or "nl"


def _mail_page(
    request: AuthedRequest, form: MailTemplateForm, template: MailTemplate | None, status: int
) -> HttpResponse:
    preview = None
    if form.is_bound and form.is_valid():
        preview = _preview(form.cleaned_data["subject"], form.cleaned_data["body"])
    elif template is not None and not form.is_bound:
        preview = _preview(template.subject, template.body)
    return render(
        request,
        "work/admin/mail_template_form.html",
        {"form": form, "template": template, "preview": preview},
        status=status,
    )


def _mail_save(request: AuthedRequest, form: MailTemplateForm, template: MailTemplate | None) -> HttpResponse | None:
    """Save the form (or only preview it); None when the page has to be shown again."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        services_mail.placeholders_check(data["subject"] + data["body"])
        if "preview" in request.POST:
            return _mail_page(request, form, template, 200)
        ctx = ctx_from_request(request)
        if template is None:
            services_mail.mail_template_create(actor=request.user, ctx=ctx, **data)
            messages.success(request, _("E-mail template added."))
        else:
            diff = services_mail.mail_template_update(actor=request.user, ctx=ctx, template=template, **data)
            messages.success(request, _("Changes saved.") if diff else _("Nothing was changed."))
    except ValidationError as error:
        form.add_error(None, message_of(error))
        return None
    return redirect("work_admin:mail_template_list")


@require_http_methods(["GET", "POST"])
@firm_admin_required
def mail_template_create(request: AuthedRequest) -> HttpResponse:
    form = MailTemplateForm(request.POST or None)
    if request.method == "POST":
        return _mail_save(request, form, None) or _mail_page(request, form, None, 400)
    return _mail_page(request, form, None, 200)


@require_http_methods(["GET", "POST"])
@firm_admin_required
def mail_template_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    template = access_mail_template(public_id)
    form = MailTemplateForm(
        request.POST or None, initial={"name": template.name, "subject": template.subject, "body": template.body}
    )
    if request.method == "POST":
        return _mail_save(request, form, template) or _mail_page(request, form, template, 400)
    return _mail_page(request, form, template, 200)


@require_http_methods(["GET", "POST"])
@firm_admin_required
def mail_template_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Ask, then remove an e-mail template; refused (409) while a rule sends it."""
    template = access_mail_template(public_id)
    context = {
        "title": _("Remove the e-mail template “%(name)s”?") % {"name": template.name},
        "text": "",
        "back": "work_admin:mail_template_list",
    }
    if request.method == "POST":
        try:
            services_mail.mail_template_delete(actor=request.user, ctx=ctx_from_request(request), template=template)
        except ValidationError as error:
            return render(
                request, "work/admin/confirm_delete.html", {**context, "error": message_of(error)}, status=409
            )
        messages.success(request, _("E-mail template removed."))
        return redirect("work_admin:mail_template_list")
    return render(request, "work/admin/confirm_delete.html", context)
