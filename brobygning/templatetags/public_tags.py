from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation

register = template.Library()


@register.simple_tag
def purl(name, *args, **query):
    """A public page's URL that keeps the page language (`sprog`), which public pages take from the URL."""
    lang = translation.get_language()
    if lang and lang != settings.LANGUAGE_CODE:
        query["sprog"] = lang
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


@register.simple_tag(takes_context=True)
def language_url(context, code):
    """The current public page in another language; Danish is the plain URL."""
    query = context["request"].GET.copy()
    query.pop("sprog", None)
    if code != settings.LANGUAGE_CODE:
        query["sprog"] = code
    return f"{context['request'].path}?{query.urlencode()}" if query else context["request"].path
