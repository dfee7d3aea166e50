"""Issue 12, "Changes reach everyone": a moved or cancelled meeting is announced to each person
already told about it, with an updated calendar entry; short-notice meetings still remind the
borger; anonymisation and withdrawn consent cancel what is live.

The first tests send through a real SMTP server (aiosmtpd) and parse what arrived."""

import email
from datetime import datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from borgere.gdpr import borger_anonymise
from borgere.models import Formaal, Samtykke
from borgere.services import samtykke_withdraw
from brobygning import paamindelser as dispatch
from brobygning.access import actor_for
from brobygning.channels import LocmemSmsBackend
from brobygning.models import Medlemskab, Paamindelse, Rolle
from matching import paamindelser, selectors, services
from matching.models import Afslutningsaarsag, LedsagelseStatus, Stage

from .. import factories as f
from .. import journey_factories as rf
from ..smtp import smtp_server

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
H = timedelta(hours=1)
BORGER, BROBYGGER, VAERT = "anna@borger.test", "mette@center.test", "hanne@forening.test"


# --- A real SMTP server ------------------------------------------------------------------------------


class _Inbox:
    """aiosmtpd handler: keeps every message it is handed, parsed, with its envelope recipients."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.extend((rcpt, message) for rcpt in envelope.rcpt_tos)
        return "250 OK"

    def take(self) -> dict[str, list]:
        """The messages received since last time, by recipient."""
        got = {}
        for rcpt, message in self.messages:
            got.setdefault(rcpt, []).append(message)
        self.messages = []
        return got


@pytest.fixture
def smtp(settings):
    """An SMTP server on localhost for the duration of the test; Django's SMTP backend points at it."""
    with smtp_server(settings, _Inbox()) as inbox:
        yield inbox


def _event(message):
    """(METHOD, the VEVENT) of the calendar part of a received e-mail, and the part's method parameter."""
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    cal = Calendar.from_ical(part.get_content())
    [event] = cal.walk("VEVENT")
    assert part.get_param("method") == str(cal["METHOD"])
    return str(cal["METHOD"]), event


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


# --- Setting the scene ---------------------------------------------------------------------------------


def _accepted_meeting(*, when=None, kanal="email", **kwargs):
    """A first meeting planned through the service, as a brobygger would, for a borger reachable by
    e-mail (or `kanal`), a brobygger and a host with e-mail addresses, and the borger's consents."""
    ledsagelse = rf.planned_ledsagelse(kanal=kanal, **kwargs)
    brobygger = ledsagelse.brobygger
    if not type(brobygger).objects.filter(email=BROBYGGER).exists():
        brobygger.email = BROBYGGER
        brobygger.save()
    match = ledsagelse.match
    ledsagelse.delete()  # the factory's meeting has no reminders; plan it through the service instead
    match.stage = Stage.ACCEPTERET
    match.save()
    actor = actor_for(brobygger, match.center_id)
    when = (when or timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)  # as a form gives it
    return rf.plan(actor, match, when=when), actor


def _send_first_reminders():
    """Dispatch what is due now (the host notice), then the 24-hour reminders as if their time had come."""
    dispatch.dispatch_due()
    Paamindelse.objects.filter(art__in=["brobygger_24t", "borger_24t"]).update(
        forfalder=timezone.now() - timedelta(seconds=1))
    dispatch.dispatch_due()


def _host_actor(ledsagelse):
    user = f.UserFactory(email="kontakt@forening.test")
    medlemskab = Medlemskab.objects.create(user=user, center_id=ledsagelse.center_id, rolle=Rolle.FORENINGSKONTAKT)
    medlemskab.foreninger.add(ledsagelse.match.faellesskab.forening)
    return actor_for(user, ledsagelse.center_id)


def _rows(ledsagelse, **filters):
    return Paamindelse.objects.filter(emne_type="ledsagelse", emne_id=ledsagelse.pk, **filters)


