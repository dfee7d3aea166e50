"""Which reminders exist for a meeting or a follow-up, what they say, and how they are sent."""

from datetime import datetime, time, timedelta
from smtplib import SMTPException
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from icalendar import Calendar

from borgere.models import Samtale
from brobygning import paamindelser as dispatch
from brobygning.channels import LocmemSmsBackend
from brobygning.models import Paamindelse, Tag, TagType
from matching import paamindelser
from matching.models import LedsagelseStatus, OpfoelgningType, Stage

from .. import factories as f
from .. import journey_factories as rf

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
H = timedelta(hours=1)


@pytest.fixture(autouse=True)
def _channels(locmem_channels):
    """Every test here sends to the in-memory outboxes."""


def rows(ledsagelse):
    """The reminders before the meeting (the questions after it are tested in test_svar.py)."""
    return {p.art: p for p in Paamindelse.objects.filter(emne_type="ledsagelse", emne_id=ledsagelse.pk)
            .exclude(art__in=paamindelser.ARTER_EFTER_MOEDET)}


def make_due(*arts, now=None):
    """Make rows due now (as if their time had come); the questions after the meeting only when named."""
    qs = Paamindelse.objects.exclude(art__in=paamindelser.ARTER_EFTER_MOEDET) if not arts \
        else Paamindelse.objects.filter(art__in=arts)
    qs.update(forfalder=(now or timezone.now()) - timedelta(seconds=1))


# --- Creation --------------------------------------------------------------------------------------


def test_planning_creates_every_kind_with_its_due_time():
    now = timezone.now()
    ledsagelse = rf.planned_ledsagelse(when=now + timedelta(days=5))
    paamindelser.sync_ledsagelse(ledsagelse, now=now)
    got = rows(ledsagelse)
    t = ledsagelse.tidspunkt
    assert {art: (r.forfalder, r.kanal) for art, r in got.items()} == {
        "brobygger_24t": (t - 24 * H, "email"),
        "brobygger_2t": (t - 2 * H, "email"),
        "borger_24t": (t - 24 * H, "sms"),
        "vaert_48t": (t - 48 * H, "email"),
        "vaert_nyankomst": (now, "email"),
    }
    assert all(r.status == "afventer" and r.begivenhed == t and r.center_id == ledsagelse.center_id for r in got.values())


@pytest.mark.parametrize(("kanal", "expected"), [("sms", "sms"), ("telefon", "sms"), ("email", "email")])
def test_borger_reminder_goes_by_preferred_channel(kanal, expected):
    ledsagelse = rf.planned_ledsagelse(kanal=kanal)
    paamindelser.sync_ledsagelse(ledsagelse)
    assert rows(ledsagelse)["borger_24t"].kanal == expected


def test_without_consent_only_the_brobygger_is_reminded():
    ledsagelse = rf.planned_ledsagelse(consents=())
    paamindelser.sync_ledsagelse(ledsagelse)
    assert set(rows(ledsagelse)) == {"brobygger_24t", "brobygger_2t"}


def test_consent_to_reminders_but_not_to_sharing_with_the_host():
    ledsagelse = rf.planned_ledsagelse(consents=("paamindelser",))
    paamindelser.sync_ledsagelse(ledsagelse)
    assert set(rows(ledsagelse)) == {"brobygger_24t", "brobygger_2t", "borger_24t"}


def test_due_times_already_past_are_skipped_except_the_host_notice():
    now = timezone.now()
    ledsagelse = rf.planned_ledsagelse(when=now + 30 * H)
    paamindelser.sync_ledsagelse(ledsagelse, now=now)
    assert set(rows(ledsagelse)) == {"brobygger_24t", "brobygger_2t", "borger_24t", "vaert_nyankomst"}

    soon = rf.planned_ledsagelse(when=now + 90 * timedelta(minutes=1))
    paamindelser.sync_ledsagelse(soon, now=now)
    assert set(rows(soon)) == {"vaert_nyankomst", "borger_straks"}  # short notice: the borger is told at once


