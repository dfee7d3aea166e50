"""Consent: koordinatorer edit versioned texts; blocked actions name the missing consent; withdrawal stops processing."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from borgere import services as borger_services
from borgere.models import (
    STANDARD_SAMTYKKETEKSTER,
    Borger,
    Formaal,
    Henvisning,
    Maaling,
    MaalingType,
    Samtale,
    Samtykke,
    SamtykkeTekst,
)
from borgere.services import gaeldende_samtykketekst, maaling_record, samtykke_give, samtykke_withdraw
from brobygning.access import actor_for
from brobygning.models import AuditEntry, Paamindelse, PaamindelseStatus
from brobygning.paamindelser import dispatch_due
from matching import services as match_services
from matching.models import Match
from matching.paamindelser import sync_ledsagelse

from .. import factories as f
from ..formdata import post_data
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
        # Registration stays: withdrawing it cancels the meeting itself (tests/matching/test_flyttet.py).
        for samtykke in Samtykke.objects.filter(borger=borger).exclude(formaal=Formaal.REGISTRERING):
            samtykke_withdraw(actor=actor, samtykke=samtykke)
    borger_rows = Paamindelse.objects.filter(art__startswith="borger")
    vaert_rows = Paamindelse.objects.filter(art__startswith="vaert")
    assert not Paamindelse.objects.filter(status=PaamindelseStatus.AFVENTER, art__startswith="borger").exists()
    assert not vaert_rows.filter(status=PaamindelseStatus.AFVENTER).exists()
    assert all("samtykket til påmindelser" in r.sidste_fejl for r in borger_rows)
    assert all("samtykket til deling med værten" in r.sidste_fejl for r in vaert_rows)
    dispatch_due()
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


# --- Consent first (issue 12) ---------------------------------------------------------------------

NEW_BORGER = {"fornavn": "Karen", "telefon": "20 12 34 56", "foretrukken_kanal": "sms", "postnummer": "5000",
              "oensket_rolle": "deltager", "max_afstand_km": "10", "status": "ny"}


class TestCreateWithConsent:
    def test_the_form_shows_the_current_text_and_records_who_how_and_which_version(
            self, world, koordinator_a, as_koordinator_a):
        SamtykkeTekst.objects.create(center=world.center_a, formaal=Formaal.REGISTRERING, version=2,
                                     tekst="Registrerings-tekst-version-to")
        page = as_koordinator_a.get(reverse("borgere:borger_create")).content.decode()
        assert "Registrerings-tekst-version-to" in page
        response = as_koordinator_a.post(reverse("borgere:borger_create"),
                                         {**NEW_BORGER, **f.samtykke_data(world.center_a), "samtykke_maade": "skriftligt"})
        borger = Borger.objects.get(fornavn="Karen")
        assert response.status_code == 302
        samtykke = borger.samtykker.get()
        assert samtykke.formaal == Formaal.REGISTRERING and samtykke.maade == "skriftligt"
        assert samtykke.registreret_af == koordinator_a and samtykke.tekst.version == 2
        assert samtykke.tilbagekaldt is None
        assert set(AuditEntry.objects.values_list("handling", flat=True)) == {"borger.oprettet", "samtykke.givet"}

    @pytest.mark.parametrize(("missing", "field", "message"), [
        ("samtykke", "samtykke", "først oprettes, når samtykket til registrering er givet"),
        ("samtykke_maade", "samtykke_maade", "Vælg, hvordan samtykket blev givet"),
    ])
    def test_without_consent_no_borger_is_created(self, world, as_koordinator_a, missing, field, message):
        data = {**NEW_BORGER, **f.samtykke_data(world.center_a)}
        del data[missing]
        response = as_koordinator_a.post(reverse("borgere:borger_create"), data)
        assert response.status_code == 200 and message in " ".join(response.context["form"].errors[field])
        assert not Borger.objects.filter(fornavn="Karen").exists() and not AuditEntry.objects.exists()

    def test_a_text_published_while_the_form_was_open_is_shown_and_nothing_saved(self, world, as_koordinator_a):
        data = {**NEW_BORGER, **f.samtykke_data(world.center_a)}
        SamtykkeTekst.objects.create(center=world.center_a, formaal=Formaal.REGISTRERING, version=2,
                                     tekst="Ny-registreringstekst-markoer")
        response = as_koordinator_a.post(reverse("borgere:borger_create"), data)
        page = response.content.decode()
        assert response.status_code == 200 and "Samtykketeksten er blevet opdateret" in page
        assert "Ny-registreringstekst-markoer" in page
        assert not Borger.objects.filter(fornavn="Karen").exists()

    def test_the_service_refuses_without_consent(self, world, koordinator_a):
        actor = actor_for(koordinator_a)
        data = {"fornavn": "Karen", "telefon": "+4520123456", "foretrukken_kanal": "sms",
                "postnummer": f.postnummer("5000")}
        with pytest.raises(ValidationError, match="samtykke til registrering"):
            borger_services.borger_create(actor=actor, data=data)
        old = gaeldende_samtykketekst(center_id=world.center_a.pk, formaal=Formaal.REGISTRERING)
        SamtykkeTekst.objects.create(center=world.center_a, formaal=Formaal.REGISTRERING, version=2, tekst="v2")
        with pytest.raises(ValidationError, match="opdateret"):
            borger_services.borger_create(actor=actor, data=data, samtykke_maade="mundtligt", samtykketekst=old)
        assert not Borger.objects.filter(fornavn="Karen").exists()


@pytest.fixture
def uden_samtykke(world, brobygger_a):
    """A borger of brobygger A whose registration consent was withdrawn (or never recorded)."""
    return f.BorgerFactory(center=world.center_a, fornavn="Uden", brobygger=brobygger_a, registreringssamtykke=False)


class TestRefusedWithoutRegistrationConsent:
    def test_barriers_and_notes_cannot_be_added_but_contact_details_and_clearing_can(self, brobygger, uden_samtykke):
        barriere = f.Tag.objects.filter(type="barriere").first()
        udfordring = f.Tag.objects.filter(type="udfordring").first()
        same = {"brobygger": uden_samtykke.brobygger}
        for data in ({"barrierer": [barriere]}, {"udfordringer": [udfordring]}, {"noter": "Noget om helbred"}):
            with pytest.raises(ValidationError, match="ikke givet samtykke til registrering"):
                borger_services.borger_update(actor=brobygger, borger=uden_samtykke, data={**same, **data})
        uden_samtykke.refresh_from_db()
        assert not uden_samtykke.barrierer.exists() and uden_samtykke.noter == ""
        borger_services.borger_update(actor=brobygger, borger=uden_samtykke,
                                      data={**same, "telefon": "+4520998877", "barrierer": [], "noter": ""})
        uden_samtykke.refresh_from_db()
        assert uden_samtykke.telefon.as_e164 == "+4520998877"

    def test_the_edit_form_shows_the_refusal_next_to_the_field(self, as_brobygger_a, uden_samtykke):
        page = as_brobygger_a.get(reverse("borgere:borger_update", args=[uden_samtykke.pk]))
        data = {**post_data(page.context), "noter": "Helbredsnote"}
        response = as_brobygger_a.post(reverse("borgere:borger_update", args=[uden_samtykke.pk]), data)
        assert response.status_code == 200, response
        errors = response.context["form"].errors
        assert "samtykke til registrering" in " ".join(errors.get("noter", [])), errors

    def test_samtale_is_refused_whole(self, brobygger, uden_samtykke):
        with pytest.raises(ValidationError, match="samtykke til registrering"):
            borger_services.samtale_create(
                actor=brobygger, borger=uden_samtykke,
                data={"dato": timezone.localdate(), "type": "foerste", "varighed_min": 30, "noter": "Noter"},
                borger_data={"barrierer": [f.Tag.objects.filter(type="barriere").first()]})
        assert not Samtale.objects.exists() and not uden_samtykke.barrierer.exists()

    def test_measures_are_refused_even_with_the_measures_consent(self, brobygger, uden_samtykke):
        borger_services.samtykke_give(actor=brobygger, borger=uden_samtykke, formaal=Formaal.MAALINGER,
                                      maade="mundtligt")
        with pytest.raises(ValidationError, match="samtykke til registrering"):
            maaling_record(actor=brobygger, borger=uden_samtykke, type=MaalingType.WHO5, svar=[1] * 5)
        assert not Maaling.objects.exists()

    def test_no_suggestions_and_no_match(self, brobygger, world, uden_samtykke, as_brobygger_a):
        with pytest.raises(ValidationError, match="samtykke til registrering"):
            match_services.match_create(actor=brobygger, borger=uden_samtykke, faellesskab=world.faellesskab_a)
        response = as_brobygger_a.get(reverse("matching:forslag", args=[uden_samtykke.pk]))
        assert response.context["forslag"] == [] and "ikke givet samtykke til registrering" in response.content.decode()
        response = as_brobygger_a.post(reverse("matching:match_create", args=[uden_samtykke.pk]),
                                       {"faellesskab": world.faellesskab_a.pk})
        assert response.status_code == 302 and not Match.objects.exists()

    def test_the_borger_page_says_what_is_missing(self, as_brobygger_a, world, uden_samtykke):
        page = as_brobygger_a.get(reverse("borgere:borger_detail", args=[uden_samtykke.pk])).content.decode()
        assert "ikke givet samtykke til registrering" in page
        page = as_brobygger_a.get(reverse("borgere:borger_detail", args=[world.borger_a.pk])).content.decode()
        assert "ikke givet samtykke til registrering" not in page

    def test_withdrawing_the_registration_consent_closes_the_gate(self, brobygger, world):
        borger = world.borger_a
        borger_services.samtykke_withdraw(actor=brobygger, samtykke=borger.samtykker.get(formaal=Formaal.REGISTRERING))
        with pytest.raises(ValidationError, match="samtykke til registrering"):
            match_services.match_create(actor=brobygger, borger=borger, faellesskab=world.faellesskab_a)


class TestOneConsentForm:
    def rows(self, borger):
        return {s.formaal: s for s in borger.samtykker.filter(tilbagekaldt__isnull=True)}

    def post(self, client, borger, formaal, maade="mundtligt", bekraeft="ja", **versioner):
        data = {"formaal": formaal, "maade": maade, "bekraeft": bekraeft}
        for purpose in Formaal.values:
            data[f"version_{purpose}"] = versioner.get(
                purpose, gaeldende_samtykketekst(center_id=borger.center_id, formaal=purpose).version)
        return client.post(reverse("borgere:samtykke_give", args=[borger.pk]), data)

    def test_gives_and_withdraws_several_in_one_submit_through_the_services(
            self, world, brobygger_a, as_brobygger_a, monkeypatch, django_capture_on_commit_callbacks):
        borger = world.borger_a
        borger_services.samtykke_give(actor=actor_for(brobygger_a), borger=borger, formaal=Formaal.PAAMINDELSER,
                                      maade="mundtligt")
        page = as_brobygger_a.get(reverse("borgere:borger_detail", args=[borger.pk])).content.decode()
        for purpose in Formaal.values:
            assert f'name="formaal" value="{purpose}"' in page
        assert str(STANDARD_SAMTYKKETEKSTER[Formaal.MAALINGER]) in page
        resynced = []
        monkeypatch.setattr(borger_services, "_resync_reminders", resynced.append)
        with django_capture_on_commit_callbacks(execute=True):
            response = self.post(as_brobygger_a, borger, [Formaal.REGISTRERING, Formaal.DELING_MED_VAERT,
                                                          Formaal.MAALINGER], maade="skriftligt")
        assert response.status_code == 302
        rows = self.rows(borger)
        assert set(rows) == {Formaal.REGISTRERING, Formaal.DELING_MED_VAERT, Formaal.MAALINGER}
        assert rows[Formaal.MAALINGER].maade == "skriftligt" and rows[Formaal.MAALINGER].registreret_af == brobygger_a
        assert rows[Formaal.REGISTRERING].maade == "mundtligt"  # unchanged: it was already given
        assert borger.samtykker.get(formaal=Formaal.PAAMINDELSER).tilbagekaldt is not None
        handlinger = sorted(AuditEntry.objects.filter(objekt_type="samtykke").values_list("handling", flat=True))
        assert handlinger == ["samtykke.givet", "samtykke.givet", "samtykke.givet", "samtykke.tilbagekaldt"]
        assert resynced == [borger.pk] * 3  # the hooks ran for each change

    def test_nothing_is_half_saved(self, world, as_brobygger_a):
        borger = world.borger_a
        SamtykkeTekst.objects.create(center=world.center_a, formaal=Formaal.MAALINGER, version=2, tekst="v2 " * 10)
        # Maalinger was shown as v1, and registrering unticked: the refusal keeps registrering too.
        response = self.post(as_brobygger_a, borger, [Formaal.DELING_MED_VAERT, Formaal.MAALINGER], maalinger=1)
        assert response.status_code == 302
        assert set(self.rows(borger)) == {Formaal.REGISTRERING}
        assert not AuditEntry.objects.filter(objekt_type="samtykke").exists()
        messages = [str(m) for m in response.wsgi_request._messages]
        assert any("opdateret" in m for m in messages)

    def test_new_consents_need_how_they_were_given(self, world, as_brobygger_a):
        response = self.post(as_brobygger_a, world.borger_a, [Formaal.REGISTRERING, Formaal.MAALINGER], maade="")
        assert response.status_code == 302 and set(self.rows(world.borger_a)) == {Formaal.REGISTRERING}
        assert any("hvordan" in str(m) for m in response.wsgi_request._messages)

    def test_withdrawing_asks_first_and_changes_nothing_until_confirmed(self, world, as_brobygger_a):
        borger = world.borger_a
        response = self.post(as_brobygger_a, borger, [], bekraeft="")
        page = response.content.decode()
        assert response.status_code == 200 and "Træk samtykke tilbage?" in page
        assert 'name="bekraeft" value="ja"' in page and "Registrering" in page
        assert set(self.rows(borger)) == {Formaal.REGISTRERING}
        # Giving a new consent needs no confirmation.
        response = self.post(as_brobygger_a, borger, [Formaal.REGISTRERING, Formaal.MAALINGER], bekraeft="")
        assert response.status_code == 302 and Formaal.MAALINGER in self.rows(borger)

    def test_another_brobyggers_borger_is_refused(self, world, as_brobygger_a2):
        response = self.post(as_brobygger_a2, world.borger_a, [])
        assert response.status_code == 403
        assert set(self.rows(world.borger_a)) == {Formaal.REGISTRERING}


def test_referral_conversion_gives_the_registration_consent(world, koordinator_a, brobygger):
    tekst = gaeldende_samtykketekst(center_id=world.center_a.pk, formaal=Formaal.REGISTRERING)
    henvisning = Henvisning.objects.create(center=world.center_a, fornavn="Henvist", telefon="+4520304050",
                                           oensker="Gåture", kilde=f.tag("henvisningskilde", "jobcenter"),
                                           samtykketekst=tekst)
    borger = borger_services.henvisning_convert(
        actor=actor_for(koordinator_a), henvisning=henvisning,
        data={"fornavn": "Henvist", "telefon": "+4520304050", "foretrukken_kanal": "telefon",
              "postnummer": f.postnummer("5000"), "brobygger": world.borger_a.brobygger})
    assert borger_services.har_samtykke(borger, Formaal.REGISTRERING)
    match_services.match_create(actor=actor_for(koordinator_a), borger=borger, faellesskab=world.faellesskab_a)
