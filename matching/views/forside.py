"""The front page (forside): each role's overview."""

from django.shortcuts import redirect, render
from django.template.defaultfilters import capfirst
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from brobygning import access
from brobygning.links import pk_urls
from brobygning.markup import escape
from brobygning.templatetags.brobygning_tags import naturlig_dato

from ..forside import for_actor

# The lists of meetings each overview shows, whose rows `_moeder` writes (ARCHITECTURE.md, "Rows
# written in Python"): the template shows `moede_raekker.<list>`.
_MOEDELISTER = {"matching/forside/home_koordinator.html": ("ledsagelser",),
                "matching/forside/home_brobygger.html": ("ledsagelser", "uden_udfald", "kom_ikke")}


def forside(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    if request.actor.medlemskab is None:
        if access.is_netvaerk(request.actor):  # the network role has no centre: its page is the network view
            return redirect("matching:netvaerk")
        return render(request, "matching/forside/no_center.html", status=403)
    template, data = for_actor(actor=request.actor)
    data["moede_raekker"] = {navn: _moeder(data[navn].rows) for navn in _MOEDELISTER.get(template, ())}
    return render(request, template, data)


_MOEDE = ('\n<li class="list-group-item d-flex justify-content-between align-items-center gap-2">\n'
          '  <span><strong>{tid}</strong><br>{fornavn} → {titel}<br><small>{sted}</small></span>\n'
          '  <a class="btn btn-sm btn-outline-primary" href="{url}">{aabn}</a>\n</li>\n')


def _moeder(rows) -> str:
    """A list of meetings (ledsagelser, with their match's borger and fællesskab) as HTML, every value
    escaped, written here, not by a template included per row: with `|naturlig_dato|capfirst`, a link
    and a translation, each row took ~45 µs of the template engine's work, ~0.9 ms for the
    koordinator's 20 meetings of the week (issue 15). The links are made once for the list (`pk_urls`)."""
    aabn = escape(gettext("Åbn"))
    return mark_safe("".join(  # noqa: S308 -- every value escaped
        _MOEDE.format(tid=escape(capfirst(naturlig_dato(m.tidspunkt))), fornavn=escape(m.match.borger.fornavn),
                      titel=escape(m.match.faellesskab.titel), sted=escape(m.moedested), url=escape(url), aabn=aabn)
        for m, url in zip(rows, pk_urls("matching:match_detail", [m.match_id for m in rows]), strict=True)))
