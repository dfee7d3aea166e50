"""Reads for the journey, always scoped to the acting user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter, itemgetter
from typing import NamedTuple

from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from borgere.hooks import Haendelse
from borgere.models import Borger, Formaal, Samtykke
from borgere.selectors import borger_list
from borgere.services import har_samtykke
from brobygning import access, adgangslog, links
from brobygning.planner import Laesning, fetch_together, fra_db, omform
from brobygning.selectors import capped_counts
from foreninger.models import Faellesskab

from . import svar as svarlink
from .arrangementer import LISTE_MAX
from .models import (
    SVAR_VALG,
    Arrangement,
    ArrangementType,
    Fremmoede,
    Ledsagelse,
    LedsagelseStatus,
    Match,
    Moedesvar,
    Opfoelgning,
    OpfoelgningType,
    Resultat,
    Stage,
    Svar,
    SvarModtager,
    Tilmelding,
    TilmeldingStatus,
    VaertRapport,
)
from .services import opfoelgning_aabner


def match_list(*, actor):
    qs = Match.objects.select_related("borger", "faellesskab__forening")
    return access.scope(actor, "match", qs)


def match_get(*, actor, pk, action="view"):
    qs = Match.objects.select_related("borger__brobygger", "faellesskab__forening", "faellesskab__postnummer")
    return access.get_or_deny(actor, "match", action, qs, pk)


def ledsagelse_get(*, actor, pk, action="view"):
    qs = Ledsagelse.objects.select_related("match__borger", "match__faellesskab", "brobygger")
    return access.get_or_deny(actor, "ledsagelse", action, qs, pk)


def opfoelgning_get(*, actor, pk, action="view"):
    qs = Opfoelgning.objects.select_related("match__borger", "match__faellesskab")
    return access.get_or_deny(actor, "opfoelgning", action, qs, pk)


def borger_timeline(*, actor, borger, arrangementer: bool = False) -> list[Haendelse]:
    """matching's lines in a borger's forløb (`borgere.hooks`): matches, meetings and follow-ups, and
    with `arrangementer` the borger's registrations (their newest `arrangementer.LISTE_MAX`) after them.
    One query whatever the length: the parts as one UNION ALL of the columns a line needs, over the
    borger's matches as the actor's scope gives them (the ORM compiles that subquery). The union is
    plain SQL: the ORM took longer to build and compile it, with its annotations, than the database
    to run it (PERFORMANCE.md, "Suggestions, borger detail and the match board at national size")."""
    return fetch_together(connections[Match.objects.db],
                          [borger_timeline_laesning(actor=actor, borger=borger, arrangementer=arrangementer)])[0]


def borger_timeline_laesning(*, actor, borger, arrangementer: bool = False) -> Laesning:
    """`borger_timeline`'s read, for a page to send with its own (`borgere.selectors.borger_side`)."""
    ids, ids_params = match_list(actor=actor).filter(borger=borger).order_by().values("pk").query.sql_with_params()
    m, le, o = Match._meta.db_table, Ledsagelse._meta.db_table, Opfoelgning._meta.db_table
    f = Faellesskab._meta.db_table
    ingen_tid, ingen_dato = "CAST(NULL AS timestamp with time zone)", "CAST(NULL AS date)"
    connection = connections[Match.objects.db]
    if connection.vendor != "postgresql":
        ingen_tid, ingen_dato = "NULL", "NULL"
    # The scoped matches with their titles once, as a CTE the three parts join: planning the three
    # copies of the scoped subquery and its joins cost ~2 ms, about ten times running it (issue 15).
    sql = f"""
        WITH mm AS (SELECT m.id, m.oprettet, m.stage, f.titel FROM {m} m JOIN {f} f ON f.id = m.faellesskab_id
                    WHERE m.id IN ({ids}))
        SELECT 'match', mm.oprettet, {ingen_dato}, mm.titel, mm.stage, '', {ingen_tid}, mm.id, 0 FROM mm
        UNION ALL
        SELECT 'ledsagelse', x.tidspunkt, {ingen_dato}, mm.titel, x.status, '', {ingen_tid}, x.match_id, 0
        FROM {le} x JOIN mm ON mm.id = x.match_id
        UNION ALL
        SELECT 'opfoelgning', {ingen_tid}, x.forfalder, mm.titel, x.type, x.resultat, x.udfoert, x.match_id, 0
        FROM {o} x JOIN mm ON mm.id = x.match_id
    """  # noqa: S608 -- table names and Django's SQL; values are parameters
    params = list(ids_params)
    if arrangementer:
        # The borger's registrations, newest first, with how often they came: whoever may see the
        # borger sees them (not scoped by match). Wrapped, as SQLite allows no LIMIT in a union's part.
        t, a, fm = Tilmelding._meta.db_table, Arrangement._meta.db_table, Fremmoede._meta.db_table
        sql += f"""
        UNION ALL
        SELECT * FROM (
            SELECT 'arrangement', t.tilmeldt, {ingen_dato}, a.titel, a.type, t.status, t.forloeb_startet, a.id,
                   (SELECT COUNT(*) FROM {fm} fm WHERE fm.tilmelding_id = t.id AND fm.moedt)
            FROM {t} t JOIN {a} a ON a.id = t.arrangement_id WHERE t.borger_id = %s
            ORDER BY t.tilmeldt DESC LIMIT %s
        ) tilmeldinger
        """  # noqa: S608 -- table names only
        params += [borger.pk, LISTE_MAX]

    def parse(rows, connection):
        tid_fra_db = getattr(connection.ops, "convert_datetimefield_value", None)  # SQLite hands back text
        dato_fra_db = getattr(connection.ops, "convert_datefield_value", None)
        stage, status = dict(Stage.choices), dict(LedsagelseStatus.choices)
        opf_type, resultat = dict(OpfoelgningType.choices), dict(Resultat.choices)
        arr_type, tilm_status = dict(ArrangementType.choices), dict(TilmeldingStatus.choices)
        events = []
        for slags, tid, dato, titel, kode, res, udfoert, ref_id, moedt in rows:
            if tid_fra_db is not None:
                tid, udfoert = tid_fra_db(tid, None, connection), tid_fra_db(udfoert, None, connection)
            if dato_fra_db is not None:
                dato = dato_fra_db(dato, None, connection)
            if slags == "arrangement":
                detalje = tilm_status.get(res, res)
                if moedt:
                    detalje = _("%(status)s · mødte op %(n)d gang(e)") % {"status": detalje, "n": moedt}
                if udfoert:
                    detalje = _("%(status)s · forløbet startede her") % {"status": detalje}
                events.append(Haendelse(timezone.localtime(tid), "arrangement",
                                        _("%(type)s: %(titel)s") % {"type": arr_type.get(kode, kode), "titel": titel},
                                        detalje, links.pk_url("matching:arrangement_detail", ref_id)))
                continue
            url = links.pk_url("matching:match_detail", ref_id)
            if slags == "match":
                events.append(Haendelse(timezone.localtime(tid), "match", _("Match: %(f)s") % {"f": titel},
                                        stage.get(kode, kode), url))
            elif slags == "ledsagelse":
                events.append(Haendelse(timezone.localtime(tid), "ledsagelse", _("Første møde: %(f)s") % {"f": titel},
                                        status.get(kode, kode), url))
            else:
                events.append(Haendelse(dato, "opfoelgning", opf_type.get(kode, kode),
                                        resultat.get(res, res) if udfoert else _("Ikke udført endnu"), url))
        return events

    return Laesning(sql, params, parse)


# The board shows the matches that have waited longest in each stage, at most this many per stage;
# a stage's full list is paginated (`pipeline_stage`). A centre can have 16,000 open matches.
TAVLE_PR_FASE = 20
# Each stage's count stops just past this ("999+"), as the påmindelser tabs do: exact counts read
# every open match of the centre (17,000 at national size); capped ones at most 1,000 index entries each.
TAVLE_LOFT = 999