def _borger_reminders(ledsagelse):
    """The borger's reminders before the meeting (not the question after it)."""
    return _rows(ledsagelse, art__startswith="borger").exclude(art__in=paamindelser.ARTER_EFTER_MOEDET)


# --- Real SMTP: move, then cancel ------------------------------------------------------------------------


def test_move_then_cancel_reach_everyone_already_told_over_real_smtp(smtp):
    ledsagelse, actor = _accepted_meeting()
    uid = f"ledsagelse-{ledsagelse.pk}@brobygning"
    _send_first_reminders()
    first = smtp.take()
    assert {rcpt: len(msgs) for rcpt, msgs in first.items()} == {VAERT: 1, BROBYGGER: 1, BORGER: 1}
    for [message] in first.values():
        method, event = _event(message)
        assert (method, str(event["UID"]), event["SEQUENCE"]) == ("REQUEST", uid, 0)

    # Moved to another day and time: each of the three hears it, with the same UID and a higher SEQUENCE.
    new_time = datetime.combine(timezone.localdate() + timedelta(days=6), datetime.min.time(), tzinfo=CPH) + 17 * H
    services.ledsagelse_update(actor=actor, ledsagelse=ledsagelse, data={
        "tidspunkt": new_time, "varighed_min": 90, "moedested": "Ved caféen", "transport": "",
        "brobygger": actor.user, "velkomstnote": ""})
    assert dispatch.dispatch_due().sent == 3
    moved = smtp.take()
    assert {rcpt: len(msgs) for rcpt, msgs in moved.items()} == {VAERT: 1, BROBYGGER: 1, BORGER: 1}
    for rcpt, [message] in moved.items():
        method, event = _event(message)
        assert (method, str(event["UID"]), event["SEQUENCE"]) == ("REQUEST", uid, 1), rcpt
        assert str(event["STATUS"]) == "CONFIRMED"
        assert event["DTSTART"].params["TZID"] == "Europe/Copenhagen"
        assert event.decoded("DTSTART") == new_time
        assert event.decoded("DTSTART").replace(tzinfo=None) == new_time.replace(tzinfo=None)  # 17:00 local
        assert event.decoded("DTEND") == new_time + timedelta(minutes=90)
        assert "flyttet" in message["Subject"].lower() and "kl. 17:00" in _text(message)
        assert "Ved caféen" in _text(message)
    host = moved[VAERT][0]
    assert "Anna" in _text(host) and "/nye-paa-vej/" in _text(host)  # asked to confirm the new time again
    assert str(moved[BORGER][0]["Subject"]).strip().startswith("Dit møde i Strik og snak er flyttet")

    # Cancelled: a CANCEL with a still higher SEQUENCE; the host learns only that it is cancelled.
    services.ledsagelse_outcome(actor=actor, ledsagelse=ledsagelse, status=LedsagelseStatus.AFLYST)
    assert dispatch.dispatch_due().sent == 3
    cancelled = smtp.take()
    assert {rcpt: len(msgs) for rcpt, msgs in cancelled.items()} == {VAERT: 1, BROBYGGER: 1, BORGER: 1}
    for rcpt, [message] in cancelled.items():
        method, event = _event(message)
        assert (method, str(event["UID"]), event["SEQUENCE"]) == ("CANCEL", uid, 2), rcpt
        assert str(event["STATUS"]) == "CANCELLED"
        assert event.decoded("DTSTART") == new_time
        assert "aflyst" in message["Subject"].lower()
    host_text = _text(cancelled[VAERT][0]) + cancelled[VAERT][0]["Subject"]
    assert "er aflyst" in host_text and "Anna" not in host_text
    assert LocmemSmsBackend.outbox == []
    assert dispatch.dispatch_due().sent == 0 and smtp.take() == {}


