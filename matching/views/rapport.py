"""Rapporter: the koordinator's report page. Every figure is a chart and, next to it, the same
numbers as an accessible table (ARCHITECTURE.md, "Rapporter")."""

import hashlib
from dataclasses import replace

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from borgere.selectors import projekt_valg
from brobygning import access
from brobygning.dbrouter import paa_replika
from brobygning.decorators import member_required

from .. import rapporter, tasks
from ..rapport_kriterier import rapport_kriterier
from ..rapport_tabel import Tabel
from ..rapporter import ENSOMHED_NATIONALT, RAPPORT_CACHE_SEKUNDER

# How each table is drawn: a bar per row (the label column, the value columns), or, for the
# one-row outcome tables, a bar per chosen column. The chart reads the same Tabel as the table.
PR_RAEKKE = {
    "tragt": (0, [1]),
    "tid_til_foerste_moede": (0, [2, 3, 4]),
    "matches_efter_fase": (0, [1]),
    "matches_efter_kategori": (0, [1]),
    "matches_efter_forening": (0, [1]),
    "henvisningskilder": (0, [1, 3]),
    "brobygger_aktivitet": (0, [3]),
    "udeblivelser": (0, [1]),
    "afsluttede_matches": (0, [2, 3]),
}
PR_KOLONNE = {"udfald_who5": [5, 6], "udfald_ucla3": [10, 11]}
VANDRET = {"tragt", "matches_efter_forening", "brobygger_aktivitet", "henvisningskilder"}


def graf(tabel: Tabel) -> dict:
    """The chart's data, from the table alone: labels and one dataset per value column."""
    if tabel.noegle in PR_KOLONNE:
        kolonner = PR_KOLONNE[tabel.noegle]
        raekke = tabel.raekker[0] if tabel.raekker else [None] * len(tabel.kolonner)
        labels = [tabel.kolonner[i] for i in kolonner]
        data = [raekke[i] for i in kolonner]
        if tabel.noegle == "udfald_ucla3":
            for tal in ENSOMHED_NATIONALT.tal:
                if tal.procent is not None:
                    labels.append(_("Voksne på landsplan %(aar)s (%%)") % {"aar": tal.aar})
                    data.append(tal.procent)
        return {"type": "bar", "vandret": False, "labels": labels,
                "datasets": [{"label": tabel.titel, "data": data}]}
    label, kolonner = PR_RAEKKE.get(tabel.noegle, (0, [1]))
    return {"type": "bar", "vandret": tabel.noegle in VANDRET,
            "labels": [str(r[label]) for r in tabel.raekker],
            "datasets": [{"label": tabel.kolonner[i], "data": [r[i] for r in tabel.raekker]} for i in kolonner]}


def figurer_html(request, beregning) -> str:
    """The figures (charts and tables) of a computed report as HTML, rendered once and kept in the
    cache next to the computation: rendering twelve figures' tables was most of a cached report's
    time (PERFORMANCE.md, "Påmindelser and the cached report page"). Keyed by the computation (its
    cache key, which names the centre, criteria and language, and when it was computed) and by the
    query string the export links repeat (without `beregn`), so each new computation (after "Beregn
    igen", or any write through the services) renders anew."""
    query = sorted((k, v) for k, v in request.GET.lists() if k != "beregn")
    noegle = "rapport-html:" + hashlib.sha256(repr((beregning.noegle, beregning.beregnet.isoformat(), query))
                                              .encode()).hexdigest()
    if beregning.noegle and (html := cache.get(noegle)) is not None:
        return mark_safe(html)  # noqa: S308 - rendered by the template below, escaped there
    html = render_to_string("matching/rapport/_figurer.html", {"figurer": [
        {"tabel": t, "graf": graf(t), "graf_id": f"graf-data-{t.noegle}"} for t in beregning.tabeller]}, request=request)
    if beregning.noegle:
        cache.set(noegle, html, RAPPORT_CACHE_SEKUNDER)
    return html


def _kriterier(request):
    return rapport_kriterier(request.GET, projekter=projekt_valg(actor=request.actor))  # one query


def _status(request, kriterier):
    """What is stored for the criteria (one query: the newest forløb change; one cache read)."""
    with paa_replika():  # aggregates only; a few seconds of replication lag do not change the figures
        return rapporter.rapport_status(center_ids=[request.actor.center_id], periode=kriterier.periode,
                                        projekt_id=kriterier.projekt_id)


def _uden_beregn(request) -> str:
    query = request.GET.copy()
    query.pop("beregn", None)
    return reverse("matching:rapport") + (f"?{query.urlencode()}" if query else "")


@member_required
def rapport(request):
    """The last computed figures with their time. The page never computes a report itself: when there
    is no current computation, or on "Beregn igen" (`?beregn=igen`), it queues one for a worker and
    shows "Rapporten beregnes …", which asks `rapport_status` until the new figures are ready
    (PERFORMANCE.md, "Reports computed by a worker")."""
    access.check(request.actor, "rapport", "view")
    form, kriterier = _kriterier(request)
    status = _status(request, kriterier)
    if (request.GET.get("beregn") == "igen" or not status.aktuel) and rapporter.bestil_beregning(status):
        tasks.beregn_rapport.delay(center_id=request.actor.center_id, fra=kriterier.periode.fra.isoformat(),
                                   til=kriterier.periode.til.isoformat(), projekt_id=kriterier.projekt_id,
                                   sprog=get_language())
        if settings.CELERY_TASK_ALWAYS_EAGER:  # computed already (tests; development without a worker)
            status = _status(request, kriterier)
        else:
            status = replace(status, beregnes=True)
    beregning = status.gemt
    return render(request, "matching/rapport/rapport.html", {
        "form": form,
        "kriterier": kriterier,
        "beregnet": beregning.beregnet if beregning else None,
        "beregnet_i_dag": beregning is not None and timezone.localdate(beregning.beregnet) == timezone.localdate(),
        "beregnes": status.beregnes,
        "cache_minutter": rapporter.RAPPORT_CACHE_SEKUNDER // 60,
        "figurer_html": figurer_html(request, beregning) if beregning else "",
    })


@member_required
def rapport_status(request):
    """Asked by the "Rapporten beregnes …" state every few seconds (htmx): 204 while the computation
    is under way, then to the page (without `beregn`, so it does not queue again) to show the figures."""
    access.check(request.actor, "rapport", "view")
    status = _status(request, _kriterier(request)[1])
    if status.beregnes:
        return HttpResponse(status=204)
    url = _uden_beregn(request)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