# On PostgreSQL the database keeps each centre's number of matches per stage (migration 0023, by
# triggers on the matches, in the writing transaction): the board and the koordinator's overview read
# these exact counts from a handful of rows instead of counting up to 1,000 index entries per stage.
FASE_ANTAL = "matching_match_fase_antal"


def _holdt_gaelder(actor, db: str, arter) -> bool:
    """Whether counts the database keeps per centre are the actor's scoped counts of the kinds `arter`: on
    PostgreSQL, for a koordinator, whose rows of each are the whole centre's (`access.scope`: the centre, no
    share of a role)."""
    return (connections[db].vendor == "postgresql" and actor.is_koordinator
            and all(access.can(actor, art, "list") for art in arter))


def fase_antal_gaelder(actor, db: str) -> bool:
    """Whether the kept per-stage counts (`FASE_ANTAL`) are the actor's scoped counts (`_holdt_gaelder`)."""
    return _holdt_gaelder(actor, db, ("match",))


def fase_antal(actor, stage: str, db: str) -> Holdt:
    """The kept count of the actor's centre's matches in `stage` (`FASE_ANTAL`), for `taellinger`."""
    sql = f"SELECT antal FROM {connections[db].ops.quote_name(FASE_ANTAL)} WHERE center_id = %s AND stage = %s"  # noqa: S608
    return Holdt(sql, (actor.center_id, stage), db)


KPI_DAG = "matching_kpi_dag"
KPI_ARTER = {"henvisninger": "henvisning", "samtaler": "samtale", "matches": "match", "foerste_moeder": "ledsagelse",
             "efter_3_md": "opfoelgning"}  # the overview's figures (`forside._KPI`) and the kinds they count


def kpi_dag_gaelder(actor, db: str) -> bool:
    """Whether the kept daily figures (`KPI_DAG`, migration matching.0026) are the actor's scoped counts
    (`_holdt_gaelder`)."""
    return _holdt_gaelder(actor, db, KPI_ARTER.values())


def kpi_dag(actor, noegle: str, fra, db: str) -> Holdt:
    """The kept figure `noegle` of the actor's centre from the day `fra` on (`KPI_DAG`), for `taellinger`:
    at most one row a day."""
    sql = (f"SELECT SUM(antal) FROM {connections[db].ops.quote_name(KPI_DAG)} "  # noqa: S608
           "WHERE center_id = %s AND noegle = %s AND dag >= %s")
    return Holdt(sql, (actor.center_id, noegle, fra), db)


class Kort(NamedTuple):
    """A card on the match board: what it shows, read as plain values (140 of them; model instances
    of the match, borger and fællesskab cost more to build than the query takes; a named tuple is
    built in half the time of a frozen dataclass)."""

    pk: int
    stage: str
    stage_siden: datetime
    fornavn: str  # the borger's
    titel: str  # the fællesskab's


_KORT_ORDEN = itemgetter(Kort._fields.index("stage_siden"), Kort._fields.index("pk"))  # longest in the stage first


# Stands in for a value while a query is compiled once for several values (`pipeline`, `for_hver`).
_STEDFORTRAEDER = "\x00stedfortraeder"


def _stedfortraederens_plads(params) -> int:
    """The index of the one `_STEDFORTRAEDER` among `params`."""
    if list(params).count(_STEDFORTRAEDER) != 1:  # pragma: no cover - a lookup that transforms its value
        raise AssertionError("the query compiled once should have its value as one parameter")
    return list(params).index(_STEDFORTRAEDER)


def _med_fase(sql: str, params, fase_sql: str) -> tuple[str, list]:
    """`sql` with its one `_STEDFORTRAEDER` parameter swapped for the SQL expression `fase_sql`."""
    params = list(params)
    stykker = sql.split("%s")
    if len(stykker) != len(params) + 1:  # pragma: no cover - the shape is fixed
        raise AssertionError("the board's stage query has an unexpected form")
    i = _stedfortraederens_plads(params)
    return "%s".join(stykker[:i + 1]) + fase_sql + "%s".join(stykker[i + 1:]), params[:i] + params[i + 1:]


def pipeline(*, actor, per_stage: int = TAVLE_PR_FASE) -> list[tuple[str, str, Liste]]:
    """The centre's open matches by stage, for the koordinator's board: (stage, label, the first
    `per_stage` as `Kort`, longest in the stage first, with the stage's count: for a koordinator on
    PostgreSQL the exact count the database keeps (`FASE_ANTAL`), else capped at `TAVLE_LOFT`).

    One query on PostgreSQL: for each stage (an array, `LATERAL`) its count and its first cards,
    each an index range on (center, stage, stage_siden); the borger's first name and the fællesskab's
    title are joined once, to the 140 cards. The ORM compiles one stage's scoped query, whose stage
    parameter becomes the array's element: seven copies of it, each with its own joins, took PostgreSQL
    longer to plan (18 ms warm, at national size) than to run (PERFORMANCE.md, "Suggestions, borger
    detail and the match board at national size").
    Elsewhere (SQLite has no LATERAL) the counts in one query, then one query per stage with matches."""
    access.check(actor, "match", "board")
    qs = match_list(actor=actor).select_related(None)
    stages = [stage for stage in Stage.values if stage != Stage.AFSLUTTET]
    rows: dict[str, list[Kort]] = {stage: [] for stage in stages}
    connection = connections[qs.db]
    loft = TAVLE_LOFT
    if connection.vendor == "postgresql":
        if fase_antal_gaelder(actor, qs.db):  # the kept exact counts, one row each
            loft = None
            antal_join = f"LEFT JOIN {connection.ops.quote_name(FASE_ANTAL)} n ON n.center_id = %s AND n.stage = s.fase"
            antal_params = [actor.center_id]
        else:
            antal_sql, antal_params = _med_fase(
                *qs.filter(stage=_STEDFORTRAEDER).order_by().values("pk")[:TAVLE_LOFT + 1].query.sql_with_params(),
                "s.fase")
            antal_join = f"CROSS JOIN LATERAL (SELECT COUNT(*) FROM ({antal_sql}) AS t) AS n(antal)"  # noqa: S608
        kort_sql, kort_params = _med_fase(
            *qs.filter(stage=_STEDFORTRAEDER).order_by("stage_siden", "pk").values_list(
                "pk", "stage_siden", "borger_id", "faellesskab_id")[:per_stage].query.sql_with_params(), "s.fase")
        # The time as the connection's wall time (`timestamp`, read by psycopg's C loader) and given
        # the connection's zone here: Django's loader for `timestamptz` parses each value in Python
        # (~3 µs a card), to the same value. The names as scalar subqueries: a join planned a cache
        # (Memoize) for each of them that 140 different ids never hit, and took longer to plan.
        sql = f"""
            SELECT s.fase, COALESCE(n.antal, 0), k.pk, k.stage_siden AT TIME ZONE %s,
                   (SELECT b.fornavn FROM {Borger._meta.db_table} b WHERE b.id = k.borger_id),
                   (SELECT f.titel FROM {Faellesskab._meta.db_table} f WHERE f.id = k.faellesskab_id)
            FROM unnest(CAST(%s AS text[])) AS s(fase)
            {antal_join}
            LEFT JOIN LATERAL ({kort_sql}) AS k(pk, stage_siden, borger_id, faellesskab_id) ON true
        """  # noqa: S608 -- Django's SQL and table names; values are parameters
        counts = {}
        tz = connection.timezone  # what Django's loader gives a `timestamptz` (None without USE_TZ)
        with connection.cursor() as cursor:
            cursor.execute(sql, [connection.timezone_name, stages, *antal_params, *kort_params])
            for fase, antal, pk, siden, fornavn, titel in cursor.fetchall():
                counts[fase] = antal
                if pk is not None:
                    rows[fase].append(Kort(pk, fase, siden.replace(tzinfo=tz), fornavn, titel))
    else:
        counts = dict(zip(stages, capped_counts([qs.filter(stage=stage) for stage in stages], loft=TAVLE_LOFT),
                          strict=True))
        kort = qs.order_by("stage_siden", "pk").values_list(
            "pk", "stage", "stage_siden", "borger__fornavn", "faellesskab__titel")
        for stage in stages:
            if counts[stage]:
                rows[stage] = [Kort(*row) for row in kort.filter(stage=stage)[:per_stage]]
    for stage_rows in rows.values():  # a join promises no order
        stage_rows.sort(key=_KORT_ORDEN)
    return [(stage, Stage(stage).label, Liste(rows[stage], counts[stage], loft)) for stage in stages]