def test_sync_is_idempotent():
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    before = {a: (r.pk, r.forfalder, r.status) for a, r in rows(ledsagelse).items()}
    paamindelser.sync_ledsagelse(ledsagelse)
    assert {a: (r.pk, r.forfalder, r.status) for a, r in rows(ledsagelse).items()} == before


# --- Rescheduling and cancelling -------------------------------------------------------------------


def test_moving_the_meeting_moves_pending_reminders_but_not_sent_ones():
    now = timezone.now()
    ledsagelse = rf.planned_ledsagelse(when=now + timedelta(days=5))
    paamindelser.sync_ledsagelse(ledsagelse, now=now)
    Paamindelse.objects.filter(art="vaert_nyankomst").update(status="sendt", sendt=now)
    ledsagelse.tidspunkt += timedelta(days=2)
    ledsagelse.save()
    paamindelser.sync_ledsagelse(ledsagelse, now=now)
    got = rows(ledsagelse)
    assert got["brobygger_24t"].forfalder == ledsagelse.tidspunkt - 24 * H
    assert got["vaert_48t"].forfalder == ledsagelse.tidspunkt - 48 * H
    assert all(r.begivenhed == ledsagelse.tidspunkt for a, r in got.items() if a != "vaert_nyankomst")
    assert got["vaert_nyankomst"].status == "sendt" and got["vaert_nyankomst"].forfalder == now
    assert len(got) == 5 and Paamindelse.objects.count() == 7  # and the two questions after the meeting


def test_moving_closer_cancels_reminders_whose_time_has_passed_and_rearms_when_moved_back():
    now = timezone.now()
    ledsagelse = rf.planned_ledsagelse(when=now + timedelta(days=5))
    paamindelser.sync_ledsagelse(ledsagelse, now=now)
    ledsagelse.tidspunkt = now + 10 * H
    ledsagelse.save()
    paamindelser.sync_ledsagelse(ledsagelse, now=now)
    got = rows(ledsagelse)
    assert {a: r.status for a, r in got.items()} == {
        "brobygger_24t": "annulleret", "borger_24t": "annulleret", "vaert_48t": "annulleret",
        "brobygger_2t": "afventer", "vaert_nyankomst": "afventer",
        "borger_straks": "afventer", "borger_2t": "afventer",  # now at short notice (nothing had gone out)
    }
    assert got["vaert_48t"].sidste_fejl

    ledsagelse.tidspunkt = now + timedelta(days=7)
    ledsagelse.save()
    paamindelser.sync_ledsagelse(ledsagelse, now=now)
    got = rows(ledsagelse)
    assert {a for a, r in got.items() if r.status == "afventer"} == {
        "brobygger_24t", "borger_24t", "vaert_48t", "brobygger_2t", "vaert_nyankomst"}
    assert {got["borger_straks"].status, got["borger_2t"].status} == {"annulleret"}  # the 24-hour one goes again
    assert got["vaert_48t"].forfalder == ledsagelse.tidspunkt - 48 * H and got["vaert_48t"].sidste_fejl == ""


@pytest.mark.parametrize("status", [LedsagelseStatus.AFLYST, LedsagelseStatus.MOEDT_OP, LedsagelseStatus.UDEBLEV])
def test_cancelling_or_recording_the_outcome_cancels_pending_reminders(status):
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    Paamindelse.objects.filter(art="vaert_nyankomst").update(status="sendt", sendt=timezone.now())
    ledsagelse.status = status
    ledsagelse.save()
    paamindelser.sync_ledsagelse(ledsagelse)
    got = rows(ledsagelse)
    assert got.pop("vaert_nyankomst").status == "sendt"
    assert {r.status for r in got.values()} == {"annulleret"}
    assert all(r.sidste_fejl for r in got.values())


