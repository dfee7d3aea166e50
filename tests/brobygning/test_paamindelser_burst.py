"""A burst of påmindelser (issue 15): beat's task spreads it over the workers, a batch's e-mails share
one SMTP connection, and every copy of one arming of a row carries the same Message-ID.

The throughput itself is measured by bench/celery_burst.py (PERFORMANCE.md); these tests check
the behaviour it relies on. The SMTP tests use a real SMTP server (aiosmtpd)."""

import email
import smtplib
from datetime import timedelta
from email import policy

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from brobygning import channels
from brobygning import paamindelser as dispatch
from brobygning.channels import Batch, Message
from brobygning.models import Paamindelse
from brobygning.tasks import DISPATCH_EXPIRES, dispatch_due_reminders
from matching import paamindelser

from .. import journey_factories as rf
from ..smtp import smtp_server

pytestmark = pytest.mark.django_db

BEFORE = "brobygger_24t", "brobygger_2t", "vaert_48t", "vaert_2t", "borger_24t"


class _Inbox:
    """aiosmtpd handler: each message accepted, parsed, with the client's address (one per connection)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((session.peer, email.message_from_bytes(envelope.original_content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    settings.DEFAULT_FROM_EMAIL = "Brobygning <noreply@brobygning.test>"
    with smtp_server(settings, _Inbox()) as inbox:
        yield inbox


def _due_meetings(n: int, *, kanal="email"):
    """`n` planned meetings whose five reminders before the meeting are all due now."""
    for _ in range(n):
        paamindelser.sync_ledsagelse(rf.planned_ledsagelse(kanal=kanal))
    Paamindelse.objects.exclude(art__in=BEFORE).delete()
    Paamindelse.objects.update(forfalder=timezone.now() - timedelta(seconds=1))
    return Paamindelse.objects.count()


# --- Beat's task spreads a burst ----------------------------------------------------------------------


@pytest.mark.parametrize(("due", "passes", "expected"), [
    (0, 4, 0), (2, 4, 0), (3, 4, 1), (5, 4, 2), (7, 4, 3), (40, 4, 3), (40, 1, 0), (40, 2, 1),
])
def test_helper_passes_one_per_further_batch_at_most_passes_minus_one(settings, center_a, due, passes, expected):
    settings.PAAMINDELSE_BATCH_SIZE, settings.PAAMINDELSE_PARALLEL_PASSES = 2, passes
    for i in range(due):
        Paamindelse.objects.create(center=center_a, art="brobygger_24t", emne_type="ledsagelse", emne_id=1000 + i,
                                   kanal="email", forfalder=timezone.now() - timedelta(minutes=1))
    Paamindelse.objects.create(center=center_a, art="brobygger_24t", emne_type="ledsagelse", emne_id=999,
                               kanal="email", forfalder=timezone.now() + timedelta(hours=1))  # not due
    assert dispatch.helper_passes_needed() == expected


def test_beat_task_queues_helpers_that_queue_none_and_each_row_goes_once(settings, monkeypatch, locmem_channels):
    settings.PAAMINDELSE_BATCH_SIZE, settings.PAAMINDELSE_PARALLEL_PASSES = 2, 4
    total = _due_meetings(2)  # 10 rows: 5 batches, so 3 helpers
    queued = []
    original = dispatch_due_reminders.apply_async

    def spy(args=None, kwargs=None, **options):
        queued.append((kwargs, options))
        return original(args, kwargs, **options)  # eager in the tests: the helper runs now

    monkeypatch.setattr(dispatch_due_reminders, "apply_async", spy)
    dispatch_due_reminders.delay()
    assert len(queued) == 4 and not queued[0][0]  # beat's own, then three helpers
    assert queued[1:] == [({"hjaelper": True}, {"expires": DISPATCH_EXPIRES})] * 3
    assert set(Paamindelse.objects.values_list("status", flat=True)) == {"sendt"}
    assert len(mail.outbox) == total
    assert len({m.extra_headers["X-Brobygning-Paamindelse"] for m in mail.outbox}) == total


# --- One SMTP connection per batch ---------------------------------------------------------------------


def test_a_batch_sends_its_emails_over_one_smtp_connection(settings, smtp):
    settings.PAAMINDELSE_BATCH_SIZE = 50
    total = _due_meetings(3)  # 15 rows: e-mails and the borgere's by e-mail too
    assert dispatch.dispatch_due().sent == total
    assert len(smtp.messages) == total
    assert len({peer for peer, _m in smtp.messages}) == 1

    Paamindelse.objects.update(status="afventer", forsoeg=0, forfalder=timezone.now() - timedelta(seconds=1))
    settings.PAAMINDELSE_BATCH_SIZE = 5
    smtp.messages = []
    assert dispatch.dispatch_due().sent == total
    assert len({peer for peer, _m in smtp.messages}) == 3  # three batches of five


def test_message_id_is_the_same_for_every_copy_of_one_arming(settings, smtp):
    _due_meetings(1)
    Paamindelse.objects.exclude(art="brobygger_24t").delete()
    row = Paamindelse.objects.get()
    dispatch.dispatch_due()
    row.refresh_from_db()
    [(_peer, first)] = smtp.messages
    assert first["Message-ID"].strip() == f"<{dispatch.idempotency_key(row)}@brobygning.test>"
    assert first["X-Brobygning-Paamindelse"] == str(row.pk)
    # Sent again as a retry of the same arming (as after a crash before `sendt` was recorded): same id.
    Paamindelse.objects.filter(pk=row.pk).update(status="afventer", forfalder=timezone.now() - timedelta(seconds=1))
    dispatch.dispatch_due()
    assert smtp.messages[1][1]["Message-ID"] == first["Message-ID"]
    # Armed again (forsoeg 0: a moved meeting): a new key, a new Message-ID.
    Paamindelse.objects.filter(pk=row.pk).update(status="afventer", forsoeg=0,
                                                 forfalder=timezone.now() - timedelta(seconds=1))
    dispatch.dispatch_due()
    assert smtp.messages[2][1]["Message-ID"] not in ("", first["Message-ID"])


def test_mail_without_idempotency_key_gets_its_own_message_id(smtp):
    for _ in range(2):
        channels.send_email(Message(kanal="email", to="a@b.test", sprog="da", subject="Hej", text="Hej"))
    ids = [m["Message-ID"] for _p, m in smtp.messages]
    assert all(ids) and ids[0] != ids[1]


# --- A connection that breaks ----------------------------------------------------------------------------


class FlakyBackend(BaseEmailBackend):
    """Each connection carries one message; the relay has closed it before the next (an idle timeout)."""

    opened = 0
    sent: list[str] = []
    refuse: set[str] = set()

    def open(self):
        FlakyBackend.opened += 1
        self.used = False
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        if self.used:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        for m in messages:
            if m.to[0] in self.refuse:
                raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"No such user")})
            self.used = True
            FlakyBackend.sent.append(m.to[0])
        return len(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.opened, FlakyBackend.sent, FlakyBackend.refuse = 0, [], set()
    return FlakyBackend


def _mail(to):
    return Message(kanal="email", to=to, sprog="da", subject="Hej", text="Hej")


def test_batch_reconnects_once_when_a_used_connection_was_closed(flaky):
    with Batch() as batch:
        for to in ("a@x.test", "b@x.test", "c@x.test"):
            channels.deliver(_mail(to), batch=batch)
    assert flaky.sent == ["a@x.test", "b@x.test", "c@x.test"] and flaky.opened == 3


def test_batch_does_not_retry_a_failure_on_a_new_connection_and_drops_a_failed_one(flaky):
    flaky.refuse = {"b@x.test"}
    with Batch() as batch:
        channels.deliver(_mail("a@x.test"), batch=batch)
        with pytest.raises(smtplib.SMTPException):
            channels.deliver(_mail("b@x.test"), batch=batch)  # reconnects (closed), then refused: raised
        channels.deliver(_mail("c@x.test"), batch=batch)  # a new connection, not the failed one
    assert flaky.sent == ["a@x.test", "c@x.test"] and flaky.opened == 3


# --- Cheaper per reminder, the same message (PERFORMANCE.md, "Burst: cost per reminder") ------------------


def _with_fixed_boundaries(raw: bytes) -> bytes:
    import re

    seen: list[bytes] = []
    for b in re.findall(rb'boundary="([^"]+)"', raw):
        if b not in seen:
            seen.append(b)
    for i, b in enumerate(seen):
        raw = raw.replace(b, b"BOUNDARY-%d" % i)
    return raw


def test_outbox_email_is_djangos_byte_for_byte_apart_from_the_random_boundaries(settings, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    settings.DEFAULT_FROM_EMAIL = "Brobygning <noreply@brobygning.test>"
    monkeypatch.setattr("django.core.mail.message.formatdate", lambda *a, **k: "Thu, 03 Dec 2026 12:00:00 -0000")
    message = Message(kanal="email", to="æblegrød@b.test", sprog="da", subject="Påmindelse: første møde i Fællesskab Ø",
                      text="Hej Åse\n\nVi ses ==============1234567890123456789==\n", html="<p>Hej Åse</p>",
                      reply_to="c@b.test", headers={"X-Brobygning-Paamindelse": "7"},
                      attachments=[channels.Attachment("moede.ics", "BEGIN:VCALENDAR\r\nSUMMARY:Møde\r\nEND:VCALENDAR\r\n",
                                                       "text/calendar", {"method": "REQUEST"})],
                      idempotency_key="brobygning-paamindelse-7-abc")
    sent = []
    monkeypatch.setattr(EmailMultiAlternatives, "send", lambda self, fail_silently=False: sent.append(self) or 1)
    channels.send_email(message)
    [ours] = sent
    assert isinstance(ours, channels._OutboxEmail)
    plain = EmailMultiAlternatives(subject=ours.subject, body=ours.body, from_email=ours.from_email, to=ours.to,
                                   reply_to=ours.reply_to, headers=ours.extra_headers,
                                   alternatives=ours.alternatives, attachments=ours.attachments)
    ours_raw, plain_raw = ours.message().as_bytes(linesep="\r\n"), plain.message().as_bytes(linesep="\r\n")
    assert ours_raw.count(b'boundary="') == 2
    assert _with_fixed_boundaries(ours_raw) == _with_fixed_boundaries(plain_raw)


def test_a_boundary_is_never_found_in_the_text(monkeypatch):
    numbers = iter([1, 1, 2])
    monkeypatch.setattr(channels.random, "randrange", lambda _n: next(numbers))
    taken = channels._boundary("")
    assert channels._boundary(f"text {taken} text") == "=" * 15 + "2".zfill(channels._BOUNDARY_DIGITS) + "=="


def test_the_postgresql_claim_is_one_statement_and_returns_the_rows_in_due_order(settings, django_assert_num_queries):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the one-statement claim is PostgreSQL's")
    total = _due_meetings(2)
    Paamindelse.objects.filter(art="brobygger_2t").update(forfalder=timezone.now() - timedelta(hours=1))
    with django_assert_num_queries(1):
        rows = dispatch.claim_due(batch_size=4)
    assert [r.art for r in rows[:2]] == ["brobygger_2t", "brobygger_2t"]
    assert [(r.forfalder, r.pk) for r in rows] == sorted((r.forfalder, r.pk) for r in rows)
    assert {r.status for r in rows} == {"sender"} and len({r.laas for r in rows}) == 1
    assert Paamindelse.objects.filter(status="sender").count() == 4
    rest = dispatch.claim_due(batch_size=50)
    assert len(rest) == total - 4 and not {r.pk for r in rest} & {r.pk for r in rows}


def test_start_and_finish_are_one_statement_each_and_only_for_the_holder(django_assert_num_queries):
    _due_meetings(1)
    rows = dispatch.claim_due(batch_size=2)
    with django_assert_num_queries(1):
        assert dispatch.start_attempt(rows[0])
    assert Paamindelse.objects.get(pk=rows[0].pk).forsoeg == 1 and rows[0].forsoeg == 1
    with django_assert_num_queries(1):
        assert dispatch._finish(rows[0], status="sendt", sendt=timezone.now(), kanal="email")
    stored = Paamindelse.objects.get(pk=rows[0].pk)
    assert (stored.status, stored.kanal, stored.noegle) == ("sendt", "email", rows[0].noegle)
    # Another dispatcher's token: nothing is written.
    other = Paamindelse.objects.get(pk=rows[1].pk)
    other.laas = None
    assert not dispatch.start_attempt(other) and not dispatch._finish(other, status="sendt")
    assert Paamindelse.objects.get(pk=rows[1].pk).status == "sender"
