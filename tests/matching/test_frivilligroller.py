"""Frivillige til foreninger: volunteer roles, candidates, and explained matching (issue 14)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from brobygning import access
from brobygning.models import AuditEntry, TagType
from matching import engine, frivilligroller
from matching.engine import BorgerProfil, Kandidat
from matching.models import Frivilligrolle, RolleKandidat
from tests import factories as f
from tests import journey_factories as rf
from tests.conftest import _member

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _danish():
    with translation.override("da"):
        yield


# --- The pure engine: `vurder`, one person against one role -----------------------------------------


def rolle(**kw):
    base = {"id": 1, "distance_km": 2.0, "for_deltagere": False, "for_frivillige": True,
            "interesser": frozenset({"strik"}), "slots": frozenset({"1-eftermiddag"}), "sidst_bekraeftet": TODAY,
            "tag_navne": {"strik": "Strik"}}
    return Kandidat(**{**base, **kw})


def frivillig(**kw):
    base = {"rolle": "frivillig", "interesser": frozenset({"strik"}), "tilgaengelighed": frozenset({"1-eftermiddag"}),
            "tag_navne": {"strik": "Strik"}}
    return BorgerProfil(**{**base, **kw})


class TestVurder:
    def test_explained(self):
        forslag = engine.vurder(frivillig(), rolle(), today=TODAY)
        assert forslag.score >= 80
        assert "Fælles interesser: strik" in forslag.reasons
        assert any("km væk" in r for r in forslag.reasons)

    def test_same_score_as_rank(self):
        profil, kandidat = frivillig(), rolle(distance_km=7.5, kapacitet=1)
        assert engine.vurder(profil, kandidat, today=TODAY).score == engine.rank(profil, [kandidat], today=TODAY)[0].score

    def test_hard_filters(self):
        assert engine.vurder(frivillig(alder=15), rolle(alder_min=18), today=TODAY) is None
        assert engine.vurder(frivillig(rolle="deltager"), rolle(), today=TODAY) is None

    def test_fewer_shared_interests_rank_lower(self):
        god = engine.vurder(frivillig(), rolle(), today=TODAY)
        daarlig = engine.vurder(frivillig(interesser=frozenset({"fodbold"})), rolle(), today=TODAY)
        assert daarlig.score < god.score and daarlig.caveat == "Ingen fælles interesser"

    def test_far_away_has_a_caveat(self):
        forslag = engine.vurder(frivillig(max_afstand_km=5), rolle(distance_km=30), today=TODAY)
        assert "Længere væk" in forslag.caveat


# --- Roles, candidates and who sees whom -----------------------------------------------------------


@pytest.fixture
def koordinator(koordinator_a, world):
    return access.actor_for(koordinator_a)


@pytest.fixture
def strik_rolle(koordinator, world):
    rolle = frivilligroller.frivilligrolle_create(actor=koordinator, data={
        "forening": world.forening_a, "titel": "Strikkeinstruktør", "postnummer": f.postnummer("5000"),
        "tider": ["1-eftermiddag"], "interesser": [f.tag(TagType.INTERESSE, "strik")]})
    return rolle


@pytest.fixture
def personer(world, koordinator):
    strik = f.tag(TagType.INTERESSE, "strik")
    med = f.BorgerFactory(center=world.center_a, fornavn="Mette", oensket_rolle="frivillig")
    med.interesser.set([strik])
    rf.give_consent(med, "deling_med_vaert")
    uden = f.BorgerFactory(center=world.center_a, fornavn="Ulla", oensket_rolle="begge")
    uden.interesser.set([strik])
    deltager = f.BorgerFactory(center=world.center_a, fornavn="Dennis", oensket_rolle="deltager")
    deltager.interesser.set([strik])
    kandidat = frivilligroller.rollekandidat_create(actor=koordinator, data={
        "samtykke": True, "fornavn": "Karl", "efternavn": "Kandidat", "postnummer": f.postnummer("5000"),
        "deling_med_foreninger": True, "interesser": [strik]})
    skjult = frivilligroller.rollekandidat_create(actor=koordinator, data={
        "samtykke": True, "fornavn": "Sofie", "efternavn": "Skjult", "postnummer": f.postnummer("5000"),
        "interesser": [strik]})
    return {"med": med, "uden": uden, "deltager": deltager, "kandidat": kandidat, "skjult": skjult}


class TestRolleForslag:
    def test_koordinator_sees_every_volunteer_explained(self, koordinator, strik_rolle, personer):
        forslag = frivilligroller.rolle_forslag(actor=koordinator, rolle=strik_rolle)
        navne = {x.navn.split()[0] for x in forslag}
        assert navne == {"Mette", "Ulla", "Karl", "Sofie"}  # not Dennis, who wants to take part only
        assert all(x.reasons and x.url for x in forslag)

    def test_foreningskontakt_sees_consenting_first_names_only(self, foreningskontakt_a, strik_rolle, personer):
        actor = access.actor_for(foreningskontakt_a)
        forslag = frivilligroller.rolle_forslag(actor=actor, rolle=strik_rolle)
        assert {x.navn for x in forslag} == {"Mette", "Karl"}
        assert all(x.url is None and not x.reasons for x in forslag)

    def test_withdrawn_consent_hides_the_borger(self, foreningskontakt_a, strik_rolle, personer):
        personer["med"].samtykker.filter(formaal="deling_med_vaert").update(tilbagekaldt=timezone.now())
        forslag = frivilligroller.rolle_forslag(actor=access.actor_for(foreningskontakt_a), rolle=strik_rolle)
        assert {x.navn for x in forslag} == {"Karl"}

    def test_page_for_foreningskontakt_hides_surnames(self, client, foreningskontakt_a, strik_rolle, personer):
        client.force_login(foreningskontakt_a)
        html = client.get(reverse("matching:frivilligrolle_detail", args=[strik_rolle.pk])).content.decode()
        assert "Mette" in html and "Karl" in html
        assert personer["med"].efternavn not in html and "Kandidat" not in html and "Ulla" not in html

    def test_other_forening_cannot_see(self, client, world, strik_rolle):
        fk2 = _member(world.center_a, "foreningskontakt", "fk2@a.test", foreninger=[world.forening_a2])
        client.force_login(fk2)
        assert client.get(reverse("matching:frivilligrolle_detail", args=[strik_rolle.pk])).status_code == 403


class TestServices:
    def test_foreningskontakt_posts_for_own_forening_only(self, foreningskontakt_a, world):
        actor = access.actor_for(foreningskontakt_a)
        data = {"titel": "Kagebager", "postnummer": f.postnummer("5000")}
        rolle = frivilligroller.frivilligrolle_create(actor=actor, data={**data, "forening": world.forening_a})
        assert rolle.forening == world.forening_a
        with pytest.raises(ValidationError, match="egen forening"):
            frivilligroller.frivilligrolle_create(actor=actor, data={**data, "forening": world.forening_a2})
        assert AuditEntry.objects.filter(handling="frivilligrolle.oprettet").count() == 1

    def test_candidate_needs_consent(self, koordinator):
        with pytest.raises(ValidationError, match="samtykke"):
            frivilligroller.rollekandidat_create(actor=koordinator, data={
                "fornavn": "Ib", "postnummer": f.postnummer("5000")})
        assert RolleKandidat.objects.count() == 0

    def test_unknown_time_refused(self, koordinator, world):
        with pytest.raises(ValidationError):
            frivilligroller.frivilligrolle_create(actor=koordinator, data={
                "forening": world.forening_a, "titel": "X", "postnummer": f.postnummer("5000"), "tider": ["9-nat"]})
        assert Frivilligrolle.objects.count() == 0

    def test_create_by_form(self, as_foreningskontakt_a, world):
        response = as_foreningskontakt_a.post(reverse("matching:frivilligrolle_create"), {
            "forening": world.forening_a.pk, "titel": "Kaffebrygger", "postnummer": "5000", "aaben": "on"})
        assert response.status_code == 302
        assert Frivilligrolle.objects.get().titel == "Kaffebrygger"