def test_withdrawn_consent_cancels_at_sync_and_new_consent_rearms():
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    borger = ledsagelse.match.borger
    borger.samtykker.filter(formaal="paamindelser").update(tilbagekaldt=timezone.now())
    paamindelser.sync_ledsagelse(ledsagelse)
    assert rows(ledsagelse)["borger_24t"].status == "annulleret"
    rf.give_consent(borger, "paamindelser")
    paamindelser.sync_ledsagelse(ledsagelse)
    assert rows(ledsagelse)["borger_24t"].status == "afventer"


def test_consent_withdrawn_after_planning_is_checked_again_at_send_time():
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    ledsagelse.match.borger.samtykker.update(tilbagekaldt=timezone.now())  # no re-sync
    make_due()
    result = dispatch.dispatch_due()
    got = rows(ledsagelse)
    for art in ("borger_24t", "vaert_48t", "vaert_nyankomst"):
        assert got[art].status == "annulleret" and "samtykke" in got[art].sidste_fejl
    assert got["brobygger_24t"].status == "sendt"
    assert result.cancelled == 3 and result.sent == 2
    assert LocmemSmsBackend.outbox == []
    assert {m.to[0] for m in mail.outbox} == {ledsagelse.brobygger.email}


# --- Follow-ups ------------------------------------------------------------------------------------


def test_followup_reminder_at_nine_local_time_and_cancelled_when_done():
    opfoelgning = rf.OpfoelgningFactory(forfalder=timezone.localdate() + timedelta(days=30),
                                        type=OpfoelgningType.EN_MAANED)
    row = paamindelser.sync_opfoelgning(opfoelgning)
    expected = datetime.combine(opfoelgning.forfalder, time(9), tzinfo=CPH)
    assert row.forfalder == expected and row.art == "opfoelgning" and row.begivenhed is None
    opfoelgning.udfoert = timezone.now()
    opfoelgning.save()
    assert paamindelser.sync_opfoelgning(opfoelgning).status == "annulleret"


def test_followup_across_summer_time_is_still_nine_oclock():
    opfoelgning = rf.OpfoelgningFactory(forfalder=timezone.localdate() + timedelta(days=400))
    row = paamindelser.sync_opfoelgning(opfoelgning)
    assert timezone.localtime(row.forfalder, CPH).time() == time(9)


def test_followup_goes_to_the_responsible_brobygger_else_the_one_who_went_along():
    ledsagelse = rf.planned_ledsagelse()
    match = ledsagelse.match
    opfoelgning = rf.OpfoelgningFactory(match=match, center=match.center)
    row = paamindelser.sync_opfoelgning(opfoelgning)
    message = paamindelser.resolve(row)
    assert message.to == match.borger.brobygger.email
    assert "Hvordan gik det" in message.subject

    other = f.UserFactory(first_name="Ole")
    f.MedlemskabFactory(user=other, center=match.center)
    ledsagelse.brobygger = other
    ledsagelse.save()
    match.borger.brobygger = None
    match.borger.save()
    assert paamindelser.resolve(row).to == other.email


def test_followup_of_an_ended_match_is_not_sent():
    opfoelgning = rf.OpfoelgningFactory()
    row = paamindelser.sync_opfoelgning(opfoelgning)
    opfoelgning.match.stage = Stage.AFSLUTTET
    opfoelgning.match.save()
    assert paamindelser.sync_opfoelgning(opfoelgning).status == "annulleret"
    row.status = "afventer"
    row.save()
    with pytest.raises(dispatch.Unsendable) as stop:
        paamindelser.resolve(row)
    assert stop.value.status == "annulleret"


# --- Dispatch: missed, retried, failed, reclaimed --------------------------------------------------


def test_passed_meeting_is_marked_missed_not_sent():
    now = timezone.now()
    ledsagelse = rf.planned_ledsagelse(when=now + timedelta(days=5))
    paamindelser.sync_ledsagelse(ledsagelse, now=now)
    later = ledsagelse.tidspunkt + H
    result = dispatch.dispatch_due(now=later)
    statuses = {a: r.status for a, r in rows(ledsagelse).items()}
    assert statuses.pop("vaert_nyankomst") == "forpasset"
    assert set(statuses.values()) == {"forpasset"}
    assert result.missed == 5 and result.sent == 0
    assert mail.outbox == [] and LocmemSmsBackend.outbox == []