def pipeline_stage(*, actor, stage: str):
    """Every open match in one stage, longest in the stage first (paginate it)."""
    access.check(actor, "match", "board")
    return match_list(actor=actor).filter(stage=stage).order_by("stage_siden", "pk")


def upcoming_ledsagelser(*, actor, days=7, now=None):
    now = now or timezone.now()
    qs = access.scope(actor, "ledsagelse", Ledsagelse.objects.select_related("match__borger", "match__faellesskab"))
    return qs.filter(status=LedsagelseStatus.PLANLAGT, tidspunkt__gte=now - timedelta(hours=12),
                     tidspunkt__lte=now + timedelta(days=days)).order_by("tidspunkt")


def past_unrecorded_ledsagelser(*, actor):
    """Meetings of the last 24 h with no outcome yet; older ones are the silence alarm's (`stille_moeder`)."""
    qs = access.scope(actor, "ledsagelse", Ledsagelse.objects.select_related("match__borger", "match__faellesskab"))
    now = timezone.now()
    return qs.filter(status=LedsagelseStatus.PLANLAGT, tidspunkt__lt=now,
                     tidspunkt__gte=now - STILLE_MOEDE).order_by("tidspunkt")


def moeder_uden_udfald(*, actor, now=None):
    """Every first meeting that has begun with no outcome recorded, on open matches, oldest first:
    the overview's task list and its full page (`matching:opgaver_moeder`)."""
    qs = access.scope(actor, "ledsagelse", Ledsagelse.objects.select_related("match__borger", "match__faellesskab"))
    return qs.filter(status=LedsagelseStatus.PLANLAGT, tidspunkt__lt=now or timezone.now()) \
        .exclude(match__stage=Stage.AFSLUTTET).order_by("tidspunkt", "pk")


# Every stage but the closed one.
AABNE_FASER = [stage for stage in Stage.values if stage != Stage.AFSLUTTET]


def _aabne_matches_i_centret(qs, actor):
    """Follow-ups on open matches. A brobygger's list is reached through their own borgere (a few
    hundred, by index), so the match is joined anyway. The centre's list reads the follow-up's own
    `match_aaben` (the partial index `opfoelgning_aaben_forfalder` has only open follow-ups of open
    matches): a join made PostgreSQL hash all the centre's open matches (17,000 at national size), and
    looking up each follow-up's match stage probed ~1,200 matches to count to "999+" (issue 15)."""
    if actor.is_brobygger:
        return qs.exclude(match__stage=Stage.AFSLUTTET)
    return qs.filter(match_aaben=True)


def due_opfoelgninger(*, actor, within_days=7):
    qs = access.scope(actor, "opfoelgning", Opfoelgning.objects.select_related("match__borger", "match__faellesskab"))
    qs = qs.filter(udfoert__isnull=True, forfalder__lte=timezone.localdate() + timedelta(days=within_days))
    return _aabne_matches_i_centret(qs, actor).order_by("forfalder")


def med_moede(qs):
    """The follow-ups of `qs` with the attended meeting's time and length (`moede_tid`, `moede_min`),
    as subqueries of the same query: what `med_aabner` needs."""
    moede = Ledsagelse.objects.filter(match=OuterRef("match_id"), status=LedsagelseStatus.MOEDT_OP) \
        .order_by("-tidspunkt")
    return qs.annotate(moede_tid=Subquery(moede.values("tidspunkt")[:1]),
                       moede_min=Subquery(moede.values("varighed_min")[:1]))


def med_aabner(rows):
    """Give each follow-up of `rows` (read through `med_moede`) `aabner` (when it may be recorded,
    `services.opfoelgning_aabner`) and `aaben` (whether that is now)."""
    now = timezone.now()
    for row in rows:
        slut = row.moede_tid + timedelta(minutes=row.moede_min) if row.moede_tid else None
        row.aabner = opfoelgning_aabner(row, slut)
        row.aaben = now >= row.aabner
    return rows


def opfoelgninger_med_aabner(qs, limit: int | None = None):
    """The follow-ups of `qs`, each with `aabner` and `aaben` (`med_aabner`). One query: the attended
    meeting's time comes as a subquery. With `limit`, the first `limit` of them as a `Liste` (a count
    when there are more)."""
    qs = med_moede(qs)
    if limit:
        liste = bounded(qs, limit)
        med_aabner(liste.rows)
        return liste
    return med_aabner(list(qs))


# --- The forening's view: "Nye på vej" ----------------------------------------------------------


@dataclass(frozen=True)
class NyPaaVej:
    """A newcomer on their way to one of the forening's fællesskaber, as the host may see it.

    Built field by field through the access module's allowlist: no model object reaches the template.
    """

    pk: int  # the ledsagelse
    faellesskab: str
    tidspunkt: datetime
    fornavn: str  # "" without the borger's consent to share with the host
    brobygger_fornavn: str
    velkomstnote: str
    moedested: str
    brobygger_telefon: object  # a PhoneNumber, or None
    tidligere: bool  # over and reported: shown under "Tidligere"
    vaert_bekraeftet: datetime | None
    vaert_rapport: str
    vaert_rapport_label: str
    kan_bekraefte: bool
    kan_rapportere: bool


def nye_paa_vej(*, actor, days_back=14) -> list[NyPaaVej]:
    """Planned first meetings to the actor's fællesskaber, recent and upcoming. Three queries."""
    access.check(actor, "nyankomst", "list")
    adgangslog.log_search(actor=actor, criteria={"liste": "nye_paa_vej"})
    now = timezone.now()
    qs = access.scope(actor, "nyankomst", Ledsagelse.objects.select_related("match__borger", "match__faellesskab",
                                                                             "brobygger"))
    qs = qs.filter(tidspunkt__gte=now - timedelta(days=days_back)).exclude(
        status__in=[LedsagelseStatus.AFLYST, LedsagelseStatus.UDEBLEV]).exclude(
        match__stage=Stage.AFSLUTTET).order_by("tidspunkt")
    rows = list(qs)
    consented = set(Samtykke.objects.filter(
        borger_id__in={r.match.borger_id for r in rows}, formaal=Formaal.DELING_MED_VAERT,
        tilbagekaldt__isnull=True).values_list("borger_id", flat=True))
    out = []
    for ledsagelse in rows:
        consent = ledsagelse.match.borger_id in consented
        borger = access.visible_fields(actor, "borger", ledsagelse.match.borger, ["fornavn"], host_consent=consent)
        moede = access.visible_fields(actor, "ledsagelse", ledsagelse,
                                      ["tidspunkt", "moedested", "velkomstnote", "vaert_bekraeftet", "vaert_rapport"],
                                      host_consent=consent)
        brobygger = access.visible_fields(actor, "brobygger", ledsagelse.brobygger, ["first_name", "telefon"])
        rapport = moede.get("vaert_rapport", "")
        out.append(NyPaaVej(
            pk=ledsagelse.pk, faellesskab=ledsagelse.match.faellesskab.titel, tidspunkt=moede["tidspunkt"],
            fornavn=borger.get("fornavn", ""), brobygger_fornavn=brobygger.get("first_name", ""),
            velkomstnote=moede.get("velkomstnote", ""), vaert_bekraeftet=moede.get("vaert_bekraeftet"),
            moedested=moede.get("moedested", ""), brobygger_telefon=brobygger.get("telefon") or None,
            tidligere=ledsagelse.tidspunkt <= now and bool(rapport),
            vaert_rapport=rapport, vaert_rapport_label=VaertRapport(rapport).label if rapport else "",
            kan_bekraefte=ledsagelse.tidspunkt > now and moede.get("vaert_bekraeftet") is None,
            kan_rapportere=ledsagelse.tidspunkt <= now and not rapport,
        ))
    return out


