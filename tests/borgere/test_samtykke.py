"""Consent: koordinatorer edit versioned texts; blocked actions name the missing consent; withdrawal stops processing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from borgere import services as borger_services
from borgere.models import Formaal, MaalingType, Samtykke, SamtykkeTekst
from borgere.services import maaling_record, samtykke_give, samtykke_withdraw
from brobygning.access import actor_for
from brobygning.models import Paamindelse, PaamindelseStatus
from matching.paamindelser import sync_ledsagelse

from ..journey_factories import planned_ledsagelse

pytestmark = pytest.mark.django_db


def test_koordinator_edits_a_text_as_a_new_version_and_old_consents_keep_theirs(world, koordinator_a,
                                                                                  as_koordinator_a):
    actor = actor_for(koordinator_a)
    old = samtykke_give(actor=actor, borger=world.borger_a, formaal=Formaal.MAALINGER, maade="mundtligt")
    assert old.tekst.version == 1
    url = reverse("borgere:samtykketekst_create", args=[Formaal.MAALINGER])
    assert as_koordinator_a.get(url).status_code == 200
    response = as_koordinator_a.post(url, {"tekst": "kort"})
    assert response.status_code == 200 and SamtykkeTekst.objects.filter(formaal=Formaal.MAALINGER).count() == 1
    new_text = "Ny version af teksten om målinger, læst op for borgeren."
    assert as_koordinator_a.post(url, {"tekst": new_text}).status_code == 302
    current = SamtykkeTekst.objects.get(center=world.center_a, formaal=Formaal.MAALINGER, version=2)
    assert current.tekst == new_text and current.oprettet_af == koordinator_a
    assert Samtykke.objects.get(pk=old.pk).tekst.version == 1  # unchanged
    samtykke_withdraw(actor=actor, samtykke=old)
    again = samtykke_give(actor=actor, borger=world.borger_a, formaal=Formaal.MAALINGER, maade="skriftligt")
    assert again.tekst == current
    html = as_koordinator_a.get(reverse("borgere:samtykketekst_list")).content.decode()
    assert new_text in html and "Tidligere versioner" in html
    detail = as_koordinator_a.get(reverse("borgere:borger_detail", args=[world.borger_a.pk])).content.decode()
    assert "registreret af" in detail and "tekst v2" in detail and "tekst v1" in detail


def test_only_koordinatorer_edit_consent_texts(world, as_brobygger_a):
    assert as_brobygger_a.get(reverse("borgere:samtykketekst_list")).status_code == 403
    url = reverse("borgere:samtykketekst_create", args=[Formaal.MAALINGER])
    assert as_brobygger_a.post(url, {"tekst": "x" * 40}).status_code == 403
    assert not SamtykkeTekst.objects.filter(version=2).exists()


def test_recording_scales_without_consent_names_the_missing_consent(world, brobygger_a):
    with pytest.raises(ValidationError, match="samtykke til trivsels- og ensomhedsmålinger"):
        maaling_record(actor=actor_for(brobygger_a), borger=world.borger_a, type=MaalingType.WHO5, svar=[1] * 5)


def test_withdrawal_cancels_borger_reminders_and_host_messages_naming_the_consent(
        locmem_channels, django_capture_on_commit_callbacks):
    ledsagelse = planned_ledsagelse()
    sync_ledsagelse(ledsagelse)
    borger = ledsagelse.match.borger
    assert Paamindelse.objects.filter(status=PaamindelseStatus.AFVENTER, art__startswith="borger").exists()
    assert Paamindelse.objects.filter(status=PaamindelseStatus.AFVENTER, art__startswith="vaert").exists()
    actor = actor_for(ledsagelse.brobygger)
    with django_capture_on_commit_callbacks(execute=True):
        for samtykke in Samtykke.objects.filter(borger=borger):
            samtykke_withdraw(actor=actor, samtykke=samtykke)
    borger_rows = Paamindelse.objects.filter(art__startswith="borger")
    vaert_rows = Paamindelse.objects.filter(art__startswith="vaert")
    assert not Paamindelse.objects.filter(status=PaamindelseStatus.AFVENTER, art__startswith="borger").exists()
    assert not vaert_rows.filter(status=PaamindelseStatus.AFVENTER).exists()
    assert all("samtykket til påmindelser" in r.sidste_fejl for r in borger_rows)
    assert all("samtykket til deling med værten" in r.sidste_fejl for r in vaert_rows)
    from brobygning.paamindelser import dispatch_due

    dispatch_due()
    from django.core import mail

    assert not [m for m in mail.outbox if "hanne@forening.test" in m.to]  # the host got nothing new


def test_consent_records_the_text_version_the_borger_was_shown(brobygger, world, koordinator_a):
    from borgere.models import SamtykkeTekst

    first = borger_services.samtykke_give(actor=brobygger, borger=world.borger_a, formaal=Formaal.MAALINGER,
                                          maade="mundtligt")
    assert first.tekst.version == 1 and "trivsel" in first.tekst.tekst
    SamtykkeTekst.objects.create(center_id=world.borger_a.center_id, formaal=Formaal.MAALINGER, version=2,
                                 tekst="Ny tekst om målinger")
    borger_services.samtykke_withdraw(actor=brobygger, samtykke=first)
    second = borger_services.samtykke_give(actor=brobygger, borger=world.borger_a, formaal=Formaal.MAALINGER,
                                           maade="skriftligt")
    first.refresh_from_db()
    assert (first.tekst.version, second.tekst.version) == (1, 2)  # the old consent keeps its text