def test_claimed_row_whose_meeting_passed_while_waiting_is_missed():
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    [row] = dispatch.claim_due(now=timezone.now())  # the host notice
    assert dispatch.deliver(row, now=ledsagelse.tidspunkt + H) == "missed"
    row.refresh_from_db()
    assert row.status == "forpasset" and mail.outbox == []


def test_smtp_failure_is_retried_with_backoff_and_sent_exactly_once(monkeypatch):
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    real_send = EmailMessage.send
    calls = {"n": 0}

    def flaky_send(self, fail_silently=False):
        calls["n"] += 1
        if calls["n"] == 1:
            raise SMTPException("421 Service not available for hanne@forening.test, try later")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", flaky_send)
    now = timezone.now()
    first = dispatch.dispatch_due(now=now)
    row = rows(ledsagelse)["vaert_nyankomst"]
    assert (first.retried, first.sent) == (1, 0)
    assert row.status == "afventer" and row.forsoeg == 1 and row.forfalder == now + timedelta(minutes=1)
    assert "SMTPException" in row.sidste_fejl and "421" in row.sidste_fejl
    assert "hanne@forening.test" not in row.sidste_fejl and "<e-mail>" in row.sidste_fejl

    assert dispatch.dispatch_due(now=now + timedelta(seconds=30)).sent == 0  # not yet: backing off
    second = dispatch.dispatch_due(now=now + timedelta(minutes=2))
    row.refresh_from_db()
    assert second.sent == 1 and row.status == "sendt" and row.forsoeg == 2
    assert len(mail.outbox) == 1
    assert dispatch.dispatch_due(now=now + timedelta(hours=1)).sent == 0
    assert len(mail.outbox) == 1


def test_backoff_grows_until_max_attempts_then_failed(monkeypatch, settings):
    settings.PAAMINDELSE_MAX_ATTEMPTS = 5
    ledsagelse = rf.planned_ledsagelse(when=timezone.now() + timedelta(days=5))
    paamindelser.sync_ledsagelse(ledsagelse)

    def broken(self, fail_silently=False):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(EmailMessage, "send", broken)
    now = timezone.now()
    waits = []
    for attempt in range(1, 6):
        result = dispatch.dispatch_due(now=now)
        row = rows(ledsagelse)["vaert_nyankomst"]
        assert row.forsoeg == attempt
        if attempt < 5:
            assert result.retried == 1 and row.status == "afventer"
            waits.append(row.forfalder - now)
            now = row.forfalder
        else:
            assert result.failed == 1 and row.status == "fejlet"
    assert waits == [timedelta(minutes=m) for m in (1, 5, 15, 60)]
    assert "Connection refused" in row.sidste_fejl
    assert dispatch.dispatch_due(now=now + timedelta(days=1)).as_dict() == dispatch.DispatchResult().as_dict()


def test_row_stuck_in_sending_is_reclaimed_and_sent(settings):
    settings.PAAMINDELSE_SENDING_TIMEOUT = 600
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    now = timezone.now()
    [row] = dispatch.claim_due(now=now)  # a worker took it, started sending and died ...
    assert dispatch.start_attempt(row, now=now) and row.status == "sender" and row.forsoeg == 1
    Paamindelse.objects.filter(pk=row.pk).update(taget=now - timedelta(minutes=11))  # ... 11 minutes ago
    fresh = dispatch.dispatch_due(now=now - timedelta(minutes=5))
    assert fresh.reclaimed == 0 and fresh.sent == 0  # not stuck long enough yet
    result = dispatch.dispatch_due(now=now)
    row.refresh_from_db()
    assert result.reclaimed == 1 and result.sent == 1
    assert row.status == "sendt" and row.forsoeg == 2
    assert len(mail.outbox) == 1