def ledsagelse_for_host(*, actor, pk):
    qs = Ledsagelse.objects.select_related("match__faellesskab")
    return access.get_or_deny(actor, "ledsagelse", "host", qs, pk)


def host_reported_no_show(*, actor):
    """The brobygger's meetings the host reported "kom ikke" for, while the outcome is still open."""
    qs = access.scope(actor, "ledsagelse", Ledsagelse.objects.select_related("match__borger", "match__faellesskab"))
    return qs.filter(vaert_rapport=VaertRapport.KOM_IKKE, status=LedsagelseStatus.PLANLAGT).order_by("tidspunkt")


# --- Overdragelse: what a deactivated member still holds in the centre ----------------------------


def overdragelse_borgere(*, actor, medlemskab):
    """The centre's active borgere the member is still responsible for (a list over borgere: logged)."""
    adgangslog.log_search(actor=actor, criteria={"overdragelse_medlemskab": medlemskab.pk})
    return borger_list(actor=actor).filter(center_id=medlemskab.center_id, brobygger_id=medlemskab.user_id) \
        .order_by("fornavn", "pk")


def overdragelse_ledsagelser(*, actor, medlemskab):
    """Planned first meetings in the centre the member is still to go along to, from today on."""
    qs = access.scope(actor, "ledsagelse", Ledsagelse.objects.select_related("match__borger", "match__faellesskab"))
    return qs.filter(center_id=medlemskab.center_id, brobygger_id=medlemskab.user_id,
                     status=LedsagelseStatus.PLANLAGT,
                     tidspunkt__gte=timezone.now() - timedelta(hours=12)).order_by("tidspunkt", "pk")


# --- Answers after the meeting, and the silence alarm (issue 12) ----------------------------------


@dataclass(frozen=True)
class Liste:
    """The first `rows` of a list, and how many there are in all (lists on the front pages are bounded).
    With `loft`, the count stops just past it (`antal` is then loft + 1; shown as "999+")."""

    rows: list
    antal: int
    loft: int | None = None

    @property
    def flere(self) -> int:
        return self.antal - len(self.rows)

    @property
    def over_loft(self) -> bool:
        return self.loft is not None and self.antal > self.loft

    @property
    def antal_tekst(self) -> str:
        return f"{self.loft}+" if self.over_loft else str(self.antal)

    @property
    def flere_tekst(self) -> str:
        return f"{self.loft - len(self.rows)}+" if self.over_loft else str(self.flere)


def bounded(qs, limit: int = 20, loft: int | None = None) -> Liste:
    """The first `limit` rows of `qs` and the total: one query, two when the list is full. With
    `loft` the count reads at most loft + 1 rows (`COUNT(*)` over a `LIMIT` subquery). The count has
    no ORDER BY: which rows fall under the cap does not change how many there are, and sorting every
    candidate first is what made it slow at national size."""
    rows = list(qs[:limit])
    if len(rows) < limit:
        return Liste(rows, len(rows), loft)
    return Liste(rows, qs.order_by()[:loft + 1].count() if loft else qs.count(), loft)


def bounded_sammen(lister: dict, limit: int = 20) -> dict[str, Liste]:
    """`bounded(qs, limit)` for each of `lister` (name → queryset; one model, the same columns: the
    same `only`, `select_related` and annotations), from one query (`rader_sammen`): each list's first
    `limit` rows with its count (`COUNT(*) OVER ()`, over every row before the LIMIT). A page of short
    lists pays one round trip, not one or two each (Min dag, issue 15). Where a compound query may
    not have a LIMIT per part (SQLite), one `bounded` per list."""
    if not _union_med_limit(lister.values()):
        return {navn: bounded(qs, limit) for navn, qs in lister.items()}
    rader = rader_sammen([(qs.annotate(liste_antal=Window(Count("pk"))), limit) for qs in lister.values()])
    return {navn: Liste(rows, rows[0].liste_antal if rows else 0) for navn, rows in zip(lister, rader, strict=True)}


def _union_med_limit(querysets) -> bool:
    querysets = list(querysets)
    return len(querysets) > 1 and connections[querysets[0].db].features.supports_slicing_ordering_in_compound


def rader_sammen(dele: list) -> list[list]:
    """The first `limit` rows of each (queryset, limit) of `dele` (one model, the same columns), from
    one query: the parts joined by UNION ALL, each with its own ORDER BY and LIMIT, and each part's
    rows put in its own order again (a UNION promises none). Where a compound query may not have a
    LIMIT per part (SQLite), one query per part."""
    if not _union_med_limit(qs for qs, _limit in dele):
        return [list(qs[:limit]) for qs, limit in dele]
    dele_sql = [qs.annotate(liste_nr=Value(i, output_field=IntegerField()))[:limit] for i, (qs, limit) in enumerate(dele)]
    rader: list[list] = [[] for _ in dele]
    for row in dele_sql[0].union(*dele_sql[1:], all=True):
        rader[row.liste_nr].append(row)
    for (qs, _limit), rows in zip(dele, rader, strict=True):
        _sorter(rows, qs.query.order_by)
    return rader


def _sorter(rows: list, order_by) -> None:
    """Sort `rows` in place as `order_by` (plain field names, "-" for descending) orders them."""
    for felt in reversed(order_by):
        if not isinstance(felt, str) or "__" in felt or "." in felt:  # pragma: no cover - the lists' orders are plain
            raise ValueError(f"cannot sort by {felt!r}")
        rows.sort(key=attrgetter(felt.lstrip("-")), reverse=felt.startswith("-"))


def med_del(qs, del_q: Q):
    """`qs` with `i_del`: whether a row is in the part `del_q` picks."""
    return qs.annotate(i_del=ExpressionWrapper(del_q, output_field=BooleanField()))


def bounded_med_del(qs, *, del_q: Q, limit: int = 20, loft: int | None = None) -> tuple[Liste, Liste]:
    """`bounded(qs, …)` and `bounded(qs.filter(del_q), …)` from one query of rows and at most one count.

    The part must come first in `qs`'s order: every row `del_q` picks sorts before every row it does
    not (the silence alarm's tasks are the oldest of the overview's: meetings 24 h on with no outcome
    among those with none, follow-ups 7 days overdue among the overdue ones), so the part's first rows
    are the list's first. The counts, when the list is full: without `loft` in the query of rows
    (`COUNT(*) OVER ()`, and with a FILTER for the part: one pass, not a second walk of the brobygger's
    borgere); with it the part and the rest each capped (`capped_counts`, no sort: ORDER BY made
    PostgreSQL sort every candidate), the list's count their sum, capped."""
    qs = med_del(qs, del_q)
    if loft is None:  # the exact counts in the same query (window aggregates over every row, before LIMIT)
        qs = qs.annotate(n_alle=Window(Count("pk")), n_del=Window(Count("pk", filter=del_q)))
    rows = list(qs[:limit])
    del_rows = [row for row in rows if row.i_del]
    if len(rows) < limit:
        return Liste(rows, len(rows), loft), Liste(del_rows, len(del_rows), loft)
    if loft is None:
        n, d = rows[0].n_alle, rows[0].n_del
    else:
        d, resten = capped_counts([qs.filter(del_q), qs.exclude(del_q)], loft=loft)
        n = min(d + resten, loft + 1)
    if len(del_rows) < limit:  # the part ends inside the rows: all of it is there
        d = len(del_rows)
    return Liste(rows, n, loft), Liste(del_rows, d, loft)


