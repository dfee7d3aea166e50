from django import template

from brobygning.selectors import center_choices

register = template.Library()


@register.simple_tag
def centers_for(user):
    return list(center_choices(user=user))
