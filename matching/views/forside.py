"""The front page (forside): each role's overview."""

from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.defaultfilters import capfirst
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from brobygning import access
from brobygning.links import pk_urls
from brobygning.markup import escape
from brobygning.templatetags.brobygning_tags import kort_dato, naturlig_dato

from ..forside import for_actor
from ..models import OpfoelgningType

KOORDINATOR, BROBYGGER = "matching/forside/home_koordinator.html", "matching/forside/home_brobygger.html"


def forside(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    if request.actor.medlemskab is None:
        if access.is_netvaerk(request.actor):  # the network role has no centre: its page is the network view
            return redirect("matching:netvaerk")
        return render(request, "matching/forside/no_center.html", status=403)
    template, data = for_actor(actor=request.actor)
    data["raekker"] = _raekker(template, data, request)
    return render(request, template, data)


def _raekker(template: str, data: dict, request) -> dict:
    """The lists whose rows are written here (ARCHITECTURE.md, "Rows written in Python"), by name: the
    template shows `raekker.<name>`."""
    if template == KOORDINATOR:
        return {"ledsagelser": _moeder(data["ledsagelser"].rows), "forfaldne": _forfaldne(data["forfaldne"].rows),
                "foraeldede": _faellesskaber(data["foraeldede"].rows, request),
                "uden_brobygger": _uden_brobygger(data["uden_brobygger"]), **_stille(data)}
    if template == BROBYGGER:
        return {**{navn: _moeder(data[navn].rows) for navn in ("ledsagelser", "uden_udfald", "kom_ikke")},
                "opfoelgninger": _opfoelgninger(data["opfoelgninger"].rows), "borgere": _borgere(data["borgere"]),
                **_stille(data)}
    return {}


_STILLE = ('\n    <li class="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2">\n'
           '      <span>{tekst}</span>\n'
           '      <a class="btn btn-sm btn-primary" href="{url}">{knap}</a>\n    </li>\n    ')


def _stille(data: dict) -> dict:
    """The silence alarm's rows (`matching/forside/_stille.html`, both front pages) as HTML: each row's
    sentence (`stille_tekst`, `forside._stille_tekster`) and the link to the action that clears it, every
    value escaped; what the template's loops wrote, the same msgids (~25 µs a row of the template
    engine's work, 20 rows on Min dag at national size, issue 15)."""
    moeder, opfoelgninger = data["stille_moeder"].rows, data["stille_opfoelgninger"].rows
    udfald, opfoelgning = escape(gettext("Registrér udfaldet")), escape(gettext("Registrér opfølgningen"))
    return {
        "stille_moeder": mark_safe("".join(  # noqa: S308 -- every value escaped
            _STILLE.format(tekst=escape(m.stille_tekst), url=escape(url) + "#moede-h", knap=udfald)
            for m, url in zip(moeder, pk_urls("matching:match_detail", [m.match_id for m in moeder]), strict=True))),
        "stille_opfoelgninger": mark_safe("".join(  # noqa: S308 -- every value escaped
            _STILLE.format(tekst=escape(o.stille_tekst), url=escape(url), knap=opfoelgning)
            for o, url in zip(opfoelgninger, pk_urls("matching:opfoelgning_record", [o.pk for o in opfoelgninger]),
                              strict=True))),
    }


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


_OPFOELGNING = ('\n        <li class="list-group-item d-flex justify-content-between align-items-center gap-2">\n'
                '          <span>{fornavn} · {type}<br><small class="{klasse}">{dato}{forfalden}</small>{aabner}</span>\n'
                '          {knap}\n        </li>\n      ')


def _opfoelgninger(rows) -> str:
    """Min dag's follow-ups (with `aaben` and `aabner`, `selectors.med_aabner`) as HTML, every value escaped:
    what the template's loop wrote with `matching/opfoelgning/_aabner.html` (its sentences, the same
    msgids), ~37 µs a row of the template engine's work, 20 rows at national size (issue 15)."""
    i_dag = timezone.localdate()
    forfalden = " – " + escape(gettext("forfalden"))
    knap = '<a class="btn btn-sm btn-primary" href="{}">' + escape(gettext("Registrér")) + "</a>"
    efter_moedet, fra = gettext("Kan registreres, når mødet er slut: fra %(dag)s kl. %(tid)s"), gettext("Kan registreres fra %(dag)s")
    ud = []
    for o, url in zip(rows, pk_urls("matching:opfoelgning_record", [o.pk for o in rows]), strict=True):
        er_forfalden = o.udfoert is None and o.forfalder <= i_dag  # `Opfoelgning.forfalden`
        aabner = ""
        if not o.aaben:
            tid = template_localtime(o.aabner)
            tekst = (efter_moedet % {"dag": escape(date_filter(tid, "l j. F")), "tid": escape(date_filter(tid, "H.i"))}
                     if o.type == OpfoelgningType.DAGEN_EFTER else fra % {"dag": escape(date_filter(tid, "l j. F"))})
            aabner = f"<br><small>{tekst}\n</small>"
        ud.append(_OPFOELGNING.format(
            fornavn=escape(o.match.borger.fornavn), type=escape(o.get_type_display()),
            klasse="text-danger-emphasis fw-semibold" if er_forfalden else "", dato=escape(kort_dato(o.forfalder)),
            forfalden=forfalden if er_forfalden else "", aabner=aabner, knap=knap.format(escape(url)) if o.aaben else ""))
    return mark_safe("".join(ud))  # noqa: S308 -- every value escaped


_BORGER = ('\n        <li class="list-group-item d-flex justify-content-between align-items-center gap-2">\n'
           '          <a href="{url}">{fornavn} {efternavn}</a>\n'
           '          <a class="btn btn-sm btn-outline-primary" href="{samtale}">{log_samtale}</a>\n        </li>\n      ')


def _borgere(rows) -> str:
    """Min dag's "Mine borgere" as HTML, every value escaped (20 rows at national size)."""
    log_samtale = escape(gettext("Log samtale"))
    return mark_safe("".join(  # noqa: S308 -- every value escaped
        _BORGER.format(url=escape(url), fornavn=escape(b.fornavn), efternavn=escape(b.efternavn),
                       samtale=escape(samtale), log_samtale=log_samtale)
        for b, url, samtale in zip(rows, pk_urls("borgere:borger_detail", [b.pk for b in rows]),
                                   pk_urls("borgere:samtale_create", [b.pk for b in rows]), strict=True)))


_FAELLESSKAB = ('<li class="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2">\n'
                '  <span><a href="{url}">{titel}</a> · {forening} <small>{sidst}: {dato}{spurgt}</small></span>\n'
                '  \n<form method="post" action="{spoerg_url}" class="d-inline">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">\n'
                '  <input type="hidden" name="next" value="{next}">\n'
                '  <button class="btn btn-sm btn-outline-primary" type="submit">{spoerg}'
                '<span class="visually-hidden"> ({forening})</span></button>\n</form>\n\n</li>\n')


def _faellesskaber(rows, request) -> str:
    """The overview's stale fællesskaber (with their forening) as HTML, every value escaped: what
    `matching/forside/_faellesskab_opgave.html` and its "Spørg foreningen" form (`_spoerg.html`, the same
    msgids) write, which the task page still includes per row; on the overview the two includes per row took
    ~1 ms of the template engine's work for its 8 rows (issue 15)."""
    sidst, aldrig, spoerg = escape(gettext("sidst bekræftet")), escape(gettext("aldrig")), escape(gettext("Spørg foreningen"))
    spurgt, csrf, next_ = gettext("spurgt %(d)s"), escape(get_token(request)), escape(request.get_full_path())
    return mark_safe("".join(  # noqa: S308 -- every value escaped
        _FAELLESSKAB.format(
            url=escape(url), titel=escape(f.titel), forening=escape(f.forening.navn), sidst=sidst,
            dato=escape(kort_dato(f.sidst_bekraeftet)) or aldrig,
            spurgt=" · " + spurgt % {"d": escape(date_filter(template_localtime(f.forening.bekraeft_sendt), "SHORT_DATE_FORMAT"))}
            if f.forening.bekraeft_sendt else "", spoerg_url=escape(spoerg_url), csrf=csrf, next=next_, spoerg=spoerg)
        for f, url, spoerg_url in zip(rows, pk_urls("foreninger:faellesskab_detail", [f.pk for f in rows]),
                                      pk_urls("foreninger:bekraeft_spoerg", [f.forening_id for f in rows]), strict=True)))


def _forfaldne(rows) -> str:
    """The overview's overdue follow-ups (with their match's borger) as HTML, every value escaped."""
    return mark_safe("".join(  # noqa: S308 -- every value escaped
        f'<li class="list-group-item"><a href="{escape(url)}">{escape(o.match.borger.fornavn)} · '
        f'{escape(o.get_type_display())}</a> <small>{escape(kort_dato(o.forfalder))}</small></li>'
        for o, url in zip(rows, pk_urls("matching:match_detail", [o.match_id for o in rows]), strict=True)))


def _uden_brobygger(rows) -> str:
    """The overview's borgere without a brobygger (with their postal code) as HTML, every value escaped."""
    return mark_safe("".join(  # noqa: S308 -- every value escaped
        f'<li class="list-group-item"><a href="{escape(url)}">{escape(b.fornavn)} {escape(b.efternavn)}</a> '
        f'<small>{escape(b.postnummer)}</small></li>'
        for b, url in zip(rows, pk_urls("borgere:borger_update", [b.pk for b in rows]), strict=True)))
