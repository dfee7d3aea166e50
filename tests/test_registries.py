"""The three registries: create, edit, archive, and bad input that gets a Danish error and saves nothing."""

import pytest
from django.urls import reverse

from borgere.models import Borger
from brobygning.models import AuditEntry
from foreninger.models import Faellesskab, Forening, Moedetid

from . import factories as f

pytestmark = pytest.mark.django_db

VALID_CVR = "13585628"
OVERSIZED = "x" * 6000


def borger_data(**overrides):
    data = {"fornavn": "Karen", "efternavn": "Holm", "telefon": "20 12 34 56", "email": "",
            "foretrukken_kanal": "sms", "postnummer": "5000", "foedselsaar": "1961",
            "oensket_rolle": "deltager", "max_afstand_km": "10", "status": "ny"}
    data.update(overrides)
    return data


def forening_data(**overrides):
    data = {"navn": "Odense Strikkecafé", "cvr": VALID_CVR, "kontaktperson": "Lis", "email": "lis@example.org",
            "telefon": "", "postnummer": "5000"}
    data.update(overrides)
    return data


def faellesskab_data(forening, **overrides):
    data = {"forening": forening.pk, "titel": "Strik og snak", "beskrivelse": "Vi strikker.", "postnummer": "5000",
            "for_deltagere": "on", "aaben_for_nye": "on", "pris": "0", "status": "aktiv",
            "moedetider-TOTAL_FORMS": "1", "moedetider-INITIAL_FORMS": "0",
            "moedetider-MIN_NUM_FORMS": "0", "moedetider-MAX_NUM_FORMS": "10",
            "moedetider-0-frekvens": "WEEKLY", "moedetider-0-ugedag": "1",
            "moedetider-0-fra": "17:00", "moedetider-0-til": "19:00"}
    data.update(overrides)
    return data


def all_errors(response) -> str:
    """Every error message on the page's form and formset, as one string."""
    messages = [m for errors in response.context["form"].errors.values() for m in errors]
    formset = response.context.get("formset")
    if formset is not None:
        messages += list(formset.non_form_errors())
        messages += [m for form_errors in formset.errors for errors in form_errors.values() for m in errors]
    return " ".join(messages)


