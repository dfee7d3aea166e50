"""Reads for borgere, always scoped to the acting user."""

from brobygning import access

from .models import Borger


def borger_list(*, actor):
    return access.scope(actor, "borger", Borger.objects.active().select_related("postnummer", "brobygger"))


def borger_get(*, actor, pk, action="view"):
    qs = Borger.objects.active().select_related("postnummer", "brobygger", "henvisningskilde")
    return access.get_or_deny(actor, "borger", action, qs, pk)
