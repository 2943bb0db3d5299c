"""E-mail templates of the firm (SPEC §10) and the mails signal rules send with them.

A template's subject and text are the firm's own plain text with placeholders such as
``{organisation}``; they are filled by a plain replacement of the known names (never a template
engine, so firm text can run no code and read no attributes) and wrapped in the firm's branded
e-mail (``emails/rule_mail.*``), in each recipient's language.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.clients.models import Membership, Organisation
from accordo.clients.selectors import firm_get
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.core.mail import mail_render, mail_send_later
from accordo.core.models import Event
from accordo.core.timeline import verb_label
from accordo.work.models import MailTemplate

PLACEHOLDERS = ("organisation", "firm", "event", "date", "person")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _admin_only(actor: User) -> None:
    if not actor.is_firm_admin:
        raise PermissionError("only firm administrators manage e-mail templates")


def placeholders_check(text: str) -> None:
    """Refuse a placeholder that is not one of ``PLACEHOLDERS`` (a typo would reach the client as is)."""
    wrong = sorted({m.group(1) for m in _PLACEHOLDER.finditer(text) if m.group(1) not in PLACEHOLDERS})
    if wrong:
        raise ValidationError(
            _("Unknown placeholder: %(names)s. You can use: %(allowed)s.")
            % {
                "names": ", ".join("{" + w + "}" for w in wrong),
                "allowed": ", ".join("{" + p + "}" for p in PLACEHOLDERS),
            },
            code="placeholder",
        )


def placeholders_fill(text: str, values: dict[str, str]) -> str:
    """Replace each ``{name}`` of ``values`` by its value; anything else stays as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _clean(name: str, subject: str, body: str, *, exclude: int | None = None) -> dict[str, str]:
    name, subject, body = name.strip(), " ".join(subject.split()), body.strip()
    if not name:
        raise ValidationError(_("Give the template a name."), code="name")
    same = MailTemplate.objects.filter(name__iexact=name)
    if (same.exclude(pk=exclude) if exclude else same).exists():
        raise ValidationError(_("An e-mail template with this name exists already."), code="name")
    if not subject:
        raise ValidationError(_("Give the e-mail a subject."), code="subject")
    if not body:
        raise ValidationError(_("Write the text of the e-mail."), code="body")
    placeholders_check(subject)
    placeholders_check(body)
    return {"name": name[:150], "subject": subject[:200], "body": body}


def _data(template: MailTemplate) -> dict[str, Any]:
    return {"name": template.name, "subject": template.subject, "body": template.body}


@transaction.atomic
def mail_template_create(*, actor: User, ctx: RequestContext, name: str, subject: str, body: str) -> MailTemplate:
    """Add an e-mail template (firm administrators)."""
    _admin_only(actor)
    template = MailTemplate.objects.create(**_clean(name, subject, body))
    event_record(actor=actor, ctx=ctx, verb="mailtemplate.created", target=template, data=_data(template))
    return template


@transaction.atomic
def mail_template_update(
    *, actor: User, ctx: RequestContext, template: MailTemplate, name: str, subject: str, body: str
) -> dict[str, Any]:
    """Change an e-mail template; records old → new and returns that diff."""
    _admin_only(actor)
    template = MailTemplate.objects.select_for_update().get(pk=template.pk)
    before = _data(template)
    for key, value in _clean(name, subject, body, exclude=template.pk).items():
        setattr(template, key, value)
    after = _data(template)
    diff = {key: {"old": before[key], "new": after[key]} for key in after if before[key] != after[key]}
    if diff:
        template.save()
        event_record(
            actor=actor,
            ctx=ctx,
            verb="mailtemplate.updated",
            target=template,
            data={"name": template.name, "changes": diff},
        )
    return diff


@transaction.atomic
def mail_template_delete(*, actor: User, ctx: RequestContext, template: MailTemplate) -> None:
    """Remove an e-mail template; refused while a signal rule sends it."""
    _admin_only(actor)
    rules = list(template.rules.values_list("name", flat=True))
    if rules:
        raise ValidationError(
            _("Signal rules send this template: %(rules)s. Change those rules first.") % {"rules": ", ".join(rules)},
            code="in_use",
        )
    event_record(actor=actor, ctx=ctx, verb="mailtemplate.deleted", target=template, data=_data(template))
    template.delete()


# --- sending ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    name: str


def mail_recipients(organisation: Organisation) -> list[Recipient]:
    """The organisation's portal users with an e-mail; its own address when nobody logs in (lower tiers)."""
    people = [
        m.user
        for m in Membership.objects.portal()
        .filter(organisation=organisation, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__email")
    ]
    if people:
        return [Recipient(p.email, p.language, p.display_name) for p in people]
    if organisation.email:
        return [Recipient(organisation.email, settings.LANGUAGE_CODE, organisation.name)]
    return []


def _values(organisation: Organisation, person: str, verb: str, when: datetime.date) -> dict[str, str]:
    """The placeholders' values, in the active language."""
    return {
        "organisation": organisation.name,
        "firm": firm_get().name,
        "event": verb_label(verb) if verb else "",
        "date": formats.date_format(when, "DATE_FORMAT"),
        "person": person,
    }


def mail_template_render(
    template: MailTemplate, *, organisation: Organisation, recipient: Recipient, verb: str, when: datetime.date
) -> EmailMultiAlternatives:
    """The branded message of ``template`` for one recipient, in their language."""
    with translation.override(recipient.language):
        values = _values(organisation, recipient.name, verb, when)
    return mail_render(
        to=[recipient.email],
        template="rule_mail",
        context={
            "subject": placeholders_fill(template.subject, values),
            "body": placeholders_fill(template.body, values),
            "organisation": organisation,
        },
        language=recipient.language,
    )


def rule_mail_send(*, template: MailTemplate, organisation: Organisation, event: Event) -> list[str]:
    """Render the template for each recipient and hand the mails to the worker after commit."""
    when = timezone.localdate(event.created_at)
    messages = [
        mail_template_render(template, organisation=organisation, recipient=r, verb=event.verb, when=when)
        for r in mail_recipients(organisation)
    ]
    for message in messages:
        transaction.on_commit(lambda m=message: mail_send_later(m))  # type: ignore[misc]
    return [m.to[0] for m in messages]