def test_ending_the_match_tells_the_host_it_is_cancelled_but_never_why(smtp):
    ledsagelse, actor = _accepted_meeting()
    _send_first_reminders()
    smtp.take()
    services.match_transition(actor=actor, match=ledsagelse.match, til=Stage.AFSLUTTET,
                              aarsag=Afslutningsaarsag.BORGER_SAGDE_NEJ, note="Zqgrundq: er blevet syg")
    ledsagelse.refresh_from_db()
    assert ledsagelse.status == LedsagelseStatus.AFLYST and ledsagelse.sekvens == 1
    assert dispatch.dispatch_due().sent == 3
    got = smtp.take()
    assert set(got) == {VAERT, BROBYGGER, BORGER}
    for [message] in got.values():
        method, event = _event(message)
        assert method == "CANCEL" and event["SEQUENCE"] == 1
    [host] = got[VAERT]
    everything = host.as_string()
    for secret in ("Zqgrundq", "syg", "sagde nej", "Anna"):
        assert secret not in everything and secret not in _text(host)


# --- Who hears of a move, and when -------------------------------------------------------------------------


def test_nobody_told_means_no_flyttet_message_and_pending_reminders_just_move(locmem_channels):
    ledsagelse, actor = _accepted_meeting(when=timezone.now() + timedelta(days=5))
    new_time = ledsagelse.tidspunkt + timedelta(days=1)
    services.ledsagelse_update(actor=actor, ledsagelse=ledsagelse, data={"tidspunkt": new_time})
    ledsagelse.refresh_from_db()
    assert ledsagelse.sekvens == 1
    assert not _rows(ledsagelse, art__startswith="flyttet").exists()
    assert _rows(ledsagelse, art="vaert_48t").get().forfalder == new_time - 48 * H
    # The pending host notice carries the new time when it goes.
    [message] = [paamindelser.resolve(r) for r in _rows(ledsagelse, art="vaert_nyankomst")]
    event = Calendar.from_ical(message.attachments[0].content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == new_time and event["SEQUENCE"] == 1


def test_only_a_new_time_or_place_is_a_move(locmem_channels):
    ledsagelse, actor = _accepted_meeting()
    dispatch.dispatch_due()  # the host is told
    host = _host_actor(ledsagelse)
    services.vaert_bekraeft(actor=host, ledsagelse=ledsagelse)
    services.ledsagelse_update(actor=actor, ledsagelse=ledsagelse, data={"tidspunkt": ledsagelse.tidspunkt, "transport": "Bus 31"})
    ledsagelse.refresh_from_db()
    assert ledsagelse.sekvens == 0 and ledsagelse.vaert_bekraeftet is not None
    assert not _rows(ledsagelse, art__startswith="flyttet").exists()

    services.ledsagelse_update(actor=actor, ledsagelse=ledsagelse, data={"tidspunkt": ledsagelse.tidspunkt, "moedested": "Ved caféen"})
    ledsagelse.refresh_from_db()
    assert ledsagelse.sekvens == 1
    assert list(_rows(ledsagelse, art__startswith="flyttet").values_list("art", "sekvens")) == [("flyttet_vaert", 1)]


def test_a_move_resets_the_hosts_confirmation_and_asks_again(locmem_channels):
    ledsagelse, actor = _accepted_meeting()
    dispatch.dispatch_due()
    host = _host_actor(ledsagelse)
    services.vaert_bekraeft(actor=host, ledsagelse=ledsagelse)
    [ny] = selectors.nye_paa_vej(actor=host)
    assert ny.vaert_bekraeftet is not None and not ny.kan_bekraefte

    services.ledsagelse_update(actor=actor, ledsagelse=ledsagelse,
                               data={"tidspunkt": ledsagelse.tidspunkt + timedelta(days=1)})
    ledsagelse.refresh_from_db()
    assert ledsagelse.vaert_bekraeftet is None
    [ny] = selectors.nye_paa_vej(actor=host)
    assert ny.vaert_bekraeftet is None and ny.kan_bekraefte
    mail.outbox.clear()
    dispatch.dispatch_due()
    [message] = mail.outbox
    assert message.to == [VAERT] and "bekræfte igen" in message.body
    services.vaert_bekraeft(actor=host, ledsagelse=ledsagelse)  # and the host can confirm the new time
    ledsagelse.refresh_from_db()
    assert ledsagelse.vaert_bekraeftet is not None


def test_a_move_to_under_48_hours_still_brings_the_host_the_new_time(locmem_channels):
    ledsagelse, actor = _accepted_meeting(when=timezone.now() + timedelta(days=5))
    dispatch.dispatch_due()  # the host notice
    soon = (timezone.now() + 30 * H).replace(second=0, microsecond=0)
    services.ledsagelse_update(actor=actor, ledsagelse=ledsagelse, data={"tidspunkt": soon})
    assert _rows(ledsagelse, art="vaert_48t").get().status == "annulleret"  # too late for the 48-hour one ...
    mail.outbox.clear()
    dispatch.dispatch_due()
    [message] = mail.outbox  # ... but the host hears of the move at once
    assert message.to == [VAERT]
    assert timezone.localtime(soon).strftime("%H:%M") in message.body
    event = Calendar.from_ical(message.attachments[0].get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == soon


def test_moved_twice_before_sending_sends_one_message_with_the_latest(locmem_channels):
    ledsagelse, actor = _accepted_meeting()
    dispatch.dispatch_due()
    first = ledsagelse.tidspunkt + timedelta(days=1)
    second = ledsagelse.tidspunkt + timedelta(days=2)
    services.ledsagelse_update(actor=actor, ledsagelse=ledsagelse, data={"tidspunkt": first})
    services.ledsagelse_update(actor=actor, ledsagelse=ledsagelse, data={"tidspunkt": second})
    assert {(r.sekvens, r.status) for r in _rows(ledsagelse, art="flyttet_vaert")} == {
        (1, "annulleret"), (2, "afventer")}
    mail.outbox.clear()
    assert dispatch.dispatch_due().sent == 1
    [message] = mail.outbox
    event = Calendar.from_ical(message.attachments[0].get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == second and event["SEQUENCE"] == 2


def test_flyttet_needs_the_consent_its_recipient_needs(locmem_channels, django_capture_on_commit_callbacks):
    ledsagelse, actor = _accepted_meeting()
    _send_first_reminders()
    borger = ledsagelse.match.borger
    with django_capture_on_commit_callbacks(execute=True):
        samtykke_withdraw(actor=actor, samtykke=Samtykke.objects.get(borger=borger, formaal=Formaal.PAAMINDELSER))
    services.ledsagelse_update(actor=actor, ledsagelse=ledsagelse,
                               data={"tidspunkt": ledsagelse.tidspunkt + timedelta(days=1)})
    assert set(_rows(ledsagelse, art__startswith="flyttet").values_list("art", flat=True)) == {
        "flyttet_brobygger", "flyttet_vaert"}


def test_flyttet_to_a_borger_by_sms(locmem_channels):
    ledsagelse, actor = _accepted_meeting(kanal="sms")
    _send_first_reminders()
    LocmemSmsBackend.outbox = []
    new_time = datetime.combine(timezone.localdate() + timedelta(days=6), datetime.min.time(), tzinfo=CPH) + 10 * H
    services.ledsagelse_update(actor=actor, ledsagelse=ledsagelse, data={"tidspunkt": new_time})
    dispatch.dispatch_due()
    [(to, text)] = LocmemSmsBackend.outbox
    assert to == "+4520123456" and "er flyttet til" in text and "kl. 10:00" in text
    services.ledsagelse_outcome(actor=actor, ledsagelse=ledsagelse, status=LedsagelseStatus.AFLYST)
    dispatch.dispatch_due()
    assert "er aflyst" in LocmemSmsBackend.outbox[-1][1]


# --- Short notice --------------------------------------------------------------------------------------


def test_a_meeting_at_short_notice_reminds_the_borger_at_once_and_two_hours_before(locmem_channels):
    ledsagelse, _actor = _accepted_meeting(when=timezone.now() + 10 * H)
    got = {r.art: r for r in _borger_reminders(ledsagelse)}
    assert set(got) == {"borger_straks", "borger_2t"}
    assert got["borger_2t"].forfalder == ledsagelse.tidspunkt - 2 * H
    dispatch.dispatch_due()
    [message] = [m for m in mail.outbox if m.to == [BORGER]]
    assert "Du skal til dit første møde i Strik og snak" in message.body
    mail.outbox.clear()
    _rows(ledsagelse, art="borger_2t").update(forfalder=timezone.now() - timedelta(seconds=1))
    dispatch.dispatch_due()
    [message] = [m for m in mail.outbox if m.to == [BORGER]]
    assert "Om lidt er det tid til dit første møde" in message.body


def test_short_notice_reminders_need_consent_and_skip_the_two_hour_one_when_too_late(locmem_channels):
    without, _actor = _accepted_meeting(when=timezone.now() + 10 * H, consents=("deling_med_vaert",))
    assert not _borger_reminders(without).exists()
    very_soon, _actor = _accepted_meeting(when=timezone.now() + H)
    assert set(_borger_reminders(very_soon).values_list("art", flat=True)) == {"borger_straks"}


def test_a_normal_meeting_has_no_short_notice_reminders():
    ledsagelse, _actor = _accepted_meeting(when=timezone.now() + timedelta(days=3))
    assert set(_borger_reminders(ledsagelse).values_list("art", flat=True)) == {"borger_24t"}


# --- Cancelled by the borger's data or consent --------------------------------------------------------


def test_anonymisation_ends_the_match_and_cancels_the_meeting_for_brobygger_and_host(locmem_channels):
    ledsagelse, _actor = _accepted_meeting()
    _send_first_reminders()
    host = _host_actor(ledsagelse)
    assert [n.pk for n in selectors.nye_paa_vej(actor=host)] == [ledsagelse.pk]
    mail.outbox.clear()
    borger_anonymise(actor=None, borger=ledsagelse.match.borger)
    ledsagelse.refresh_from_db()
    assert ledsagelse.status == LedsagelseStatus.AFLYST and ledsagelse.match.stage == Stage.AFSLUTTET
    assert selectors.nye_paa_vej(actor=host) == []
    dispatch.dispatch_due()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([BROBYGGER, VAERT])  # the borger gets nothing
    for message in mail.outbox:
        assert "er aflyst" in message.body and "Anna" not in message.body and "Anonymiseret" not in message.body
        cal = Calendar.from_ical(message.attachments[0].get_payload(decode=True))
        assert str(cal["METHOD"]) == "CANCEL"
    assert not _rows(ledsagelse, status="afventer").exists()


def test_withdrawing_registration_consent_cancels_the_planned_meeting(locmem_channels,
                                                                      django_capture_on_commit_callbacks):
    ledsagelse, actor = _accepted_meeting()
    borger = ledsagelse.match.borger  # registered with consent (the factory's default)
    _send_first_reminders()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        samtykke_withdraw(actor=actor, samtykke=Samtykke.objects.get(borger=borger, formaal=Formaal.REGISTRERING))
    ledsagelse.refresh_from_db()
    ledsagelse.match.refresh_from_db()
    assert ledsagelse.status == LedsagelseStatus.AFLYST and ledsagelse.match.stage == Stage.ACCEPTERET
    dispatch.dispatch_due()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([BROBYGGER, VAERT])
    assert all("er aflyst" in m.body for m in mail.outbox)


def test_withdrawing_only_reminders_consent_keeps_the_meeting(django_capture_on_commit_callbacks,
                                                               locmem_channels):
    ledsagelse, actor = _accepted_meeting()
    with django_capture_on_commit_callbacks(execute=True):
        samtykke_withdraw(actor=actor, samtykke=Samtykke.objects.get(borger=ledsagelse.match.borger,
                                                                     formaal=Formaal.PAAMINDELSER))
    ledsagelse.refresh_from_db()
    assert ledsagelse.status == LedsagelseStatus.PLANLAGT


def test_withdrawing_sharing_with_the_host_cancels_the_hosts_entry_only(locmem_channels,
                                                                        django_capture_on_commit_callbacks):
    ledsagelse, actor = _accepted_meeting()
    _send_first_reminders()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        samtykke_withdraw(actor=actor, samtykke=Samtykke.objects.get(borger=ledsagelse.match.borger,
                                                                     formaal=Formaal.DELING_MED_VAERT))
    ledsagelse.refresh_from_db()
    assert ledsagelse.status == LedsagelseStatus.PLANLAGT and ledsagelse.sekvens == 1
    dispatch.dispatch_due()
    [message] = mail.outbox
    assert message.to == [VAERT] and "Anna" not in message.body
    cal = Calendar.from_ical(message.attachments[0].get_payload(decode=True))
    assert str(cal["METHOD"]) == "CANCEL" and cal.walk("VEVENT")[0]["SEQUENCE"] == 1
    # A later move reaches the brobygger and the borger, not the host (no consent, entry already cancelled).
    services.ledsagelse_update(actor=actor, ledsagelse=ledsagelse,
                               data={"tidspunkt": ledsagelse.tidspunkt + timedelta(days=1)})
    assert set(_rows(ledsagelse, art__startswith="flyttet").values_list("art", flat=True)) == {
        "flyttet_brobygger", "flyttet_borger"}
    # And a later cancellation does not cancel the host's entry a second time.
    services.ledsagelse_outcome(actor=actor, ledsagelse=ledsagelse, status=LedsagelseStatus.AFLYST)
    assert set(_rows(ledsagelse, art__startswith="aflyst", status="afventer").values_list("art", flat=True)) == {
        "aflyst_brobygger", "aflyst_borger"}


def test_a_cancel_pending_when_the_host_consents_again_is_not_sent(locmem_channels,
                                                                   django_capture_on_commit_callbacks):
    ledsagelse, actor = _accepted_meeting()
    dispatch.dispatch_due()
    borger = ledsagelse.match.borger
    with django_capture_on_commit_callbacks(execute=True):
        samtykke_withdraw(actor=actor, samtykke=Samtykke.objects.get(borger=borger, formaal=Formaal.DELING_MED_VAERT))
    rf.give_consent(borger, Formaal.DELING_MED_VAERT)  # given again before the cancel went out
    mail.outbox.clear()
    dispatch.dispatch_due()
    assert mail.outbox == []
    assert _rows(ledsagelse, art="aflyst_vaert").get().status == "annulleret"


def test_a_move_does_not_drop_the_hosts_pending_cancel(locmem_channels, django_capture_on_commit_callbacks):
    ledsagelse, actor = _accepted_meeting()
    dispatch.dispatch_due()  # the host is told
    with django_capture_on_commit_callbacks(execute=True):
        samtykke_withdraw(actor=actor, samtykke=Samtykke.objects.get(borger=ledsagelse.match.borger,
                                                                     formaal=Formaal.DELING_MED_VAERT))
    services.ledsagelse_update(actor=actor, ledsagelse=ledsagelse,
                               data={"tidspunkt": ledsagelse.tidspunkt + timedelta(days=1)})
    mail.outbox.clear()
    dispatch.dispatch_due()
    [message] = [m for m in mail.outbox if m.to == [VAERT]]
    cal = Calendar.from_ical(message.attachments[0].get_payload(decode=True))
    assert str(cal["METHOD"]) == "CANCEL" and cal.walk("VEVENT")[0]["SEQUENCE"] == 2
