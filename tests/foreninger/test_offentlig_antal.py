"""Each centre's number of public fællesskaber, kept by the database (migration foreninger.0012, PostgreSQL),
and read by the HSDS list's `total_items` (`hsds.selectors.public_service_count`; issue 15)."""

import pytest
from django.db import connection
from django.utils import timezone

from foreninger.hsds import selectors
from foreninger.models import PUBLIC_ROW, Faellesskab, FaellesskabStatus
from matching.national_copy import Copier

from .. import factories as f

pytestmark = pytest.mark.django_db

PG = connection.vendor == "postgresql"


def _holdt() -> dict:
    """What the table holds, without the centres that have come back to 0."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT center_id, antal FROM {selectors.OFFENTLIG_ANTAL}")  # noqa: S608
        return {c: n for c, n in cursor.fetchall() if n}


def _talt() -> dict:
    rows = Faellesskab.objects.filter(PUBLIC_ROW).values_list("center_id", flat=True)
    return {c: sum(1 for r in rows if r == c) for c in set(rows)}


def _antal_rigtigt(world) -> bool:
    """`public_service_count` is what `public_faellesskaber` holds, for the deployment and each centre."""
    return all(selectors.public_service_count(center) == selectors.public_faellesskaber(center).count()
               for center in (None, world.center_a, world.center_b))


@pytest.mark.skipif(not PG, reason="the table and its triggers are PostgreSQL's")
def test_the_kept_numbers_stay_in_step_with_every_kind_of_write(world):
    assert _holdt() == _talt()
    a = [f.FaellesskabFactory(forening=world.forening_a) for _ in range(3)]
    b = f.FaellesskabFactory(forening=world.forening_b, offentlig=False)
    assert _holdt() == _talt() and _antal_rigtigt(world)
    # made public or not by save(), by a queryset's update(), archived, paused, moved to another centre
    b.offentlig = True
    b.save()
    assert _holdt() == _talt()
    Faellesskab.objects.filter(pk=a[0].pk).update(status=FaellesskabStatus.PAUSE)
    assert _holdt() == _talt()
    Faellesskab.objects.filter(pk=a[1].pk).update(arkiveret=timezone.now())
    assert _holdt() == _talt()
    Faellesskab.objects.filter(pk=a[2].pk).update(center=world.center_b)
    assert _holdt() == _talt()
    Faellesskab.objects.filter(center=world.center_a).update(titel="Nyt navn")  # nothing public changed
    assert _holdt() == _talt() and _antal_rigtigt(world)
    # bulk_create in one statement, and COPY, as the national dataset writes them
    Faellesskab.objects.bulk_create([Faellesskab(forening=world.forening_a, center=world.center_a, titel=f"Ny {i}",
                                                 postnummer=world.faellesskab_a.postnummer, offentlig=i % 2 == 0)
                                     for i in range(4)])
    assert _holdt() == _talt()
    Copier().copy(Faellesskab, ["forening", "center", "titel", "postnummer"],
                  [(world.forening_b.pk, world.center_b.pk, f"Kopi {i}", world.faellesskab_b.postnummer_id)
                   for i in range(3)])
    assert _holdt() == _talt() and _antal_rigtigt(world)
    # an archived forening: its rows stay in the kept numbers and are taken off by the count
    world.forening_b.arkiveret = timezone.now()
    world.forening_b.save()
    assert _holdt() == _talt() and _antal_rigtigt(world)
    assert selectors.public_service_count(world.center_b) == 1 < _holdt()[world.center_b.pk]  # a[2], of forening A
    # deleted: one, then a queryset's
    a[2].delete()
    assert _holdt() == _talt()
    Faellesskab.objects.filter(center=world.center_a).delete()
    assert _holdt() == _talt() and _antal_rigtigt(world)
    Faellesskab.objects.all().delete()
    assert _holdt() == _talt() == {}


def test_the_count_is_what_the_list_holds(world):
    """On any database: the deployment's and each centre's count, with an archived forening's rows left out."""
    f.FaellesskabFactory(forening=world.forening_a)
    f.FaellesskabFactory(forening=world.forening_b, status=FaellesskabStatus.PAUSE)
    assert _antal_rigtigt(world)
    world.forening_a.arkiveret = timezone.now()
    world.forening_a.save()
    assert _antal_rigtigt(world) and selectors.public_service_count(world.center_a) == 0
