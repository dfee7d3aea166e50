"""Reads for borgere, always scoped to the acting user."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Count, OuterRef, Q
from django.utils import timezone

from brobygning import access, adgangslog
from brobygning.models import Tag, TagType
from brobygning.pagination import AntalHoejst
from brobygning.planner import EnGangKompileret, Laesning, fetch_together

from . import hooks
from .models import (
    STANDARD_SAMTYKKETEKSTER,
    AnmodningStatus,
    Borger,
    BorgerStatus,
    Formaal,
    Henvisning,
    HenvisningStatus,
    Maaling,
    Overtagelsesanmodning,
    Projekt,
    Samtale,
    SamtaleType,
    Samtykke,
    SamtykkeTekst,
)

# The menu badge of new referrals counts at most this many and shows "99+" beyond (`MENU_LOFT + 1` rows read).
MENU_LOFT = 99
NYE_HENVISNINGER = "nye_henvisninger"  # the badge's figure on a membership (apps.py, `register_medlemskab_tal`)


def nye_henvisninger_antal():
    """The new referrals in a membership's centre, at most `MENU_LOFT` + 1 (index (center, status,
    oprettet)), as an annotation on Medlemskab: the menu's badge, counted in the query that loads
    the user's memberships. Whether the badge shows is the tag's (`access.can`)."""
    return AntalHoejst(Henvisning.objects.filter(center_id=OuterRef("center_id"), status=HenvisningStatus.NY)
                        .order_by().values("pk")[:MENU_LOFT + 1])


def borger_list(*, actor):
    """The actor's active borgere by name (the id breaks ties, so pages never overlap); the index
    `borger_liste_idx` serves the order and the count."""
    return access.scope(actor, "borger", Borger.objects.active().select_related("postnummer", "brobygger")
                        .order_by("fornavn", "efternavn", "pk"))


# The borger list counts at most this many (`paginate_keys`): "Over 1000 borgere", and every page
# is still reached by "Næste". A centre's count or a common name's matches then cost one bounded pass.
BORGER_LISTE_LOFT = 1000

# The borger list's keys are planned with this cost of a heap page read out of order (PostgreSQL's
# default 4 is a spinning disk's; the centre's borgere are in memory): a search for a name matching a
# few hundred borgere then reads them through the trigram index (borgere 0016) and sorts them, rather
# than testing every borger of the centre in the list's order. PERFORMANCE.md, "Fixed cost … (h/fastpris2)".
BORGER_LISTE_RANDOM_PAGE_COST = 1.1


def borger_list_rows(*, actor):
    """The list's rows, as `borger_list` scopes them, with only what a row shows (the name, postcode,
    status and brobygger; templates/borgere/borger/borger_list.html): not the notes, consents and
    preferences of every row, nor the brobygger's password hash."""
    return access.scope(actor, "borger", Borger.objects.active().select_related("postnummer", "brobygger").only(
        "pk", "center_id", "fornavn", "efternavn", "status", "postnummer__nr", "postnummer__by",
        "brobygger__first_name", "brobygger__last_name", "brobygger__email"))


def borger_get(*, actor, pk, action="view", related=("postnummer", "brobygger", "henvisningskilde")):
    """The borger, as the actor may `action` it (404/403 otherwise; the read is logged). `related`: the
    relations loaded with it; a page that shows none of them names fewer (issue 15: each one is a join
    the ORM builds and compiles, and a model instance). The statement is the ORM's, compiled once per
    process for each centre and `related` (`_borger_hentning`)."""
    hentning = _borger_hentning(actor.center_id, tuple(related))
    alias = router.db_for_read(Borger)
    return access.get_or_deny(actor, "borger", action, Borger.objects.active(), pk,
                              hent=lambda pk: hentning(Borger._meta.pk.get_prep_value(pk), alias=alias))


# A borger id no borger has: the compiled statement's stand-in for the id asked for.
_STANDIN = -(2 ** 62) - 75
_hentninger: dict[tuple, EnGangKompileret] = {}


