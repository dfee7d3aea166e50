"""The koordinator's page of påmindelser: upcoming, sent, failed, missed and cancelled."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import access, adgangslog, paamindelser, selectors, tasks
from ..decorators import member_required
from ..forms import act
from ..models import Paamindelse, PaamindelseStatus
from ..pagination import paginate

S = PaamindelseStatus
# (key in ?vis=, heading, statuses shown, ordering)
TABS = [
    ("kommende", gettext_lazy("Kommende"), [S.AFVENTER, S.SENDER], ["forfalder", "pk"]),
    ("sendt", gettext_lazy("Sendt"), [S.SENDT], ["-sendt", "-pk"]),
    ("fejlet", gettext_lazy("Fejlet"), [S.FEJLET], ["-forfalder", "-pk"]),
    ("forpasset", gettext_lazy("Forpasset"), [S.FORPASSET], ["-forfalder", "-pk"]),
    ("annulleret", gettext_lazy("Annulleret"), [S.ANNULLERET], ["-forfalder", "-pk"]),
]


# A tab's badge counts at most this many rows and then says "999+": a centre's whole history of
# sent rows is no longer counted on every visit (issue 15). The rows themselves are purged after
# PAAMINDELSE_OPBEVARING_DAGE (brobygning.paamindelser.purge_old).
TAELLER_LOFT = 999


# The columns a row of the page reads (the table and `paamindelser.describe`): not the lease, key and
# timestamps the dispatcher keeps, which made each of the 25 rows a wider model instance to build.
VIST = ("pk", "emne_type", "emne_id", "art", "kanal", "forfalder", "sendt", "status", "forsoeg", "sidste_fejl")


def _shown(n: int) -> tuple[int, str]:
    """(the count up to the cap, as shown)."""
    return n, f"{TAELLER_LOFT}+" if n > TAELLER_LOFT else str(n)


def _scoped(actor):
    access.check(actor, "paamindelse", "list")  # 403 for other roles
    return access.scope(actor, "paamindelse", Paamindelse.objects.all())  # the actor's centre only


@member_required
def paamindelse_list(request):
    qs = _scoped(request.actor)
    key = request.GET.get("vis", "kommende")
    tab = next((t for t in TABS if t[0] == key), TABS[0])
    adgangslog.log_search(actor=request.actor, criteria={"liste": "paamindelser", "vis": tab[0]})  # rows name borgere
    # Every tab's badge in one query; up to page 40 the open tab's is also the page's count (same cap).
    counts = dict(zip([k for k, _l, _s, _o in TABS], selectors.capped_counts(
        [qs.filter(status__in=statuses) for _k, _l, statuses, _o in TABS], loft=TAELLER_LOFT), strict=True))
    page = paginate(request, qs.filter(status__in=tab[2]).order_by(*tab[3]).only(*VIST), loft=TAELLER_LOFT,
                    antal=counts[tab[0]])
    rows = paamindelser.describe(page.object_list)
    tabs = [(k, label, *_shown(counts[k])) for k, label, _s, _o in TABS]
    return render(request, "brobygning/paamindelser/paamindelse_list.html", {"tabs": tabs, "aktiv": tab[0], "page": page, "rows": rows})


@require_POST
@member_required
def paamindelse_retry(request, pk):
    paamindelse = access.get_or_deny(request.actor, "paamindelse", "retry", Paamindelse.objects.all(), pk)
    if act(request, lambda: paamindelser.retry(actor=request.actor, paamindelse=paamindelse),
           _("Påmindelsen sendes igen om lidt.")):
        tasks.dispatch_soon()
    return redirect(f"{reverse('brobygning:paamindelse_list')}?vis=fejlet")
