"""Reads for foreninger and fællesskaber, always scoped to the acting user."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from brobygning import access
from brobygning.models import Frivilligcenter

from .models import Faellesskab, Forening, ImportJob


def forening_list(*, actor):
    return access.scope(actor, "forening", Forening.objects.active().select_related("postnummer"))


def forening_get(*, actor, pk, action="view"):
    return access.get_or_deny(actor, "forening", action, Forening.objects.active(), pk)


def faellesskab_list(*, actor):
    qs = Faellesskab.objects.active().select_related("forening", "postnummer", "kategori")
    return access.scope(actor, "faellesskab", qs)


def faellesskab_get(*, actor, pk, action="view"):
    qs = Faellesskab.objects.active().select_related("forening", "postnummer", "kategori")
    return access.get_or_deny(actor, "faellesskab", action, qs, pk)



# --- The public directory: no login, one centre, only what access.scope_public allows ---------------


def public_center_get(*, slug):
    return get_object_or_404(Frivilligcenter, slug=slug)


def public_faellesskab_list(*, center):
    qs = (Faellesskab.objects.select_related("forening", "postnummer", "kategori")
          .prefetch_related("tilgaengelighed", "moedetider"))
    return access.scope_public("faellesskab", qs, center)


def public_faellesskab_get(*, center, pk):
    qs = (Faellesskab.objects.select_related("forening", "postnummer", "kategori")
          .prefetch_related("tilgaengelighed", "maalgrupper", "moedetider"))
    try:
        return access.scope_public("faellesskab", qs, center).get(pk=pk)
    except (Faellesskab.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def import_job_list(*, actor):
    return access.scope(actor, "import", ImportJob.objects.defer("indhold").select_related("oprettet_af"))


def import_job_get(*, actor, pk, action="view"):
    return access.get_or_deny(actor, "import", action, ImportJob.objects.defer("indhold"), pk)