def _borger_hentning(center_id, related: tuple) -> EnGangKompileret:
    """`borger_get`'s read, `Borger.objects.active().select_related(*related).get(pk=…, center_id=…)` as
    `access.get_or_deny` asks it, compiled by the ORM once per process (`planner.EnGangKompileret`):
    building and compiling it took longer than running it (issue 15)."""
    key = (center_id, related)
    hentning = _hentninger.get(key)
    if hentning is None:
        hentning = _hentninger[key] = EnGangKompileret(
            lambda pk: Borger.objects.active().select_related(*related).filter(pk=pk, center_id=center_id).order_by(),
            _STANDIN)
    return hentning


def samtykke_get(*, actor, pk, action="change"):
    return access.get_or_deny(actor, "samtykke", action, Samtykke.objects.select_related("borger"), pk)


def samtykke_list(*, actor, borger):
    return access.scope(actor, "samtykke", Samtykke.objects.filter(borger=borger)).select_related("registreret_af", "tekst")


@dataclass(frozen=True)
class SamtykkeRaekke:
    """One purpose on the borger page's consent form: the text a borger would consent to now
    (its version, 1 for the standard text), and the borger's current consent, if any."""

    formaal: Formaal
    tekst: str
    version: int
    samtykke: Samtykke | None


def _samtykke_laesning(*, actor, borger) -> Laesning:
    """One row per purpose, and the withdrawn consents (newest first). One statement: the borger's
    consents as `samtykke_list` scopes them (the ORM compiles that subquery), with their text's
    version and who registered them, and the centre's texts, as one UNION ALL. Plain SQL: the ORM
    took longer to build, compile and load the two reads than the database to run them (issue 15)."""
    ids, ids_params = samtykke_list(actor=actor, borger=borger).order_by().values("pk").query.sql_with_params()
    s, t, u = Samtykke._meta.db_table, SamtykkeTekst._meta.db_table, get_user_model()._meta.db_table
    sql = f"""
        SELECT 's', s.formaal, s.maade, t.version, s.id, s.givet, s.tilbagekaldt, s.tekst_id, s.registreret_af_id,
               u.first_name, u.email
        FROM {s} s JOIN {t} t ON t.id = s.tekst_id LEFT JOIN {u} u ON u.id = s.registreret_af_id WHERE s.id IN ({ids})
        UNION ALL
        SELECT 't', t.formaal, t.tekst, t.version, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM {t} t WHERE t.center_id = %s
        ORDER BY 1, 2, 6 DESC, 4 DESC
    """  # noqa: S608 -- table names and Django's SQL; values are parameters

    def parse(rows, connection):
        tid_fra_db = getattr(connection.ops, "convert_datetimefield_value", None)  # SQLite hands back text
        tekster = {formaal: (str(tekst), 1) for formaal, tekst in STANDARD_SAMTYKKETEKSTER.items()}
        seen, samtykker = set(), []
        for slags, formaal, tekst_eller_maade, version, pk, givet, tilbagekaldt, tekst_id, af_id, af_fornavn, af_email \
                in rows:
            if slags == "t":  # the newest version of each purpose's text
                if formaal not in seen:
                    seen.add(formaal)
                    tekster[formaal] = (tekst_eller_maade, version)
                continue
            if tid_fra_db is not None:
                givet, tilbagekaldt = tid_fra_db(givet, None, connection), tid_fra_db(tilbagekaldt, None, connection)
            samtykke = Samtykke(pk=pk, center_id=borger.center_id, borger_id=borger.pk, formaal=formaal,
                                maade=tekst_eller_maade, tekst_id=tekst_id, givet=givet, registreret_af_id=af_id,
                                tilbagekaldt=tilbagekaldt)
            samtykke.tekst = SamtykkeTekst(pk=tekst_id, center_id=borger.center_id, formaal=formaal, version=version)
            samtykke.registreret_af = (get_user_model()(pk=af_id, first_name=af_fornavn, email=af_email)
                                       if af_id is not None else None)
            samtykker.append(samtykke)
        current = {s.formaal: s for s in samtykker if s.tilbagekaldt is None}
        withdrawn = sorted((s for s in samtykker if s.tilbagekaldt), key=lambda s: s.tilbagekaldt, reverse=True)
        return [SamtykkeRaekke(formaal, *tekster[formaal], current.get(formaal)) for formaal in Formaal], withdrawn

    return Laesning(sql, [*ids_params, borger.center_id], parse)


