"""The welcome score per fællesskab (issue 13): the forening's own ("Jeres velkomst") and the
koordinator's list of foreninger that would benefit from an inclusion course."""

from django.shortcuts import render

from brobygning.decorators import member_required
from brobygning.pagination import paginate

from .. import velkomst as v


@member_required
def velkomst(request):
    return render(request, "matching/velkomst/velkomst.html", {
        "page": paginate(request, v.velkomst_list(actor=request.actor)),
        "min_n": v.MIN_N, "prior_vaegt": v.PRIOR_VAEGT, "standard": round(100 * v.STANDARD_ANDEL),
    })


@member_required
def velkomst_kursus(request):
    return render(request, "matching/velkomst/velkomst_kursus.html", {
        "page": paginate(request, v.velkomst_kursus(actor=request.actor)),
        "min_n": v.KURSUS_MIN_N, "under": round(100 * v.KURSUS_UNDER),
    })
