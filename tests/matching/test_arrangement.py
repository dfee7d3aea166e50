"""Arrangementer (issue 14): registration with capacity and a waiting list, cancellation by signed link,
the public form, reminders with .ics (moved and cancelled dates), attendance at the door, the evaluation
link, the borger's forløb and art. 15, and centre isolation."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from borgere.gdpr import borger_export
from brobygning import paamindelser as dispatch
from brobygning.access import actor_for
from brobygning.models import Paamindelse, PaamindelseStatus, Rolle
from matching import arrangement_links as links
from matching import arrangement_paamindelser as arr
from matching import arrangementer as selectors
from matching import services
from matching.arrangementer import kommende_netvaerksmoeder, kursus_gennemfoert
from matching.models import Arrangement, ArrangementType, Evaluering, Fremmoede, Tilmelding, TilmeldingStatus

from .. import factories as f
from .. import journey_factories as rf
from ..conftest import _member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _channels(locmem_channels):
    cache.clear()


@pytest.fixture
def k(koordinator_a):
    return actor_for(koordinator_a)


def _arrangement(actor, *, kapacitet=None, offentlig=False, type_=ArrangementType.INKLUSIONSKURSUS, dage=5, antal=1,
                 ansvarlige=()):
    start = timezone.now() + timedelta(days=dage)
    return services.arrangement_create(actor=actor, data={
        "type": type_, "titel": "Inklusion i praksis", "beskrivelse": "", "maalgruppe": "Foreninger",
        "sted": "Frivilligcentret, sal 2", "online_link": "", "kapacitet": kapacitet, "offentlig": offentlig,
        "ansvarlige": list(ansvarlige)}, datoer=[(start + timedelta(weeks=i), 120) for i in range(antal)])


def _anden(actor, arrangement, n):
    return services.tilmelding_opret(actor=actor, arrangement=arrangement, navn=f"Person {n}",
                                     email=f"person{n}@x.test")


# --- Registration -------------------------------------------------------------------------------


def test_capacity_then_waiting_list_and_moving_up_on_cancel(k):
    arrangement = _arrangement(k, kapacitet=2)
    a, b, c, d = (_anden(k, arrangement, n) for n in range(4))
    assert [a.status, b.status] == [TilmeldingStatus.TILMELDT] * 2
    assert [c.status, d.status] == [TilmeldingStatus.VENTELISTE] * 2
    assert not Fremmoede.objects.filter(tilmelding=c).exists()  # the waiting list has no place at the door
    services.tilmelding_afmeld(actor=k, tilmelding=a)
    c.refresh_from_db()
    d.refresh_from_db()
    assert c.status == TilmeldingStatus.TILMELDT and d.status == TilmeldingStatus.VENTELISTE  # oldest first
    assert Fremmoede.objects.filter(tilmelding=c).count() == 1
    assert Paamindelse.objects.filter(emne_type=arr.EMNE_TILMELDING, emne_id=c.pk, art="arr_rykket_op").exists()
    # cancelling from the waiting list frees no place: nobody moves
    services.tilmelding_afmeld(actor=k, tilmelding=d)
    assert arrangement.tilmeldinger.filter(status=TilmeldingStatus.TILMELDT).count() == 2


def test_raising_capacity_moves_the_waiting_list_up(k):
    arrangement = _arrangement(k, kapacitet=1)
    _anden(k, arrangement, 1)
    waiting = _anden(k, arrangement, 2)
    services.arrangement_update(actor=k, arrangement=arrangement, data={"kapacitet": 2})
    waiting.refresh_from_db()
    assert waiting.status == TilmeldingStatus.TILMELDT


def test_double_registration_is_refused_with_a_danish_message(k, world, foreningskontakt_a):
    arrangement = _arrangement(k)
    services.tilmelding_opret(actor=k, arrangement=arrangement, borger=world.borger_a)
    services.tilmelding_opret(actor=k, arrangement=arrangement, user=foreningskontakt_a)
    _anden(k, arrangement, 1)
    for kwargs in ({"borger": world.borger_a}, {"user": foreningskontakt_a},
                   {"navn": "Samme", "email": "PERSON1@x.test"}):
        with pytest.raises(ValidationError, match="allerede tilmeldt"):
            services.tilmelding_opret(actor=k, arrangement=arrangement, **kwargs)
    assert arrangement.tilmeldinger.count() == 3


def test_a_foreningskontakt_is_registered_for_their_forening_and_may_re_register_after_cancelling(
        k, world, foreningskontakt_a):
    arrangement = _arrangement(k)
    t = services.tilmelding_opret(actor=k, arrangement=arrangement, user=foreningskontakt_a)
    assert t.forening == world.forening_a
    services.tilmelding_afmeld(actor=k, tilmelding=t)
    again = services.tilmelding_opret(actor=k, arrangement=arrangement, user=foreningskontakt_a)
    assert again.status == TilmeldingStatus.TILMELDT


def test_staff_page_registers_and_cancels(as_koordinator_a, k, foreningskontakt_a):
    arrangement = _arrangement(k, kapacitet=1)
    url = reverse("matching:arrangement_tilmeld", args=[arrangement.pk])
    assert as_koordinator_a.get(url).status_code == 200
    r = as_koordinator_a.post(url, {"hvem": "kontakt", "user": foreningskontakt_a.pk})
    assert r.status_code == 302
    r = as_koordinator_a.post(url, {"hvem": "anden", "navn": "Hanne Vært", "email": "hanne@x.test"})
    assert r.status_code == 302
    t = Tilmelding.objects.get(email="hanne@x.test")
    assert t.status == TilmeldingStatus.VENTELISTE
    first = Tilmelding.objects.get(user=foreningskontakt_a)
    r = as_koordinator_a.post(reverse("matching:arrangement_afmeld_staff", args=[first.pk]))
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.status == TilmeldingStatus.TILMELDT
    page = as_koordinator_a.get(reverse("matching:arrangement_detail", args=[arrangement.pk])).content.decode()
    assert "Hanne Vært" in page


def test_a_borger_is_found_by_a_posted_search_never_by_a_name_in_the_url(as_koordinator_a, k, world):
    arrangement = _arrangement(k)
    url = reverse("matching:arrangement_tilmeld", args=[arrangement.pk])
    navn = world.borger_a.fornavn
    funden = f'name="borger" value="{world.borger_a.pk}"'
    assert funden not in as_koordinator_a.get(url, {"q": navn}).content.decode()  # a name in the URL finds nothing
    page = as_koordinator_a.post(url, {"hvem": "soeg", "q": navn}).content.decode()
    assert navn in page and funden in page
    assert not Tilmelding.objects.exists()  # a search registers nobody
    assert as_koordinator_a.post(url, {"hvem": "borger", "borger": world.borger_a.pk}).status_code == 302
    assert Tilmelding.objects.get().borger == world.borger_a


def test_long_lists_are_paged_and_counted_in_full(as_koordinator_a, k, settings):
    arrangement = _arrangement(k, kapacitet=2)
    for n in range(1, 2 + selectors.TILMELDINGER_SIDE + 3 + 1):
        _anden(k, arrangement, n)
    url = reverse("matching:arrangement_detail", args=[arrangement.pk])
    page = as_koordinator_a.get(url).content.decode()
    assert f"Venteliste ({selectors.TILMELDINGER_SIDE + 3})" in page and "venteliste=2" in page
    assert f"Person {2 + selectors.TILMELDINGER_SIDE + 3}" in as_koordinator_a.get(url, {"venteliste": 2}).content.decode()


# --- Cancellation link --------------------------------------------------------------------------


def test_cancellation_link_get_changes_nothing_post_cancels_reuse_and_tamper_say_so(client, k):
    arrangement = _arrangement(k, kapacitet=1)
    t = _anden(k, arrangement, 1)
    waiting = _anden(k, arrangement, 2)
    url = reverse("matching:arrangement_afmeld", args=[t.pk, links.token_for(t, links.AFMELD)])
    assert client.get(url).status_code == 200
    t.refresh_from_db()
    assert t.status == TilmeldingStatus.TILMELDT
    r = client.post(url)
    assert r.status_code == 200 and "Du er afmeldt" in r.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == TilmeldingStatus.TILMELDT
    again = client.get(url)
    assert again.status_code == 410 and "allerede afmeldt" in again.content.decode()
    bad = client.get(reverse("matching:arrangement_afmeld", args=[waiting.pk, links.token_for(t, links.AFMELD)]))
    assert bad.status_code == 410 and "ikke gyldigt" in bad.content.decode()
    # an evaluation token does not cancel
    wrong = client.post(reverse("matching:arrangement_afmeld", args=[waiting.pk,
                                                                     links.token_for(waiting, links.EVALUER)]))
    assert wrong.status_code == 410
    waiting.refresh_from_db()
    assert waiting.status == TilmeldingStatus.TILMELDT


# --- Public registration ------------------------------------------------------------------------


def test_public_registration_with_consent_honeypot_and_rate_limit(client, k, world, settings):
    settings.ARRANGEMENT_RATE_LIMIT = 2
    arrangement = _arrangement(k, offentlig=True, type_=ArrangementType.WORKSHOP)
    slug = world.center_a.slug
    url = reverse("matching:arrangement_public_tilmeld", args=[slug, arrangement.pk])
    page = client.get(url)
    assert page.status_code == 200 and "samtykke" in page.content.decode().lower()
    # no consent: a Danish error, nothing saved
    r = client.post(url, {"navn": "Ole", "email": "ole@x.test"})
    assert r.status_code == 200 and "Sæt kryds" in r.content.decode()
    assert not Tilmelding.objects.exists()
    # honeypot: looks like success, nothing saved
    r = client.post(url, {"navn": "Bot", "email": "bot@x.test", "samtykke": "on", "hjemmeside": "http://spam"})
    assert r.status_code == 302 and not Tilmelding.objects.exists()
    # the limit is reached: refused with 429 and a Danish message
    r = client.post(url, {"navn": "Ole", "email": "ole@x.test", "samtykke": "on"})
    assert r.status_code == 429 and "mange tilmeldinger" in r.content.decode()
    assert not Tilmelding.objects.exists()
    cache.clear()
    r = client.post(url, {"navn": "Ole Olsen", "email": "ole@x.test", "samtykke": "on"})
    assert r.status_code == 302
    t = Tilmelding.objects.get()
    assert t.kilde == "offentlig" and t.samtykke is not None and t.navn == "Ole Olsen"


def test_a_non_public_arrangement_is_not_found_publicly(client, k, world):
    arrangement = _arrangement(k, offentlig=False)
    url = reverse("matching:arrangement_public_tilmeld", args=[world.center_a.slug, arrangement.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"navn": "Ole", "email": "ole@x.test", "samtykke": "on"}).status_code == 404
    assert not Tilmelding.objects.exists()


def test_public_list_and_ical_feed_show_only_public_events(client, k, world):
    public = _arrangement(k, offentlig=True, type_=ArrangementType.WORKSHOP)
    public.titel = "Workshop: vejen ind i frivilligt arbejde"
    public.save()
    _arrangement(k, offentlig=False).__class__.objects.filter(offentlig=False).update(titel="Hemmeligt kursus")
    slug = world.center_a.slug
    listing = client.get(reverse("matching:arrangement_public_list", args=[slug])).content.decode()
    assert "Workshop: vejen ind" in listing and "Hemmeligt kursus" not in listing
    feed = client.get(reverse("matching:arrangement_public_ics", args=[slug])).content.decode()
    assert "Workshop: vejen ind" in feed and "Hemmeligt" not in feed and "METHOD:PUBLISH" in feed
    directory = client.get(reverse("foreninger:public_directory", args=[slug])).content.decode()
    assert "Workshop: vejen ind" in directory


def test_the_directory_box_shows_what_the_public_list_finds(k, world):
    """The directory's box (`public_events`, one statement written once) lists the same coming public
    arrangementer, in the same order, as `public_arrangement_list`: not cancelled, not private, a date
    ahead, soonest first; the place, or "Online"."""
    from django.utils import translation

    from matching.models import ArrangementDato

    made = [_arrangement(k, offentlig=True, dage=dage, type_=type_) for dage, type_ in
            [(9, ArrangementType.WORKSHOP), (3, ArrangementType.INKLUSIONSKURSUS), (3, ArrangementType.WORKSHOP),
             (6, ArrangementType.WORKSHOP), (12, ArrangementType.INKLUSIONSKURSUS), (15, ArrangementType.WORKSHOP),
             (1, ArrangementType.WORKSHOP), (2, ArrangementType.WORKSHOP), (4, ArrangementType.WORKSHOP)]]
    _arrangement(k, offentlig=False, dage=1)  # not public
    made[6].aflyst = timezone.now()  # cancelled
    made[6].save()
    ArrangementDato.objects.filter(arrangement=made[7]).update(aflyst=True)  # its one date cancelled
    ArrangementDato.objects.filter(arrangement=made[8]).update(start=timezone.now() - timedelta(days=1))  # past
    Arrangement.objects.filter(pk=made[3].pk).update(sted="", online_link="https://meet.example.org/x")
    Arrangement.objects.filter(pk=made[4].pk).update(sted="")
    for lang in ("da", "en"):
        with translation.override(lang):
            box = selectors.public_events(world.center_a, 5)
            listed = selectors.public_arrangement_list(center=world.center_a, limit=5)
            assert [(e.titel, e.start, e.sted, e.slags, e.url.rsplit("/", 3)[-2]) for e in box.items] == [
                (a.titel, a.naeste, a.stedtekst, a.get_type_display(), str(a.pk)) for a in listed]
    assert [e.url.rsplit("/", 3)[-2] for e in box.items] == [str(a.pk) for a in (made[1], made[2], made[3], made[0],
                                                                                   made[4])]
    assert [e.sted for e in box.items][2:] == ["Online", "Frivilligcentret, sal 2", ""]


# --- Reminders and .ics -------------------------------------------------------------------------


def test_confirmation_e_mail_has_ics_and_cancellation_link(k):
    arrangement = _arrangement(k, antal=2)
    t = _anden(k, arrangement, 1)
    result = dispatch.dispatch_due()
    assert result.sent == 1
    [message] = mail.outbox
    assert message.to == ["person1@x.test"] and "Inklusion i praksis" in message.subject
    assert f"/arrangement/afmeld/{t.pk}/" in message.body
    ics = _ics(message)
    assert ics.count("BEGIN:VEVENT") == 2 and "SEQUENCE:0" in ics and "METHOD:REQUEST" in ics
    rows = Paamindelse.objects.filter(emne_type=arr.EMNE_FREMMOEDE, art="arr_24t")
    assert rows.count() == 2  # one per date


def _ics(message) -> str:
    for part in message.message().walk():
        if part.get_content_type() == "text/calendar":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no .ics")


def test_a_moved_date_moves_the_reminder_and_tells_those_told_with_a_new_sequence(k):
    arrangement = _arrangement(k)
    _anden(k, arrangement, 1)
    dispatch.dispatch_due()  # the confirmation goes out: the person holds the date
    mail.outbox.clear()
    dato = arrangement.datoer.get()
    new_start = dato.start + timedelta(days=2)
    services.dato_flyt(actor=k, dato=dato, start=new_start)
    reminder = Paamindelse.objects.get(emne_type=arr.EMNE_FREMMOEDE, art="arr_24t")
    assert reminder.forfalder == new_start - timedelta(hours=24) and reminder.begivenhed == new_start
    assert dispatch.dispatch_due().sent == 1
    [message] = mail.outbox
    assert message.subject.startswith("Ny tid")
    ics = _ics(message)
    assert "SEQUENCE:1" in ics and f"arrangementdato-{dato.pk}@brobygning" in ics and "METHOD:REQUEST" in ics


def test_a_cancelled_date_sends_a_cancel_and_the_24h_reminder_goes(k):
    arrangement = _arrangement(k)
    _anden(k, arrangement, 1)
    dispatch.dispatch_due()
    mail.outbox.clear()
    dato = arrangement.datoer.get()
    services.dato_aflys(actor=k, dato=dato)
    assert Paamindelse.objects.get(art="arr_24t").status == PaamindelseStatus.ANNULLERET
    dispatch.dispatch_due()
    [message] = mail.outbox
    ics = _ics(message)
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics and "SEQUENCE:1" in ics


def test_nobody_told_hears_nothing_of_a_move(k):
    arrangement = _arrangement(k)
    _anden(k, arrangement, 1)  # the confirmation is still pending
    services.dato_flyt(actor=k, dato=arrangement.datoer.get(), start=timezone.now() + timedelta(days=9))
    assert not Paamindelse.objects.filter(art="arr_flyttet").exists()


def test_a_borger_without_consent_gets_no_messages(k, world):
    arrangement = _arrangement(k)
    services.tilmelding_opret(actor=k, arrangement=arrangement, borger=world.borger_a)
    assert not Paamindelse.objects.filter(emne_type__startswith="arr_").exists()
    rf.give_consent(world.borger_a, "paamindelser")
    other = _arrangement(k)
    services.tilmelding_opret(actor=k, arrangement=other, borger=world.borger_a)
    assert Paamindelse.objects.filter(emne_type=arr.EMNE_TILMELDING, art="arr_bekraeftelse").exists()


def test_the_outbox_page_describes_arrangement_rows(as_koordinator_a, k):
    arrangement = _arrangement(k)
    _anden(k, arrangement, 1)
    page = as_koordinator_a.get(reverse("brobygning:paamindelse_list")).content.decode()
    assert "Inklusion i praksis" in page


# --- Attendance and evaluation ------------------------------------------------------------------


def test_attendance_one_tap_per_person_by_a_brobygger_who_helps_run_it(k, brobygger_a, as_brobygger_a,
                                                                      as_brobygger_a2):
    arrangement = _arrangement(k, ansvarlige=[brobygger_a])
    t = _anden(k, arrangement, 1)
    dato = arrangement.datoer.get()
    row = Fremmoede.objects.get(tilmelding=t)
    page = as_brobygger_a.get(reverse("matching:arrangement_fremmoede", args=[dato.pk]))
    assert page.status_code == 200 and "Person 1" in page.content.decode()
    tap = reverse("matching:arrangement_fremmoede_tap", args=[row.pk])
    assert as_brobygger_a.post(tap, {"moedt": "ja"}).status_code == 302
    row.refresh_from_db()
    assert row.moedt is True and row.registreret is not None
    # htmx: the row comes back, now marked
    r = as_brobygger_a.post(tap, {"moedt": "fortryd"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'aria-pressed="false"' in r.content.decode()
    row.refresh_from_db()
    assert row.moedt is None
    # a bad tap answers the row with a Danish error that htmx shows (it swaps only 2xx answers)
    r = as_brobygger_a.post(tap, {"moedt": "maaske"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Vælg om personen er mødt op." in r.content.decode()
    # a brobygger who does not help run it may not
    assert as_brobygger_a2.post(tap, {"moedt": "ja"}).status_code == 403
    assert as_brobygger_a2.get(reverse("matching:arrangement_fremmoede", args=[dato.pk])).status_code == 403
    row.refresh_from_db()
    assert row.moedt is None


def _afholdt(k, *, moedt=True):
    arrangement = _arrangement(k)
    t = _anden(k, arrangement, 1)
    dato = arrangement.datoer.get()
    services.fremmoede_registrer(actor=k, fremmoede=Fremmoede.objects.get(tilmelding=t), moedt=moedt)
    dato.start = timezone.now() - timedelta(hours=3)
    dato.save()
    return arrangement, t


def test_evaluation_link_valid_reused_expired(client, k, settings):
    _arrangement_, t = _afholdt(k)
    url = reverse("matching:arrangement_evaluering", args=[t.pk, links.token_for(t, links.EVALUER)])
    assert client.get(url).status_code == 200
    assert not Evaluering.objects.exists()  # a GET records nothing
    r = client.post(url, {"udbytte": "9"})
    assert r.status_code == 200 and not Evaluering.objects.exists()  # not a choice: the form again
    r = client.post(url, {"udbytte": "4", "kommentar": "Godt med eksempler"})
    assert r.status_code == 200 and "Tak for din evaluering" in r.content.decode()
    assert Evaluering.objects.get().udbytte == 4
    reused = client.post(url, {"udbytte": "1"})
    assert reused.status_code == 410 and "allerede svaret" in reused.content.decode()
    assert Evaluering.objects.get().udbytte == 4
    settings.ARRANGEMENT_EVALUERING_LINK_MAX_AGE_DAYS = 0
    token = signing.dumps({"t": t.pk, "f": links.EVALUER, "n": t.nonce}, salt=links.SALT)
    Evaluering.objects.all().delete()
    with rf.moved_clock(seconds=5):
        expired = client.get(reverse("matching:arrangement_evaluering", args=[t.pk, token]))
    assert expired.status_code == 410 and "udløbet" in expired.content.decode()


def test_the_evaluation_question_goes_only_to_those_who_came(k):
    arrangement = _arrangement(k)
    came, absent = _anden(k, arrangement, 1), _anden(k, arrangement, 2)
    services.fremmoede_registrer(actor=k, fremmoede=came.fremmoeder.get(), moedt=True)
    services.fremmoede_registrer(actor=k, fremmoede=absent.fremmoeder.get(), moedt=False)
    Paamindelse.objects.exclude(art="arr_evaluering").update(status=PaamindelseStatus.ANNULLERET)
    rows = Paamindelse.objects.filter(art="arr_evaluering")
    assert rows.count() == 2
    dato = arrangement.datoer.get()
    dispatch.dispatch_due(now=dato.slut + timedelta(minutes=1))
    [message] = mail.outbox
    assert message.to == ["person1@x.test"] and f"/arrangement/evaluering/{came.pk}/" in message.body
    assert rows.get(emne_id=absent.pk).status == PaamindelseStatus.ANNULLERET


# --- Partnership figures, the forløb, art. 15, isolation --------------------------------------------


def test_kursus_gennemfoert_counts_people_who_attended_a_completed_course(k, world, foreningskontakt_a):
    arrangement = _arrangement(k)
    t = services.tilmelding_opret(actor=k, arrangement=arrangement, user=foreningskontakt_a)
    host = services.tilmelding_opret(actor=k, arrangement=arrangement, navn="Hanne", email="hanne@x.test",
                                     forening=world.forening_a)
    services.tilmelding_opret(actor=k, arrangement=arrangement, navn="Ikke mødt", email="nej@x.test",
                              forening=world.forening_a)
    for tilmelding in (t, host):
        services.fremmoede_registrer(actor=k, fremmoede=tilmelding.fremmoeder.get(), moedt=True)
    assert kursus_gennemfoert(center_id=world.center_a.pk, forening_ids=[world.forening_a.pk]) == {}  # ahead
    arrangement.datoer.update(start=timezone.now() - timedelta(days=1))
    assert kursus_gennemfoert(center_id=world.center_a.pk,
                              forening_ids=[world.forening_a.pk, world.forening_a2.pk]) == {world.forening_a.pk: 2}
    assert kursus_gennemfoert(center_id=world.center_b.pk, forening_ids=[world.forening_a.pk]) == {}


def test_kommende_netvaerksmoeder(k, world):
    _arrangement(k, type_=ArrangementType.NETVAERKSMOEDE, antal=2)
    _arrangement(k, type_=ArrangementType.WORKSHOP)
    moeder = kommende_netvaerksmoeder(center_id=world.center_a.pk, fra=timezone.now())
    assert len(moeder) == 2 and moeder[0].start < moeder[1].start and moeder[0].url.startswith("/arrangementer/")
    assert kommende_netvaerksmoeder(center_id=world.center_b.pk, fra=timezone.now()) == []


def test_participation_shows_on_the_borgers_forloeb_and_in_the_art15_export(k, world, as_koordinator_a):
    arrangement = _arrangement(k, type_=ArrangementType.WORKSHOP)
    services.tilmelding_opret(actor=k, arrangement=arrangement, borger=world.borger_a)
    page = as_koordinator_a.get(reverse("borgere:borger_detail", args=[world.borger_a.pk])).content.decode()
    assert "Inklusion i praksis" in page
    export = borger_export(actor=k, borger=world.borger_a)
    assert export["arrangementer"][0]["arrangement"] == "Inklusion i praksis"
    insight = as_koordinator_a.get(reverse("borgere:borger_export", args=[world.borger_a.pk])).content.decode()
    assert "Arrangementer" in insight and "Inklusion i praksis" in insight and "Fremmøde" in insight
    as_json = as_koordinator_a.get(reverse("borgere:borger_export_json", args=[world.borger_a.pk]))
    assert as_json.status_code == 200 and "Inklusion i praksis" in as_json.content.decode()


def test_centre_isolation(k, koordinator_b, as_koordinator_b, world):
    arrangement = _arrangement(k)
    t = _anden(k, arrangement, 1)
    kb = actor_for(koordinator_b)
    assert as_koordinator_b.get(reverse("matching:arrangement_detail", args=[arrangement.pk])).status_code == 404
    assert as_koordinator_b.post(reverse("matching:arrangement_afmeld_staff", args=[t.pk])).status_code == 404
    with pytest.raises(Exception):  # noqa: B017 - Http404
        services.tilmelding_opret(actor=kb, arrangement=arrangement, navn="X", email="x@x.test")
    with pytest.raises(ValidationError):
        services.tilmelding_opret(actor=k, arrangement=arrangement, borger=world.borger_b)
    assert not Arrangement.objects.filter(center=world.center_b).exists()
    listing = as_koordinator_b.get(reverse("matching:arrangement_list")).content.decode()
    assert "Inklusion i praksis" not in listing


def test_foreningskontakt_sees_their_courses_only(k, foreningskontakt_a, as_foreningskontakt_a):
    mine = _arrangement(k)
    other = _arrangement(k)
    other.titel = "Andet kursus"
    other.save()
    services.tilmelding_opret(actor=k, arrangement=mine, user=foreningskontakt_a)
    listing = as_foreningskontakt_a.get(reverse("matching:arrangement_list")).content.decode()
    assert "Inklusion i praksis" in listing and "Andet kursus" not in listing
    assert as_foreningskontakt_a.get(reverse("matching:arrangement_detail", args=[mine.pk])).status_code == 200
    assert as_foreningskontakt_a.get(reverse("matching:arrangement_detail", args=[other.pk])).status_code == 403


def test_koordinator_creates_an_arrangement_with_a_weekly_series(as_koordinator_a, brobygger_a):
    start = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    r = as_koordinator_a.post(reverse("matching:arrangement_create"), {
        "type": "workshop", "titel": "Vejen ind", "beskrivelse": "", "maalgruppe": "", "sted": "Salen",
        "online_link": "", "kapacitet": "12", "ansvarlige": [brobygger_a.pk], "start": start,
        "varighed_min": "90", "gentag_uger": "3"})
    assert r.status_code == 302
    arrangement = Arrangement.objects.get()
    assert arrangement.datoer.count() == 3 and list(arrangement.ansvarlige.all()) == [brobygger_a]
    r = as_koordinator_a.post(reverse("matching:arrangement_create"), {"type": "workshop", "titel": "Uden sted",
                                                                        "start": start, "varighed_min": "90",
                                                                        "gentag_uger": "1"})
    assert r.status_code == 200 and "Skriv hvor" in r.content.decode()


def test_only_members_of_the_centre_can_run_it(k, world):
    outsider = _member(world.center_b, Rolle.BROBYGGER, "ude@b.test")
    with pytest.raises(ValidationError):
        _arrangement(k, ansvarlige=[outsider])
    assert not Arrangement.objects.exists()
    assert f  # factories kept for the module's readers


def test_koordinator_pages_edit_move_add_and_cancel(as_koordinator_a, k, brobygger_a):
    arrangement = _arrangement(k, kapacitet=5)
    _anden(k, arrangement, 1)
    dispatch.dispatch_due()
    mail.outbox.clear()
    url = reverse("matching:arrangement_update", args=[arrangement.pk])
    assert as_koordinator_a.get(url).status_code == 200
    r = as_koordinator_a.post(url, {"type": "inklusionskursus", "titel": "Nyt navn", "beskrivelse": "",
                                    "maalgruppe": "", "sted": "Salen", "online_link": "", "kapacitet": "6",
                                    "ansvarlige": [brobygger_a.pk]})
    assert r.status_code == 302
    arrangement.refresh_from_db()
    assert arrangement.titel == "Nyt navn" and arrangement.kapacitet == 6
    dato = arrangement.datoer.get()
    new = (timezone.localtime(dato.start) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = as_koordinator_a.post(reverse("matching:arrangement_dato_flyt", args=[dato.pk]),
                              {"start": new, "varighed_min": "90"})
    assert r.status_code == 302
    dato.refresh_from_db()
    assert dato.sekvens == 1 and dato.varighed_min == 90
    dispatch.dispatch_due()
    assert [m.subject[:6] for m in mail.outbox] == ["Ny tid"]
    mail.outbox.clear()
    r = as_koordinator_a.post(reverse("matching:arrangement_dato_tilfoej", args=[arrangement.pk]),
                              {"start": new, "varighed_min": "nope"})
    assert r.status_code == 302 and arrangement.datoer.count() == 1  # refused with a message
    r = as_koordinator_a.post(reverse("matching:arrangement_dato_tilfoej", args=[arrangement.pk]),
                              {"start": new, "varighed_min": "60"})
    assert arrangement.datoer.count() == 2
    assert Fremmoede.objects.filter(dato__arrangement=arrangement).count() == 2  # registered for the new date too
    r = as_koordinator_a.post(reverse("matching:arrangement_aflys", args=[arrangement.pk]))
    assert r.status_code == 302
    arrangement.refresh_from_db()
    assert arrangement.aflyst is not None and all(d.aflyst for d in arrangement.datoer.all())
    dispatch.dispatch_due()
    assert [m.subject[:6] for m in mail.outbox] == ["Aflyst", "Aflyst"]  # both dates, to the one told
    with pytest.raises(ValidationError, match="aflyst"):
        _anden(k, arrangement, 9)


def test_expired_and_tampered_cancellation_links_get_danish_pages(client, k, settings):
    arrangement = _arrangement(k)
    t = _anden(k, arrangement, 1)
    settings.ARRANGEMENT_AFMELD_LINK_MAX_AGE_DAYS = 0
    token = links.token_for(t, links.AFMELD)
    with rf.moved_clock(seconds=5):
        r = client.post(reverse("matching:arrangement_afmeld", args=[t.pk, token]))
    assert r.status_code == 410 and "udløbet" in r.content.decode()
    r = client.get(reverse("matching:arrangement_afmeld", args=[t.pk, token[:-2] + "xx"]))
    assert r.status_code == 410 and "ikke gyldigt" in r.content.decode()
    t.refresh_from_db()
    assert t.status == TilmeldingStatus.TILMELDT


def test_the_partnership_overview_lists_coming_network_meetings(as_koordinator_a, k):
    moede = _arrangement(k, type_=ArrangementType.NETVAERKSMOEDE)
    moede.titel = "Netværksmøde om inklusion"
    moede.save()
    page = as_koordinator_a.get(reverse("matching:partnerskab_oversigt")).content.decode()
    assert "Netværksmøde om inklusion" in page and moede.get_absolute_url() in page