class Lister:
    """Bounded lists read together (the koordinator's overview): each list's rows when it is added,
    and every count the page needs in one query at the end (`hent`): the full lists' counts (as
    `bounded` and `bounded_med_del` make them, capped at `loft` + 1 rows, without ORDER BY) and
    exact counts (`antal`). A page of task lists pays one round trip for its counts, not one each."""

    def __init__(self):
        self._taellinger: list[tuple[object, int | None, int | None]] = []
        self._lister: dict[str, object] = {}

    def _tael(self, qs, loft, efter: int | None = None) -> int:
        self._taellinger.append((qs, loft, efter))
        return len(self._taellinger) - 1

    def antal(self, navn: str, qs, loft: int | None = None) -> None:
        """`qs`'s count, under `navn` in `hent`: exact, or with `loft` at most loft + 1 (read no further)."""
        i = self._tael(qs, loft)
        self._lister[navn] = lambda antal: antal[i]

    def antal_for_hver(self, navne: dict, qs, felt: str, loft: int | None = None) -> None:
        """`antal(navn, qs.filter(felt=vaerdi), loft)` for each navn → vaerdi of `navne`; the statement
        compiled once (`for_hver`), not once for each value."""
        for navn, taelling in zip(navne, for_hver(qs, felt, navne.values()), strict=True):
            self.antal(navn, taelling, loft)

    def bounded(self, navn: str, qs, limit: int = 20, loft: int | None = None, rows: list | None = None) -> None:
        """`selectors.bounded`, its count with the others'. `rows`: `qs`'s first `limit`, when read
        already (`rader_sammen`)."""
        rows = list(qs[:limit]) if rows is None else rows
        if len(rows) < limit:
            self._lister[navn] = Liste(rows, len(rows), loft)
        else:
            i = self._tael(qs, loft)
            self._lister[navn] = lambda antal: Liste(rows, antal[i], loft)

    def bounded_med_del(self, navn: str, del_navn: str, qs, *, del_q: Q, limit: int, loft: int,
                        rows: list | None = None, dele: tuple | None = None) -> None:
        """`selectors.bounded_med_del`, its counts with the others'. The rest is counted only up to
        what the part leaves below the cap: when the part alone is past it, the rest is not read.
        `rows`: the first `limit` of `med_del(qs, del_q)`, when read already (`rader_sammen`); `dele`:
        `qs.filter(del_q)` and `qs.exclude(del_q)` compiled already (`taelling`), with `rows`."""
        rows = list(med_del(qs, del_q)[:limit]) if rows is None else rows
        del_rows = [row for row in rows if row.i_del]
        if len(rows) < limit:
            self._lister[navn] = Liste(rows, len(rows), loft)
            self._lister[del_navn] = Liste(del_rows, len(del_rows), loft)
            return
        i = self._tael(dele[0] if dele else qs.filter(del_q), loft)
        j = self._tael(dele[1] if dele else qs.exclude(del_q), loft, efter=i)
        self._lister[navn] = lambda antal: Liste(rows, min(antal[i] + antal[j], loft + 1), loft)
        self._lister[del_navn] = (Liste(del_rows, len(del_rows), loft) if len(del_rows) < limit
                                  else lambda antal: Liste(del_rows, antal[i], loft))

    def hent(self) -> dict:
        antal = taellinger(self._taellinger)
        return {navn: liste(antal) if callable(liste) else liste for navn, liste in self._lister.items()}


@dataclass(frozen=True)
class Taelling:
    """What `taellinger` counts, compiled already (`for_hver`)."""

    sql: str
    params: tuple
    db: str


@dataclass(frozen=True)
class Holdt:
    """A count the database keeps (`fase_antal`), for `taellinger`: `sql` selects it, one value or no row (0)."""

    sql: str
    params: tuple
    db: str


def _taelling(qs) -> tuple[str, tuple]:
    """`qs` as `taellinger` counts it: a constant per row, no ORDER BY."""
    return qs.order_by().annotate(en=Value(1)).values("en").query.sql_with_params()


def taelling(qs):
    """`qs` compiled for `taellinger` (a `Taelling`), to count again without building and compiling it
    anew; a queryset that can have no rows stays as it is."""
    return qs if qs.query.is_empty() else Taelling(*_taelling(qs), qs.db)


def for_hver(qs, felt: str, vaerdier) -> list:
    """`qs.filter(felt=vaerdi)` for each of `vaerdier`, for `taellinger`: one compile, its parameter
    swapped for each value (the overview's eight stage counts: eight compiles were ~2 ms a request).
    The SQL is the one each filter gives."""
    if qs.query.is_empty():
        return [qs.none() for _ in vaerdier]
    sql, params = _taelling(qs.filter(**{felt: _STEDFORTRAEDER}))
    i = _stedfortraederens_plads(params)
    return [Taelling(sql, (*params[:i], vaerdi, *params[i + 1:]), qs.db) for vaerdi in vaerdier]


def taellinger(taellinger) -> list[int]:
    """Counts in one query: for each (queryset, loft, efter), its rows, at most `loft` + 1 of them
    (all with `loft` None); with `efter` (the index of an earlier count with the same `loft`) only as
    many as that count leaves below `loft` + 1; a `Holdt` is read as the database keeps it. Each count is
    a scalar subquery (a counted one that another waits for, a CTE) that selects a constant, so an index
    that answers the WHERE answers alone; no ORDER BY: which rows fall under a cap does not change how
    many there are. (Not one CTE each joined in FROM: PostgreSQL planned the join of 20 one-row results
    for 45 ms.)"""
    taellinger = list(taellinger)
    if not taellinger:
        return []
    ventes_paa = {efter for _qs, _loft, efter in taellinger if efter is not None}
    ctes, cte_params, dele, params = [], [], [], []
    for i, (qs, loft, efter) in enumerate(taellinger):
        if isinstance(qs, Holdt):  # read, not counted (never capped, so no other waits for it)
            dele.append(f"COALESCE(({qs.sql}), 0)")
            params.extend(qs.params)
            continue
        sql, sql_params = (qs.sql, qs.params) if isinstance(qs, Taelling) else _taelling(qs)
        sql_params = list(sql_params)
        if loft is None:
            graense = ""
        elif efter is None:
            graense, sql_params = " LIMIT %s", [*sql_params, loft + 1]
        else:
            # what is left below loft + 1, never negative (CASE, not GREATEST: SQLite has no GREATEST)
            graense = f" LIMIT (SELECT CASE WHEN n < %s THEN %s - n ELSE 0 END FROM c{efter})"  # noqa: S608
            sql_params = [*sql_params, loft + 1, loft + 1]
        taelling = f"SELECT COUNT(*) AS n FROM ({sql}{graense}) AS t{i}"  # noqa: S608 - Django's SQL; values are parameters
        if i in ventes_paa:
            ctes.append(f"c{i} AS ({taelling})")
            cte_params.extend(sql_params)
            dele.append(f"(SELECT n FROM c{i})")  # noqa: S608
        else:
            dele.append(f"({taelling})")
            params.extend(sql_params)
    with_ = "WITH " + ", ".join(ctes) + " " if ctes else ""
    with connections[taellinger[0][0].db].cursor() as cursor:
        cursor.execute(with_ + "SELECT " + ", ".join(dele), cte_params + params)
        return list(cursor.fetchone())


def svar_seneste(*, actor, days=14, limit=10, felter=()) -> Liste:
    """"Svar fra vært og borger": the answers to the actor's meetings in the last `days`, newest first.
    Two queries at most, however many there are. `felter`: load only these fields (`QuerySet.only`)."""
    moeder = access.scope(actor, "ledsagelse", Ledsagelse.objects.all()).values("pk")
    qs = Moedesvar.objects.filter(ledsagelse__in=moeder, besvaret__gte=timezone.now() - timedelta(days=days)) \
        .select_related("ledsagelse__match__borger", "ledsagelse__match__faellesskab").order_by("-besvaret", "-pk")
    return bounded(qs.only(*felter) if felter else qs, limit)


