"""A suggested person saved as a match to a volunteer role (issue 14, "Frivillige til foreninger"): the
status foreslået → kontaktet → aftalt → afsluttet (with a reason) and its audit log, what the forening
sees (the first name only with consent, else only that someone is on the way), and art. 15 / art. 17
for the borger's role matches and for a volunteer candidate."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from borgere import gdpr, indsigt
from brobygning import access
from brobygning.models import Adgangslog, AuditEntry
from matching import frivilligroller
from matching.models import Afslutningsaarsag, Match, RolleAfslutningsaarsag, RolleKandidat, RolleMatch
from tests.matching import test_frivilligroller as frivillig

# The volunteer-role fixtures of tests/matching/test_frivilligroller.py: the koordinator, a role
# ("Strikkeinstruktør") and its people (Mette and Ulla, borgere, Mette with consent; Karl and Sofie,
# candidates, Karl sharing his name; Dennis, who wants to take part only).
_danish, koordinator, strik_rolle, personer = frivillig._danish, frivillig.koordinator, frivillig.strik_rolle, \
    frivillig.personer

pytestmark = pytest.mark.django_db


def gem(koordinator, rolle, person, art="borger"):
    return frivilligroller.rollematch_create(actor=koordinator, rolle=rolle, art=art, person_pk=person.pk)


def videre(koordinator, rollematch, status, **kw):
    return frivilligroller.rollematch_status(actor=koordinator, rollematch=rollematch, status=status, **kw)


class TestGem:
    def test_koordinator_saves_a_suggestion_by_the_button(self, as_koordinator_a, strik_rolle, personer):
        url = reverse("matching:frivilligrolle_detail", args=[strik_rolle.pk])
        html = as_koordinator_a.get(url).content.decode()
        assert "Gem Mette" in html
        response = as_koordinator_a.post(reverse("matching:rollematch_create", args=[strik_rolle.pk]),
                                         {"art": "borger", "person": personer["med"].pk})
        assert response.status_code == 302
        rollematch = RolleMatch.objects.get()
        assert (rollematch.borger, rollematch.status) == (personer["med"], "foreslaaet")
        assert rollematch.score and any("strik" in r for r in rollematch.begrundelser)
        entry = AuditEntry.objects.get(handling="rollematch.oprettet")
        assert entry.objekt_id == str(rollematch.pk) and "Mette" not in str(entry.felter)
        html = as_koordinator_a.get(url).content.decode()
        assert "Gemt som match" in html and "Markér som Kontaktet" in html

    def test_a_candidate_can_be_saved(self, koordinator, strik_rolle, personer):
        rollematch = gem(koordinator, strik_rolle, personer["kandidat"], art="kandidat")
        assert rollematch.kandidat == personer["kandidat"] and rollematch.borger is None

    def test_twice_refused_nothing_saved(self, koordinator, strik_rolle, personer):
        gem(koordinator, strik_rolle, personer["med"])
        with pytest.raises(ValidationError, match="allerede gemt"):
            gem(koordinator, strik_rolle, personer["med"])
        assert RolleMatch.objects.count() == 1

    def test_someone_who_only_wants_to_take_part_refused(self, koordinator, strik_rolle, personer):
        with pytest.raises(ValidationError, match="kan ikke længere foreslås"):
            gem(koordinator, strik_rolle, personer["deltager"])
        with pytest.raises(ValidationError, match="kan ikke længere foreslås"):
            frivilligroller.rollematch_create(actor=koordinator, rolle=strik_rolle, art="x", person_pk="abc")
        assert not RolleMatch.objects.exists()

    def test_refusal_is_a_danish_message_on_the_page(self, as_koordinator_a, strik_rolle, personer):
        response = as_koordinator_a.post(reverse("matching:rollematch_create", args=[strik_rolle.pk]),
                                         {"art": "borger", "person": personer["deltager"].pk}, follow=True)
        assert "kan ikke længere foreslås" in response.content.decode()

    def test_foreningskontakt_cannot_save_or_move(self, as_foreningskontakt_a, koordinator, strik_rolle,
                                                  personer):
        url = reverse("matching:rollematch_create", args=[strik_rolle.pk])
        assert as_foreningskontakt_a.post(url, {"art": "borger", "person": personer["med"].pk}).status_code == 403
        rollematch = gem(koordinator, strik_rolle, personer["med"])
        url = reverse("matching:rollematch_status", args=[rollematch.pk])
        assert as_foreningskontakt_a.post(url, {"status": "kontaktet"}).status_code == 403
        assert RolleMatch.objects.get().status == "foreslaaet"


class TestStatus:
    def test_one_step_at_a_time_then_ended_with_a_reason(self, koordinator, strik_rolle, personer):
        rollematch = gem(koordinator, strik_rolle, personer["med"])
        with pytest.raises(ValidationError, match="ét trin"):
            videre(koordinator, rollematch, "aftalt")
        videre(koordinator, rollematch, "kontaktet")
        videre(koordinator, rollematch, "aftalt")
        with pytest.raises(ValidationError) as error:
            videre(koordinator, rollematch, "afsluttet")
        assert "Vælg en årsag" in str(error.value)
        assert RolleMatch.objects.get().status == "aftalt"
        videre(koordinator, rollematch, "afsluttet", aarsag="i_gang", note="Starter tirsdag")
        rollematch.refresh_from_db()
        assert (rollematch.status, rollematch.afslutningsaarsag, rollematch.afslutningsnote) == (
            "afsluttet", "i_gang", "Starter tirsdag")
        with pytest.raises(ValidationError, match="allerede afsluttet"):
            videre(koordinator, rollematch, "kontaktet")
        handlinger = list(AuditEntry.objects.filter(objekt_type="rollematch").order_by("pk")
                          .values_list("handling", flat=True))
        assert handlinger == ["rollematch.oprettet", "rollematch.status.kontaktet", "rollematch.status.aftalt",
                              "rollematch.status.afsluttet"]
        # Ended: the person can be saved to the role again.
        assert gem(koordinator, strik_rolle, personer["med"]).status == "foreslaaet"

    def test_by_the_page(self, as_koordinator_a, koordinator, strik_rolle, personer):
        rollematch = gem(koordinator, strik_rolle, personer["med"])
        url = reverse("matching:rollematch_status", args=[rollematch.pk])
        assert as_koordinator_a.post(url, {"status": "kontaktet"}).status_code == 302
        response = as_koordinator_a.post(url, {"status": "afsluttet"}, follow=True)
        assert "Vælg en årsag" in response.content.decode()
        as_koordinator_a.post(url, {"status": "afsluttet", "aarsag": "passede_ikke"})
        assert RolleMatch.objects.get().get_afslutningsaarsag_display() == "Passede ikke"


class TestForeningenSer:
    @pytest.fixture
    def paa_vej(self, koordinator, strik_rolle, personer):
        for navn, art in (("med", "borger"), ("uden", "borger"), ("kandidat", "kandidat"), ("skjult", "kandidat")):
            videre(koordinator, gem(koordinator, strik_rolle, personer[navn], art=art), "kontaktet")
        return strik_rolle

    def test_first_name_only_with_consent(self, foreningskontakt_a, paa_vej, personer):
        liste = frivilligroller.rollematch_paa_vej(actor=access.actor_for(foreningskontakt_a), rolle=paa_vej)
        assert sorted(r.fornavn for r in liste.rows) == ["", "", "Karl", "Mette"]
        assert liste.antal == 4

    def test_a_suggestion_not_yet_contacted_is_not_shown(self, koordinator, foreningskontakt_a, strik_rolle,
                                                         personer):
        gem(koordinator, strik_rolle, personer["med"])
        liste = frivilligroller.rollematch_paa_vej(actor=access.actor_for(foreningskontakt_a), rolle=strik_rolle)
        assert liste.rows == []

    def test_the_page(self, foreningskontakt_a, as_foreningskontakt_a, paa_vej, personer):
        # The menu shows the logged-in user's own name, which the factory draws at random (once "Ulla").
        foreningskontakt_a.first_name, foreningskontakt_a.last_name = "Vibeke", "Værtsen"
        foreningskontakt_a.save(update_fields=["first_name", "last_name"])
        html = as_foreningskontakt_a.get(reverse("matching:frivilligrolle_detail", args=[paa_vej.pk])).content.decode()
        assert "Frivillige på vej" in html and html.count("En frivillig er på vej") == 2
        assert "Gemte matches" not in html and "Markér som" not in html
        for hemmelig in ("Ulla", "Sofie", personer["med"].efternavn, "Kandidat"):
            assert hemmelig not in html

    def test_withdrawn_consent_hides_the_name(self, foreningskontakt_a, paa_vej, personer):
        personer["med"].samtykker.filter(formaal="deling_med_vaert").update(tilbagekaldt=timezone.now())
        liste = frivilligroller.rollematch_paa_vej(actor=access.actor_for(foreningskontakt_a), rolle=paa_vej)
        assert "Mette" not in [r.fornavn for r in liste.rows]

    def test_reading_a_borgers_name_is_logged(self, foreningskontakt_a, paa_vej, personer):
        frivilligroller.rollematch_paa_vej(actor=access.actor_for(foreningskontakt_a), rolle=paa_vej)
        assert Adgangslog.objects.filter(borger_id=personer["med"].pk, handling="laest").exists()
        assert not Adgangslog.objects.filter(borger_id=personer["uden"].pk, handling="laest").exists()

    def test_queries_do_not_grow_with_the_matches(self, as_foreningskontakt_a, as_koordinator_a, paa_vej,
                                                  django_assert_max_num_queries, koordinator, personer):
        url = reverse("matching:frivilligrolle_detail", args=[paa_vej.pk])
        counts = {}
        for client in (as_foreningskontakt_a, as_koordinator_a):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts[client] = len(ctx)
        extra = RolleKandidat.objects.create(center=paa_vej.center, fornavn="Ekstra", postnummer=paa_vej.postnummer,
                                             samtykke_givet=timezone.now(), deling_med_foreninger=True)
        videre(koordinator, gem(koordinator, paa_vej, extra, art="kandidat"), "kontaktet")
        for client, before in counts.items():
            with django_assert_max_num_queries(before):
                client.get(url)


class TestGdpr:
    def test_borger_insight_has_the_role_matches_with_danish_labels(self, koordinator, strik_rolle,
                                                                    personer, koordinator_a):
        rollematch = gem(koordinator, strik_rolle, personer["med"])
        videre(koordinator, rollematch, "kontaktet")
        data = gdpr.borger_export(actor=koordinator, borger=personer["med"])
        [row] = data["frivilligroller"]
        assert row["rolle"] == "Strikkeinstruktør" and row["forening"] == "Odense Strikkeklub"
        assert row["status"] == "Kontaktet"
        assert "begrundelser" not in row and "borger" not in row
        [sektion] = [s for s in indsigt.indsigt_sektioner(data) if s.noegle == "frivilligroller"]
        assert sektion.titel == "Frivilligroller"
        felter = dict(sektion.poster[0].felter)
        assert felter["Frivilligrolle"] == "Strikkeinstruktør" and felter["Status"] == "Kontaktet"

    def test_insight_page(self, as_koordinator_a, koordinator, strik_rolle, personer):
        gem(koordinator, strik_rolle, personer["med"])
        html = as_koordinator_a.get(reverse("borgere:borger_export", args=[personer["med"].pk])).content.decode()
        assert 'id="ind-frivilligroller"' in html and "Strikkeinstruktør" in html

    def test_borger_erasure_ends_and_scrubs_role_matches(self, koordinator, strik_rolle, personer):
        aaben = gem(koordinator, strik_rolle, personer["med"])
        videre(koordinator, aaben, "kontaktet")
        gdpr.borger_anonymise(actor=koordinator, borger=personer["med"])
        aaben.refresh_from_db()
        assert aaben.status == "afsluttet" and aaben.begrundelser == [] and aaben.afslutningsnote == ""
        assert RolleMatch.objects.count() == 1  # kept for the counts
        liste = frivilligroller.rollematch_list(actor=koordinator, rolle=strik_rolle)
        assert [str(m.person) for m in liste.rows] == ["Anonymiseret"]

    def test_candidate_insight(self, as_koordinator_a, koordinator, strik_rolle, personer):
        gem(koordinator, strik_rolle, personer["kandidat"], art="kandidat")
        kandidat = personer["kandidat"]
        response = as_koordinator_a.get(reverse("matching:rollekandidat_indsigt", args=[kandidat.pk]))
        html = response.content.decode()
        assert "Kære Karl" in html and "Strikkeinstruktør" in html and "Odense Strikkeklub" in html
        assert "Fornavn må vises for foreninger" in html and "Foreslået" in html
        assert Adgangslog.objects.filter(handling="eksport", kriterium=f"rollekandidat={kandidat.pk}").exists()

    def test_candidate_erasure(self, as_koordinator_a, koordinator, strik_rolle, personer):
        kandidat = personer["kandidat"]
        kandidat.email, kandidat.foedselsaar = "karl@example.test", 1987
        kandidat.save()
        rollematch = gem(koordinator, strik_rolle, kandidat, art="kandidat")
        url = reverse("matching:rollekandidat_anonymiser", args=[kandidat.pk])
        assert "Det kan ikke fortrydes" in as_koordinator_a.get(url).content.decode()
        as_koordinator_a.post(url, {})  # not confirmed: nothing happens
        assert RolleKandidat.objects.get(pk=kandidat.pk).anonymiseret is None
        assert as_koordinator_a.post(url, {"bekraeft": "on"}).status_code == 302
        kandidat.refresh_from_db()
        assert (kandidat.fornavn, kandidat.efternavn, kandidat.email, kandidat.foedselsaar) == (
            "Anonymiseret", "", "", 1980)
        assert kandidat.anonymiseret and not kandidat.aktiv and not kandidat.interesser.exists()
        rollematch.refresh_from_db()
        assert rollematch.status == "afsluttet" and rollematch.begrundelser == []
        assert AuditEntry.objects.filter(handling="rollekandidat.anonymiseret").count() == 1
        assert "Karl" not in [f.navn for f in frivilligroller.rolle_forslag(actor=koordinator, rolle=strik_rolle)]
        with pytest.raises(ValidationError, match="allerede anonymiseret"):
            frivilligroller.rollekandidat_anonymiser(actor=koordinator, kandidat=kandidat)

    def test_only_koordinator(self, as_foreningskontakt_a, as_brobygger_a, personer):
        for client in (as_foreningskontakt_a, as_brobygger_a):
            for name in ("matching:rollekandidat_indsigt", "matching:rollekandidat_anonymiser"):
                assert client.get(reverse(name, args=[personer["kandidat"].pk])).status_code == 403


def test_match_and_rollematch_share_their_fields_in_place():
    """The fields both keep are defined once (`MatchGrundlag`) and stay last, in the order each model
    had when it declared them (the art. 15 export lists a match's fields in this order)."""
    faelles = ["afslutningsaarsag", "afslutningsnote", "score", "begrundelser", "oprettet_af", "oprettet"]
    assert [f.name for f in Match._meta.concrete_fields] == [
        "id", "center", "borger", "faellesskab", "rolle", "stage", "stage_siden", *faelles]
    assert [f.name for f in RolleMatch._meta.concrete_fields] == [
        "id", "center", "rolle", "borger", "kandidat", "status", "status_siden", *faelles]
    assert Match._meta.get_field("afslutningsaarsag").choices == Afslutningsaarsag.choices
    assert RolleMatch._meta.get_field("afslutningsaarsag").choices == RolleAfslutningsaarsag.choices
    assert Match._meta.ordering == RolleMatch._meta.ordering == ["-oprettet"]
