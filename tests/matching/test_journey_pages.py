"""The journey's pages on seeded demo data: they render, stay within 12 queries, and the forms work."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from borgere.models import Borger, Samtale
from brobygning.middleware import MFA_SESSION_KEY
from brobygning.models import User
from matching.models import Ledsagelse, LedsagelseStatus, Match, Opfoelgning, Stage

pytestmark = pytest.mark.django_db
MAX_QUERIES = 13  # 12, plus the one INSERT that writes the request's access-log entries


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False


def login(email) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    session = client.session
    session[MFA_SESSION_KEY] = User.objects.get(email=email).pk  # the demo koordinator has no TOTP device
    session.save()
    return client


@pytest.fixture
def brobygger(demo):
    return login("brobygger@odense.demo")


@pytest.fixture
def koordinator(demo):
    return login("koordinator@odense.demo")


def own_borger():
    return Borger.objects.filter(brobygger__email="brobygger@odense.demo").order_by("pk").first()


def test_full_journey_through_the_forms(brobygger, django_assert_max_num_queries):
    borger = own_borger()
    response = brobygger.post(reverse("borgere:samtale_create", args=[borger.pk]), {
        "dato": timezone.localdate().isoformat(), "type": "foerste", "varighed_min": "30",
        "oensker": "Vil gerne møde nogen", "naeste_skridt": "Find et fællesskab", "borger-oensket_rolle": "deltager",
        "borger-tilgaengelighed": ["0-formiddag", "1-eftermiddag", "2-aften", "3-aften"],
    })
    assert response.status_code == 302 and Samtale.objects.filter(borger=borger).count() == 1

    with django_assert_max_num_queries(MAX_QUERIES):
        fragment = brobygger.get(reverse("matching:forslag", args=[borger.pk]), {"max_km": "30"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    [first, *_rest] = fragment.context["forslag"]
    assert first.reasons and 0 <= first.score <= 100

    response = brobygger.post(reverse("matching:match_create", args=[borger.pk]), {"faellesskab": first.faellesskab_id})
    match = Match.objects.get(borger=borger, faellesskab_id=first.faellesskab_id)
    assert response.status_code == 302 and match.begrundelser == first.reasons
    brobygger.post(reverse("matching:match_step", args=[match.pk]), {"til": Stage.ACCEPTERET})

    page = brobygger.get(reverse("matching:ledsagelse_plan", args=[match.pk]))
    choices = [value for value, _label in page.context["form"].fields["naeste_moede"].choices if value]
    assert choices, "the fællesskab's next meetings are offered"
    user = User.objects.get(email="brobygger@odense.demo")
    response = brobygger.post(reverse("matching:ledsagelse_plan", args=[match.pk]), {
        "naeste_moede": choices[0], "varighed_min": "120", "moedested": "Ved indgangen", "brobygger": user.pk,
    })
    assert response.status_code == 302
    ledsagelse = Ledsagelse.objects.get(match=match)
    Ledsagelse.objects.filter(pk=ledsagelse.pk).update(tidspunkt=timezone.now() - timedelta(hours=3))  # and over
    brobygger.post(reverse("matching:ledsagelse_outcome", args=[ledsagelse.pk]), {"status": LedsagelseStatus.MOEDT_OP})
    match.refresh_from_db()
    assert match.stage == Stage.LEDSAGET

    opf = Opfoelgning.objects.get(match=match, type="dagen_efter")
    response = brobygger.post(reverse("matching:opfoelgning_record", args=[opf.pk]), {"resultat": "deltager"})
    match.refresh_from_db()
    assert response.status_code == 302 and match.stage == Stage.BUDT_VELKOMMEN


def test_ledsagelse_form_rejects_missing_time(brobygger):
    borger = own_borger()
    match = Match.objects.create(center=borger.center, borger=borger, stage=Stage.ACCEPTERET,
                                 faellesskab=borger.center.faellesskaber.first())
    response = brobygger.post(reverse("matching:ledsagelse_plan", args=[match.pk]), {"varighed_min": "120",
                                                                          "moedested": "Ved døren"})
    assert response.status_code == 200 and "tidspunkt" in response.context["form"].errors
    assert not Ledsagelse.objects.filter(match=match).exists()  # the demo data has meetings of its own


@pytest.mark.parametrize("who", ["brobygger", "koordinator"])
def test_pages_stay_within_the_query_budget(request, who, django_assert_max_num_queries):
    client = request.getfixturevalue(who)
    borger = own_borger()
    match = Match.objects.create(center=borger.center, borger=borger, stage=Stage.ACCEPTERET,
                                 faellesskab=borger.center.faellesskaber.first())
    urls = [reverse("matching:forside"), reverse("borgere:borger_detail", args=[borger.pk]), reverse("matching:forslag", args=[borger.pk]),
            reverse("matching:match_detail", args=[match.pk]), reverse("borgere:samtale_create", args=[borger.pk]),
            reverse("matching:ledsagelse_plan", args=[match.pk])]
    if who == "koordinator":
        urls.append(reverse("matching:pipeline"))
    for url in urls:
        # The front page also has the silence alarm's two lists and the answers after meetings (issue 12);
        # the koordinator's is a to-do list, with the month's KPIs (one query) and the lists of new
        # referrals and meetings with no outcome (issue 13). The forløb also shows the borger's
        # arrangementer (issue 14), and every koordinator page has the menu's count of new referrals.
        extra = (6 if who == "koordinator" else 3) if url == reverse("matching:forside") else 0
        extra += url == reverse("borgere:borger_detail", args=[borger.pk])
        extra += who == "koordinator"
        with django_assert_max_num_queries(MAX_QUERIES + extra):
            assert client.get(url).status_code == 200, url


def test_brobygger_cannot_reach_another_brobyggers_match(koordinator, demo):
    other = Borger.objects.filter(center__slug="odense", brobygger__isnull=True).first()
    match = Match.objects.create(center=other.center, borger=other, faellesskab=other.center.faellesskaber.first())
    brobygger = login("brobygger@odense.demo")
    assert brobygger.get(reverse("matching:match_detail", args=[match.pk])).status_code == 403
    assert login("brobygger@silkeborg.demo").get(reverse("matching:match_detail", args=[match.pk])).status_code == 404
    assert brobygger.get(reverse("matching:pipeline")).status_code == 403
