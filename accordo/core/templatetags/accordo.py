from __future__ import annotations

from typing import Any

from django import template

from accordo.core.timeline import verb_label as _verb_label

register = template.Library()


@register.filter
def verb_label(verb: str) -> str:
    return _verb_label(verb)


@register.filter
def change_rows(data: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, old, new) rows of an event payload's ``changes``."""
    changes = (data or {}).get("changes") or {}
    return [(field, value.get("old"), value.get("new")) for field, value in changes.items() if isinstance(value, dict)]


@register.simple_tag(takes_context=True)
def nav_current(context: Any, url_name: str) -> str:
    match = getattr(context.get("request"), "resolver_match", None)
    return 'aria-current="page"' if match and match.view_name == url_name else ""
