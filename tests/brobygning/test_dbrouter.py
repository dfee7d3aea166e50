"""The read-replica router, tried with a second alias to the same PostgreSQL server (docs/SCALING.md)."""

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from brobygning.dbrouter import REPLIKA, laese_alias, paa_replika
from brobygning.models import Frivilligcenter

from .. import factories as f


@pytest.fixture
def replika(transactional_db):
    """A `replika` alias to the test database: a second connection to the same data. Connected here,
    as Django's test case only guards aliases that are not connected yet."""
    if connection.vendor != "postgresql":
        pytest.skip("the replica alias is tried on PostgreSQL (CI)")
    connections.settings[REPLIKA] = {**connections.settings["default"], "NAME": connection.settings_dict["NAME"]}
    connections[REPLIKA].connect()
    yield connections[REPLIKA]
    connections[REPLIKA].close()
    del connections[REPLIKA]
    del connections.settings[REPLIKA]


def test_without_a_replica_everything_reads_from_the_primary():
    with paa_replika():
        assert laese_alias() == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_paa_replika_go_to_the_replica_and_writes_never_do(replika):
    center = f.CenterFactory()
    assert laese_alias() == "default"
    with CaptureQueriesContext(replika) as paa_replikaen, CaptureQueriesContext(connection) as paa_primaeren:
        with paa_replika():
            assert laese_alias() == REPLIKA
            assert Frivilligcenter.objects.filter(pk=center.pk).exists()  # committed, so the replica sees it
            Frivilligcenter.objects.filter(pk=center.pk).update(navn="Omdøbt")
        assert Frivilligcenter.objects.get(pk=center.pk).navn == "Omdøbt"
    assert len(paa_replikaen.captured_queries) == 1
    assert "SELECT" in paa_replikaen.captured_queries[0]["sql"]
    assert [q["sql"].split()[0] for q in paa_primaeren.captured_queries] == ["UPDATE", "SELECT"]
