"""The koordinator's task lists in full (issue 13): the overview shows the first few of each and
links here. Paginated; the lists of borgere are logged as searches."""

from django.shortcuts import render

from brobygning import access, adgangslog
from brobygning.decorators import member_required
from brobygning.pagination import paginate

from .. import selectors
from ..forside import stale_faellesskaber


def _koordinator(request, liste: str | None):
    access.check(request.actor, "match", "board")  # the centre's koordinatorer
    if liste:
        adgangslog.log_search(actor=request.actor, criteria={"liste": liste})


@member_required
def opgaver_moeder(request):
    _koordinator(request, "opgaver_moeder")
    return render(request, "matching/opgaver/opgaver_moeder.html",
                  {"page": paginate(request, selectors.moeder_uden_udfald(actor=request.actor))})


@member_required
def opgaver_opfoelgninger(request):
    _koordinator(request, "opgaver_opfoelgninger")
    return render(request, "matching/opgaver/opgaver_opfoelgninger.html",
                  {"page": paginate(request, selectors.due_opfoelgninger(actor=request.actor, within_days=0))})


@member_required
def opgaver_faellesskaber(request):
    _koordinator(request, None)  # fællesskaber only: no borger on this page
    return render(request, "matching/opgaver/opgaver_faellesskaber.html",
                  {"page": paginate(request, stale_faellesskaber(actor=request.actor)),
                   "interval_uger": request.actor.center.bekraeft_interval_uger})
