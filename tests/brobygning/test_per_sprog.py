"""`{% per_sprog %}` (brobygning_tags): the page frame's fixed text rendered once per language, the
same HTML as rendering it every time; and the blocks in base.html and nav.html hold nothing that
depends on the user, the request or the page."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, engines
from django.template.base import TextNode, VariableNode
from django.template.defaulttags import CsrfTokenNode, ForNode, IfNode
from django.templatetags.i18n import GetAvailableLanguagesNode, TranslateNode
from django.templatetags.static import StaticNode
from django.test import RequestFactory
from django.utils import translation

from brobygning.templatetags.brobygning_tags import _PerSprogNode

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_rendered_once_per_language_and_as_without_the_tag(settings):
    settings.DEBUG = False
    kilde = '{% load i18n static brobygning_tags %}{% per_sprog %}<a href="{% menu_url "brobygning:profil" %}">' \
            '{% translate "Log ud" %}</a> <img src="{% static "favicon.svg" %}">{% endper_sprog %}'
    uden = re.sub(r"\{% (end)?per_sprog %\}", "", kilde)
    template = Template(kilde)
    node = next(n for n in template.nodelist if isinstance(n, _PerSprogNode))
    for sprog in ("da", "en", "da"):
        with translation.override(sprog):
            assert template.render(Context()) == Template(uden).render(Context())
    assert len(node._html) == 2 and {key[0] for key in node._html} == {"da", "en"}
    with translation.override("en"):
        assert "Log out" in template.render(Context())


def test_with_debug_on_it_renders_every_time(settings):
    settings.DEBUG = True
    template = Template("{% load brobygning_tags %}{% per_sprog %}{{ x }}{% endper_sprog %}")
    assert template.render(Context({"x": 1})) == "1" and template.render(Context({"x": 2})) == "2"


_FAST = {"LANGUAGE_CODE", "code", "name", "LANGUAGES"}  # the language and the list of languages


def _constant(expression) -> bool:
    """A literal ("…"), not a variable."""
    return isinstance(expression.var, str) or getattr(expression.var, "literal", None) is not None


def _check(nodelist, where):
    for node in nodelist:
        assert not isinstance(node, CsrfTokenNode), f"{where}: a CSRF token in per_sprog"
        assert not isinstance(node, _PerSprogNode), f"{where}: per_sprog inside per_sprog"
        if isinstance(node, TextNode | StaticNode | GetAvailableLanguagesNode):
            continue
        if isinstance(node, TranslateNode):
            assert _constant(node.filter_expression), f"{where}: translate of a variable"
        elif isinstance(node, VariableNode):
            assert str(node.filter_expression.var).split(".")[0] in _FAST, f"{where}: {node.filter_expression}"
        elif isinstance(node, ForNode):
            assert str(node.sequence.var) in _FAST, where
        elif isinstance(node, IfNode):
            for condition, _nodes in node.conditions_nodelists:
                assert condition is None or set(re.findall(r"\w+", str(condition.__dict__))) & _FAST, where
        else:  # a simple tag: only {% menu_url "…" %} with a literal name
            assert getattr(node, "func", None).__name__ == "menu_url", f"{where}: {type(node).__name__}"
            assert all(_constant(arg) for arg in node.args), where
        for child in getattr(node, "child_nodelists", ()):
            _check(getattr(node, child, None) or [], where)
        if isinstance(node, IfNode):
            for _condition, nodes in node.conditions_nodelists:
                _check(nodes, where)


@pytest.mark.parametrize("name", ["base.html", "partials/nav.html"])
def test_the_frames_blocks_depend_on_the_language_only(name):
    template = engines["django"].engine.get_template(name)
    blocks = list(template.nodelist.get_nodes_by_type(_PerSprogNode))
    assert blocks
    for block in blocks:
        _check(block.nodelist, name)


@pytest.mark.django_db
def test_a_page_is_what_the_frame_without_the_tag_gives(koordinator_a, settings):
    """base.html and nav.html, with and without their per_sprog tags, for a koordinator, in Danish and English."""
    from brobygning.access import actor_for

    settings.DEBUG = False
    engine = engines["django"].engine
    request = RequestFactory().get("/rapporter/?x=1")
    request.user, request.session = koordinator_a, {}
    request.actor = actor_for(koordinator_a)
    request.resolver_match = None
    side = '{% extends "base.html" %}{% block content %}indhold{% endblock %}'
    uden = {name: re.sub(r"\{% (end)?per_sprog %\}", "", (TEMPLATES / name).read_text())
            for name in ("base.html", "partials/nav.html")}
    for sprog in ("da", "en", "da"):
        with translation.override(sprog):
            med = engines["django"].from_string(side).render({}, request)
            base = engine.from_string(uden["base.html"].replace('{% include "partials/nav.html" %}', uden["partials/nav.html"]))
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', med).group(1)
            uden_html = engine.from_string(side.replace('{% extends "base.html" %}', "{% extends base %}")).render(
                Context({"base": base, "request": request, "user": koordinator_a, "actor": request.actor,
                         "csrf_token": token, "messages": []}))
            assert med == uden_html and ("Log out" if sprog == "en" else "Log ud") in med, sprog
