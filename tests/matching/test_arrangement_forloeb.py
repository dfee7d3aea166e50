"""A workshop can be the start of a brobygning forløb (issue 14): from a registered borger's or a
consenting public registrant's registration, a koordinator starts a forløb. The public registrant
becomes a borger through borger_create, with the registration consent recorded; the registration
becomes the borger's and shows in their forløb."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from borgere.models import Borger, BorgerStatus, Formaal, Samtykke
from borgere.services import gaeldende_samtykketekst
from brobygning.access import actor_for, actor_for_system
from matching import services
from matching.models import ArrangementType, Tilmelding, TilmeldingKilde

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear():
    cache.clear()


@pytest.fixture
def k(koordinator_a):
    return actor_for(koordinator_a)


def _arrangement(k, type_=ArrangementType.WORKSHOP):
    return services.arrangement_create(actor=k, data={
        "type": type_, "titel": "Vejen ind i frivilligt arbejde", "beskrivelse": "", "maalgruppe": "",
        "sted": "Salen", "online_link": "", "kapacitet": None, "offentlig": True, "ansvarlige": []},
        datoer=[(timezone.now() + timedelta(days=5), 120)])


def _public(arrangement, center):
    return services.tilmelding_opret(actor=actor_for_system(center), arrangement=arrangement, navn="Ole Olsen",
                                     email="ole@x.test", kilde=TilmeldingKilde.OFFENTLIG, samtykke=True)


def test_a_public_registrant_becomes_a_borger_with_consent_and_the_registration_is_theirs(
        as_koordinator_a, k, world, brobygger_a):
    arrangement = _arrangement(k)
    tilmelding = _public(arrangement, world.center_a)
    detail = as_koordinator_a.get(arrangement.get_absolute_url()).content.decode()
    url = reverse("matching:arrangement_start_forloeb", args=[tilmelding.pk])
    assert url in detail
    page = as_koordinator_a.get(url).content.decode()
    assert 'value="Ole"' in page and 'value="Olsen"' in page and 'value="ole@x.test"' in page
    tekst = gaeldende_samtykketekst(center_id=world.center_a.pk, formaal=Formaal.REGISTRERING)
    data = {"fornavn": "Ole", "efternavn": "Olsen", "email": "ole@x.test", "foretrukken_kanal": "email",
            "postnummer": "5000", "brobygger": brobygger_a.pk, "status": "aktiv", "max_afstand_km": 10,
            "oensket_rolle": "deltager", "samtykke_version": tekst.pk, "samtykke_maade": "mundtligt"}
    # without the consent ticked: a Danish message, nothing created
    r = as_koordinator_a.post(url, data)
    assert r.status_code == 200 and "samtykket til registrering er givet" in r.content.decode()
    assert not Borger.objects.filter(fornavn="Ole").exists()
    r = as_koordinator_a.post(url, {**data, "samtykke": "on"})
    assert r.status_code == 302, r.content.decode()[:3000]
    borger = Borger.objects.get(fornavn="Ole")
    assert borger.brobygger == brobygger_a and borger.status == BorgerStatus.AKTIV
    assert Samtykke.objects.filter(borger=borger, formaal=Formaal.REGISTRERING, tekst=tekst).exists()
    tilmelding.refresh_from_db()
    assert tilmelding.borger == borger and tilmelding.navn == "" and tilmelding.email == ""
    assert tilmelding.forloeb_startet is not None
    forloeb = as_koordinator_a.get(reverse("borgere:borger_detail", args=[borger.pk])).content.decode()
    assert "Vejen ind i frivilligt arbejde" in forloeb and "forløbet startede her" in forloeb
    # once only
    r = as_koordinator_a.post(url, {**data, "samtykke": "on"})
    assert r.status_code == 200 and Borger.objects.filter(fornavn="Ole").count() == 1


def test_a_registered_borgers_forloeb_starts_with_a_brobygger(k, world, brobygger_a):
    arrangement = _arrangement(k)
    world.borger_a.brobygger, world.borger_a.status = None, BorgerStatus.NY
    world.borger_a.save()
    tilmelding = services.tilmelding_opret(actor=k, arrangement=arrangement, borger=world.borger_a)
    borger = services.tilmelding_start_forloeb(actor=k, tilmelding=tilmelding, data={"brobygger": brobygger_a})
    assert borger == world.borger_a
    borger.refresh_from_db()
    assert borger.brobygger == brobygger_a and borger.status == BorgerStatus.AKTIV
    assert Tilmelding.objects.get(pk=tilmelding.pk).forloeb_startet is not None


def test_refusals(k, world, brobygger_a, foreningskontakt_a):
    kursus = _arrangement(k, type_=ArrangementType.INKLUSIONSKURSUS)
    t = services.tilmelding_opret(actor=k, arrangement=kursus, borger=world.borger_a)
    with pytest.raises(ValidationError, match="workshop"):
        services.tilmelding_start_forloeb(actor=k, tilmelding=t, data={"brobygger": brobygger_a})
    workshop = _arrangement(k)
    staff_anden = services.tilmelding_opret(actor=k, arrangement=workshop, navn="Bo Berg", email="bo@x.test")
    with pytest.raises(ValidationError, match="offentlig tilmelding med samtykke"):
        services.tilmelding_start_forloeb(actor=k, tilmelding=staff_anden, data={"brobygger": brobygger_a})
    kontakt = services.tilmelding_opret(actor=k, arrangement=workshop, user=foreningskontakt_a)
    with pytest.raises(ValidationError, match="foreningskontakt"):
        services.tilmelding_start_forloeb(actor=k, tilmelding=kontakt, data={"brobygger": brobygger_a})
    public = _public(workshop, world.center_a)
    with pytest.raises(ValidationError):
        services.tilmelding_start_forloeb(actor=k, tilmelding=public, data={})  # no brobygger
    assert Tilmelding.objects.get(pk=public.pk).borger is None


def test_only_a_koordinator_starts_a_forloeb(client, k, world, brobygger_a):
    workshop = _arrangement(k)
    public = _public(workshop, world.center_a)
    client.force_login(brobygger_a)
    r = client.get(reverse("matching:arrangement_start_forloeb", args=[public.pk]))
    assert r.status_code in (403, 404)