def samtykker_gaeldende(*, actor, borger) -> set[str]:
    """The purposes the borger has consented to now (withdrawn ones left out)."""
    return set(samtykke_list(actor=actor, borger=borger).filter(tilbagekaldt__isnull=True)
               .values_list("formaal", flat=True))


def maaling_list(*, actor, borger):
    return access.scope(actor, "maaling", Maaling.objects.filter(borger=borger))


BORGER_TAG_FIELDS = ("interesser", "udfordringer", "barrierer", "tilgaengelighedsbehov")


def _tags_laesning(*, borger) -> Laesning:
    """The borger's interests, barriers and accessibility needs, in one statement: the four link tables'
    rows as one UNION ALL, each with its tag's name (not a scan of the taxonomy with four EXISTS).
    Plain SQL: the ORM took longer to build and compile the four-part union than the database to run
    it (PERFORMANCE.md, "Suggestions, borger detail and the match board at national size")."""
    tag = Tag._meta.db_table
    dele = [f"SELECT '{name}', t.id, t.type, t.sortering, t.navn FROM {getattr(Borger, name).through._meta.db_table} x "  # noqa: S608
            f"JOIN {tag} t ON t.id = x.tag_id WHERE x.borger_id = %s" for name in BORGER_TAG_FIELDS]

    def parse(rows, connection):
        out: dict[str, list[Tag]] = {name: [] for name in BORGER_TAG_FIELDS}
        for felt, pk, type_, sortering, navn in rows:
            out[felt].append(Tag(pk=pk, type=type_, sortering=sortering, navn=navn))
        return out

    return Laesning(" UNION ALL ".join(dele) + " ORDER BY 3, 4, 5", [borger.pk] * len(BORGER_TAG_FIELDS), parse)


def _maaling_laesning(*, actor, borger) -> Laesning:
    """Each scale's scores over time, and the change from the first to the latest. The measures as
    `maaling_list` scopes them (the ORM compiles that subquery), only what the page shows, in plain SQL
    as `_samtykke_laesning` (issue 15)."""
    ids, ids_params = maaling_list(actor=actor, borger=borger).order_by().values("pk").query.sql_with_params()
    sql = f"SELECT id, type, svar, dato FROM {Maaling._meta.db_table} WHERE id IN ({ids}) ORDER BY dato, id"  # noqa: S608

    def parse(rows, connection):
        svar_fra_db = Maaling._meta.get_field("svar").from_db_value
        dato_fra_db = getattr(connection.ops, "convert_datefield_value", None)  # SQLite hands back text
        by_type: dict[str, list[Maaling]] = {}
        for pk, type_, svar, dato in rows:
            if dato_fra_db is not None:
                dato = dato_fra_db(dato, None, connection)
            maaling = Maaling(pk=pk, center_id=borger.center_id, borger_id=borger.pk, type=type_,
                              svar=svar_fra_db(svar, None, connection), dato=dato)
            by_type.setdefault(type_, []).append(maaling)
        return [
            {"navn": items[0].get_type_display(), "maalinger": items,
             "aendring": items[-1].score - items[0].score if len(items) > 1 else None}
            for items in by_type.values()
        ]

    return Laesning(sql, ids_params, parse)


