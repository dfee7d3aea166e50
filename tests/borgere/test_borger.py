"""Borgere: register, edit, archive; bad input gets a Danish error and saves nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from borgere.models import Borger
from brobygning.models import AuditEntry

from .. import factories as f

OVERSIZED = "x" * 6000


def borger_data(**overrides):
    data = {"fornavn": "Karen", "efternavn": "Holm", "telefon": "20 12 34 56", "email": "",
            "foretrukken_kanal": "sms", "postnummer": "5000", "foedselsaar": "1961",
            "oensket_rolle": "deltager", "max_afstand_km": "10", "status": "ny"}
    data.update(overrides)
    return data


class TestBorger:
    def test_create_saves_and_audits(self, as_koordinator_a, center_a, brobygger_a):
        interesse = f.tag("interesse", "strik")
        response = as_koordinator_a.post(reverse("borgere:borger_create"), borger_data(
            **f.samtykke_data(center_a), interesser=[interesse.pk], tilgaengelighed=["0-aften", "2-formiddag"], sprog=["da", "ar"],
            brobygger=brobygger_a.pk))
        borger = Borger.objects.get()
        assert response.status_code == 302 and response.url == borger.get_absolute_url()
        assert borger.center == center_a and borger.telefon.as_e164 == "+4520123456"
        assert list(borger.interesser.all()) == [interesse]
        assert borger.tilgaengelighed == ["0-aften", "2-formiddag"] and borger.brobygger == brobygger_a
        entry = AuditEntry.objects.get(objekt_type="borger")
        assert entry.handling == "borger.oprettet" and "fornavn" in entry.felter and "Karen" not in str(entry.felter)

    @pytest.mark.parametrize(("overrides", "field", "message"), [
        ({"postnummer": "0000"}, "postnummer", "Postnummeret findes ikke i Danmark"),
        ({"postnummer": "abcd"}, "postnummer", "Postnummeret findes ikke i Danmark"),
        ({"telefon": "12"}, "telefon", "Skriv et gyldigt telefonnummer"),
        ({"foretrukken_kanal": "email", "email": "ikke-en-mail"}, "email", "gyldig e-mail-adresse"),
        ({"foretrukken_kanal": "email", "email": ""}, "email", "Skriv en e-mailadresse"),
        ({"noter": OVERSIZED}, "noter", "højst have 5000 tegn"),
        ({"fornavn": OVERSIZED[:101]}, "fornavn", "højst have 100 tegn"),
        ({"fornavn": ""}, "fornavn", "Dette felt er påkrævet"),
        ({"foedselsaar": "2030"}, "foedselsaar", "mindst 10 år tilbage"),
        ({"tilgaengelighed": ["9-nat"]}, "tilgaengelighed", "Marker en gyldig valgmulighed"),
    ])
    def test_bad_input_gets_danish_error_and_saves_nothing(self, as_koordinator_a, center_a, overrides, field,
                                                           message):
        response = as_koordinator_a.post(reverse("borgere:borger_create"),
                                         borger_data(**f.samtykke_data(center_a), **overrides))
        assert response.status_code == 200
        errors = " ".join(response.context["form"].errors.get(field, []))
        assert message.lower() in errors.lower(), response.context["form"].errors
        assert Borger.objects.count() == 0 and AuditEntry.objects.count() == 0

    def test_edit_and_archive(self, as_koordinator_a, world):
        borger = world.borger_a
        response = as_koordinator_a.post(reverse("borgere:borger_update", args=[borger.pk]),
                                         borger_data(fornavn="Anne-Arkiveret", brobygger=borger.brobygger_id,
                                                     version=borger.version))
        assert response.status_code == 302
        borger.refresh_from_db()
        assert borger.fornavn == "Anne-Arkiveret"
        assert "fornavn" in AuditEntry.objects.get(handling="borger.aendret").felter
        as_koordinator_a.post(reverse("borgere:borger_archive", args=[borger.pk]))
        borger.refresh_from_db()
        assert borger.er_arkiveret
        assert as_koordinator_a.get(reverse("borgere:borger_detail", args=[borger.pk])).status_code == 404
        assert borger.fornavn not in as_koordinator_a.get(reverse("borgere:borger_list")).content.decode()

    def test_brobygger_edits_own_borger_but_cannot_reassign(self, as_brobygger_a, world, brobygger_a2):
        borger = world.borger_a
        response = as_brobygger_a.post(reverse("borgere:borger_update", args=[borger.pk]),
                                       borger_data(fornavn="Anja", brobygger=brobygger_a2.pk, version=borger.version))
        assert response.status_code == 302
        borger.refresh_from_db()
        assert borger.fornavn == "Anja" and borger.brobygger_id == world.borger_a.brobygger_id

    def test_brobygger_from_another_centre_is_refused(self, as_koordinator_a, center_a, koordinator_b):
        response = as_koordinator_a.post(reverse("borgere:borger_create"),
                                         borger_data(**f.samtykke_data(center_a), brobygger=koordinator_b.pk))
        assert response.status_code == 200 and "brobygger" in response.context["form"].errors
        assert Borger.objects.count() == 0

    def test_search_is_kept_out_of_the_url(self, as_koordinator_a, world):
        f.BorgerFactory(center=world.center_a, fornavn="Yrsa-Soegetest")
        response = as_koordinator_a.post(reverse("borgere:borger_list"), {"q": "Anna"})
        assert response.status_code == 302 and response.url == reverse("borgere:borger_list")
        page = as_koordinator_a.get(reverse("borgere:borger_list")).content.decode()
        assert "Anna" in page and "Yrsa-Soegetest" not in page
        as_koordinator_a.post(reverse("borgere:borger_list"), {"nulstil": "1"})
        assert "Yrsa-Soegetest" in as_koordinator_a.get(reverse("borgere:borger_list")).content.decode()


@pytest.mark.django_db
def test_the_list_counts_up_to_a_cap_and_pages_on_in_name_order(as_koordinator_a, world, monkeypatch):
    monkeypatch.setattr("borgere.selectors.BORGER_LISTE_LOFT", 5)  # the count stops after a page + 1 anyway
    for i in range(27, 0, -1):
        f.BorgerFactory(center=world.center_a, fornavn=f"Zz{i:02d}", efternavn="Listetest")
    Borger.objects.filter(fornavn="Zz02").update(arkiveret=timezone.now())
    f.BorgerFactory(center=world.center_b, fornavn="Zz00", efternavn="Listetest")
    url = reverse("borgere:borger_list")
    assert "Over 25 borgere" in as_koordinator_a.get(url).content.decode()
    as_koordinator_a.post(url, {"q": "listetest"})
    response = as_koordinator_a.get(url)  # 26 matches: more than a page
    page = response.context["page"]
    names = [f"Zz{i:02d}" for i in range(1, 28) if i != 2]
    assert [b.fornavn for b in page.object_list] == names[:25]  # in name order, the archived one left out
    assert page.paginator.over_loft and page.sider == "2+" and "Over 25 borgere" in response.content.decode()
    page = as_koordinator_a.get(f"{url}?side=2").context["page"]
    assert [b.fornavn for b in page.object_list] == names[25:] and page.sider == 2 and not page.has_next()
    as_koordinator_a.post(url, {"q": "zz27"})
    response = as_koordinator_a.get(url)
    assert [b.fornavn for b in response.context["page"].object_list] == ["Zz27"]
    assert ">1 borger<" in response.content.decode()
