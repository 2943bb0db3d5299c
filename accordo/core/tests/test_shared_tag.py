"""{% shared %}: a fragment rendered once per language, URLs and values, that sees nothing else."""

import pytest
from django.template import Context, TemplateSyntaxError, engines
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe

from accordo.clients.models import Firm
from accordo.core.templatetags import accordo as tags


def _render(source: str, context: dict | None = None, request=None) -> str:
    return engines["django"].from_string("{% load i18n accordo %}" + source).render(context or {}, request)


@pytest.fixture(autouse=True)
def _fresh():
    tags._shared.clear()
    yield
    tags._shared.clear()


def test_it_renders_the_block_with_only_its_own_values(db):
    source = "{% shared name=firm %}[{{ name }}|{{ secret }}|{{ user }}]{% endshared %}"
    request = RequestFactory().get("/")
    assert _render(source, {"firm": "Acme", "secret": "s3cret"}, request) == "[Acme||]"


def test_it_renders_once_per_set_of_values(db, monkeypatch):
    template = engines["django"].from_string("{% load accordo %}{% shared n=n %}{{ n }}{% endshared %}")
    renders = []
    original = tags.template.NodeList.render
    monkeypatch.setattr(tags.template.NodeList, "render", lambda self, c: renders.append(1) or original(self, c))
    assert [template.render({"n": n}) for n in (1, 1, 2, 1, 2)] == ["1", "1", "2", "1", "2"]
    assert len(renders) == 5 + 2  # the template's own nodes each time, the shared block once per value


def test_it_keeps_a_copy_per_language(db):
    source = '{% shared %}{% translate "Clients" %} <a href="{% url "profile" %}">{% endshared %}'
    with translation.override("en"):
        assert _render(source) == 'Clients <a href="/profile/">'
    with translation.override("nl"):
        assert _render(source) == 'Relaties <a href="/profile/">'
    with translation.override("en"):
        assert _render(source) == 'Clients <a href="/profile/">'


def test_it_escapes_values(db):
    assert _render("{% shared v=v %}{{ v }}{% endshared %}", {"v": "<b>"}) == "&lt;b&gt;"


def test_it_renders_values_that_are_not_plain_every_time(db):
    firm = Firm(name="Eerste")
    source = "{% shared v=v %}{{ v|length }} {{ v.name }}{% endshared %}"
    assert _render(source, {"v": [1, 2]}) == "2 "
    assert _render(source, {"v": firm}) == "0 Eerste"
    firm.name = "Tweede"  # the same key (a model is its primary key) but other content
    assert _render(source, {"v": firm}) == "0 Tweede"
    assert not tags._shared


def test_it_tells_safe_text_from_plain_text(db):
    source = "{% shared v=v %}{{ v }}{% endshared %}"
    assert _render(source, {"v": mark_safe("<b>")}) == "<b>"
    assert _render(source, {"v": "<b>"}) == "&lt;b&gt;"
    assert _render(source, {"v": ("<b>",)}) == "(&#x27;&lt;b&gt;&#x27;,)"
    assert _render(source, {"v": (mark_safe("<b>"),)}) == "(&#x27;&lt;b&gt;&#x27;,)"


@pytest.mark.parametrize(
    "source",
    [
        "{% shared %}{% csrf_token %}{% endshared %}",
        "{% shared %}{% block b %}{% endblock %}{% endshared %}",
        "{% shared x %}{% endshared %}",
        "{% shared %}",
    ],
)
def test_it_refuses_what_differs_per_request_and_bad_arguments(source):
    with pytest.raises(TemplateSyntaxError):
        _render(source)


def test_it_forgets_everything_when_settings_change(db, settings):
    _render("{% shared %}x{% endshared %}")
    assert tags._shared
    settings.LANGUAGES = [("nl", "Dutch")]
    assert not tags._shared


def test_it_does_not_keep_copies_while_developing(db):
    engine = engines["django"].engine
    engine.debug, debug = True, engine.debug
    try:
        template = engine.from_string("{% load accordo %}{% shared %}x{% endshared %}")
        assert template.render(Context()) == "x"
        assert not tags._shared
    finally:
        engine.debug = debug