def test_stuck_row_out_of_attempts_is_failed(settings):
    settings.PAAMINDELSE_MAX_ATTEMPTS = 1
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    now = timezone.now()
    for row in dispatch.claim_due(now=now):
        assert dispatch.start_attempt(row, now=now)  # its only attempt started, then the worker died
    Paamindelse.objects.update(taget=now - timedelta(minutes=30))
    result = dispatch.dispatch_due(now=now)
    row = rows(ledsagelse)["vaert_nyankomst"]
    assert result.failed == 1 and row.status == "fejlet" and "afbrudt" in row.sidste_fejl
    assert mail.outbox == []


def test_recipient_without_address_fails_with_a_clear_reason():
    ledsagelse = rf.planned_ledsagelse(kanal="sms")
    paamindelser.sync_ledsagelse(ledsagelse)
    faellesskab = ledsagelse.match.faellesskab
    faellesskab.vaert_email = ""
    faellesskab.save()
    borger = ledsagelse.match.borger
    borger.telefon = ""
    borger.save()
    make_due()
    result = dispatch.dispatch_due()
    got = rows(ledsagelse)
    assert got["borger_24t"].status == "fejlet" and got["borger_24t"].sidste_fejl == "Borgeren har intet telefonnummer"
    assert got["vaert_nyankomst"].status == "fejlet" and "værten" in got["vaert_nyankomst"].sidste_fejl
    assert got["vaert_nyankomst"].forsoeg == 1  # not retried: it cannot succeed until someone fixes it
    assert result.failed == 3 and result.sent == 2


def test_archiving_a_borger_cancels_their_pending_reminders():
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    opfoelgning = rf.OpfoelgningFactory(match=ledsagelse.match, center=ledsagelse.center)
    paamindelser.sync_opfoelgning(opfoelgning)
    Paamindelse.objects.filter(art="vaert_nyankomst").update(status="sendt")
    someone_else = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(someone_else)
    # 4 pending about the meeting, the 2 questions after it, and the follow-up
    assert paamindelser.cancel_for_borger(ledsagelse.match.borger) == 7
    got = rows(ledsagelse)
    assert got.pop("vaert_nyankomst").status == "sendt"
    assert {r.status for r in got.values()} == {"annulleret"}
    assert Paamindelse.objects.get(emne_type="opfoelgning", emne_id=opfoelgning.pk).status == "annulleret"
    assert {r.status for r in rows(someone_else).values()} == {"afventer"}


def test_brobygger_deactivated_in_the_centre_gets_nothing_of_it_though_active_elsewhere():
    """Issue 11: a brobygger deactivated in centre A but active in B gets none of A's påmindelser."""
    ledsagelse = rf.planned_ledsagelse(kanal="email")
    paamindelser.sync_ledsagelse(ledsagelse)
    opfoelgning = rf.OpfoelgningFactory(match=ledsagelse.match, center=ledsagelse.center)
    paamindelser.sync_opfoelgning(opfoelgning)
    brobygger = ledsagelse.brobygger
    f.MedlemskabFactory(user=brobygger, center=f.CenterFactory())  # still active in another centre
    brobygger.medlemskaber.filter(center=ledsagelse.center).update(aktiv=False)
    make_due()
    result = dispatch.dispatch_due()
    brobygger_rows = Paamindelse.objects.filter(art__in=["brobygger_24t", "brobygger_2t", "opfoelgning"])
    assert brobygger_rows.count() == 3  # the meeting's two and the follow-up's
    assert {(r.status, r.sidste_fejl) for r in brobygger_rows} == {
        ("annulleret", "Brobyggeren er ikke længere aktiv i centret")}
    assert brobygger.email not in {to for message in mail.outbox for to in message.to}
    assert result.cancelled == 3 and result.sent == 3  # the borger's and the host's still go


def test_archived_borger_is_not_reminded_at_send_time():
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    borger = ledsagelse.match.borger
    borger.mark_archived()
    borger.save()
    assert dispatch.dispatch_due().cancelled == 1
    assert rows(ledsagelse)["vaert_nyankomst"].sidste_fejl == "Borgeren er arkiveret"


