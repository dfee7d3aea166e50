"""The koordinator's page of påmindelser: upcoming, sent, failed, missed and cancelled."""

from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import access, adgangslog, paamindelser, selectors, tasks
from ..decorators import member_required
from ..forms import act
from ..links import pk_urls
from ..markup import escape
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
    return render(request, "brobygning/paamindelser/paamindelse_list.html", {
        "tabs": tabs, "aktiv": tab[0], "page": page, "rows": rows, "raekker": _raekker(request, rows, tab[0])})


# A row of the table as the template wrote it (with its loop's whitespace); the columns a tab lacks are "".
_RAEKKE = ('\n    <tr>\n      <td>{tid}\n        {sender}</td>\n'
           '      <td><span class="d-sm-none text-body-secondary">{til}: </span>{modtager}</td>\n'
           '      <td>{art}</td>\n'
           '      <td><span class="d-sm-none text-body-secondary">{kanal_ord}: </span>{kanal}</td>\n'
           '      <td>{emne}</td>\n      {forsoeg}\n      {fejl}\n      {handling}\n    </tr>\n  ')
_HANDLING = ('\n      <td>\n        <form method="post" action="{url}">{csrf}\n'
             '          <button type="submit" class="btn btn-sm btn-outline-primary">{proev_igen}</button>\n'
             '        </form>\n      </td>\n      ')


def _raekker(request, rows, aktiv: str) -> str:
    """The table's rows as HTML, every value escaped, written here, not by the template's loop: per
    row, the template engine's own work on its dozen variables and tags (context lookups, escaping
    through lazy wrappers) cost more than the values (issue 15: a full page of sent rows against
    the demo's empty tab). The fixed words translated once; the retry links reversed once."""
    til, kanal_ord, forsoeg_ord = escape(_("Til")), escape(_("Kanal")), escape(_("Forsøg"))
    sendes_nu = escape(_("sendes nu"))  # makemessages skips f-strings
    sender = f'<span class="badge text-bg-info">{sendes_nu}</span>'
    med_fejl = aktiv in ("fejlet", "annulleret", "kommende")
    handlinger = [""] * len(rows)
    if aktiv == "fejlet":
        csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
        proev_igen = escape(_("Prøv igen"))
        handlinger = [_HANDLING.format(url=escape(url), csrf=csrf, proev_igen=proev_igen)
                      for url in pk_urls("brobygning:paamindelse_retry", [d.row.pk for d in rows])]
    ud = []
    for d, handling in zip(rows, handlinger, strict=True):
        row = d.row
        emne = escape(d.emne)
        ud.append(_RAEKKE.format(
            tid=escape(d.tid), sender=sender if row.status == S.SENDER else "", til=til, modtager=escape(d.modtager),
            art=escape(d.art), kanal_ord=kanal_ord, kanal=escape(d.kanal),
            emne=f'<a href="{escape(d.url)}">{emne}</a>' if d.url else emne,
            forsoeg="" if aktiv == "sendt" else
            f'<td><span class="d-sm-none text-body-secondary">{forsoeg_ord}: </span>{escape(row.forsoeg)}</td>',
            fejl=f'<td class="text-break small">{escape(row.sidste_fejl) if row.sidste_fejl else "–"}</td>'
            if med_fejl else "",
            handling=handling))
    return mark_safe("".join(ud))  # noqa: S308 -- every value escaped above


@require_POST
@member_required
def paamindelse_retry(request, pk):
    paamindelse = access.get_or_deny(request.actor, "paamindelse", "retry", Paamindelse.objects.all(), pk)
    if act(request, lambda: paamindelser.retry(actor=request.actor, paamindelse=paamindelse),
           _("Påmindelsen sendes igen om lidt.")):
        tasks.dispatch_soon()
    return redirect(f"{reverse('brobygning:paamindelse_list')}?vis=fejlet")
