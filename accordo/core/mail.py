"""Branded e-mail: HTML and text from templates, the firm's signature, sent by the worker."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from huey.contrib.djhuey import db_task


def mail_render(*, to: list[str], template: str, context: dict[str, Any], language: str) -> EmailMultiAlternatives:
    """Render ``emails/<template>_subject.txt``, ``.txt`` and ``.html`` in the recipient's language."""
    from django.conf import settings

    from accordo.clients.selectors import firm_get

    firm = firm_get()
    context = {**context, "firm": firm, "site_url": settings.SITE_URL}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=firm.sender, to=to)
    message.attach_alternative(html, "text/html")
    return message


@db_task(retries=5, retry_delay=60)
def mail_deliver(payload: dict[str, Any]) -> None:
    """Send one prepared message (retried when the mail server is away)."""
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        reply_to=payload.get("reply_to") or None,
    )
    for content, mimetype in payload.get("alternatives", []):
        message.attach_alternative(content, mimetype)
    message.send()


def mail_send_later(message: EmailMessage) -> None:
    """Hand a rendered message to the worker."""
    payload = {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "reply_to": list(message.reply_to),
        "alternatives": [(str(c), m) for c, m in getattr(message, "alternatives", [])],
    }
    mail_deliver(payload)