def test_a_batch_loads_its_subjects_and_consents_once(settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    center = f.CenterFactory()
    for _ in range(5):
        paamindelser.sync_ledsagelse(rf.planned_ledsagelse(center=center, kanal="email"))
    make_due()
    with CaptureQueriesContext(connection) as queries:
        assert dispatch.dispatch_due(batch_size=50).sent == 25
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert sum('FROM "matching_ledsagelse"' in sql for sql in selects) == 1
    assert sum('FROM "borgere_samtykke"' in sql for sql in selects) == 1
    assert len(mail.outbox) == 25


def test_deleted_subject_is_cancelled():
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    ledsagelse.delete()
    result = dispatch.dispatch_due()
    row = Paamindelse.objects.get(art="vaert_nyankomst")
    assert result.cancelled == 1 and row.status == "annulleret" and row.sidste_fejl == "Mødet findes ikke længere"


# --- What the messages say -------------------------------------------------------------------------

MARKERS = ["BARRIEREMARKOER", "NOTEMARKOER", "SAMTALEMARKOER", "TILGMARKOER", "EFTERNAVNMARKOER", "ONSKEMARKOER"]


def _all_messages(ledsagelse):
    """Resolve every kind for the ledsagelse (both borger channels) plus a follow-up."""
    messages = []
    for borger_kanal in ("sms", "email"):
        borger = ledsagelse.match.borger
        borger.foretrukken_kanal = borger_kanal
        borger.save()
        paamindelser.sync_ledsagelse(ledsagelse)
        messages += [paamindelser.resolve(row) for row in rows(ledsagelse).values()]
    opfoelgning = rf.OpfoelgningFactory(match=ledsagelse.match, center=ledsagelse.center)
    messages.append(paamindelser.resolve(paamindelser.sync_opfoelgning(opfoelgning)))
    return messages


def _texts(message):
    yield message.subject
    yield message.text
    yield message.html
    for attachment in message.attachments:
        yield attachment.content


def test_no_health_barrier_or_note_text_in_any_message():
    ledsagelse = rf.planned_ledsagelse(borger_kwargs={"efternavn": "EFTERNAVNMARKOER", "noter": "NOTEMARKOER angst"})
    borger = ledsagelse.match.borger
    borger.barrierer.add(Tag.objects.create(type=TagType.BARRIERE, navn="BARRIEREMARKOER", slug="barriere-markoer"))
    borger.tilgaengelighedsbehov.add(Tag.objects.create(type=TagType.TILGAENGELIGHED, navn="TILGMARKOER",
                                                         slug="tilg-markoer"))
    Samtale.objects.create(center=borger.center, borger=borger, noter="SAMTALEMARKOER", oensker="ONSKEMARKOER")
    ledsagelse.velkomstnote = "Glæder sig til at strikke"
    ledsagelse.save()

    messages = _all_messages(ledsagelse)
    assert len(messages) == 11
    for message in messages:
        for text in _texts(message):
            for marker in MARKERS:
                assert marker not in text, (message.subject, marker)
    host = [m for m in messages if m.to == "hanne@forening.test"]
    assert len(host) == 4
    for message in host:
        body = "".join(_texts(message))
        assert "Anna" in body and "Glæder sig til at strikke" in body
        assert "anna@borger.test" not in body and "20123456" not in body and "20 12 34 56" not in body
    others = [m for m in messages if m.to != "hanne@forening.test"]
    assert all("Glæder sig til at strikke" not in "".join(_texts(m)) for m in others)


def test_messages_hold_name_time_place_and_a_link_with_ids_only(settings):
    settings.SITE_URL = "https://brobygning.example.dk"
    ledsagelse = rf.planned_ledsagelse(when=datetime(2030, 3, 12, 17, 0, tzinfo=CPH))
    paamindelser.sync_ledsagelse(ledsagelse)
    message = paamindelser.resolve(rows(ledsagelse)["brobygger_24t"])
    assert message.to == ledsagelse.brobygger.email
    assert message.subject == "Påmindelse: første møde med Anna i Strik og snak tirsdag kl. 17:00"
    for body in (message.text, message.html):
        assert "Hej Mette" in body and "Strik og snak" in body and "Vestergade 1, 5000" in body
        assert "tirsdag 12. marts 2030 kl. 17:00–19:00" in body and "Ved indgangen" in body
    assert "https://brobygning.example.dk/" in message.text
    assert message.headers["X-Brobygning-Paamindelse"] == str(rows(ledsagelse)["brobygger_24t"].pk)
    assert message.reply_to == "kontakt@center.test"

    sms = paamindelser.resolve(rows(ledsagelse)["borger_24t"])
    assert sms.kanal == "sms" and sms.to == "+4520123456" and sms.subject == "" and sms.html == ""
    assert sms.text.startswith("Hej Anna. Husk dit første møde i Strik og snak: tirsdag 12. marts 2030 kl. 17:00")
    assert "66 11 22 33" in sms.text and "\n" not in sms.text and len(sms.text) < 320


def test_special_characters_are_not_html_escaped_in_text_and_sms():
    ledsagelse = rf.planned_ledsagelse()
    faellesskab = ledsagelse.match.faellesskab
    faellesskab.titel = "Strik & snak \"Ø\""
    faellesskab.save()
    paamindelser.sync_ledsagelse(ledsagelse)
    for art in ("brobygger_24t", "borger_24t"):
        message = paamindelser.resolve(rows(ledsagelse)[art])
        assert "Strik & snak \"Ø\"" in message.text
        assert "&amp;" not in message.text and "&quot;" not in message.subject
    assert "Strik &amp; snak" in paamindelser.resolve(rows(ledsagelse)["brobygger_24t"]).html


def test_ics_parses_back_with_uid_times_location_and_organizer():
    when = datetime(2030, 3, 12, 17, 0, tzinfo=CPH)
    ledsagelse = rf.planned_ledsagelse(when=when, varighed_min=90)
    paamindelser.sync_ledsagelse(ledsagelse)
    message = paamindelser.resolve(rows(ledsagelse)["brobygger_24t"])
    [attachment] = message.attachments
    assert attachment.filename.endswith(".ics") and attachment.params == {"method": "REQUEST"}
    cal = Calendar.from_ical(attachment.content)
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == f"ledsagelse-{ledsagelse.pk}@brobygning"
    assert event.decoded("DTSTART") == when and event.decoded("DTEND") == when + timedelta(minutes=90)
    assert event["DTSTART"].params["TZID"] == "Europe/Copenhagen"  # local time, with its VTIMEZONE
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2030, 3, 12, 17, 0)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Copenhagen"]
    assert event["SEQUENCE"] == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "Strik og snak, Vestergade 1, 5000 Odense C"
    assert str(event["ORGANIZER"]) == "mailto:kontakt@center.test"
    assert event["ORGANIZER"].params["CN"] == ledsagelse.center.navn
    assert "Strik og snak" in str(event["SUMMARY"])
    assert str(event["ATTENDEE"]) == f"mailto:{ledsagelse.brobygger.email}"

    # The same UID in every reminder about this meeting, so calendars update one entry.
    host = paamindelser.resolve(rows(ledsagelse)["vaert_48t"])
    assert f"ledsagelse-{ledsagelse.pk}@brobygning" in host.attachments[0].content


