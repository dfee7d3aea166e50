"""The public directory of a centre's fællesskaber: no login, cacheable, no personal data."""

from datetime import UTC, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from html import escape  # what django.utils.html.escape does for a str, without its lazy-string wrapper

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from brobygning.pagination import PAGE_SIZE, graense, paginate, paginate_counted, side_nummer
from brobygning.public import public_page

from .. import hooks, selectors
from ..public_filters import PublicFaellesskabFilter, naermeste
from ..schedule import fra_model, naeste_forekomster

ICS_DAYS = 92  # the feed's horizon
LOFT = 1000  # near a postal code, the count stops here: "Over 1000 fællesskaber fundet", as the borger list
ICS_MAX = 60


# One card of the directory's list (what the template's loop over the cards wrote, byte for byte).
_KORT = """
      <li class="card mb-3"><div class="card-body">
        <h3 class="h5 mb-1"><a href="{url}">{titel}</a></h3>
        <p class="text-body-secondary mb-2">{forening}{kategori}</p>
        <p class="mb-2">{tekst}</p>
        <ul class="list-inline small mb-1">
          <li class="list-inline-item">{sted_ord} {sted}</li>
          {moeder}
        </ul>
        <p class="mb-0">
          {aaben}
          {frivillig}
          {tilgaengelige}
        </p>
      </div></li>
      """


_TIENDEDEL = Decimal("0.1")


def _en_decimal(x: float, komma: str) -> str:
    """`floatformat(x, 1)` for a distance, with `komma` the language's decimal separator: the same
    digits (the float's str() as a Decimal, rounded half up to one decimal) without floatformat's
    per-call work (~22 µs, 25 times a page near a postal code: issue 15). Below 1000 no grouping
    can apply; outside [1e-6, 1000) and 0 (and NaN) floatformat itself answers (it returns a value of
    more than 200 digits as it came)."""
    if x == 0:
        return f"0{komma}0"  # also -0.0, as floatformat writes it
    if 1e-6 <= x < 1000:
        return str(Decimal(str(x)).quantize(_TIENDEDEL, ROUND_HALF_UP)).replace(".", komma)
    return floatformat(x, 1)


def _kort_og_punkter(faellesskaber, center, lang) -> tuple[str, list[dict]]:
    """The page's cards as HTML, and the map's markers (own coordinates, or the postal code's).

    Written here, every value escaped, not by the template: per card, the template engine's own work
    on ~12 variables, tags and filters (context, lookups, escaping through lazy wrappers) cost more
    than the values, 1.6 ms a page (issue 15). The link: one reverse() for the page; the fixed words
    translated once."""
    suffix = f"?sprog={lang}" if lang != settings.LANGUAGE_CODE else ""
    start = reverse("foreninger:public_faellesskab", args=[center.slug, 0]).removesuffix("0/")  # …/<pk>/
    km_vaek, komma = _("%(km)s km væk"), get_format("DECIMAL_SEPARATOR", use_l10n=True)
    sted_ord = escape(_("Sted:"))
    tager_imod, soeger = escape(_("Tager imod nye")), escape(_("Søger frivillige"))  # makemessages skips f-strings
    aaben = f'<span class="badge text-bg-success">{tager_imod}</span>'
    frivillig = f'<span class="badge text-bg-secondary">{soeger}</span>'
    kort, points = [], []
    for f in faellesskaber:
        url = f"{start}{f.pk}/{suffix}"
        sted = escape(f.sted)
        if f.afstand_km is not None:
            sted = f"{sted} ({km_vaek % {'km': escape(_en_decimal(f.afstand_km, komma))}})"
        kort.append(_KORT.format(
            url=escape(url), titel=escape(f.titel), forening=escape(f.forening_navn),
            kategori=f" · {escape(f.kategori)}" if f.kategori is not None else "",
            tekst=escape(Truncator(f.beskrivelse).words(30, truncate=" …")), sted_ord=sted_ord, sted=sted,
            moeder="".join(f'<li class="list-inline-item">{escape(str(m))}</li>' for m in f.moeder),
            aaben=aaben if f.aaben_for_nye else "", frivillig=frivillig if f.for_frivillige else "",
            tilgaengelige="".join(f'<span class="badge text-bg-light border">{escape(t)}</span> '
                                  for t in f.tilgaengelige)))
        lat, lng = (f.lat, f.lng) if f.lat is not None else (f.pn_lat, f.pn_lng)
        points.append({"lat": lat, "lng": lng, "titel": f.titel, "url": url})
    return mark_safe("".join(kort)), points  # noqa: S308 -- every value escaped above


