"""`planner.fra_db` makes the instance Django's `from_db` makes, on either path (issue 15)."""

import pytest
from django.db import connection
from django.db.models.signals import post_init
from phonenumber_field.phonenumber import PhoneNumber

from borgere.models import Borger
from brobygning.models import Frivilligcenter
from brobygning.planner import EnGangKompileret, _direkte, fra_db, omform
from foreninger.models import Faellesskab
from matching.models import Ledsagelse, Match, Opfoelgning, OpfoelgningType

from .. import journey_factories as rf

pytestmark = pytest.mark.django_db


def _alle(model):
    return tuple(f.attname for f in model._meta.concrete_fields)


def _raa(model, felter, pk):
    """The row as the database sends it (before the ORM's converters)."""
    kolonner = ", ".join(connection.ops.quote_name(model._meta.get_field(felt).column) for felt in felter)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {kolonner} FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


def _som_django(model, felter, row):
    return model.from_db("default", felter, omform("default", model, felter, row))


def _ens(a, b):
    assert type(a) is type(b) and a == b
    assert {k: v for k, v in a.__dict__.items() if k != "_state"} == {k: v for k, v in b.__dict__.items() if k != "_state"}
    assert (a._state.adding, a._state.db) == (b._state.adding, b._state.db) == (False, "default")
    assert a.get_deferred_fields() == b.get_deferred_fields()


def test_the_rows_the_lists_read_are_made_as_from_db_makes_them(world):
    match = rf.MatchFactory(center=world.center_a, borger=world.borger_a, faellesskab=world.faellesskab_a)
    ledsagelse = rf.LedsagelseFactory(match=match, center=world.center_a)
    opf = rf.OpfoelgningFactory(match=match, center=world.center_a, type=OpfoelgningType.TRE_MAANEDER)
    tilfaelde = [
        (Match, ("id", "center_id", "borger_id", "faellesskab_id", "stage"), match.pk),
        (Borger, ("id", "fornavn"), world.borger_a.pk),
        (Faellesskab, ("id", "titel"), world.faellesskab_a.pk),
        (Ledsagelse, ("id", "center_id", "match_id", "tidspunkt", "moedested", "status"), ledsagelse.pk),
        (Opfoelgning, ("id", "center_id", "match_id", "type", "forfalder", "udfoert"), opf.pk),
        (Frivilligcenter, _alle(Frivilligcenter), world.center_a.pk),
        (Borger, _alle(Borger), world.borger_a.pk),  # a phone number among them: Django's constructor
    ]
    for model, felter, pk in tilfaelde:
        row = _raa(model, felter, pk)
        _ens(fra_db(model, "default", felter, row), _som_django(model, felter, row))
    assert _direkte(Ledsagelse, tilfaelde[3][1]) and not _direkte(Borger, _alle(Borger))


def test_a_converting_field_or_an_init_receiver_gets_djangos_constructor(world):
    row = _raa(Borger, ("id", "telefon"), world.borger_a.pk)
    assert isinstance(fra_db(Borger, "default", ("id", "telefon"), row).telefon, PhoneNumber)
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Faellesskab)
    try:
        obj = fra_db(Faellesskab, "default", ("id", "titel"), _raa(Faellesskab, ("id", "titel"), world.faellesskab_a.pk))
    finally:
        post_init.disconnect(receiver, sender=Faellesskab)
    assert seen == [obj]


def test_a_query_compiled_once_makes_its_rows_as_the_orm_does(world):
    match = rf.MatchFactory(center=world.center_a, borger=world.borger_a, faellesskab=world.faellesskab_a)
    opf = rf.OpfoelgningFactory(match=match, center=world.center_a, type=OpfoelgningType.TRE_MAANEDER)
    hent = EnGangKompileret(lambda pk: Opfoelgning.objects.filter(pk=pk).select_related("match"), -1)
    (ny,), (orm,) = hent(opf.pk, alias="default"), list(Opfoelgning.objects.filter(pk=opf.pk).select_related("match"))
    assert _direkte(Opfoelgning, tuple(f.attname for f in Opfoelgning._meta.concrete_fields))
    _ens(ny, orm)
    _ens(ny.match, orm.match)