class TestBorger:
    def test_create_saves_and_audits(self, as_koordinator_a, center_a, brobygger_a):
        interesse = f.tag("interesse", "strik")
        response = as_koordinator_a.post(reverse("borgere:borger_create"), borger_data(
            interesser=[interesse.pk], tilgaengelighed=["0-aften", "2-formiddag"], sprog=["da", "ar"],
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
        response = as_koordinator_a.post(reverse("borgere:borger_create"), borger_data(**overrides))
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

    def test_brobygger_from_another_centre_is_refused(self, as_koordinator_a, koordinator_b):
        response = as_koordinator_a.post(reverse("borgere:borger_create"), borger_data(brobygger=koordinator_b.pk))
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


class TestForening:
    def test_create(self, as_koordinator_a, center_a):
        response = as_koordinator_a.post(reverse("foreninger:forening_create"), forening_data(cvr="1358 5628"))
        forening = Forening.objects.get()
        assert response.status_code == 302 and forening.center == center_a and forening.cvr == VALID_CVR

    @pytest.mark.parametrize(("overrides", "field", "message"), [
        ({"cvr": "13585627"}, "cvr", "CVR-nummeret er ikke gyldigt"),
        ({"cvr": "1234"}, "cvr", "CVR-nummeret er ikke gyldigt"),
        ({"email": "ikke@"}, "email", "gyldig e-mail-adresse"),
        ({"telefon": "abc"}, "telefon", "Skriv et gyldigt telefonnummer"),
        ({"postnummer": "9999"}, "postnummer", "findes ikke"),
        ({"navn": OVERSIZED[:201]}, "navn", "højst have 200 tegn"),
        ({"noter": OVERSIZED}, "noter", "højst have 5000 tegn"),
    ])
    def test_bad_input(self, as_koordinator_a, overrides, field, message):
        response = as_koordinator_a.post(reverse("foreninger:forening_create"), forening_data(**overrides))
        assert response.status_code == 200
        assert message.lower() in " ".join(response.context["form"].errors[field]).lower()
        assert Forening.objects.count() == 0

    def test_archive_refused_while_faellesskaber_are_active(self, as_koordinator_a, world):
        as_koordinator_a.post(reverse("foreninger:forening_archive", args=[world.forening_a.pk]))
        world.forening_a.refresh_from_db()
        assert not world.forening_a.er_arkiveret
        as_koordinator_a.post(reverse("foreninger:faellesskab_archive", args=[world.faellesskab_a.pk]))
        as_koordinator_a.post(reverse("foreninger:forening_archive", args=[world.forening_a.pk]))
        world.forening_a.refresh_from_db()
        assert world.forening_a.er_arkiveret


class TestFaellesskab:
    def test_create_with_meeting_time(self, as_koordinator_a, world):
        response = as_koordinator_a.post(reverse("foreninger:faellesskab_create"), faellesskab_data(world.forening_a2))
        faellesskab = Faellesskab.objects.get(titel="Strik og snak", forening=world.forening_a2)
        assert response.status_code == 302
        assert faellesskab.center == world.center_a
        assert [str(m) for m in faellesskab.moedetider.all()] == ["Hver tirsdag kl. 17:00–19:00"]

    def test_edit_keeps_meeting_time_ids(self, as_koordinator_a, world):
        moedetid = f.MoedetidFactory(faellesskab=world.faellesskab_a)
        data = faellesskab_data(world.forening_a, version=world.faellesskab_a.version, **{
            "moedetider-INITIAL_FORMS": "1", "moedetider-TOTAL_FORMS": "1", "moedetider-0-id": moedetid.pk,
            "moedetider-0-faellesskab": world.faellesskab_a.pk, "moedetider-0-fra": "18:00"})
        response = as_koordinator_a.post(reverse("foreninger:faellesskab_update", args=[world.faellesskab_a.pk]), data)
        assert response.status_code == 302
        moedetid.refresh_from_db()
        assert moedetid.fra.hour == 18 and Moedetid.objects.count() == 1

    @pytest.mark.parametrize(("overrides", "message"), [
        ({"moedetider-0-til": "16:00"}, "Sluttidspunktet skal ligge efter starttidspunktet"),
        ({"moedetider-0-frekvens": "BIWEEKLY"}, "Angiv en startdato"),
        ({"moedetider-0-frekvens": "MONTHLY"}, "hvilken uge i måneden"),
        ({"moedetider-0-gyldig_fra": "2026-05-01", "moedetider-0-gyldig_til": "2026-04-01"}, "Slutdatoen"),
        ({"alder_min": "30", "alder_max": "18"}, "'Alder til' skal være større"),
        ({"for_deltagere": ""}, "Vælg mindst én rolle"),
        ({"postnummer": "0001"}, "findes ikke i Danmark"),
        ({"beskrivelse": OVERSIZED}, "højst have 5000 tegn"),
        ({"lat": "40", "lng": "10"}, "54"),
        ({"lat": "56"}, "både bredde- og længdegrad"),
    ])
    def test_bad_input(self, as_koordinator_a, world, overrides, message):
        before = Faellesskab.objects.count()
        response = as_koordinator_a.post(reverse("foreninger:faellesskab_create"), faellesskab_data(world.forening_a, **overrides))
        assert response.status_code == 200
        assert message.lower() in all_errors(response).lower()
        assert Faellesskab.objects.count() == before and Moedetid.objects.count() == 0

    def test_foreningskontakt_creates_only_for_own_forening(self, as_foreningskontakt_a, world):
        response = as_foreningskontakt_a.post(reverse("foreninger:faellesskab_create"), faellesskab_data(world.forening_a2))
        assert response.status_code == 200 and "forening" in response.context["form"].errors
        response = as_foreningskontakt_a.post(reverse("foreninger:faellesskab_create"), faellesskab_data(world.forening_a))
        assert response.status_code == 302
