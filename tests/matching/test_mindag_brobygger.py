"""Issue 15: `mindag_brobygger` (migration matching 0022) on every meeting and follow-up is the brobygger of
its match's borger, whoever writes, and Min dag reads its rows through the two partial indexes, not by
walking the brobygger's borgere (PostgreSQL; SQLite has no such column and reads through the borgere)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from borgere import services as borger_services
from borgere.gdpr import borger_anonymise
from borgere.models import Borger, Overtagelsesanmodning
from brobygning.access import actor_for
from brobygning.planner import fetch_together
from matching import selectors
from matching.models import Ledsagelse, LedsagelseStatus, Match, Opfoelgning, OpfoelgningType, Stage

from .. import factories as f
from .. import journey_factories as rf

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the column and its triggers are PostgreSQL's")]


def uden_for_trit() -> list:
    """The meetings and follow-ups whose kept brobygger is not their match's borger's: none, always."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT 'ledsagelse', x.id, x.mindag_brobygger, b.brobygger_id FROM matching_ledsagelse x
                JOIN matching_match m ON m.id = x.match_id JOIN borgere_borger b ON b.id = m.borger_id
                WHERE x.mindag_brobygger IS DISTINCT FROM b.brobygger_id
            UNION ALL
            SELECT 'opfoelgning', o.id, o.mindag_brobygger, b.brobygger_id FROM matching_opfoelgning o
                JOIN matching_match m ON m.id = o.match_id JOIN borgere_borger b ON b.id = m.borger_id
                WHERE o.mindag_brobygger IS DISTINCT FROM b.brobygger_id""")
        return cursor.fetchall()


def kept(model, obj):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT mindag_brobygger FROM {model._meta.db_table} WHERE id = %s", [obj.pk])  # noqa: S608
        return cursor.fetchone()[0]


def forloeb(world, brobygger, ledsager=None, center=None):
    center = center or world.center_a
    borger = f.BorgerFactory(center=center, brobygger=brobygger)
    match = rf.MatchFactory(borger=borger, center=center, stage=Stage.MOEDE_PLANLAGT, faellesskab=f.FaellesskabFactory(
        forening=world.forening_a if center == world.center_a else world.forening_b))
    moede = rf.LedsagelseFactory(match=match, center=center, brobygger=ledsager or brobygger,
                                 tidspunkt=timezone.now() + timedelta(days=1))
    opf = rf.OpfoelgningFactory(match=match, center=center, forfalder=timezone.localdate())
    return borger, match, moede, opf


def test_the_kept_brobygger_follows_every_write(world, brobygger_a, brobygger_a2, koordinator_a):
    borger, match, moede, opf = forloeb(world, brobygger_a)
    uden, _m, uden_moede, uden_opf = forloeb(world, None, ledsager=brobygger_a)
    # inserted: the match's borger's brobygger, or none
    assert (kept(Ledsagelse, moede), kept(Opfoelgning, opf)) == (brobygger_a.pk, brobygger_a.pk)
    assert (kept(Ledsagelse, uden_moede), kept(Opfoelgning, uden_opf)) == (None, None)
    assert uden_for_trit() == []

    # the borger's brobygger changed: by save(), by a queryset update, by the services
    borger.brobygger = brobygger_a2
    borger.save()
    assert (kept(Ledsagelse, moede), kept(Opfoelgning, opf)) == (brobygger_a2.pk, brobygger_a2.pk)
    Borger.objects.filter(pk=borger.pk).update(brobygger=None)
    assert (kept(Ledsagelse, moede), kept(Opfoelgning, opf)) == (None, None)
    anmodning = Overtagelsesanmodning.objects.create(center=world.center_a, borger=uden, brobygger=brobygger_a2)
    borger_services.anmodning_decide(actor=actor_for(koordinator_a), anmodning=anmodning, godkend=True)
    assert (kept(Ledsagelse, uden_moede), kept(Opfoelgning, uden_opf)) == (brobygger_a2.pk, brobygger_a2.pk)
    assert uden_for_trit() == []

    # rows added later, in bulk, and rows moved to another match; a match moved to another borger
    flere = Ledsagelse.objects.bulk_create([Ledsagelse(
        center=world.center_a, match=match, brobygger=brobygger_a, tidspunkt=timezone.now() + timedelta(days=n),
        status=LedsagelseStatus.PLANLAGT) for n in (2, 3)])
    assert [kept(Ledsagelse, x) for x in flere] == [None, None]  # the borger has no brobygger now
    Ledsagelse.objects.filter(pk=moede.pk).update(match=_m)
    Opfoelgning.objects.filter(pk=opf.pk).update(match=_m, type=OpfoelgningType.EN_MAANED)  # one per type
    assert (kept(Ledsagelse, moede), kept(Opfoelgning, opf)) == (brobygger_a2.pk, brobygger_a2.pk)
    Match.objects.filter(pk=_m.pk).update(borger=borger)
    assert (kept(Ledsagelse, uden_moede), kept(Opfoelgning, uden_opf)) == (None, None)
    assert uden_for_trit() == []

    # anonymised (GDPR): whatever the anonymisation does to the borger, the rows follow
    borger.refresh_from_db()
    borger.brobygger = brobygger_a
    borger.save()
    borger_anonymise(actor=actor_for(koordinator_a), borger=borger)
    assert uden_for_trit() == []
    assert Ledsagelse.objects.count() == 4 and Opfoelgning.objects.count() == 2  # the rows checked are there


def test_min_dag_reads_the_partial_indexes(world, brobygger_a, brobygger_a2):
    # Min dag finds the brobygger's planned meetings and open follow-ups through `ledsagelse_mindag` and
    # `opfoelgning_mindag` (their conditions are in the statement as the indexes have them), and another
    # brobygger's, or the same brobygger's after an overdragelse, are not on the page
    mine = forloeb(world, brobygger_a)
    andres = forloeb(world, brobygger_a2)
    actor = actor_for(brobygger_a)
    del_fra = timezone.localdate() - timedelta(days=selectors.STILLE_OPFOELGNING_DAGE)
    laesning = selectors.min_dags_laesning(actor=actor, del_fra=del_fra)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's tables are small enough for a scan
        cursor.execute("EXPLAIN " + laesning.sql, laesning.params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "ledsagelse_mindag" in plan and "opfoelgning_mindag" in plan, plan
    assert "borgere_borger_brobygger_id" not in plan  # no walk of the brobygger's borgere

    def ids():
        moeder, (opf, _stille) = fetch_together(connection, [
            selectors.min_dags_laesning(actor=actor, del_fra=del_fra)])[0]
        return [m.pk for m in moeder["ledsagelser"].rows], [o.pk for o in opf.rows]

    assert ids() == ([mine[2].pk], [mine[3].pk])
    andres[0].brobygger = brobygger_a
    andres[0].save()
    assert sorted(ids()[0]) == sorted([mine[2].pk, andres[2].pk])
    mine[0].brobygger = brobygger_a2
    mine[0].save()
    assert ids() == ([andres[2].pk], [andres[3].pk])
