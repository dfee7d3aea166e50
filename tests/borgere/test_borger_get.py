"""`borgere.selectors.borger_get`: the ORM's statement compiled once per process for each centre and set of
relations (`planner.EnGangKompileret`), with `access.get_or_deny`'s answers: the borger as the ORM loads it,
404 outside the actor's centre (logged in the target centre too), 403 for a role that may not."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from borgere.models import Borger
from borgere.selectors import borger_get
from brobygning import access, adgangslog
from brobygning.models import Adgangslog, TagType

from .. import factories as f
from ..conftest import compiles_from_here

pytestmark = pytest.mark.django_db

ALLE = ("postnummer", "brobygger", "henvisningskilde")


def _fields(obj):
    return None if obj is None else {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


@pytest.mark.parametrize("related", [ALLE, ("postnummer",), ("brobygger", "henvisningskilde")])
def test_the_borger_as_the_orm_loads_it_and_compiled_once(world, brobygger_a, related, monkeypatch,
                                                         django_assert_num_queries):
    borger = world.borger_a
    borger.henvisningskilde = f.tag(TagType.HENVISNINGSKILDE, "jobcenter")
    borger.telefon = "+4520304050"  # a field with a converter
    borger.save()
    actor = access.actor_for(brobygger_a)
    with adgangslog.Collect():
        borger_get(actor=actor, pk=borger.pk, action="change", related=related)  # compiled here, if not before
        compiles = compiles_from_here(monkeypatch)
        with django_assert_num_queries(1):
            got = borger_get(actor=actor, pk=str(borger.pk), action="change", related=related)  # the id as text too
    assert compiles == []
    orm = Borger.objects.active().select_related(*related).get(pk=borger.pk)
    assert _fields(got) == _fields(orm) and str(got.telefon) == str(orm.telefon)
    assert not got._state.adding and got._state.db == "default"
    assert set(got._state.fields_cache) == set(orm._state.fields_cache) >= set(related)
    for name in related:
        assert _fields(got._state.fields_cache[name]) == _fields(orm._state.fields_cache[name])
    # Another borger of the same centre: the same statement, another id.
    other = f.BorgerFactory(center=world.center_a, fornavn="Other", brobygger=brobygger_a)
    compiles.clear()
    assert borger_get(actor=actor, pk=other.pk, related=related).fornavn == "Other"
    assert compiles == []


def test_another_centre_an_unknown_id_an_archived_borger_and_a_forbidden_role(world, koordinator_b, brobygger_a2):
    with pytest.raises(Http404):
        borger_get(actor=access.actor_for(koordinator_b), pk=world.borger_a.pk)
    [attempt] = Adgangslog.objects.filter(formaal=adgangslog.FORMAAL_ANDET_CENTER)
    assert (attempt.center_id, attempt.borger_id, attempt.bruger_id) == (world.center_a.pk, world.borger_a.pk, None)
    for pk in (987654, "abc", None):
        with pytest.raises(Http404):
            borger_get(actor=access.actor_for(koordinator_b), pk=pk)
    arkiveret = f.BorgerFactory(center=world.center_b, fornavn="Arkiveret")
    Borger.objects.filter(pk=arkiveret.pk).update(arkiveret=timezone.now())
    with pytest.raises(Http404):
        borger_get(actor=access.actor_for(koordinator_b), pk=arkiveret.pk)
    with pytest.raises(PermissionDenied):  # not this brobygger's borger
        borger_get(actor=access.actor_for(brobygger_a2), pk=world.borger_a.pk, action="change")