# A first meeting with no outcome this long after it began, or a follow-up this long overdue, is a task.
STILLE_MOEDE = timedelta(hours=24)
STILLE_OPFOELGNING_DAGE = 7


def stille_moede_q(now=None) -> Q:
    """Which of the meetings with no outcome are the silence alarm's: begun more than 24 h ago."""
    return Q(tidspunkt__lt=(now or timezone.now()) - STILLE_MOEDE)


def stille_opfoelgning_q() -> Q:
    """Which of the open follow-ups are the silence alarm's: more than 7 days overdue."""
    return Q(forfalder__lt=timezone.localdate() - timedelta(days=STILLE_OPFOELGNING_DAGE))


def stille_moeder(*, actor, limit=20, loft=None, felter=()) -> Liste:
    """Silence alarm: planned first meetings that began more than 24 h ago with no outcome, oldest first.
    `felter`: load only these fields (`QuerySet.only`), what the page shows. The front pages read it
    with other lists: the koordinator's with the meetings it is part of (`bounded_med_del`), Min dag
    with the brobygger's other meetings (`bounded_sammen`, from `stille_moeder_qs`)."""
    qs = stille_moeder_qs(actor=actor)
    return bounded(qs.only(*felter) if felter else qs, limit, loft)


def stille_moeder_qs(*, actor):
    """The silence alarm's meetings (`stille_moeder`), all of them, oldest first."""
    qs = access.scope(actor, "ledsagelse", Ledsagelse.objects.select_related("match__borger", "match__faellesskab"))
    return qs.filter(stille_moede_q(), status=LedsagelseStatus.PLANLAGT) \
        .exclude(match__stage=Stage.AFSLUTTET).order_by("tidspunkt", "pk")


# Min dag's four lists of meetings, in `brobyggerens_moeder`'s order: (name, condition on `l`, the
# meetings the brobygger may see that are planned and have no outcome yet, with their match's stage).
# Each list is the selector named beside it; `tests/matching/test_forside.py` compares them.
_MOEDELISTER = (
    ("ledsagelser", "l.tidspunkt >= %s AND l.tidspunkt <= %s"),  # upcoming_ledsagelser
    ("uden_udfald", "l.tidspunkt < %s AND l.tidspunkt >= %s"),  # past_unrecorded_ledsagelser
    ("kom_ikke", "l.vaert_rapport = %s"),  # host_reported_no_show
    ("stille_moeder", "l.tidspunkt < %s AND l.stage <> %s"),  # stille_moeder_qs
)


def _moedelister_sql(now, limit: int) -> tuple[str, list]:
    """`_MOEDELISTER`'s four lists as one UNION ALL over a CTE `l` (with `tidspunkt`, `vaert_rapport`, `stage`
    and `id`): each row's list number, the list's count and `l`'s columns, the first `limit` of each."""
    betingelser = [[now - timedelta(hours=12), now + timedelta(days=7)], [now, now - STILLE_MOEDE],
                   [VaertRapport.KOM_IKKE], [now - STILLE_MOEDE, Stage.AFSLUTTET]]
    sql = " UNION ALL ".join(
        f"(SELECT {i} AS liste, COUNT(*) OVER () AS antal, l.* FROM l WHERE {betingelse}"  # noqa: S608
        f" ORDER BY l.tidspunkt, l.id LIMIT %s)" for i, (_navn, betingelse) in enumerate(_MOEDELISTER))
    return sql, [p for betingelse in betingelser for p in (*betingelse, limit)]
# The columns Min dag's rows load (attnames, in each model's field order, as `from_db` takes them): what
# `forside.LEDSAGELSE_FELTER`, `OPFOELGNING_FELTER` and `SVAR_FELTER` load (a test compares).
_LEDSAGELSE_KOLONNER = ("id", "center_id", "match_id", "tidspunkt", "moedested", "status")
_OPFOELGNING_KOLONNER = ("id", "center_id", "match_id", "type", "forfalder", "udfoert")
_SVAR_KOLONNER = ("id", "center_id", "ledsagelse_id", "modtager", "svar", "besvaret", "besvaret_via", "kommentar")
_MATCH_KOLONNER = ("id", "center_id", "borger_id", "faellesskab_id", "stage")
_MOEDE_FELTER = ("center_id", "tidspunkt", "moedested", "status", "match__center_id", "match__stage",
                 "match__borger__fornavn", "match__faellesskab__titel")


def _med_match(db, obj, felt, row, i: int, kolonner=_MATCH_KOLONNER) -> int:
    """Give `obj` its `felt` (a match) from `row[i:]`: the match's `kolonner`, then the borger's id and
    first name and the fællesskab's id and title, as `select_related` caches them. The next index."""
    n = len(kolonner)
    match = fra_db(Match, db, kolonner, row[i:i + n])
    felt.field.set_cached_value(obj, match)
    Match.borger.field.set_cached_value(match, fra_db(Borger, db, ("id", "fornavn"), row[i + n:i + n + 2]))
    Match.faellesskab.field.set_cached_value(match, fra_db(Faellesskab, db, ("id", "titel"), row[i + n + 2:i + n + 4]))
    return i + n + 4


def brobyggerens_moeder_laesning(*, actor, limit: int = 20, now=None) -> Laesning | None:
    """`brobyggerens_moeder`'s read, for `fetch_together` (None when the actor may see no meetings)."""
    planlagte = access.scope(actor, "ledsagelse", Ledsagelse.objects.filter(status=LedsagelseStatus.PLANLAGT))
    if planlagte.query.is_empty():
        return None
    ids, ids_params = planlagte.order_by().values("pk").query.sql_with_params()
    dele, dele_params = _moedelister_sql(now or timezone.now(), limit)
    le, m = Ledsagelse._meta.db_table, Match._meta.db_table
    b, f = Borger._meta.db_table, Faellesskab._meta.db_table
    sql = f"""
        WITH l AS MATERIALIZED (
            SELECT x.id, x.center_id, x.match_id, x.tidspunkt, x.moedested, x.status, x.vaert_rapport,
                   m.center_id AS m_center_id, m.borger_id, m.faellesskab_id, m.stage
            FROM {le} x JOIN {m} m ON m.id = x.match_id WHERE x.id IN ({ids})
        ), d AS ({dele})
        SELECT d.liste, d.antal, d.id, d.center_id, d.match_id, d.tidspunkt, d.moedested, d.status,
               d.match_id, d.m_center_id, d.borger_id, d.faellesskab_id, d.stage, b.id, b.fornavn, f.id, f.titel
        FROM d JOIN {b} b ON b.id = d.borger_id JOIN {f} f ON f.id = d.faellesskab_id
    """  # noqa: S608 -- table names and Django's SQL; values are parameters
    params = [*ids_params, *dele_params]
    db = planlagte.db

    def parse(rows, _connection):
        moeder = []
        for row in rows:
            ledsagelse = fra_db(Ledsagelse, db, _LEDSAGELSE_KOLONNER, row[2:8])
            _med_match(db, ledsagelse, Ledsagelse.match, row, 8)
            moeder.append((row[0], row[1], ledsagelse))
        return _moedelister(moeder)

    return Laesning(sql, params, parse)


def _moedelister(moeder) -> dict[str, Liste]:
    """Min dag's four lists of meetings from (list, its count, meeting) triples, in any order."""
    lister: list[list] = [[] for _ in _MOEDELISTER]
    antal = [0] * len(_MOEDELISTER)
    for liste, n, ledsagelse in moeder:
        lister[liste].append(ledsagelse)
        antal[liste] = n
    for rader in lister:  # a UNION promises no order
        rader.sort(key=attrgetter("tidspunkt", "pk"))
    return {navn: Liste(rader, n) for (navn, _b), rader, n in zip(_MOEDELISTER, lister, antal, strict=True)}


