"""Partnerskab: the local partnership, its partners, their agreements, contact log and sign-on fees
(issue 14). Koordinatorer manage; a foreningskontakt reads their own forening's partner record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brobygning import access
from brobygning.decorators import member_required
from brobygning.forms import add_service_errors, save_valid_form
from brobygning.pagination import paginate

from .. import selectors, services
from ..forms import PartnerForm, PartnerkontaktForm, PartnerskabForm, TilslutningForm


@member_required
def partnerskab_list(request):
    """Koordinatorer: the centre's partnerships. A foreningskontakt: their forening's partner records."""
    access.check(request.actor, "partner", "list")
    if access.can(request.actor, "partnerskab", "list"):
        return render(request, "foreninger/partnerskab/partnerskab_list.html",
                      {"page": paginate(request, selectors.partnerskab_list(actor=request.actor))})
    return render(request, "foreninger/partnerskab/partner_list.html",
                  {"page": paginate(request, selectors.partner_list(actor=request.actor))})


@member_required
def partnerskab_create(request):
    access.check(request.actor, "partnerskab", "create")
    form = PartnerskabForm(request.POST or None)
    if response := save_valid_form(request, form, lambda: services.partnerskab_create(
            actor=request.actor, data=form.cleaned_data), _("Partnerskabet er oprettet.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Nyt partnerskab")})


@member_required
def partnerskab_detail(request, pk):
    partnerskab = selectors.partnerskab_get(actor=request.actor, pk=pk)
    partnere = selectors.partner_list(actor=request.actor, partnerskab=partnerskab)
    totaler = partnere.aggregate(bevilget=Sum("tilslutninger__beloeb"),
                                 udbetalt=Sum("tilslutninger__beloeb", filter=Q(tilslutninger__udbetalt__isnull=False)))
    return render(request, "foreninger/partnerskab/partnerskab_detail.html", {
        "partnerskab": partnerskab, "page": paginate(request, partnere),
        "bevilget": services.kr(totaler["bevilget"]), "udbetalt": services.kr(totaler["udbetalt"]),
        "budget": services.kr(partnerskab.budget), "loft": services.kr(partnerskab.tilslutningsloft),
    })


@member_required
def partnerskab_update(request, pk):
    partnerskab = selectors.partnerskab_get(actor=request.actor, pk=pk, action="change")
    form = PartnerskabForm(request.POST or None, instance=partnerskab)
    if response := save_valid_form(request, form, lambda: services.partnerskab_update(
            actor=request.actor, partnerskab=partnerskab, data=form.cleaned_data), _("Partnerskabet er gemt.")):
        return response
    return render(request, "brobygning/form.html",
                  {"form": form, "titel": _("Ret %(navn)s") % {"navn": partnerskab.navn}, "tilbage": partnerskab})


@member_required
def partner_create(request, pk):
    partnerskab = selectors.partnerskab_get(actor=request.actor, pk=pk, action="change")
    access.check(request.actor, "partner", "create")
    form = PartnerForm(request.POST or None, request.FILES or None, foreninger=selectors.forening_list(actor=request.actor))
    if response := save_valid_form(request, form, lambda: services.partner_create(
            actor=request.actor, partnerskab=partnerskab, data=form.cleaned_data), _("Partneren er oprettet.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Ny partner"), "tilbage": partnerskab})


@member_required
def partner_detail(request, pk):
    return partner_side(request, selectors.partner_get(actor=request.actor, pk=pk))


def partner_side(request, partner, kontakt_form=None):
    """The partner's page; with a contact note that did not save, its form keeps the text and errors."""
    kan_rette = access.can(request.actor, "partner", "change", partner)
    tilslutninger = selectors.tilslutning_list(partner=partner)
    return render(request, "foreninger/partnerskab/partner_detail.html", {
        "partner": partner, "kan_rette": kan_rette,
        "tilslutninger": [(t, services.kr(t.beloeb)) for t in tilslutninger[:50]],
        "bevilget": services.kr(partner.bevilget_i_alt), "loft": services.kr(partner.loft),
        "kontakter": paginate(request, selectors.partnerkontakt_list(actor=request.actor, partner=partner)),
        "kontakt_form": (kontakt_form or PartnerkontaktForm()) if kan_rette else None,
    })


@member_required
def partner_update(request, pk):
    partner = selectors.partner_get(actor=request.actor, pk=pk, action="change")
    form = PartnerForm(request.POST or None, request.FILES or None, instance=partner,
                       foreninger=selectors.forening_list(actor=request.actor))
    if response := save_valid_form(request, form, lambda: services.partner_update(
            actor=request.actor, partner=partner, data=form.cleaned_data), _("Partneren er gemt.")):
        return response
    return render(request, "brobygning/form.html",
                  {"form": form, "titel": _("Ret %(navn)s") % {"navn": partner}, "tilbage": partner})


@member_required
def partner_aftale(request, pk):
    """The agreement file, as a download (never shown inline: it is an upload)."""
    partner = selectors.partner_get(actor=request.actor, pk=pk)
    if not partner.aftale_fil:
        raise Http404
    try:
        fil = partner.aftale_fil.open("rb")
    except OSError:
        raise Http404 from None
    ext = partner.aftale_fil.name.rsplit(".", 1)[-1]
    return FileResponse(fil, as_attachment=True, filename=f"aftale-{partner.pk}.{ext}",
                        content_type="application/octet-stream")


@require_POST
@member_required
def partnerkontakt_create(request, pk):
    partner = selectors.partner_get(actor=request.actor, pk=pk, action="change")
    form = PartnerkontaktForm(request.POST)
    if form.is_valid():
        try:
            services.partnerkontakt_create(actor=request.actor, partner=partner, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Kontakten er noteret."))
            return redirect(partner)
    return partner_side(request, partner, kontakt_form=form)


@member_required
def tilslutning_create(request, pk):
    partner = selectors.partner_get(actor=request.actor, pk=pk, action="change")
    form = TilslutningForm(request.POST or None)
    if response := save_valid_form(request, form, lambda: services.tilslutning_create(
            actor=request.actor, partner=partner, data=form.cleaned_data), _("Tilslutningsbeløbet er bevilget.")):
        return response
    return render(request, "brobygning/form.html", {
        "form": form, "tilbage": partner,
        "titel": _("Tilslutningsbeløb til %(navn)s") % {"navn": partner}})


@member_required
def tilslutning_update(request, pk):
    tilslutning = selectors.tilslutning_get(actor=request.actor, pk=pk)
    form = TilslutningForm(request.POST or None, instance=tilslutning)
    if response := save_valid_form(request, form, lambda: services.tilslutning_update(
            actor=request.actor, tilslutning=tilslutning, data=form.cleaned_data), _("Tilslutningsbeløbet er gemt.")):
        return response
    return render(request, "brobygning/form.html", {
        "form": form, "tilbage": tilslutning.partner,
        "titel": _("Tilslutningsbeløb til %(navn)s") % {"navn": tilslutning.partner}})
