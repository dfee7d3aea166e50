"""Every page or fragment that shows a person's data writes an access-log entry (issue 11, finding 2).

The test walks every URL of the access matrix, GETs it as every actor (htmx and plain), and looks
for marker strings in the names of the borgere and the referral. A response that shows a borger's
marker must have written, during that request, a read of that borger or a list/search entry; one
that shows the referral's marker a read naming the referral. A new page is covered as soon as it
has its row in the matrix.
"""

import pytest
from django.urls import reverse

from borgere.models import Borger, Henvisning
from brobygning.models import Adgangslog

from . import test_access_matrix as matrix

pytestmark = pytest.mark.django_db
H = Adgangslog.Handling

matrix_world = matrix.matrix_world  # the access matrix's world, as a fixture of this module too
LIST_ENTRIES = {H.SOEGNING, H.EKSPORT}
# Views whose people sit behind a query string (a tab), walked with it as well.
QUERIES = {"brobygning:paamindelse_list": ["?vis=fejlet"], "borgere:henvisning_list": ["?status=alle"]}


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.fixture
def marked(matrix_world):
    """Marker names on every borger (both centres) and every referral."""
    markers = {}
    for borger in Borger.objects.all():
        borger.fornavn, borger.efternavn = f"Bmark{borger.pk}x", f"Emark{borger.pk}x"
        borger.save(update_fields=["fornavn", "efternavn"])
        markers[f"Bmark{borger.pk}x"] = ("borger", borger.pk)
        markers[f"Emark{borger.pk}x"] = ("borger", borger.pk)
    for henvisning in Henvisning.objects.all():
        henvisning.fornavn, henvisning.efternavn = f"Hmark{henvisning.pk}x", f"Hmarkefter{henvisning.pk}x"
        henvisning.save(update_fields=["fornavn", "efternavn"])
        markers[f"Hmark{henvisning.pk}x"] = ("henvisning", henvisning.pk)
        markers[f"Hmarkefter{henvisning.pk}x"] = ("henvisning", henvisning.pk)
    return matrix_world, markers


def _logged(entries, kind, pk) -> bool:
    if any(e.handling in LIST_ENTRIES for e in entries):
        return True
    if kind == "borger":
        return any(e.handling == H.LAEST and e.borger_id == pk for e in entries)
    return any(e.handling == H.LAEST and e.kriterium == f"henvisning={pk}" for e in entries)


def _gets(objects):
    """(name, url, actor, headers) for every GET of the walk."""
    for route, name, _pattern in matrix.all_patterns():
        if name not in matrix.MATRIX:
            continue
        key = matrix.MATRIX[name][0]
        base = reverse(name, kwargs=matrix._kwargs(route, objects, key))
        for query in ["", *QUERIES.get(name, [])]:
            for actor in matrix.ACTORS:
                for headers in ({}, {"HX-Request": "true"}):
                    yield name, base + query, actor, headers


def test_every_page_that_shows_a_person_writes_an_access_log_entry(marked):
    (clients, objects), markers = marked
    failures, shown = [], set()
    for name, url, actor, headers in _gets(objects):
        last = Adgangslog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = clients[actor].get(url, headers=headers)
        if response.status_code != 200:
            continue
        body = _body(response)
        entries = list(Adgangslog.objects.filter(pk__gt=last))
        for marker, (kind, pk) in markers.items():
            if marker in body:
                shown.add(name)
                if not _logged(entries, kind, pk):
                    failures.append(f"GET {url} ({name}) as {actor}{' (htmx)' if headers else ''} shows {kind} {pk} "
                                    "without an access-log entry")
    assert not failures, "\n".join(sorted(set(failures)))
    # The walk does see people (so an empty page cannot make it pass).
    assert {"borgere:borger_detail", "borgere:venteliste", "borgere:henvisning_detail", "borgere:anmodning_list",
            "matching:nye_paa_vej", "brobygning:paamindelse_list"} <= shown
