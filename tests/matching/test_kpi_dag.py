"""The overview's figures per centre and day, kept by the database (migration matching.0026, PostgreSQL), and
read by the koordinator's overview (issue 15)."""

import importlib
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from borgere.models import Henvisning, Samtale
from brobygning.access import actor_for
from matching import forside, selectors
from matching.models import Ledsagelse, LedsagelseStatus, Match, Opfoelgning, OpfoelgningType, Resultat
from matching.national_copy import Copier

from .. import factories as f
from .. import journey_factories as rf
from .test_forside import henvisning, match_for

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the table and its triggers are PostgreSQL's")]


def _fra_dage(world, koordinator):
    """Each figure's count from each of a few days on, as the kept days give it and as the rows do."""
    actor = actor_for(koordinator)
    idag = timezone.localdate()
    holdt, talt = {}, {}
    for fra in (idag - timedelta(days=40), idag - timedelta(days=3), idag, idag + timedelta(days=1)):
        for noegle, qs in forside._kpi_tal(actor=actor, fra=fra).items():
            talt[noegle, fra] = qs.count()
            with connection.cursor() as cursor:
                h = selectors.kpi_dag(actor, noegle, fra, "default")
                cursor.execute(f"SELECT COALESCE(({h.sql}), 0)", h.params)
                holdt[noegle, fra] = cursor.fetchone()[0]
    return holdt, talt


def test_the_kept_figures_stay_in_step_with_every_kind_of_write(world, koordinator_a, brobygger_a):
    def i_takt():
        holdt, talt = _fra_dage(world, koordinator_a)
        assert holdt == talt
        return talt

    nu, idag = timezone.now(), timezone.localdate()
    borger = f.BorgerFactory(center=world.center_a)
    henvisning(world.center_a)
    gammel = henvisning(world.center_a, oprettet=nu - timedelta(days=10))
    henvisning(world.center_b)
    samtaler = [Samtale.objects.create(center=world.center_a, borger=borger, brobygger=brobygger_a, dato=dato)
                for dato in (idag, idag, idag - timedelta(days=5), idag + timedelta(days=2))]
    m1, m2 = match_for(world), match_for(world)
    l1 = rf.LedsagelseFactory(match=m1, center=world.center_a, status=LedsagelseStatus.PLANLAGT,
                              tidspunkt=nu - timedelta(days=1))
    o1 = rf.OpfoelgningFactory(match=m2, center=world.center_a, type=OpfoelgningType.TRE_MAANEDER,
                               forfalder=idag, udfoert=None, resultat="", aarsag="")
    talt = i_takt()
    assert talt["samtaler", idag] == 3 and talt["henvisninger", idag - timedelta(days=3)] == 1  # a planned one too
    # what makes a row count changes: a meeting held, a follow-up recorded, a day moved, a centre changed
    l1.status = LedsagelseStatus.MOEDT_OP
    l1.save()
    Opfoelgning.objects.filter(pk=o1.pk).update(udfoert=nu, resultat=Resultat.DELTAGER_STADIG)
    Samtale.objects.filter(pk=samtaler[0].pk).update(dato=idag - timedelta(days=30))
    Match.objects.filter(pk=m2.pk).update(oprettet=nu - timedelta(days=20))
    Henvisning.objects.filter(pk=gammel.pk).update(center=world.center_b)
    Match.objects.filter(pk=m1.pk).update(score=0.5)  # nothing counted changed
    talt = i_takt()
    assert (talt["foerste_moeder", idag - timedelta(days=3)], talt["efter_3_md", idag]) == (1, 1)
    Opfoelgning.objects.filter(pk=o1.pk).update(resultat=Resultat.STOPPET)
    Ledsagelse.objects.filter(pk=l1.pk).update(tidspunkt=nu - timedelta(days=60))
    talt = i_takt()
    assert (talt["foerste_moeder", idag - timedelta(days=40)], talt["efter_3_md", idag]) == (0, 0)
    # bulk_create and COPY, as the national dataset writes
    Samtale.objects.bulk_create([Samtale(center=world.center_a, borger=borger, brobygger=brobygger_a,
                                         dato=idag - timedelta(days=d)) for d in (0, 1, 2)])
    Copier().copy(Match, ["center", "borger", "faellesskab", "stage", "stage_siden", "oprettet"], [
        (world.center_a.pk, f.BorgerFactory(center=world.center_a).pk, world.faellesskab_a.pk, "foreslaaet", nu, nu)])
    i_takt()
    # deleted: one, a queryset's, a borger with all theirs (the collector's deletes)
    samtaler[1].delete()
    Match.objects.filter(pk=m1.pk).delete()
    borger.delete()
    assert i_takt()["samtaler", idag - timedelta(days=40)] == 0


def test_the_days_are_the_zone_the_overview_counts_in():
    migration = importlib.import_module("matching.migrations.0026_kpi_dag")
    assert migration.ZONE == settings.TIME_ZONE
    assert set(migration.KILDER) == {noegle for noegle, _label in forside._KPI} == set(selectors.KPI_ARTER)


def test_the_overview_reads_the_kept_figures_a_row_a_day(world, koordinator_a, as_koordinator_a, brobygger_a):
    # Its figures as counted from the rows, from kept rows of (centre, figure, day): not an index entry a row.
    idag = timezone.localdate()
    for _ in range(5):
        Samtale.objects.create(center=world.center_a, borger=world.borger_a, brobygger=brobygger_a, dato=idag)
    talt = {t.noegle: t.antal for t in forside.kpi(actor=actor_for(koordinator_a), fra=forside.maanedens_start())["tal"]}
    antal = forside._overblik_taellinger(actor=actor_for(koordinator_a), fra=forside.maanedens_start())
    assert {k: type(v) for k, v in antal.items() if k.startswith("kpi_")} == {
        f"kpi_{noegle}": selectors.Holdt for noegle in selectors.KPI_ARTER}
    response = as_koordinator_a.get(reverse("matching:forside"))
    assert {t.noegle: t.antal for t in response.context["kpi"]["tal"]} == talt
    assert talt["samtaler"] >= 5


@pytest.mark.django_db(transaction=True)  # TRUNCATE, outside a test transaction's pending deferred triggers
def test_truncating_a_counted_table_empties_its_figure_and_only_its(world, brobygger_a):
    idag = timezone.localdate()
    Samtale.objects.create(center=world.center_a, borger=world.borger_a, brobygger=brobygger_a, dato=idag)
    rf.OpfoelgningFactory(match=match_for(world), center=world.center_a, type=OpfoelgningType.TRE_MAANEDER,
                          forfalder=idag, udfoert=timezone.now(), resultat=Resultat.DELTAGER_STADIG, aarsag="")

    def kept():
        with connection.cursor() as cursor:
            cursor.execute("SELECT noegle, SUM(antal) FROM matching_kpi_dag WHERE center_id = %s GROUP BY noegle",
                           [world.center_a.pk])
            return dict(cursor.fetchall())

    assert kept()["efter_3_md"] == 1 and kept()["samtaler"] == 1
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Opfoelgning._meta.db_table} CASCADE")
    assert "efter_3_md" not in kept() and kept()["samtaler"] == 1
