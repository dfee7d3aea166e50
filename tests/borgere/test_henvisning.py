"""Referral intake: the public form, spam protection, consent, the receipt, and the koordinator's inbox."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from borgere.models import (
    Borger,
    Formaal,
    Henvisning,
    HenvisningStatus,
    Samtykke,
    SamtykkeMaade,
    SamtykkeTekst,
)
from borgere.services import gaeldende_samtykketekst
from brobygning.models import AuditEntry, TagType

from .. import factories as f

pytestmark = pytest.mark.django_db

FORM_URL = "/c/odense/henvisning/"


@pytest.fixture(autouse=True)
def _fresh_rate_limit_and_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    yield
    cache.clear()


def _data(center, **changes):
    data = {
        "kilde": f.tag(TagType.HENVISNINGSKILDE, "jobcenter").pk,
        "henviser_navn": "Henviser-Markoer Hansen",
        "henviser_organisation": "Jobcenter Odense",
        "henviser_email": "henviser@jobcenter.example.org",
        "henviser_telefon": "",
        "fornavn": "Referral-Fornavn",
        "efternavn": "Referral-Efternavn",
        "telefon": "+4520304050",
        "email": "",
        "foretrukken_kanal": "telefon",
        "kontakt_note": "Bedst om formiddagen",
        "postnummer": "5000",
        "oensker": "Vil gerne gå ture og møde andre.",
        "samtykke": "on",
        "samtykke_version": gaeldende_samtykketekst(center_id=center.pk, formaal=Formaal.REGISTRERING).pk,
        "hjemmeside": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_form_shows_the_current_consent_text_and_never_asks_for_cpr(client, world):
    SamtykkeTekst.objects.create(center=world.center_a, formaal=Formaal.REGISTRERING, version=2,
                                 tekst="Samtykke-Version-To-Markoer")
    response = client.get(FORM_URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Samtykke-Version-To-Markoer" in page
    assert "cpr" not in page.lower().replace("skriv aldrig cpr-nummer", "").replace("ikke cpr-nummer", "")
    assert "<script>" not in page and 'style="' not in page


@pytest.mark.parametrize("felt", ["oensker", "kontakt_note"])
def test_a_cpr_number_in_free_text_is_refused_and_nothing_is_saved(client, world, felt):
    response = client.post(FORM_URL, _data(world.center_a, **{felt: "Mit cpr er 010190-1234"}))
    assert response.status_code == 200
    assert "Skriv ikke CPR-numre her." in response.content.decode()
    assert not Henvisning.objects.exists()
    assert "010190-1234" in response.content.decode()  # shown back for the sender to remove, never stored


def test_submit_creates_a_referral_with_the_consent_version_and_redirects(client, world):
    response = client.post(FORM_URL, _data(world.center_a))
    assert response.status_code == 302
    assert response.url == reverse("borgere:public_henvisning_tak", args=["odense"])  # no personal data in the URL
    henvisning = Henvisning.objects.get()
    assert henvisning.center == world.center_a and henvisning.status == HenvisningStatus.NY
    assert henvisning.samtykketekst == gaeldende_samtykketekst(center_id=world.center_a.pk,
                                                                formaal=Formaal.REGISTRERING)
    assert henvisning.fornavn == "Referral-Fornavn" and henvisning.postnummer_id == "5000"
    entry = AuditEntry.objects.get(handling="henvisning.modtaget")
    assert entry.objekt_id == str(henvisning.pk) and entry.actor is None
    assert "Referral" not in str(entry.felter)
    tak = client.get(response.url)
    assert tak.status_code == 200 and "Tak for henvisningen" in tak.content.decode()


def test_confirmation_email_goes_to_the_referrer_without_the_persons_data(client, world,
                                                                         django_capture_on_commit_callbacks):
    world.center_a.telefon = "+4566112233"
    world.center_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(FORM_URL, _data(world.center_a))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["henviser@jobcenter.example.org"]
    assert "Frivilligcenter Odense" in message.subject
    html = message.alternatives[0][0]
    assert "+4566112233" in message.body and "+4566112233" in html
    for text in (message.subject, message.body, html):
        assert "Referral-Fornavn" not in text and "gå ture" not in text


def test_self_referral_needs_no_organisation_and_gets_the_receipt_itself(client, world,
                                                                         django_capture_on_commit_callbacks):
    data = _data(world.center_a, kilde=f.tag(TagType.HENVISNINGSKILDE, "egen-henvendelse").pk,
                 henviser_navn="", henviser_organisation="", henviser_email="", email="selv@example.org",
                 foretrukken_kanal="email")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(FORM_URL, data).status_code == 302
    assert Henvisning.objects.get().er_egen_henvendelse
    assert mail.outbox[0].to == ["selv@example.org"]


def test_receipt_says_only_that_a_referral_was_received(client, world, django_capture_on_commit_callbacks):
    """Issue 11: anyone can type any address, so the receipt carries nothing the sender typed: the
    same neutral text whether a professional referred someone or a person referred themselves."""
    professional = _data(world.center_a, kontakt_note="Note-Markoer")
    selv = _data(world.center_a, kilde=f.tag(TagType.HENVISNINGSKILDE, "egen-henvendelse").pk,
                 henviser_navn="", henviser_organisation="", henviser_email="", email="selv@example.org",
                 foretrukken_kanal="email", kontakt_note="Note-Markoer")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(FORM_URL, professional).status_code == 302
        assert client.post(FORM_URL, selv).status_code == 302
    first, second = mail.outbox
    assert (first.subject, first.body, first.alternatives) == (second.subject, second.body, second.alternatives)
    assert "har modtaget en henvisning" in first.body and "Frivilligcenter Odense" in first.subject
    typed = [v for k, v in professional.items() if k not in ("kilde", "samtykke", "samtykke_version", "hjemmeside",
                                                            "foretrukken_kanal") and v]
    for text in (first.subject, first.body, first.alternatives[0][0]):
        for value in [*typed, "selv@example.org"]:
            assert value not in text, value
        assert "kontakter dig" not in text and "kontakter personen" not in text


def test_receipts_are_rate_limited_per_address_whatever_the_ip(client, world, settings,
                                                               django_capture_on_commit_callbacks):
    """Issue 11: the per-IP limit alone lets many IPs flood one inbox with receipts."""
    settings.HENVISNING_KVITTERING_RATE_LIMIT = 2
    with django_capture_on_commit_callbacks(execute=True):
        for i, address in enumerate(["offer@example.org", "Offer@Example.org ", "offer@example.org"]):
            response = client.post(FORM_URL, _data(world.center_a, henviser_email=address.strip()),
                                   REMOTE_ADDR=f"10.0.1.{i}")
            assert response.status_code == 302
        client.post(FORM_URL, _data(world.center_a, henviser_email="anden@example.org"), REMOTE_ADDR="10.0.1.9")
    assert Henvisning.objects.count() == 4  # the referrals are all saved
    assert [m.to for m in mail.outbox] == [["offer@example.org"], ["Offer@Example.org"], ["anden@example.org"]]


def test_professional_must_give_name_organisation_and_contact(client, world, django_capture_on_commit_callbacks):
    data = _data(world.center_a, henviser_navn="", henviser_organisation="", henviser_email="")
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(FORM_URL, data).content.decode()
    assert "Skriv dit navn" in page and "Skriv hvilken organisation" in page and "Skriv din e-mail" in page
    assert not Henvisning.objects.exists() and not mail.outbox


def test_consent_is_required(client, world):
    response = client.post(FORM_URL, _data(world.center_a, samtykke=None))
    assert response.status_code == 200
    assert "Uden samtykke kan vi ikke modtage henvisningen" in response.content.decode()
    assert not Henvisning.objects.exists()


def test_a_new_consent_version_while_filling_in_asks_again(client, world):
    data = _data(world.center_a)
    SamtykkeTekst.objects.create(center=world.center_a, formaal=Formaal.REGISTRERING, version=2,
                                 tekst="Ny-Tekst-Markoer")
    page = client.post(FORM_URL, data).content.decode()
    assert "Samtykketeksten er blevet opdateret" in page and "Ny-Tekst-Markoer" in page
    assert not Henvisning.objects.exists()
    data["samtykke_version"] = SamtykkeTekst.objects.get(version=2).pk
    assert client.post(FORM_URL, data).status_code == 302
    assert Henvisning.objects.get().samtykketekst.version == 2


def test_contact_is_required_and_bad_input_gets_danish_errors(client, world):
    page = client.post(FORM_URL, _data(world.center_a, telefon="", email="", postnummer="0000")).content.decode()
    assert "Skriv et telefonnummer eller en e-mailadresse" in page
    assert "Postnummeret findes ikke i Danmark" in page
    assert not Henvisning.objects.exists()


def test_honeypot_pretends_success_and_saves_nothing(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM_URL, _data(world.center_a, hjemmeside="http://spam.example"))
    assert response.status_code == 302 and response.url.endswith("/henvisning/tak/")
    assert not Henvisning.objects.exists() and not mail.outbox


def test_rate_limit_per_ip(client, world, settings):
    settings.HENVISNING_RATE_LIMIT = 2
    for _i in range(2):
        assert client.post(FORM_URL, _data(world.center_a), REMOTE_ADDR="10.0.0.1").status_code == 302
    blocked = client.post(FORM_URL, _data(world.center_a), REMOTE_ADDR="10.0.0.1")
    assert blocked.status_code == 429 and "mange henvisninger" in blocked.content.decode()
    assert Henvisning.objects.count() == 2
    assert client.post(FORM_URL, _data(world.center_a), REMOTE_ADDR="10.0.0.2").status_code == 302


def test_form_is_not_stored_by_caches(client, world):
    for response in (client.get(FORM_URL), client.post(FORM_URL, _data(world.center_a, samtykke=None))):
        assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]


# --- The koordinator's inbox -----------------------------------------------------------------------


@pytest.fixture
def henvisning(client, world):
    client.post(FORM_URL, _data(world.center_a))
    return Henvisning.objects.get()


def test_inbox_lists_new_referrals_of_own_centre(as_koordinator_a, as_koordinator_b, henvisning):
    page = as_koordinator_a.get(reverse("borgere:henvisning_list")).content.decode()
    assert "Referral-Fornavn" in page
    assert "Referral-Fornavn" not in as_koordinator_b.get(reverse("borgere:henvisning_list")).content.decode()
    nav = as_koordinator_a.get(reverse("matching:forside")).content.decode()
    assert reverse("borgere:henvisning_list") in nav


@pytest.mark.parametrize("name", ["borgere:henvisning_detail", "borgere:henvisning_convert", "borgere:henvisning_decline"])
def test_other_centre_gets_404(as_koordinator_b, henvisning, name):
    url = reverse(name, args=[henvisning.pk])
    assert as_koordinator_b.get(url).status_code in (404, 405)
    assert as_koordinator_b.post(url, {"afvist_grund": "Kapret"}).status_code == 404
    henvisning.refresh_from_db()
    assert henvisning.status == HenvisningStatus.NY


@pytest.mark.parametrize("who", ["as_brobygger_a", "as_foreningskontakt_a"])
def test_other_roles_get_403(request, henvisning, who):
    client = request.getfixturevalue(who)
    assert client.get(reverse("borgere:henvisning_list")).status_code == 403
    assert client.get(reverse("borgere:henvisning_detail", args=[henvisning.pk])).status_code == 403
    assert client.post(reverse("borgere:henvisning_decline", args=[henvisning.pk]), {"afvist_grund": "x"}).status_code == 403
    assert "Referral-Fornavn" not in client.get(reverse("matching:forside")).content.decode()


def test_anonymous_is_sent_to_login(client, henvisning):
    response = client.get(reverse("borgere:henvisning_detail", args=[henvisning.pk]))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_convert_prefills_the_borger_form(as_koordinator_a, henvisning):
    page = as_koordinator_a.get(reverse("borgere:henvisning_convert", args=[henvisning.pk])).content.decode()
    assert 'value="Referral-Fornavn"' in page and 'value="5000"' in page
    assert "Vil gerne gå ture" in page


def _convert_data(henvisning, brobygger, **changes):
    data = {"fornavn": henvisning.fornavn, "efternavn": henvisning.efternavn, "telefon": str(henvisning.telefon),
            "email": "", "foretrukken_kanal": "telefon", "postnummer": "5000", "foedselsaar": "1970",
            "oensket_rolle": "deltager", "max_afstand_km": "10", "henvisningskilde": henvisning.kilde_id,
            "brobygger": brobygger.pk if brobygger else "", "status": "ny", "noter": henvisning.oensker}
    data.update(changes)
    return data


def test_convert_creates_borger_with_consent_from_the_referral(as_koordinator_a, henvisning, brobygger_a):
    # A newer text is published after the referral: the borger's consent keeps the version they saw.
    SamtykkeTekst.objects.create(center=henvisning.center, formaal=Formaal.REGISTRERING, version=2, tekst="v2")
    response = as_koordinator_a.post(reverse("borgere:henvisning_convert", args=[henvisning.pk]),
                                     _convert_data(henvisning, brobygger_a))
    borger = Borger.objects.get(fornavn="Referral-Fornavn")
    assert response.status_code == 302 and response.url == borger.get_absolute_url()
    assert borger.brobygger == brobygger_a and borger.henvisningskilde == henvisning.kilde
    samtykke = Samtykke.objects.get(borger=borger)
    assert samtykke.formaal == Formaal.REGISTRERING and samtykke.maade == SamtykkeMaade.SKRIFTLIGT
    assert samtykke.tekst == henvisning.samtykketekst and samtykke.tekst.version == 1
    assert samtykke.givet == henvisning.oprettet
    henvisning.refresh_from_db()
    assert henvisning.status == HenvisningStatus.OPRETTET and henvisning.borger == borger
    assert henvisning.behandlet_af.email == "koordinator@a.test"
    handlinger = set(AuditEntry.objects.values_list("handling", flat=True))
    assert {"borger.oprettet", "samtykke.givet", "henvisning.oprettet_som_borger"} <= handlinger
    # Done once: a second attempt is refused.
    again = as_koordinator_a.post(reverse("borgere:henvisning_convert", args=[henvisning.pk]),
                                  _convert_data(henvisning, brobygger_a))
    assert again.status_code == 302 and Borger.objects.filter(fornavn="Referral-Fornavn").count() == 1


def test_convert_requires_a_brobygger_and_saves_nothing_on_error(as_koordinator_a, henvisning):
    response = as_koordinator_a.post(reverse("borgere:henvisning_convert", args=[henvisning.pk]),
                                     _convert_data(henvisning, None))
    assert response.status_code == 200 and "brobygger" in response.content.decode().lower()
    assert not Borger.objects.filter(fornavn="Referral-Fornavn").exists()
    henvisning.refresh_from_db()
    assert henvisning.status == HenvisningStatus.NY


def test_convert_is_all_or_nothing(henvisning, koordinator_a, brobygger_a, monkeypatch):
    """A failure after the borger is written (recording the consent) rolls the borger back too."""
    from django.core.exceptions import ValidationError

    from borgere import services
    from brobygning.access import actor_for

    def broken(*args, **kwargs):
        raise ValidationError("boom")

    monkeypatch.setattr(services, "log_action", broken)
    before = Samtykke.objects.count()  # the world's borgere have their own consents
    data = {"fornavn": "Referral-Fornavn", "telefon": "+4520304050", "foretrukken_kanal": "telefon",
            "postnummer": f.postnummer("5000"), "brobygger": brobygger_a}
    with pytest.raises(ValidationError):
        services.henvisning_convert(actor=actor_for(koordinator_a), henvisning=henvisning, data=data)
    assert not Borger.objects.filter(fornavn="Referral-Fornavn").exists()
    assert Samtykke.objects.count() == before
    henvisning.refresh_from_db()
    assert henvisning.status == HenvisningStatus.NY


def test_decline_needs_a_reason(as_koordinator_a, henvisning):
    url = reverse("borgere:henvisning_decline", args=[henvisning.pk])
    page = as_koordinator_a.post(url, {"afvist_grund": "  "}).content.decode()
    assert "Dette felt er påkrævet" in page or "påkrævet" in page
    henvisning.refresh_from_db()
    assert henvisning.status == HenvisningStatus.NY
    response = as_koordinator_a.post(url, {"afvist_grund": "Henvist til andet tilbud"})
    assert response.status_code == 302
    henvisning.refresh_from_db()
    assert henvisning.status == HenvisningStatus.AFVIST and henvisning.afvist_grund == "Henvist til andet tilbud"
    assert AuditEntry.objects.filter(handling="henvisning.afvist", objekt_id=str(henvisning.pk)).exists()
    assert "Henvist til andet tilbud" in as_koordinator_a.get(reverse("borgere:henvisning_detail", args=[henvisning.pk])).content.decode()
    # A declined referral can no longer be turned into a borger.
    assert as_koordinator_a.get(reverse("borgere:henvisning_convert", args=[henvisning.pk])).status_code == 302


def test_inbox_queries_do_not_grow(as_koordinator_a, world, client, django_assert_max_num_queries, settings):
    settings.HENVISNING_RATE_LIMIT = 100
    for i in range(15):
        client.post(FORM_URL, _data(world.center_a, fornavn=f"Person{i}"))
    assert Henvisning.objects.count() == 15
    with django_assert_max_num_queries(10):
        assert as_koordinator_a.get(reverse("borgere:henvisning_list")).status_code == 200


# --- Issue 16: no CPR number is ever stored, and the wishes inform the match --------------------------

CPR = "010190-1234"  # a valid date of birth: python-stdnum's dk.cpr accepts it


@pytest.mark.parametrize("field", ["oensker", "kontakt_note", "henviser_organisation"])
@pytest.mark.parametrize("cpr", [CPR, "0101901234", "010190 1234"])
def test_public_form_refuses_a_cpr_number_with_a_clear_danish_message(client, world, field, cpr):
    response = client.post(FORM_URL, _data(world.center_a, **{field: f"Personen har CPR {cpr} og vil gerne gå ture"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Skriv ikke CPR-numre her" in page
    assert not Henvisning.objects.exists()
    assert cpr not in "".join(str(e.felter) for e in AuditEntry.objects.all())


def test_public_form_lets_other_numbers_through(client, world):
    response = client.post(FORM_URL, _data(world.center_a, oensker="Ring på 4520304050 eller ordre 9999999999"))
    assert response.status_code == 302
    assert Henvisning.objects.get().oensker.startswith("Ring på")


def test_the_service_refuses_a_cpr_number_too(world):
    from django.core.exceptions import ValidationError

    from borgere import services

    tekst = gaeldende_samtykketekst(center_id=world.center_a.pk, formaal=Formaal.REGISTRERING)
    data = {"kilde": f.tag(TagType.HENVISNINGSKILDE, "egen-henvendelse"), "fornavn": "Ib", "telefon": "+4520304050",
            "foretrukken_kanal": "telefon", "oensker": f"CPR {CPR}"}
    with pytest.raises(ValidationError) as error:
        services.henvisning_create(center=world.center_a, data=data, samtykketekst=tekst)
    assert "oensker" in error.value.message_dict
    assert not Henvisning.objects.exists()


def test_convert_never_carries_the_wishes_or_a_cpr_number_into_the_notes(as_koordinator_a, henvisning):
    # A referral stored before the check, with a CPR number in its wishes and contact note.
    Henvisning.objects.filter(pk=henvisning.pk).update(
        oensker=f"Føler sig ensom, vil gerne synge i kor og gå ture. CPR {CPR}", kontakt_note=f"Ring efter 10 ({CPR})")
    response = as_koordinator_a.get(reverse("borgere:henvisning_convert", args=[henvisning.pk]))
    page = response.content.decode()
    assert CPR not in page and "0101901234" not in page
    assert "[CPR-nummer fjernet]" in page
    form = response.context["form"]
    assert form.initial["noter"] == "Ring efter 10 ([CPR-nummer fjernet])"
    assert "ensom" not in form.initial["noter"]
    assert [t.slug for t in form.initial["udfordringer"]] == ["ensomhed"]


def test_the_wishes_tick_the_interests_and_challenges_the_engine_reads(as_koordinator_a, henvisning, brobygger_a):
    Henvisning.objects.filter(pk=henvisning.pk).update(oensker="Er ny i Danmark, kunne tænke sig strik og brætspil")
    form = as_koordinator_a.get(reverse("borgere:henvisning_convert", args=[henvisning.pk])).context["form"]
    assert {t.slug for t in form.initial["interesser"]} == {"strik", "braetspil"}
    assert {t.slug for t in form.initial["udfordringer"]} == {"ny-i-danmark"}
    data = _convert_data(henvisning, brobygger_a, noter="",
                         interesser=[t.pk for t in form.initial["interesser"]],
                         udfordringer=[t.pk for t in form.initial["udfordringer"]])
    assert as_koordinator_a.post(reverse("borgere:henvisning_convert", args=[henvisning.pk]), data).status_code == 302
    borger = Borger.objects.get(fornavn="Referral-Fornavn")
    assert set(borger.interesser.values_list("slug", flat=True)) == {"strik", "braetspil"}
    assert set(borger.udfordringer.values_list("slug", flat=True)) == {"ny-i-danmark"}
    assert borger.noter == ""


def test_staff_cannot_save_a_cpr_number_in_the_borgers_notes(as_koordinator_a, henvisning, brobygger_a):
    response = as_koordinator_a.post(reverse("borgere:henvisning_convert", args=[henvisning.pk]),
                                     _convert_data(henvisning, brobygger_a, noter=f"CPR {CPR}"))
    assert response.status_code == 200
    assert "Skriv ikke CPR-numre her" in response.content.decode()
    assert not Borger.objects.filter(fornavn="Referral-Fornavn").exists()


def test_cpr_helpers():
    from brobygning.cpr import fjern_cpr, indeholder_cpr

    assert indeholder_cpr(f"x {CPR} y") and indeholder_cpr("0101901234")
    assert not indeholder_cpr("3213901234")  # no such date
    assert not indeholder_cpr("+4520304050") and not indeholder_cpr("12345")
    assert fjern_cpr(f"a {CPR} b 0101901234") == "a [CPR-nummer fjernet] b [CPR-nummer fjernet]"