def test_ics_timezone_made_once_is_what_icalendar_would_add():
    """The VTIMEZONE is built once per process (it was most of a reminder's CPU time); the
    invitation is byte for byte what add_missing_timezones gives, every time."""
    ledsagelse = rf.planned_ledsagelse(when=datetime(2030, 3, 12, 17, 0, tzinfo=CPH))
    now = timezone.now()
    cached = [paamindelser.ledsagelse_ics(ledsagelse, attendee="a@b.test", now=now) for _ in range(2)]
    cal = Calendar.from_ical(cached[0])
    cal.subcomponents = [c for c in cal.subcomponents if c.name != "VTIMEZONE"]
    cal.add_missing_timezones()
    assert cached[0] == cached[1] == cal.to_ical().decode()
    assert paamindelser._vtimezone.cache_info().currsize >= 1


def test_ics_organizer_falls_back_to_default_from_email(settings):
    settings.DEFAULT_FROM_EMAIL = "Brobygning <noreply@brobygning.test>"
    ledsagelse = rf.planned_ledsagelse(center=f.CenterFactory(email=""))
    event = Calendar.from_ical(paamindelser.ledsagelse_ics(ledsagelse)).walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == "mailto:noreply@brobygning.test"


def test_sent_email_carries_text_html_and_calendar_parts():
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    dispatch.dispatch_due()
    [email] = mail.outbox
    assert email.to == ["hanne@forening.test"] and email.reply_to == ["kontakt@center.test"]
    assert email.alternatives[0].mimetype == "text/html"
    raw = email.message().as_string()
    assert "text/calendar" in raw and 'method="REQUEST"' in raw and "moede.ics" in raw