@public_page()
def directory(request, slug):
    postnummer = request.GET.get("postnummer", "").strip()
    center, tags, postnumre = selectors.public_center_og_tags(
        slug=slug, tag_typer=PublicFaellesskabFilter.TAG_FELTER.values(), postnummer=postnummer)
    filterset = PublicFaellesskabFilter(request.GET or None, queryset=selectors.public_faellesskab_list(center=center),
                                        tags=tags, postnummer=None if postnumre is None else (postnummer, postnumre))
    qs = filterset.qs
    if filterset.origin is not None and connection.vendor == "postgresql":
        # Near a postal code: the page from the nearest rows, the count capped ("Over 1000 …").
        antal, side = naermeste(filterset.uden_afstand, center=center, origin=filterset.origin, km=filterset.km,
                                k=side_nummer(request) * PAGE_SIZE, graense=graense(request, loft=LOFT))
        page = paginate_counted(request, antal, lambda offset, limit: selectors.public_kort(side(offset, limit))[1],
                                loft=LOFT)
    else:
        # The page is found on the bare rows (ids, and the distance near a postal code), counted in
        # the same statement that reads its 25 cards (`selectors.public_kort`).
        # A text search on PostgreSQL counts in a subquery of its own (the centre's matches by their GIN
        # index), planned at `selectors.KORT_RANDOM_PAGE_COST`.
        noegler = qs.values_list("pk", *(["afstand_km"] if "afstand_km" in qs.query.annotations else []))
        page = paginate(request, noegler, antal_med_siden=True, antal_for_sig=filterset.tekst,
                        rader=partial(selectors.public_kort, tekst=filterset.tekst))
    kort, map_points = _kort_og_punkter(page, center, request.LANGUAGE_CODE)
    return render(request, "foreninger/public/directory.html", {
        "center": center, "filter": filterset, "page": page, "kort": kort, "map_points": map_points,
        "tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "arrangementer": hooks.public_events(center),
    })


@public_page()
def faellesskab(request, slug, pk):
    center = selectors.public_center_get(slug=slug)
    faellesskab = selectors.public_faellesskab_get(center=center, pk=pk)
    moeder = [fra_model(m) for m in faellesskab.moedetider.all()]
    return render(request, "foreninger/public/faellesskab.html", {
        "center": center, "faellesskab": faellesskab,
        "naeste": naeste_forekomster(moeder, timezone.now(), antal=5),
    })


@public_page()
def faellesskab_ics(request, slug, pk):
    """An iCalendar feed of the coming meetings, for subscribing in a calendar app."""
    center = selectors.public_center_get(slug=slug)
    faellesskab = selectors.public_faellesskab_get(center=center, pk=pk)
    now = timezone.now()
    moeder = [fra_model(m) for m in faellesskab.moedetider.all()]
    forekomster = [f for f in naeste_forekomster(moeder, now, antal=ICS_MAX, horisont_dage=ICS_DAYS)
                   if f.start <= now + timedelta(days=ICS_DAYS)]
    url = settings.SITE_URL.rstrip("/") + reverse("foreninger:public_faellesskab", args=[center.slug, faellesskab.pk])
    sted = ", ".join(p for p in [faellesskab.adresse, str(faellesskab.postnummer)] if p)
    cal = Calendar()
    cal.add("prodid", "-//Brobygning//Fællesskaber//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{faellesskab.titel} ({faellesskab.forening.navn})")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for forekomst in forekomster:
        event = Event()
        event.add("uid", f"faellesskab-{faellesskab.pk}-{forekomst.start:%Y%m%dT%H%M}@brobygning")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", forekomst.start.astimezone(UTC))
        event.add("dtend", forekomst.slut.astimezone(UTC))
        event.add("summary", faellesskab.titel)
        event.add("location", sted)
        event.add("url", url)
        event.add("description", _("%(forening)s. Læs mere: %(url)s") % {"forening": faellesskab.forening.navn,
                                                                        "url": url})
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="faellesskab-{faellesskab.pk}.ics"'
    return response
