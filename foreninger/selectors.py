"""Reads for foreninger and fællesskaber, always scoped to the acting user."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404

from brobygning import access
from brobygning.models import Frivilligcenter

from .models import Faellesskab, Forening, ImportJob, Partner, Partnerkontakt, Partnerskab, Tilslutningsbeloeb


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


# --- Partnerskab (issue 14) ------------------------------------------------------------------------


def partnerskab_list(*, actor):
    return access.scope(actor, "partnerskab", Partnerskab.objects.annotate(antal_partnere=Count("partnere"))
                        .order_by("navn", "pk"))


def partnerskab_get(*, actor, pk, action="view"):
    return access.get_or_deny(actor, "partnerskab", action, Partnerskab.objects.all(), pk)


def partner_list(*, actor, partnerskab=None):
    """Partners, for a foreningskontakt only their own forening's records."""
    qs = Partner.objects.select_related("forening", "partnerskab").order_by("partnerskab__navn", "forening__navn",
                                                                              "navn", "pk")
    if partnerskab is not None:
        qs = qs.filter(partnerskab=partnerskab)
    return access.scope(actor, "partner", qs)


def partner_get(*, actor, pk, action="view"):
    return access.get_or_deny(actor, "partner", action, Partner.objects.select_related("forening", "partnerskab"), pk)


def partnerkontakt_list(*, actor, partner):
    """The contact log is the centre's own: koordinatorer only."""
    if not access.can(actor, "partner", "change", partner):
        return Partnerkontakt.objects.none()
    return partner.kontakter.select_related("registreret_af")


def tilslutning_list(*, partner):
    """A partner's fees; the caller has loaded the partner through `partner_get`."""
    return partner.tilslutninger.all()


def tilslutning_get(*, actor, pk):
    if actor.medlemskab is None:
        raise PermissionDenied
    tilslutning = get_object_or_404(Tilslutningsbeloeb.objects.select_related("partner"), pk=pk,
                                    center_id=actor.center_id)
    access.check(actor, "partner", "change", tilslutning.partner)
    return tilslutning