@pytest.fixture
def spy_language(monkeypatch):
    """Record the active language each time the reminder templates are rendered."""
    seen = []
    real = paamindelser.render_to_string

    def spy(template_name, context=None, *args, **kwargs):
        seen.append((template_name, translation.get_language()))
        return real(template_name, context, *args, **kwargs)

    monkeypatch.setattr(paamindelser, "render_to_string", spy)
    return seen


@pytest.mark.parametrize(("sprog", "expected"), [(["en", "da"], "en"), (["da"], "da"), (["ar", "en"], "da"), ([], "da")])
def test_borger_gets_their_language_where_the_site_has_it(spy_language, sprog, expected):
    ledsagelse = rf.planned_ledsagelse(kanal="email", borger_kwargs={"sprog": sprog})
    paamindelser.sync_ledsagelse(ledsagelse)
    message = paamindelser.resolve(rows(ledsagelse)["borger_24t"])
    assert message.sprog == expected
    assert {lang for _name, lang in spy_language} == {expected}
    assert {name for name, _lang in spy_language} == {
        "matching/paamindelser/email/borger_24t_subject.txt", "matching/paamindelser/email/borger_24t.txt", "matching/paamindelser/email/borger_24t.html"
    }
    assert f'<html lang="{expected}" dir="ltr">' in message.html


def test_staff_and_hosts_get_danish_whatever_the_borger_speaks(spy_language):
    ledsagelse = rf.planned_ledsagelse(borger_kwargs={"sprog": ["en"]})
    paamindelser.sync_ledsagelse(ledsagelse)
    with translation.override("en"):  # whatever the caller's language
        for art in ("brobygger_24t", "vaert_48t"):
            assert paamindelser.resolve(rows(ledsagelse)[art]).sprog == "da"
    assert {lang for _name, lang in spy_language} == {"da"}


def test_borger_sms_rendered_in_their_language(spy_language):
    ledsagelse = rf.planned_ledsagelse(kanal="sms", borger_kwargs={"sprog": ["en"]})
    paamindelser.sync_ledsagelse(ledsagelse)
    paamindelser.resolve(rows(ledsagelse)["borger_24t"])
    assert spy_language == [("matching/paamindelser/sms/borger_24t.txt", "en")]


def test_sms_reminder_is_delivered_through_the_sms_backend():
    ledsagelse = rf.planned_ledsagelse(kanal="telefon")
    paamindelser.sync_ledsagelse(ledsagelse)
    make_due("borger_24t")
    assert dispatch.dispatch_due().sent == 2  # the SMS and the host notice
    [(to, text)] = LocmemSmsBackend.outbox
    assert to == "+4520123456" and "Anna" in text
    assert rows(ledsagelse)["borger_24t"].status == "sendt"
