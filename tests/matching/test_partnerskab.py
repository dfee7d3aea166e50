"""The partnership overview and its CSV export (issue 14)."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from brobygning import access
from brobygning.models import Adgangslog
from foreninger import services
from foreninger.models import PartnerArt, Partnerskab
from matching.models import MatchOvergang, Stage
from matching.partnerskab import partnerskab_oversigt
from matching.rapport_tabel import Periode
from tests import journey_factories as rf


@pytest.fixture
def scene(koordinator_a, world):
    actor = access.actor_for(koordinator_a)
    partnerskab = Partnerskab.objects.create(center=world.center_a, navn="Odense", budget=Decimal(100000))
    partner = services.partner_create(actor=actor, partnerskab=partnerskab,
                                      data={"art": PartnerArt.FORENING, "forening": world.forening_a, "status": "aktiv"})
    services.partner_create(actor=actor, partnerskab=partnerskab, data={"art": PartnerArt.KOMMUNE, "navn": "Kommunen"})
    services.tilslutning_create(actor=actor, partner=partner, data={
        "beloeb": Decimal(20000), "formaal": "Opstart", "udbetalt": date(2026, 2, 1)})
    services.tilslutning_create(actor=actor, partner=partner, data={"beloeb": Decimal(5000), "formaal": "Kursus"})
    match = rf.MatchFactory(borger=world.borger_a, center=world.center_a, faellesskab=world.faellesskab_a,
                            stage=Stage.BUDT_VELKOMMEN)
    MatchOvergang.objects.create(match=match, fra=Stage.LEDSAGET, til=Stage.BUDT_VELKOMMEN)
    return world


def test_overview_tables(scene):
    i_dag = timezone.localdate()
    tabeller = {t.noegle: t for t in partnerskab_oversigt(
        center_id=scene.center_a.pk, periode=Periode(i_dag - timedelta(days=30), i_dag))}
    arter = {row[0]: row[1:] for row in tabeller["partnere_efter_art"].raekker}
    assert arter["Forening"] == [1, 1] and arter["Kommune"] == [0, 1]
    assert tabeller["tilslutning_mod_budget"].raekker == [["Odense", 100000.0, 30000.0, 25000.0, 20000.0, 75000.0]]
    assert all(type(c) is int for c in tabeller["tilslutning_mod_budget"].raekker[0][1:])  # whole kroner, no ",0"
    nye = tabeller["nyankomne_pr_partnerforening"]
    assert nye.raekker == [[scene.forening_a.navn, 1, 0]] and nye.taelle_kolonner == frozenset({1, 2})


def test_page_and_csv(scene, as_koordinator_a):
    assert as_koordinator_a.get(reverse("matching:partnerskab_oversigt")).status_code == 200
    response = as_koordinator_a.get(reverse("matching:partnerskab_oversigt_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert "Tilslutningsbeløb mod budget" in body and scene.borger_a.fornavn not in body
    # The one newcomer leaves the centre only as "<5", and the export is in the access log.
    raekke = next(r for r in csv.reader(io.StringIO(body), delimiter=";") if r and r[0] == scene.forening_a.navn)
    assert raekke[1] == "<5"
    assert Adgangslog.objects.filter(handling=Adgangslog.Handling.EKSPORT, kriterium__contains="tabel=partnerskab").exists()


def test_only_koordinatorer(scene, as_brobygger_a, as_foreningskontakt_a):
    for client in (as_brobygger_a, as_foreningskontakt_a):
        assert client.get(reverse("matching:partnerskab_oversigt_csv")).status_code == 403
