from __future__ import annotations

import itertools
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import FilterExpression, Parser, Token, token_kwargs
from django.template.defaulttags import CsrfTokenNode
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

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


# --- {% shared %} ---------------------------------------------------------------------------------
# Rendered blocks by (block, language, URL configuration, script prefix, autoescape, values). A
# block sees only its own values, so what it shows is fully named by this key.
_shared: dict[tuple[Any, ...], SafeString] = {}
SHARED_MAX = 512
_serials = itertools.count()
_URLS = "accordo.shared.urls"  # render_context key
_SCALARS = (str, int, float, bool, type(None))


@receiver(setting_changed)
def _forget_shared(**kwargs: Any) -> None:
    _shared.clear()


def _plain(value: Any, *, inner: bool = False) -> bool:
    """A value that is its own identity: text, a number, a flag, None, or a tuple of those.

    Anything else (a model instance, a list, a lazy translation) could show other content under
    the same key, so a block given one is rendered every time instead of kept. Inside a tuple only
    the exact types count: the key tells a safe string from plain text only at the top level.
    """
    if type(value) is tuple:
        return all(_plain(v, inner=True) for v in value)
    return type(value) in _SCALARS if inner else isinstance(value, _SCALARS)


class SharedNode(template.Node):
    # Not searched by get_nodes_by_type(): {% extends %} looks for blocks on every render, and a
    # shared block holds none (refused below).
    child_nodelists = ()

    def __init__(self, nodelist: template.NodeList, values: dict[str, FilterExpression]) -> None:
        self.nodelist = nodelist
        self.values = values
        self.serial = next(_serials)  # unlike id(), never reused by a later template

    def render(self, context: template.Context) -> str:
        values = {name: value.resolve(context) for name, value in self.values.items()}
        urls = context.render_context.get(_URLS)  # what {% url %} depends on, fixed for a render
        if urls is None:
            urls = context.render_context[_URLS] = (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())
        # The type tells a safe string from a plain one with the same text (they render differently).
        named = tuple((name, type(value), value) for name, value in values.items())
        key = (self.serial, get_language(), urls, context.autoescape, named)
        keep = all(_plain(value) for value in values.values())
        html = _shared.get(key) if keep else None
        if html is None:
            page = context.template
            assert page is not None  # a node renders within its template
            own = template.Context(values, autoescape=context.autoescape)
            with own.bind_template(page):
                html = mark_safe(self.nodelist.render(own))  # noqa: S308 - rendered with autoescape
            if keep and not page.engine.debug:  # while developing, templates change under us
                if len(_shared) >= SHARED_MAX:
                    _shared.clear()
                _shared[key] = html
        return html


@register.tag
def shared(parser: Parser, token: Token) -> SharedNode:
    """``{% shared name=value ... %}...{% endshared %}``: markup that is the same for many requests.

    Rendered once per process for each language, URL configuration and set of values, then
    reused. Inside, only the values given here exist (no request, user, CSRF token or context
    processors), so nothing else can end up in the copy that other requests get; translations,
    {% url %} and {% static %} work as usual. Pass only values that many requests share (a role, a
    flag, the firm's name): every distinct set is kept.
    """
    bits = token.split_contents()
    values = token_kwargs(bits[1:], parser, support_legacy=False)
    if len(values) != len(bits) - 1:
        raise template.TemplateSyntaxError(f"{bits[0]} takes only name=value pairs")
    nodelist = parser.parse(("endshared",))
    parser.delete_first_token()
    for kind in (BlockNode, CsrfTokenNode):
        if nodelist.get_nodes_by_type(kind):
            raise template.TemplateSyntaxError(
                f"{bits[0]} cannot hold a {kind.__name__}: it differs per page or request"
            )
    return SharedNode(nodelist, values)
