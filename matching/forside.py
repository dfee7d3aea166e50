"""The front page (forside): what each role sees first, read through the scoped selectors."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import connections
from django.db.models import BooleanField, Count, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy

from borgere.gdpr import retention_warnings, retention_warnings_qs
from borgere.models import Borger, BorgerStatus, Henvisning, HenvisningStatus, Samtale
from borgere.selectors import anmodning_list, borger_list
from brobygning import access
from brobygning.adgangslog import log_search, volume_alerts
from brobygning.markup import escape
from brobygning.models import Frivilligcenter, Paamindelse, PaamindelseStatus
from brobygning.planner import INGEN, EnGangKompileret, Laesning, fetch_together
from brobygning.templatetags.brobygning_tags import kort_dato
from foreninger.selectors import faellesskab_list, forening_list
from foreninger.services import stale_q

from . import selectors as matching
from . import velkomst
from .models import Ledsagelse, LedsagelseStatus, Match, Opfoelgning, OpfoelgningType, Resultat, Stage
from .selectors import bounded

# What the front pages' rows show, and only that (issue 15): whole borger, match and fællesskab rows
# (notes, descriptions, a telephone number parsed per borger) cost more to load than the queries.
# The templates: forside/_stille.html, forside/_svar.html, forside/home_*.html; the meeting rows: `views.forside._moeder`.
# Min dag's meetings are loaded with these columns by `selectors.brobyggerens_moeder` and `min_dags_laesning`
# (their SQL; a test compares).
LEDSAGELSE_FELTER = ("center_id", "tidspunkt", "moedested", "status", "match__center_id", "match__stage",
                     "match__borger__fornavn", "match__faellesskab__titel")
SVAR_FELTER = ("center_id", "ledsagelse_id", "modtager", "svar", "besvaret", "besvaret_via", "kommentar",
               "ledsagelse__center_id", "ledsagelse__match__center_id", "ledsagelse__match__borger__fornavn",
               "ledsagelse__match__faellesskab__titel")
OPFOELGNING_FELTER = ("center_id", "type", "forfalder", "udfoert", "match__center_id", "match__stage",
                      "match__borger__fornavn", "match__faellesskab__titel")

# The koordinator's overdue follow-ups show less (`views.forside._forfaldne`, `_stille_tekster`): the borger's
# first name but not the fællesskab, whose join took the planner ~0.4 ms at national size (issue 15).
FORFALDNE_FELTER = ("center_id", "type", "forfalder", "match__borger__fornavn")


def _ledsagelser(qs):
    return qs.only(*LEDSAGELSE_FELTER)


def _opfoelgninger(qs):
    return qs.only(*OPFOELGNING_FELTER)


def _borgere(qs, *felter):
    """A list of borgere with their names (and `felter`); no related row but those `felter` name."""
    qs = qs.select_related(None)
    if relationer := {felt.split("__")[0] for felt in felter if "__" in felt}:
        qs = qs.select_related(*relationer)
    return qs.only("center_id", "fornavn", "efternavn", *felter)


# Every list on a front page is bounded (issue 15): at most LISTE rows, with the total when there
# are more (`selectors.bounded`), so a page costs the same for a centre of 20 borgere or 20,000.
LISTE = 20


def _stille_tekster(moeder, opfoelgninger) -> None:
    """Each of the silence alarm's rows gets `stille_tekst`, what `_stille.html` shows: the sentence
    translated once per list and filled per row, as `blocktranslate` fills it (values escaped), not a
    `blocktranslate` per row (Min dag shows up to 40), with `markup.escape` (`conditional_escape` without
    Django's lazy-text wrapper). The msgids are the template's own."""
    if moeder:
        tekst = gettext("%(navn)s → %(sted)s: første møde %(tid)s har intet udfald")
        for moede in moeder:
            moede.stille_tekst = mark_safe(tekst % {  # noqa: S308 - the values are escaped
                "navn": escape(moede.match.borger.fornavn),
                "sted": escape(moede.match.faellesskab.titel),
                "tid": escape(date_filter(timezone.localtime(moede.tidspunkt), "SHORT_DATETIME_FORMAT"))})
    if opfoelgninger:
        tekst = gettext("%(navn)s: %(type)s skulle være gjort %(dato)s")
        for opf in opfoelgninger:
            opf.stille_tekst = mark_safe(tekst % {  # noqa: S308 - the values are escaped
                "navn": escape(opf.match.borger.fornavn), "type": escape(opf.get_type_display()),
                "dato": escape(kort_dato(opf.forfalder))})


def min_dag(*, actor) -> dict:
    """The brobygger's day: meetings soon, outcomes to record, follow-ups due, their borgere."""
    moeder, opfoelgninger, svar = _min_dags_lister(actor=actor)
    _stille_tekster(moeder["stille_moeder"].rows, opfoelgninger["stille_opfoelgninger"].rows)
    return {
        **moeder,
        "borgere": list(_borgere(borger_list(actor=actor).exclude(status=BorgerStatus.AFSLUTTET))[:LISTE]),
        "svar": svar,
        **opfoelgninger,
        "venteliste": access.can(actor, "venteliste", "list"),
    }


def _min_dags_lister(*, actor) -> tuple[dict, dict, object]:
    """Min dag's meetings (`selectors.brobyggerens_moeder`), follow-ups (`_opfoelgninger_og_stille`) and
    answers (`selectors.svar_seneste`). On PostgreSQL in one round trip (`planner.fetch_together`): the
    meetings and follow-ups in one statement, found by the brobygger kept on their rows
    (`selectors.min_dags_laesning`), the answers over the scoped ORM subquery's ids
    (`svar_seneste_laesning`): building and compiling the querysets took longer than running them
    (issue 15). The same rows, counts and columns (tests/matching/test_forside.py)."""
    connection = connections[Opfoelgning.objects.db]
    stille_fra = timezone.localdate() - timedelta(days=matching.STILLE_OPFOELGNING_DAGE)
    lister = matching.min_dags_laesning(actor=actor, del_fra=stille_fra, limit=LISTE)
    if connection.vendor != "postgresql" or lister is None:
        return (matching.brobyggerens_moeder(actor=actor, limit=LISTE), _opfoelgninger_og_stille(actor=actor),
                matching.svar_seneste(actor=actor, felter=SVAR_FELTER))
    (moeder, (opfoelgninger, stille)), svar = fetch_together(connection, [
        lister, matching.svar_seneste_laesning(actor=actor)])
    return moeder, {"opfoelgninger": opfoelgninger, "stille_opfoelgninger": stille}, svar


def _opfoelgninger_og_stille(*, actor) -> dict:
    """The brobygger's open follow-ups due within a week, and the silence alarm's (7 days overdue),
    which are the oldest of them: one query of rows and their counts (`selectors.bounded_med_del`). Each row
    says when it may be recorded (`selectors.med_aabner`)."""
    qs = matching.med_moede(_opfoelgninger(matching.due_opfoelgninger(actor=actor)).order_by("forfalder", "pk"))
    opfoelgninger, stille_opfoelgninger = matching.bounded_med_del(qs, del_q=matching.stille_opfoelgning_q(),
                                                                   limit=LISTE)
    matching.med_aabner(opfoelgninger.rows)
    return {"opfoelgninger": opfoelgninger, "stille_opfoelgninger": stille_opfoelgninger}


# The koordinator's overview is a to-do list (issue 13): each task list shows its first OPGAVER rows
# and a count that stops at LOFT ("999+"), and links to its full, paginated list.
OPGAVER = 8
LOFT = 999


def koordinator_overblik(*, actor) -> dict:
    # The task lists' rows, then the counts of the full ones in one query (`selectors.Lister`).
    lister = matching.Lister()
    # The silence alarm's tasks are the oldest of the meetings with no outcome and of the overdue
    # follow-ups: each pair from one query of rows (`selectors.bounded_med_del`). The rows of this
    # week's meetings and of those with no outcome in one query (`selectors.ledsagelser_laesning`; ties
    # in time by id).
    now = timezone.now()
    connection = connections[Ledsagelse.objects.db]
    # The lists that the day decides, compiled once (`_overblik_dagslister`); on PostgreSQL the meetings and the
    # retention warnings compiled once too (`_overblik_moeder`, `_overblik_opbevaring`): their rows in one round trip.
    dagslister = _overblik_dagslister(actor=actor)
    dags_laesninger = [liste.laesning(connection.alias) for liste in dagslister.values() if liste.hentning]
    moeder = _overblik_moeder(actor=actor) if connection.vendor == "postgresql" and actor.is_koordinator else None
    if moeder:
        (kommende_rader, uden_udfald_rader), opbevaring_udloeber, *dags_rader = fetch_together(connection, [
            moeder.laesning(now), _overblik_opbevaring(actor=actor).laesning(now), *dags_laesninger])
        kommende, stille, resten = moeder.taellinger(now)
        stille_fra = now - matching.STILLE_MOEDE
        for moede in uden_udfald_rader:  # `med_del` with `stille_moede_q`
            moede.i_del = moede.tidspunkt < stille_fra
        uden_udfald = stille_q = None
    else:
        kommende = _ledsagelser(matching.upcoming_ledsagelser(actor=actor, now=now))
        uden_udfald, stille_q = _ledsagelser(matching.moeder_uden_udfald(actor=actor, now=now)), matching.stille_moede_q(now)
        kommende_rader, uden_udfald_rader = matching.rader_sammen([
            (kommende.annotate(i_del=Value(False, output_field=BooleanField())), LISTE),  # the same columns
            (matching.med_del(uden_udfald, stille_q), OPGAVER)])
        stille = resten = None
        dags_rader = fetch_together(connection, dags_laesninger)
        opbevaring_udloeber = retention_warnings(actor=actor, now=now)
    rader = iter(dags_rader)
    dags = {navn: (next(rader) if liste.hentning else [], liste.taellinger) for navn, liste in dagslister.items()}
    lister.bounded("ledsagelser", kommende, LISTE, rows=kommende_rader)
    rows, (alle,) = dags["nye_henvisninger"]
    lister.bounded("nye_henvisninger", alle, OPGAVER, LOFT, rows=rows)
    lister.bounded_med_del("uden_udfald", "stille_moeder", uden_udfald, del_q=stille_q, limit=OPGAVER, loft=LOFT,
                           rows=uden_udfald_rader, dele=(stille, resten) if moeder else None)
    rows, dele = dags["forfaldne"]
    lister.bounded_med_del("forfaldne", "stille_opfoelgninger", None, del_q=None, limit=OPGAVER, loft=LOFT, rows=rows,
                           dele=dele)
    rows, (alle,) = dags["foraeldede"]
    lister.bounded("foraeldede", alle, OPGAVER, LOFT, rows=rows)
    # this month's figures, matches per stage, failed reminders, take-over requests: in the same query
    fra = maanedens_start()
    taellinger = _overblik_taellinger(actor=actor, fra=fra)
    fase_loft = None if matching.fase_antal_gaelder(actor, Match.objects.db) else LOFT  # kept counts are exact
    for noegle, taelling in taellinger.items():
        lister.antal(noegle, taelling, fase_loft if noegle.startswith("fase_") else None)
    lister_og_tal = lister.hent()
    _stille_tekster(lister_og_tal["stille_moeder"].rows, lister_og_tal["stille_opfoelgninger"].rows)
    return {
        **_overblik_tal({noegle: lister_og_tal.pop(noegle) for noegle in taellinger}, fra, fase_loft),
        **lister_og_tal,
        "uden_brobygger": dags["uden_brobygger"][0],
        "interval_uger": actor.center.bekraeft_interval_uger,
        "adgangsalarmer": volume_alerts(center_id=actor.center_id),
        "opbevaring_udloeber": opbevaring_udloeber,
    }


@dataclass(frozen=True)
class _Dagsliste:
    """One of the koordinator's lists that the centre, role and day decide: its first rows' query compiled
    once (`planner.EnGangKompileret`; None when the actor may see none) and its counts (`selectors.taelling`,
    which keeps an empty queryset as it is: the list's, or the silence alarm's part's and the rest's, as
    `Lister` counts them)."""

    hentning: EnGangKompileret | None
    taellinger: tuple

    def laesning(self, alias: str) -> Laesning:
        return Laesning(*self.hentning.sql(INGEN, alias=alias), lambda rows, _connection: self.hentning.instanser(
            rows, alias=alias))


def _dagslister_qs(*, actor) -> dict[str, tuple]:
    """The koordinator's lists that the day decides: name → (queryset, how many rows, `del_q` or None,
    whether it is counted)."""
    return {
        "nye_henvisninger": (nye_henvisninger(actor=actor).only(
            "center_id", "oprettet", "fornavn", "status", "kilde__navn"), OPGAVER, None, True),
        "forfaldne": (matching.due_opfoelgninger(actor=actor, within_days=0).select_related(None)
                      .select_related("match__borger").only(*FORFALDNE_FELTER).order_by("forfalder", "pk"),
                      OPGAVER, matching.stille_opfoelgning_q(), True),
        "foraeldede": (stale_faellesskaber(actor=actor).select_related(None).select_related("forening").only(
            "center_id", "titel", "sidst_bekraeftet", "forening__navn", "forening__bekraeft_sendt"), OPGAVER, None, True),
        "uden_brobygger": (_borgere(borger_list(actor=actor).filter(brobygger__isnull=True),
                                    "postnummer__nr", "postnummer__by"), LISTE, None, False),
    }


# `_overblik_dagslister`'s lists (`_behold`), per (database, centre, role): (the local day and the centre's interval, the lists).
_OVERBLIK_DAGSLISTER: dict = {}


def _overblik_dagslister(*, actor) -> dict[str, _Dagsliste]:
    """The koordinator's overview's new referrals, overdue follow-ups (with the silence alarm's), stale
    fællesskaber and borgere without a brobygger: each list's first rows and its counts compiled once per
    process for each centre, role and day, not built and compiled on every request (~3 ms, issue 15).
    What decides the statements is kept with them: the scoped selectors (the actor's centre and role) in
    the key, the local day (the follow-ups due and 7 days overdue; stale after 2 × the centre's interval,
    `stale_q`: dates, not times) and the interval beside the lists, which a new day or interval replaces (one
    entry per centre and role). Built across local midnight, the lists serve that request only."""
    def byg() -> dict[str, _Dagsliste]:
        lister = {}
        for navn, (qs, limit, del_q, talt) in _dagslister_qs(actor=actor).items():
            hentning = None
            if not qs.query.is_empty():
                foerste = (matching.med_del(qs, del_q) if del_q else qs)[:limit]
                hentning = EnGangKompileret(lambda _ingen, foerste=foerste: foerste, INGEN)
                hentning.sql(INGEN, alias=qs.db)  # compiled now, while the queryset is this request's
            dele = [qs.filter(del_q), qs.exclude(del_q)] if del_q else [qs]
            lister[navn] = _Dagsliste(hentning, tuple(matching.taelling(d) for d in dele) if talt else ())
        return lister

    return _behold(_OVERBLIK_DAGSLISTER, (Match.objects.db, actor.center_id, actor.rolle),
                   lambda: (timezone.localdate(), actor.center.bekraeft_interval_uger), byg)


def _behold(lager: dict, noegle, stand, byg):
    """`byg()`, kept per process in `lager` under `noegle` while `stand()` (what else decides it, kept beside
    it) gives the same: one entry per key, replaced when `stand()` changes. `stand()` is asked before and
    after building; a value built while it changed (across local midnight) serves that request only. A
    process that has seen many keys starts over."""
    foer = stand()
    kept_stand, vaerdi = lager.get(noegle, (None, None))
    if vaerdi is None or kept_stand != foer:
        vaerdi = byg()
        if stand() != foer:
            return vaerdi
        if len(lager) >= 1000:
            lager.clear()
        lager[noegle] = foer, vaerdi
    return vaerdi


# The stand-in for now in the statements compiled once with their times as parameters (`_overblik_moeder`,
# `_overblik_opbevaring`): each time parameter within 50 years of it is now plus an interval (the week ahead, 12
# and 24 hours back, the retention period back); each date, now's (UTC) date plus one, as `(now + interval).date()`.
# No other parameter of theirs is a time or date so long ago.
_NU = datetime(1901, 1, 1, tzinfo=UTC)
_NAER_NU = timedelta(days=50 * 365)


def _med_nu(params, now) -> tuple:
    """`params` compiled with `_NU` for now, for `now`."""
    def til_nu(p):
        if isinstance(p, datetime):
            return now + (p - _NU) if abs(p - _NU) < _NAER_NU else p
        if isinstance(p, date):
            return now.date() + (p - _NU.date()) if abs(p - _NU.date()) < _NAER_NU else p
        return p
    return tuple(til_nu(p) for p in params)


def _tider(params) -> int:
    """How many of `params` are `_NU`'s (`_med_nu` moves them)."""
    return sum(a != b for a, b in zip(params, _med_nu(params, _NU + timedelta(days=1)), strict=True))


@dataclass(frozen=True)
class _MedNu:
    """A read (`planner.Laesning`) and counts (`selectors.Taelling`) compiled with `_NU` for now."""

    laesning_nu: Laesning
    taellinger_nu: tuple = ()

    def laesning(self, now) -> Laesning:
        """The read for `now`."""
        return Laesning(self.laesning_nu.sql, _med_nu(self.laesning_nu.params, now), self.laesning_nu.parse)

    def taellinger(self, now) -> list:
        """The counts for `now`."""
        return [matching.Taelling(t.sql, _med_nu(t.params, now), t.db) for t in self.taellinger_nu]


# `_overblik_moeder`'s statements (`_behold`), per (database, centre, role).
_OVERBLIK_MOEDER: dict = {}


def _overblik_moeder(*, actor) -> _MedNu | None:
    """The koordinator's overview's meetings, compiled once per process for each centre and role, for
    PostgreSQL (its time parameters stay `datetime`s, `_med_nu`): the scoped selectors and the
    statements built on them took ~1 ms a request (issue 15). None when the actor may see no meetings."""
    def byg() -> _MedNu | None:
        kommende = _ledsagelser(matching.upcoming_ledsagelser(actor=actor, now=_NU))
        uden_udfald = _ledsagelser(matching.moeder_uden_udfald(actor=actor, now=_NU))
        if kommende.query.is_empty() or uden_udfald.query.is_empty():
            return None
        stille_q = matching.stille_moede_q(_NU)
        moeder = _MedNu(matching.ledsagelser_laesning([(kommende, LISTE, None), (uden_udfald, OPGAVER, None)]),
                        tuple(matching.taelling(qs) for qs in (kommende, uden_udfald.filter(stille_q),
                                                               uden_udfald.exclude(stille_q))))
        tider = [_tider(params) for params in (moeder.laesning_nu.params, *(t.params for t in moeder.taellinger_nu))]
        if tider != [3, 2, 2, 2]:  # pragma: no cover - the selectors' shape: each time as one parameter
            raise AssertionError(f"the meetings' statements have their times where `_med_nu` does not find them: {tider}")
        return moeder

    return _behold(_OVERBLIK_MOEDER, (Ledsagelse.objects.db, actor.center_id, actor.rolle), lambda: None, byg)


# `_overblik_opbevaring`'s statement (`_behold`), per (database, centre, role): (the retention period, the statement).
_OVERBLIK_OPBEVARING: dict = {}


def _overblik_opbevaring(*, actor) -> _MedNu:
    """The koordinator's `retention_warnings`, the statement compiled once per process for each centre, role and
    retention period, for PostgreSQL (`_med_nu`), to read with the overview's other lists: building and
    compiling it took ~0.6 ms a request (issue 15)."""
    def byg() -> _MedNu:
        qs = retention_warnings_qs(actor=actor, now=_NU)
        hentning = EnGangKompileret(lambda _ingen: qs, INGEN)
        sql, params = hentning.sql(INGEN, alias=qs.db)
        if _tider(params) != 2:  # pragma: no cover - the rule's shape: the cutoff and the date
            raise AssertionError("the retention warnings' statement has its times where `_med_nu` does not find them")
        return _MedNu(Laesning(sql, params, lambda rows, _connection: hentning.instanser(rows, alias=qs.db)))

    return _behold(_OVERBLIK_OPBEVARING, (Borger.objects.db, actor.center_id, actor.rolle),
                   lambda: (actor.center.opbevaring_maaneder, settings.RETENTION_WARNING_DAYS), byg)


@dataclass(frozen=True)
class Kpi:
    noegle: str
    label: str
    antal: int


def maanedens_start(i_dag: date | None = None) -> date:
    return (i_dag or timezone.localdate()).replace(day=1)


def _antal(qs):
    """`qs`'s count as a scalar subquery (0 for a list the actor may not see). Counted on the centre
    column, which every scoped list filters on: an index that has it can answer alone."""
    if qs.query.is_empty():
        return Value(0)
    return Coalesce(Subquery(qs.order_by().values("center_id").annotate(n=Count("center_id")).values("n")[:1]), 0)


def _i_et_query(*, actor, taellinger: dict) -> dict:
    """Several counts in one round trip: scalar subqueries on the actor's centre row."""
    udtryk = {f"n_{noegle}": _antal(qs) for noegle, qs in taellinger.items()}
    antal = Frivilligcenter.objects.filter(pk=actor.center_id).order_by().annotate(**udtryk) \
        .values(*udtryk).first() or {}
    return {noegle: antal.get(f"n_{noegle}", 0) for noegle in taellinger}


# The figures of the period, in the order shown.
_KPI = (("henvisninger", gettext_lazy("Nye henvisninger")), ("samtaler", gettext_lazy("Samtaler")),
        ("matches", gettext_lazy("Matches")), ("foerste_moeder", gettext_lazy("Første møder holdt")),
        ("efter_3_md", gettext_lazy("Stadig med efter 3 måneder")))


def _kpi_tal(*, actor, fra: date) -> dict:
    start = timezone.make_aware(datetime.combine(fra, time.min))
    return {
        "henvisninger": access.scope(actor, "henvisning", Henvisning.objects.filter(oprettet__gte=start)),
        "samtaler": access.scope(actor, "samtale", Samtale.objects.filter(dato__gte=fra)),
        "matches": access.scope(actor, "match", Match.objects.filter(oprettet__gte=start)),
        "foerste_moeder": access.scope(actor, "ledsagelse", Ledsagelse.objects.filter(
            status=LedsagelseStatus.MOEDT_OP, tidspunkt__gte=start)),
        "efter_3_md": access.scope(actor, "opfoelgning", Opfoelgning.objects.filter(
            type=OpfoelgningType.TRE_MAANEDER, resultat=Resultat.DELTAGER_STADIG, udfoert__gte=start)),
    }


def _kpi(antal: dict, fra: date) -> dict:
    return {"fra": fra, "til": timezone.localdate(),
            "tal": [Kpi(noegle, label, antal[f"kpi_{noegle}"]) for noegle, label in _KPI]}


def kpi(*, actor, fra: date | None = None) -> dict:
    """The overview's figures for the period (this month unless `fra` is given, to today): each a
    count in the database, scoped to the actor's centre, all five in one query (scalar subqueries)."""
    fra = fra or maanedens_start()
    return _kpi(_i_et_query(actor=actor, taellinger={f"kpi_{noegle}": qs for noegle, qs in _kpi_tal(
        actor=actor, fra=fra).items()}), fra)


# `_overblik_taellinger`'s counts compiled (`_behold`), per (database, centre, role, month's first day, its local midnight).
_OVERBLIK_TAELLINGER: dict = {}


def _overblik_taellinger(*, actor, fra: date) -> dict:
    """The koordinator's overview's counts that are not under a list: this month's figures (`kpi`),
    failed reminders, pending take-over requests and matches per stage, for `Lister.antal`. The stages'
    counts as the match board reads them: on PostgreSQL the exact ones the database keeps
    (`selectors.FASE_ANTAL`); elsewhere counted up to LOFT, "999+" (exact counts would read every index
    entry of the centre's matches, 28,588 at national size, on each request). The month's figures on
    PostgreSQL from the daily ones the database keeps (`selectors.KPI_DAG`: a row a day, not an index entry
    a row, so the month's end costs what its start does); elsewhere counted.

    Compiled once per process for each centre, role and month (`selectors.taelling`), not on every
    request: what decides the statements (the scoped selectors, given the actor's centre and role, and
    the month's first day) is in the key. Building and compiling the same 15 counts took ~1.4 ms a request
    (issue 15)."""
    def byg() -> dict:
        if matching.kpi_dag_gaelder(actor, Match.objects.db):  # the figures the database keeps per day
            kpi = {f"kpi_{navn}": matching.kpi_dag(actor, navn, fra, Match.objects.db) for navn, _label in _KPI}
        else:
            kpi = {f"kpi_{navn}": matching.taelling(qs) for navn, qs in _kpi_tal(actor=actor, fra=fra).items()}
        querysets = {
            "fejlede": access.scope(actor, "paamindelse", Paamindelse.objects.filter(status=PaamindelseStatus.FEJLET)),
            "anmodninger": anmodning_list(actor=actor),
        }
        faser = {f"fase_{stage}": stage for stage in Stage.values}
        if matching.fase_antal_gaelder(actor, Match.objects.db):  # the counts the database keeps
            fase_tal = [matching.fase_antal(actor, stage, Match.objects.db) for stage in faser.values()]
        else:
            fase_tal = matching.for_hver(matching.match_list(actor=actor), "stage", faser.values())
        return kpi | {navn: matching.taelling(qs) for navn, qs in querysets.items()} | dict(zip(faser, fase_tal, strict=True))

    start = timezone.make_aware(datetime.combine(fra, time.min))
    return _behold(_OVERBLIK_TAELLINGER, (Match.objects.db, actor.center_id, actor.rolle, fra, start), lambda: None, byg)


def _overblik_tal(antal: dict, fra: date, fase_loft: int | None) -> dict:
    return {"kpi": _kpi(antal, fra),
            "faser": [(Stage(stage).label, matching.Liste((), antal[f"fase_{stage}"], fase_loft).antal_tekst)
                      for stage in Stage.values],
            "fejlede_paamindelser": antal["fejlede"], "anmodninger": antal["anmodninger"]}


def nye_henvisninger(*, actor):
    """Referrals waiting in the inbox, oldest first (the full list: `borgere:henvisning_list`)."""
    qs = Henvisning.objects.filter(status=HenvisningStatus.NY).select_related("kilde")
    return access.scope(actor, "henvisning", qs).order_by("oprettet", "pk")


def stale_faellesskaber(*, actor):
    """The centre's fællesskaber not confirmed for 2 × N weeks (or never), oldest first."""
    return faellesskab_list(actor=actor).filter(stale_q(actor.center)).order_by("sidst_bekraeftet", "titel")


def forening_overblik(*, actor) -> dict:
    return {"foreninger": forening_list(actor=actor).count(), "faellesskaber": faellesskab_list(actor=actor).count(),
            "nye": matching.nye_paa_vej(actor=actor),
            "velkomst": bounded(velkomst.velkomst_list(actor=actor), OPGAVER), "velkomst_min_n": velkomst.MIN_N,
            "prior_vaegt": velkomst.PRIOR_VAEGT}


def for_actor(*, actor) -> tuple[str, dict]:
    """The template and its data for the actor's front page. Its lists of borgere are logged."""
    if actor.is_koordinator or actor.is_brobygger:
        log_search(actor=actor, criteria={"liste": "forside"})
    if actor.is_koordinator:
        return "matching/forside/home_koordinator.html", koordinator_overblik(actor=actor)
    if actor.is_brobygger:
        return "matching/forside/home_brobygger.html", min_dag(actor=actor)
    return "matching/forside/home_forening.html", forening_overblik(actor=actor)