def ledsagelser_laesning(dele: list) -> Laesning:
    """`rader_sammen` for lists of meetings, for `fetch_together`: the first `limit` rows of each
    (queryset, limit, del_fra) of `dele`, in the queryset's order (by time; ties by id), loaded as
    `forside.LEDSAGELSE_FELTER` loads them; with `del_fra` each row's `i_del` says whether it began
    before then (`med_del` with `stille_moede_q`). Each queryset (a scoped selector's) is compiled by the
    ORM as ids only, with its order and LIMIT; the rows and their names are joined to those ids in
    plain SQL. The querysets with their joins, columns and a UNION took ~2 ms of Python to compile,
    longer than the statement runs (the koordinator's overview, issue 15)."""
    dele_sql, params = [], []
    for i, (qs, limit, _del_fra) in enumerate(dele):
        orden = [*qs.query.order_by, *(["pk"] if "pk" not in qs.query.order_by else [])]
        sql, sql_params = qs.order_by(*orden).values("pk")[:limit].query.sql_with_params()
        dele_sql.append(f"SELECT {i} AS liste, t{i}.pk FROM ({sql}) t{i}")  # noqa: S608 - Django's SQL
        params.extend(sql_params)
    le, m = Ledsagelse._meta.db_table, Match._meta.db_table
    b, f = Borger._meta.db_table, Faellesskab._meta.db_table
    sql = f"""
        SELECT d.liste, x.id, x.center_id, x.match_id, x.tidspunkt, x.moedested, x.status,
               x.match_id, m.center_id, m.borger_id, m.faellesskab_id, m.stage, b.id, b.fornavn, f.id, f.titel
        FROM ({" UNION ALL ".join(dele_sql)}) d JOIN {le} x ON x.id = d.pk JOIN {m} m ON m.id = x.match_id
             JOIN {b} b ON b.id = m.borger_id JOIN {f} f ON f.id = m.faellesskab_id
    """  # noqa: S608 -- table names and Django's SQL; values are parameters
    db = dele[0][0].db

    def parse(rows, _connection):
        lister: list[list] = [[] for _ in dele]
        for row in rows:
            ledsagelse = fra_db(Ledsagelse, db, _LEDSAGELSE_KOLONNER, row[1:7])
            _med_match(db, ledsagelse, Ledsagelse.match, row, 7)
            if (del_fra := dele[row[0]][2]) is not None:
                ledsagelse.i_del = ledsagelse.tidspunkt < del_fra
            lister[row[0]].append(ledsagelse)
        for rader in lister:  # a join promises no order
            rader.sort(key=attrgetter("tidspunkt", "pk"))
        return lister

    return Laesning(sql, params, parse)


def brobyggerens_moeder(*, actor, limit: int = 20) -> dict[str, Liste]:
    """Min dag's four lists of meetings, each as `bounded(qs, limit)` of its selector gives it (rows in
    its order, ties by id, and its count): `upcoming_ledsagelser` ("ledsagelser"),
    `past_unrecorded_ledsagelser` ("uden_udfald"), `host_reported_no_show` ("kom_ikke") and
    `stille_moeder_qs` ("stille_moeder"), each row loaded as `forside.LEDSAGELSE_FELTER` loads it.

    All four are planned meetings the actor may see, so on PostgreSQL one statement reads those once
    (the scoped ORM subquery's ids, with their match: a walk of the brobygger's borgere, whatever the
    centre's size) and the four lists from them, joining the borger's first name and the fællesskab's
    title to the rows shown. Four scoped querysets as one UNION took longer to build and compile
    (~5 ms) than to run, and the week's meetings were read from the centre's whole week (issue 15).
    Elsewhere `bounded_sammen` of the four querysets."""
    if connections[Ledsagelse.objects.db].vendor != "postgresql":
        return bounded_sammen({navn: qs.order_by("tidspunkt", "pk").only(*_MOEDE_FELTER) for navn, qs in [
            ("ledsagelser", upcoming_ledsagelser(actor=actor)),
            ("uden_udfald", past_unrecorded_ledsagelser(actor=actor)),
            ("kom_ikke", host_reported_no_show(actor=actor)),
            ("stille_moeder", stille_moeder_qs(actor=actor))]}, limit)
    laesning = brobyggerens_moeder_laesning(actor=actor, limit=limit)
    if laesning is None:
        return {navn: Liste([], 0) for navn, _betingelse in _MOEDELISTER}
    return fetch_together(connections[Ledsagelse.objects.db], [laesning])[0]


def _opfoelgningslister(rader: list, antal: tuple, *, del_fra, limit: int) -> tuple[Liste, Liste]:
    """The follow-ups `rader` (the first `limit`, due first, each with `moede_tid` and `moede_min`) and
    the silence alarm's part of them (due before `del_fra`) as `bounded_med_del` gives them, with `aabner`
    and `aaben` (`med_aabner`); `antal`: how many in all and in the part (window aggregates)."""
    for opf in rader:
        opf.i_del = opf.forfalder < del_fra
    med_aabner(rader)
    del_rader = [row for row in rader if row.i_del]
    if len(rader) < limit:
        return Liste(rader, len(rader)), Liste(del_rader, len(del_rader))
    n, d = antal
    return Liste(rader, n), Liste(del_rader, d if len(del_rader) == limit else len(del_rader))