def _samtaler_laesning(*, borger) -> Laesning:
    """The borger's samtaler as their forløb lines (newest first, as `Samtale.Meta.ordering`): only
    what a line shows."""
    sql = (f"SELECT dato, type, naeste_skridt FROM {Samtale._meta.db_table} WHERE borger_id = %s "  # noqa: S608
           "ORDER BY dato DESC, oprettet DESC")

    def parse(rows, connection):
        dato_fra_db = getattr(connection.ops, "convert_datefield_value", None)  # SQLite hands back text
        typer = {kode: str(navn) for kode, navn in SamtaleType.choices}
        return [hooks.Haendelse(dato if dato_fra_db is None else dato_fra_db(dato, None, connection), "samtale",
                                typer.get(kode, kode), naeste_skridt) for dato, kode, naeste_skridt in rows]

    return Laesning(sql, [borger.pk], parse)


@dataclass(frozen=True)
class Borgerside:
    """What the borger page shows beyond the borger's own row (`borger_side`)."""

    samtykke_rows: list[SamtykkeRaekke]
    tidligere_samtykker: list[Samtykke]
    tags: dict[str, list[Tag]]
    maalinger: list[dict]
    tidslinje: list[hooks.Haendelse]


def borger_side(*, actor, borger) -> Borgerside:
    """The borger page's reads of one borger: consents and texts, tags, measures and the forløb
    (samtaler, and the lines of the apps built on borgere, `borgere.hooks`: matches, meetings,
    follow-ups), newest first; the statements (with the forløb lines of the apps that offer their
    read, `hooks.BorgerData.timeline_laesning`) in one round trip on PostgreSQL (`fetch_together`)."""
    access.check(actor, "borger", "view", borger)
    dele = hooks.parts()
    (samtykke_rows, tidligere), tags, maalinger, samtaler, *linjer = fetch_together(connections[Borger.objects.db], [
        _samtykke_laesning(actor=actor, borger=borger), _tags_laesning(borger=borger),
        _maaling_laesning(actor=actor, borger=borger), _samtaler_laesning(borger=borger),
        *(part.timeline_laesning(actor, borger) for part in dele if part.timeline_laesning is not None)])
    linjer.reverse()
    events = list(samtaler)
    for part in dele:  # in the parts' order
        events += linjer.pop() if part.timeline_laesning is not None else part.timeline(actor=actor, borger=borger)
    return Borgerside(samtykke_rows, tidligere, tags, maalinger,
                      sorted(events, key=lambda e: _as_datetime(e.dato), reverse=True))


@dataclass(frozen=True)
class Ventende:
    """A borger on the waiting list, as a brobygger may see them: first name, area and interests only."""

    pk: int
    fornavn: str
    omraade: str
    interesser: tuple[str, ...]
    anmodet: bool  # the actor has asked to take them on


def venteliste(*, actor) -> list[Ventende]:
    """Borgere waiting for a brobygger. Built through the access module's field allowlist."""
    access.check(actor, "venteliste", "list")
    adgangslog.log_search(actor=actor, criteria={"liste": "venteliste"})
    qs = access.scope(actor, "venteliste", Borger.objects.active().exclude(status=BorgerStatus.AFSLUTTET))
    qs = qs.select_related("postnummer").prefetch_related("interesser").order_by("oprettet")
    asked = set(Overtagelsesanmodning.objects.filter(brobygger=actor.user, status=AnmodningStatus.AFVENTER)
                .values_list("borger_id", flat=True))
    out = []
    for borger in qs:
        seen = access.visible_fields(actor, "venteliste", borger, ["fornavn", "postnummer", "interesser"])
        postnummer = seen.get("postnummer")
        out.append(Ventende(
            pk=borger.pk, fornavn=seen.get("fornavn", ""),
            omraade=f"{postnummer.nr} {postnummer.by}" if postnummer else "",
            interesser=tuple(t.navn for t in seen["interesser"].all()) if "interesser" in seen else (),
            anmodet=borger.pk in asked,
        ))
    return out


def venteliste_borger_get(*, actor, pk):
    """A waiting borger a brobygger may ask for (403 when the list is off or they have a brobygger)."""
    return access.get_or_deny(actor, "anmodning", "create", Borger.objects.active(), pk)


