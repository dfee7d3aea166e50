"""Issue 15, point 2: the key pages of bench/pages.py cost a fixed number of queries, whatever the
centre's size (PERFORMANCE.md, "Key pages at national size (session 7)").

Each page is fetched with a little data and again with much more; the query count must be the same,
and it must be the number below, so a new query on every page (in the menu, a middleware, a context
processor) shows up here. The fixed part of every logged-in page: the session, the user, their
memberships (the actor), and for a koordinator the menu's count of new referrals; a page that shows
borgere adds the access log's one INSERT."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from borgere.models import Samtale
from borgere.views.borger import FILTER_SESSION_KEY
from brobygning.models import Adgangslog, Paamindelse, PaamindelseStatus
from matching.models import Stage

from . import factories as f
from . import journey_factories as rf

pytestmark = pytest.mark.django_db


def _queries(client, url, django_assert_max_num_queries) -> int:
    client.get(url)  # warm: the session's last-seen time is written at most once a minute
    with django_assert_max_num_queries(100) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _flat(client, url, grow, expected, django_assert_num_queries, django_assert_max_num_queries):
    assert _queries(client, url, django_assert_max_num_queries) == expected
    grow()
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


def _borgere(world, n, *, brobygger=None):
    for i in range(n):
        f.BorgerFactory(center=world.center_a, fornavn=f"Susanne{i}", brobygger=brobygger)


def test_borger_list_koordinator(world, as_koordinator_a, django_assert_num_queries, django_assert_max_num_queries):
    # session, user, memberships; count, menu badge, interest tags, the page of borgere; access log
    response = _flat(as_koordinator_a, reverse("borgere:borger_list"), lambda: _borgere(world, 40), 8,
                     django_assert_num_queries, django_assert_max_num_queries)
    assert len(response.context["page"].object_list) == 25


def test_borger_list_brobygger(world, brobygger_a, as_brobygger_a, django_assert_num_queries,
                               django_assert_max_num_queries):
    _flat(as_brobygger_a, reverse("borgere:borger_list"), lambda: _borgere(world, 40, brobygger=brobygger_a), 7,
          django_assert_num_queries, django_assert_max_num_queries)


def test_borger_search(world, as_koordinator_a, django_assert_num_queries, django_assert_max_num_queries):
    _borgere(world, 2)
    as_koordinator_a.post(reverse("borgere:borger_list"), {"q": "susanne"})
    assert as_koordinator_a.session[FILTER_SESSION_KEY]["q"] == ["susanne"]
    response = _flat(as_koordinator_a, reverse("borgere:borger_list"), lambda: _borgere(world, 40), 8,
                     django_assert_num_queries, django_assert_max_num_queries)
    assert response.context["page"].paginator.count == 42  # not Anna


def test_borger_detail(world, brobygger_a, as_brobygger_a, django_assert_num_queries, django_assert_max_num_queries):
    borger = world.borger_a

    def grow():
        for _ in range(10):
            Samtale.objects.create(borger=borger, center=world.center_a, brobygger=brobygger_a)
            match = rf.MatchFactory(borger=borger, center=world.center_a,
                                    faellesskab=f.FaellesskabFactory(forening=world.forening_a), stage=Stage.LEDSAGET)
            rf.LedsagelseFactory(match=match, center=world.center_a)
            rf.OpfoelgningFactory(match=match, center=world.center_a, forfalder=timezone.localdate())

    rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a)
    _flat(as_brobygger_a, reverse("borgere:borger_detail", args=[borger.pk]), grow, 12,
          django_assert_num_queries, django_assert_max_num_queries)


@pytest.mark.parametrize("tab", ["kommende", "sendt", "fejlet"])
def test_paamindelser_tabs(world, as_koordinator_a, tab, django_assert_num_queries, django_assert_max_num_queries):
    match = rf.MatchFactory(borger=world.borger_a, center=world.center_a, faellesskab=world.faellesskab_a)
    ledsagelse = rf.LedsagelseFactory(match=match, center=world.center_a)
    status = {"kommende": PaamindelseStatus.AFVENTER, "sendt": PaamindelseStatus.SENDT,
              "fejlet": PaamindelseStatus.FEJLET}[tab]

    def rows(n, start):
        for i in range(start, start + n):
            Paamindelse.objects.create(
                center=world.center_a, emne_type="ledsagelse", emne_id=ledsagelse.pk, art=f"x{i}", kanal="email",
                status=status, forfalder=timezone.now() + timedelta(hours=i),
                sendt=timezone.now() if status == PaamindelseStatus.SENDT else None)

    rows(2, 0)
    # session, user, memberships; the tab's capped count (its badge too), its page, the meeting behind
    # the rows, the other four badges in one query, the menu badge; access log
    _flat(as_koordinator_a, f"{reverse('brobygning:paamindelse_list')}?vis={tab}", lambda: rows(40, 2), 9,
          django_assert_num_queries, django_assert_max_num_queries)


def test_adgangslog(world, koordinator_a, as_koordinator_a, django_assert_num_queries, django_assert_max_num_queries):
    def grow(n=60):
        Adgangslog.objects.bulk_create([
            Adgangslog(center=world.center_a, bruger=koordinator_a, handling=Adgangslog.Handling.LAEST,
                       borger_id=world.borger_a.pk) for _ in range(n)])

    grow(3)

    # session, user, memberships; the capped count, the menu badge, the users to filter by, the page
    response = _flat(as_koordinator_a, reverse("brobygning:adgangslog"), grow, 7,
                     django_assert_num_queries, django_assert_max_num_queries)
    assert len(response.context["page"].object_list) == 25