def min_dags_laesning(*, actor, del_fra, limit: int = 20, now=None) -> Laesning | None:
    """Min dag's meetings (`brobyggerens_moeder_laesning`'s four lists) and follow-ups
    (`due_opfoelgninger`'s, each with its attended meeting's time and length as `med_moede` gives them,
    with the silence alarm's part before `del_fra`) in one statement, for `fetch_together`; None for an actor who is not a brobygger with borgere to list.

    The rows are found by the brobygger kept on them (`mindag_brobygger`, the brobygger of the match's
    borger, kept by the database: migration matching 0022), each kind through a partial index that holds
    only what Min dag can show (planned meetings; open follow-ups by due date). Walking the brobygger's
    borgere and their matches instead (263 and 403 at national size, issue 15) read ~3,600 buffers for the
    ~70 rows it found, and grew with the caseload. The conditions are the selectors' own (`access.scope`
    of "ledsagelse" and "opfoelgning" for a brobygger: the row's centre and its match's borger's brobygger,
    here the kept one; `upcoming_ledsagelser` …, `due_opfoelgninger`: open matches), which tests compare."""
    if not actor.is_brobygger:
        return None
    borgere = access.scope(actor, "borger", Borger.objects.all())
    if borgere.query.is_empty():
        return None
    dele, dele_params = _moedelister_sql(now or timezone.now(), limit)
    o, le, m = Opfoelgning._meta.db_table, Ledsagelse._meta.db_table, Match._meta.db_table
    b, f = Borger._meta.db_table, Faellesskab._meta.db_table
    # the partial indexes' conditions written as they are (not parameters), so the planner matches them
    planlagt = f"'{LedsagelseStatus.PLANLAGT.value}'"
    # each kind's rows with their match's columns (read once, for its stage); the rows of both kinds in one
    # set: (list: 0-3 the meetings', 4 the follow-ups'; the counts; the row's own columns, those of the other
    # kind NULL; its match and the names)
    match = "m.center_id AS m_center_id, m.borger_id, m.faellesskab_id, m.stage"
    sql = f"""
        WITH l AS MATERIALIZED (
            SELECT x.id, x.center_id, x.match_id, x.tidspunkt, x.moedested, x.status, x.vaert_rapport, {match}
            FROM {le} x JOIN {m} m ON m.id = x.match_id
            WHERE x.mindag_brobygger = %s AND x.center_id = %s AND x.status = {planlagt}
        ), o AS MATERIALIZED (
            SELECT COUNT(*) OVER () AS antal, COUNT(*) FILTER (WHERE o.forfalder < %s) OVER () AS antal_del,
                   o.id, o.center_id, o.match_id, o.type, o.forfalder, o.udfoert, {match}
            FROM {o} o JOIN {m} m ON m.id = o.match_id
            WHERE o.mindag_brobygger = %s AND o.center_id = %s AND o.udfoert IS NULL AND o.forfalder <= %s
                  AND m.stage <> %s
            ORDER BY o.forfalder, o.id LIMIT %s
        ), r AS (
            SELECT d.liste, d.antal, 0 AS antal_del, d.id, d.center_id, d.match_id, d.tidspunkt, d.moedested, d.status,
                   NULL AS type, NULL::date AS forfalder, NULL::timestamptz AS udfoert, NULL::integer AS moede_min,
                   d.m_center_id, d.borger_id, d.faellesskab_id, d.stage
            FROM ({dele}) d
            UNION ALL
            SELECT 4, o.antal, o.antal_del, o.id, o.center_id, o.match_id, u.tidspunkt, NULL, NULL,
                   o.type, o.forfalder, o.udfoert, u.varighed_min, o.m_center_id, o.borger_id, o.faellesskab_id,
                   o.stage
            FROM o LEFT JOIN LATERAL (SELECT u.tidspunkt, u.varighed_min FROM {le} u
                                      WHERE u.match_id = o.match_id AND u.status = %s
                                      ORDER BY u.tidspunkt DESC LIMIT 1) u ON true
        )
        SELECT r.liste, r.antal, r.antal_del, r.id, r.center_id, r.match_id, r.tidspunkt, r.moedested, r.status,
               r.type, r.forfalder, r.udfoert, r.moede_min,
               r.match_id, r.m_center_id, r.borger_id, r.faellesskab_id, r.stage, b.id, b.fornavn, f.id, f.titel
        FROM r JOIN {b} b ON b.id = r.borger_id JOIN {f} f ON f.id = r.faellesskab_id
    """  # noqa: S608 -- table names, constants and Django's SQL; values are parameters
    center = actor.center_id
    params = [actor.user.pk, center,
              del_fra, actor.user.pk, center, timezone.localdate() + timedelta(days=7), Stage.AFSLUTTET, limit,
              *dele_params, LedsagelseStatus.MOEDT_OP]
    db = borgere.db

    def parse(rows, _connection):
        moeder, opfoelgninger, antal = [], [], (0, 0)
        for row in rows:
            if row[0] < len(_MOEDELISTER):
                ledsagelse = fra_db(Ledsagelse, db, _LEDSAGELSE_KOLONNER, row[3:9])
                _med_match(db, ledsagelse, Ledsagelse.match, row, 13)
                moeder.append((row[0], row[1], ledsagelse))
            else:
                opf = fra_db(Opfoelgning, db, _OPFOELGNING_KOLONNER, (*row[3:6], *row[9:12]))
                _med_match(db, opf, Opfoelgning.match, row, 13)
                opf.moede_tid, opf.moede_min = omform(db, Ledsagelse, ("tidspunkt", "varighed_min"), (row[6], row[12]))
                opfoelgninger.append(opf)
                antal = row[1:3]
        opfoelgninger.sort(key=attrgetter("forfalder", "pk"))  # a join promises no order
        return _moedelister(moeder), _opfoelgningslister(opfoelgninger, antal, del_fra=del_fra, limit=limit)

    return Laesning(sql, params, parse)


def svar_seneste_laesning(*, actor, days=14, limit=10, now=None) -> Laesning:
    """`svar_seneste(actor=…, days, limit, felter=forside.SVAR_FELTER)`'s rows and count, for
    `fetch_together`: one statement over the scoped ORM subquery's meetings (the count a window
    aggregate), not a queryset of four joins compiled and planned for a list that is mostly empty."""
    moeder, moeder_params = access.scope(actor, "ledsagelse", Ledsagelse.objects.all()).order_by() \
        .values("pk").query.sql_with_params()
    s, le, m = Moedesvar._meta.db_table, Ledsagelse._meta.db_table, Match._meta.db_table
    b, f = Borger._meta.db_table, Faellesskab._meta.db_table
    # The answers first (a MATERIALIZED CTE), then the names joined to those: one query of every join
    # took PostgreSQL ~0.9 ms to plan (the join orders of eight tables), for a list mostly empty
    sql = f"""
        WITH s AS MATERIALIZED (
            SELECT COUNT(*) OVER () AS antal, s.id, s.center_id, s.ledsagelse_id, s.modtager, s.svar, s.besvaret,
                   s.besvaret_via, s.kommentar
            FROM {s} s WHERE s.besvaret >= %s AND s.ledsagelse_id IN ({moeder})
            ORDER BY s.besvaret DESC, s.id DESC LIMIT %s
        )
        SELECT s.antal, s.id, s.center_id, s.ledsagelse_id, s.modtager, s.svar, s.besvaret,
               s.besvaret_via, s.kommentar, l.id, l.center_id, l.match_id,
               m.id, m.center_id, m.borger_id, m.faellesskab_id, b.id, b.fornavn, f.id, f.titel
        FROM s JOIN {le} l ON l.id = s.ledsagelse_id JOIN {m} m ON m.id = l.match_id
             JOIN {b} b ON b.id = m.borger_id JOIN {f} f ON f.id = m.faellesskab_id
        ORDER BY s.besvaret DESC, s.id DESC
    """  # noqa: S608 -- table names and Django's SQL; values are parameters
    params = [(now or timezone.now()) - timedelta(days=days), *moeder_params, limit]
    db = Moedesvar.objects.db

    def parse(rows, _connection):
        rader = []
        for row in rows:
            svar = fra_db(Moedesvar, db, _SVAR_KOLONNER, row[1:9])
            ledsagelse = fra_db(Ledsagelse, db, ("id", "center_id", "match_id"), row[9:12])
            Moedesvar.ledsagelse.field.set_cached_value(svar, ledsagelse)
            _med_match(db, ledsagelse, Ledsagelse.match, row, 12, _MATCH_KOLONNER[:4])
            rader.append(svar)
        return Liste(rader, rows[0][0] if rows else 0)

    return Laesning(sql, params, parse)


@dataclass(frozen=True)
class SvarSide:
    """What the answer page shows: plain values, no model object (the reader has no login)."""

    ledsagelse_id: int
    modtager: str
    fornavn: str  # "" for a host when the borger no longer consents to sharing with the host
    faellesskab: str
    tidspunkt: datetime
    valg: list[tuple[str, str]]  # (value, label): JA first


def svar_side(*, moedesvar: Moedesvar) -> SvarSide:
    """The page behind an answer link. Showing the borger's first name is a read: logged."""
    ledsagelse = moedesvar.ledsagelse
    borger = ledsagelse.match.borger
    if moedesvar.modtager == SvarModtager.VAERT:
        actor = access.actor_for_forening_link(ledsagelse.match.faellesskab.forening)
        consent = har_samtykke(borger, Formaal.DELING_MED_VAERT)
        fornavn = access.visible_fields(actor, "borger", borger, ["fornavn"], host_consent=consent).get("fornavn", "")
    else:
        actor = access.actor_for_system(moedesvar.center)
        fornavn = borger.fornavn
    if fornavn:
        adgangslog.log_read(actor=actor, borger_id=borger.pk, center_id=moedesvar.center_id,
                            kriterium=f"moedesvar={moedesvar.pk}")
    return SvarSide(
        ledsagelse_id=ledsagelse.pk, modtager=moedesvar.modtager, fornavn=fornavn,
        faellesskab=ledsagelse.match.faellesskab.titel, tidspunkt=ledsagelse.tidspunkt,
        valg=[(value, Svar(value).label) for value in SVAR_VALG[moedesvar.modtager]],
    )


def moedesvar_fra_link(*, ledsagelse_id: int, token: str) -> svarlink.Opslag:
    return svarlink.fra_token(ledsagelse_id, token)