def anmodning_list(*, actor):
    """Pending take-over requests (the front page counts them; the page that shows them logs the list)."""
    qs = Overtagelsesanmodning.objects.filter(status=AnmodningStatus.AFVENTER).select_related(
        "borger__postnummer", "brobygger")
    return access.scope(actor, "anmodning", qs)


def anmodning_get(*, actor, pk):
    return access.get_or_deny(actor, "anmodning", "decide", Overtagelsesanmodning.objects.all(), pk)


def henvisning_list(*, actor, status=None):
    qs = access.scope(actor, "henvisning", Henvisning.objects.select_related("kilde", "postnummer"))
    adgangslog.log_search(actor=actor, criteria={"liste": "henvisninger", "status": status})
    return qs.filter(status=status) if status else qs


def henvisning_get(*, actor, pk, action="view"):
    """One referral; a read of it is logged naming its id (and the borger it became, if any)."""
    qs = Henvisning.objects.select_related("kilde", "postnummer", "samtykketekst", "borger", "behandlet_af")
    henvisning = access.get_or_deny(actor, "henvisning", action, qs, pk)
    adgangslog.log_read(actor=actor, borger_id=henvisning.borger_id, center_id=henvisning.center_id,
                        kriterium=f"henvisning={henvisning.pk}")
    return henvisning


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, datetime.min.time()))


# --- Projects (ARCHITECTURE.md, "Rapporter") -----------------------------------------------------


def projekt_list(*, actor, arkiverede: bool = False):
    """The centre's projects, active or archived, with the number of borgere tagged to each."""
    qs = Projekt.objects.filter(arkiveret__isnull=not arkiverede).annotate(naaet=Count("borgere"))
    return access.scope(actor, "projekt", qs).order_by("-fra", "navn", "pk")


def projekt_get(*, actor, pk, action="view"):
    return access.get_or_deny(actor, "projekt", action, Projekt.objects.all(), pk)


def projekt_valg(*, actor) -> list[tuple[int, str]]:
    """(id, name) of the centre's active projects, for the report filter and a borger's projects."""
    return list(access.scope(actor, "projekt", Projekt.objects.filter(arkiveret__isnull=True))
                .order_by("navn", "pk").values_list("pk", "navn")[:PROJEKT_VALG_MAX])


PROJEKT_VALG_MAX = 200  # a centre runs a handful of projects; the choice lists stay bounded


def projekt_naaet(*, projekt) -> dict:
    """How many people the project has reached (tagged borgere, anonymised ones too: they were
    reached), of them how many are still active in the system, next to its target."""
    tal = projekt.borgere.aggregate(naaet=Count("pk"), aktive=Count("pk", filter=Q(arkiveret__isnull=True)))
    maal = projekt.maal_antal
    tal["maal"] = maal
    tal["andel"] = round(100 * tal["naaet"] / maal) if maal else None
    return tal


def borger_projekt_ids(*, borger) -> list[int]:
    """The active projects the borger's forløb is tagged to."""
    return list(borger.projekter.filter(arkiveret__isnull=True).values_list("pk", flat=True))
_ORD = re.compile(r"\w+")


def tags_i_tekst(*, tekst: str, typer=(TagType.INTERESSE, TagType.UDFORDRING)) -> dict[str, list[Tag]]:
    """The active tags of `typer` that a free text mentions, for a koordinator to confirm: a referral's
    "Vil gerne synge i kor, føler sig ensom" suggests Sang og kor and Ensomhed, so the wishes inform
    the match instead of lying in the notes. A tag counts when every word of its name (the first five
    letters of longer words, so "ensom" finds Ensomhed) begins a word of the text. One query over the
    small taxonomy table.
    """
    words = [w.lower() for w in _ORD.findall(tekst or "")]
    out: dict[str, list[Tag]] = {t: [] for t in typer}
    if not words:
        return out
    for tag in Tag.objects.filter(type__in=typer, aktiv=True).order_by("navn"):
        stems = [w.lower()[:5] for w in _ORD.findall(tag.navn) if len(w) > 2]
        if stems and all(any(word.startswith(stem) for word in words) for stem in stems):
            out[tag.type].append(tag)
    return out
