"""Sending påmindelser (the outbox): claiming, channels (incl. an HTTP SMS gateway), the command, the beat task
and the koordinator's page of påmindelser."""

import json
import logging
import smtplib
import socket
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.checks import registry
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from brobygning import channels, checks
from brobygning import paamindelser as dispatch
from brobygning import settings as production_settings
from brobygning import tasks as brobygning_tasks
from brobygning.channels import DeliveryError, HttpSmsBackend
from brobygning.models import AuditEntry, Paamindelse
from brobygning.tasks import dispatch_due_reminders
from matching import paamindelser

from .. import journey_factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _channels(locmem_channels):
    """Every test here sends to the in-memory outboxes."""


def row_for(center, art="brobygger_24t", status="afventer", **kwargs):
    """A bare outbox row (no subject needed for claiming tests)."""
    defaults = {"emne_type": "ledsagelse", "emne_id": Paamindelse.objects.count() + 1000, "kanal": "email",
                "forfalder": timezone.now() - timedelta(minutes=1)}
    return Paamindelse.objects.create(center=center, art=art, status=status, **{**defaults, **kwargs})


# --- Claiming ------------------------------------------------------------------------------------


def test_claim_marks_rows_sending_with_time_and_attempt(center_a):
    due = [row_for(center_a) for _ in range(3)]
    later = row_for(center_a, forfalder=timezone.now() + timedelta(hours=1))
    now = timezone.now()
    claimed = dispatch.claim_due(now=now, batch_size=2)
    assert [r.pk for r in claimed] == [due[0].pk, due[1].pk]
    assert all(r.status == "sender" and r.taget == now and r.laas is not None for r in claimed)
    assert all(r.forsoeg == 0 for r in claimed)  # the attempt is counted when its send starts
    assert [r.pk for r in dispatch.claim_due(now=now)] == [due[2].pk]
    assert dispatch.claim_due(now=now) == []
    later.refresh_from_db()
    assert later.status == "afventer" and later.forsoeg == 0


@pytest.mark.parametrize("strategy", ["cas", "skip_locked"])
def test_both_claim_strategies(center_a, strategy):
    if strategy == "skip_locked" and not connection.features.has_select_for_update_skip_locked:
        pytest.skip(f"{connection.vendor} has no SELECT … FOR UPDATE SKIP LOCKED; the CAS claim is used there")
    rows = [row_for(center_a) for _ in range(4)]
    claimed = dispatch.claim_due(batch_size=10, strategy=strategy)
    assert sorted(r.pk for r in claimed) == sorted(r.pk for r in rows)
    assert dispatch.claim_due(batch_size=10, strategy=strategy) == []


def test_default_strategy_follows_the_database():
    expected = "skip_locked" if connection.vendor == "postgresql" else "cas"
    assert dispatch.claim_strategy() == expected


def test_compare_and_swap_claims_a_row_only_once(center_a):
    """Two dispatchers that both saw the row as pending: only the first UPDATE wins."""
    row = row_for(center_a)
    now = timezone.now()
    claim = {"status": "sender", "taget": now, "laas": uuid.uuid4()}
    assert dispatch._claim_one(row.pk, now, claim) is True
    assert dispatch._claim_one(row.pk, now, claim) is False


def test_outcome_is_not_recorded_over_a_reclaimed_row(center_a):
    row = row_for(center_a)
    [mine] = dispatch.claim_due()
    Paamindelse.objects.filter(pk=row.pk).update(laas=uuid.uuid4())  # reclaimed and claimed by someone else
    assert dispatch._finish(mine, status="sendt") is False
    row.refresh_from_db()
    assert row.status == "sender"


# --- Leases --------------------------------------------------------------------------------------


def test_starting_an_attempt_renews_the_rows_own_lease_and_counts_it(center_a, settings):
    settings.PAAMINDELSE_SENDING_TIMEOUT = 60
    first, second = row_for(center_a), row_for(center_a)
    t0 = timezone.now()
    claimed = dispatch.claim_due(now=t0)
    assert dispatch.start_attempt(claimed[0], now=t0 + timedelta(seconds=50))
    first.refresh_from_db()
    assert first.taget == t0 + timedelta(seconds=50) and first.forsoeg == 1
    # 70 s after the claim: the second row's lease ran out, the first's (renewed at 50 s) did not.
    assert dispatch.reclaim_stuck(now=t0 + timedelta(seconds=70)) == (1, 0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("sender", "afventer") and second.forsoeg == 0


def test_a_dispatcher_whose_row_was_reclaimed_does_not_send_it(center_a, settings):
    settings.PAAMINDELSE_SENDING_TIMEOUT = 60
    ledsagelse = rf.planned_ledsagelse(center=center_a)
    paamindelser.sync_ledsagelse(ledsagelse)
    Paamindelse.objects.exclude(art="brobygger_24t").delete()
    Paamindelse.objects.update(forfalder=timezone.now() - timedelta(minutes=1))
    t0 = timezone.now()
    [slow] = dispatch.claim_due(now=t0)  # dispatcher A claims it, then is held up by a slow relay
    later = t0 + timedelta(seconds=61)
    other = dispatch.dispatch_due(now=later)  # dispatcher B: A's lease has run out
    assert (other.reclaimed, other.sent) == (1, 1) and len(mail.outbox) == 1
    assert dispatch.deliver(slow, now=later) == "superseded"  # A reaches the row: not sent again
    assert len(mail.outbox) == 1
    row = Paamindelse.objects.get()
    assert row.status == "sendt" and row.forsoeg == 1


def test_a_send_that_outlasts_its_lease_is_not_counted_as_sent(center_a, monkeypatch):
    row = row_for(center_a)
    [mine] = dispatch.claim_due()

    def slow_relay(message, **kwargs):  # the lease runs out during the send and another dispatcher takes the row
        Paamindelse.objects.filter(pk=row.pk).update(laas=uuid.uuid4())

    monkeypatch.setattr(dispatch.channels, "deliver", slow_relay)
    message = channels.Message(kanal="email", to="x@example.org", sprog="da", text="x")
    assert dispatch.deliver(mine, resolve=lambda r: message) == "unrecorded"
    row.refresh_from_db()
    assert row.status == "sender" and row.sendt is None


def test_pass_totals_count_only_recorded_sends(center_a, settings, monkeypatch):
    settings.PAAMINDELSE_RESOLVER = "tests.brobygning.test_paamindelser.trivial_resolver"
    rows = [row_for(center_a) for _ in range(3)]
    real_start = dispatch.start_attempt

    def start_but_lose_the_second(row, *, now=None):
        if row.pk == rows[1].pk:  # reclaimed and claimed by another dispatcher before its turn
            Paamindelse.objects.filter(pk=row.pk).update(laas=uuid.uuid4())
        return real_start(row, now=now)

    monkeypatch.setattr(dispatch, "start_attempt", start_but_lose_the_second)
    result = dispatch.dispatch_due()
    assert (result.sent, result.superseded) == (2, 1)
    assert len(mail.outbox) == 2


def trivial_resolver(rows):
    return lambda row: channels.Message(kanal="email", to="x@example.org", sprog="da", subject="s", text="t")


# --- Idempotency keys ----------------------------------------------------------------------------


def test_idempotency_key_is_kept_for_retries_and_new_after_rearming(center_a):
    ledsagelse = rf.planned_ledsagelse(center=center_a, kanal="sms", consents=("paamindelser",))
    paamindelser.sync_ledsagelse(ledsagelse)
    Paamindelse.objects.exclude(art="borger_24t").delete()
    [row] = dispatch.claim_due(now=timezone.now() + timedelta(days=4, hours=12))
    assert dispatch.idempotency_key(row) == ""  # drawn when the first attempt starts
    assert dispatch.start_attempt(row)
    first = dispatch.idempotency_key(row)
    assert first.startswith(f"brobygning-paamindelse-{row.pk}-") and len(first) <= 80
    dispatch._finish(row, status="afventer")  # a failed attempt, retried later
    [row] = dispatch.claim_due(now=timezone.now() + timedelta(days=4, hours=12))
    assert dispatch.start_attempt(row) and dispatch.idempotency_key(row) == first
    dispatch._finish(row, status="annulleret")
    # The meeting moves: the row is armed again for the new time and gets a new key.
    ledsagelse.tidspunkt += timedelta(days=1)
    ledsagelse.save()
    paamindelser.sync_ledsagelse(ledsagelse)
    Paamindelse.objects.exclude(art="borger_24t").delete()
    [row] = dispatch.claim_due(now=timezone.now() + timedelta(days=5, hours=12))
    assert row.forsoeg == 0 and dispatch.start_attempt(row)
    assert dispatch.idempotency_key(row) not in ("", first)


def test_backoff_schedule(settings):
    settings.PAAMINDELSE_BACKOFF_MINUTES = [1, 5, 15, 60, 240]
    assert [dispatch.backoff(n) for n in (1, 2, 3, 4, 5, 9)] == [
        timedelta(minutes=m) for m in (1, 5, 15, 60, 240, 240)
    ]


def test_scrub_strips_addresses_and_numbers():
    text = dispatch.scrub("550 5.1.1 <anna.b+x@example.org>: no such user; sms +45 20 12 34 56 rejected")
    assert "anna" not in text and "20 12" not in text
    assert text == "550 5.1.1 <<e-mail>>: no such user; sms <nummer> rejected"
    assert len(dispatch.scrub("x" * 2000)) == dispatch.ERROR_MAX_CHARS


def test_resolver_crash_is_retried_not_lost(center_a, settings):
    settings.PAAMINDELSE_RESOLVER = "tests.brobygning.test_paamindelser.crashing_resolver"
    row = row_for(center_a)
    result = dispatch.dispatch_due()
    row.refresh_from_db()
    assert result.retried == 1 and row.status == "afventer" and "RuntimeError: boom" in row.sidste_fejl


def crashing_resolver(rows):
    def resolve(row):
        raise RuntimeError("boom")

    return resolve


def test_a_batch_whose_preload_fails_is_retried(center_a, settings):
    settings.PAAMINDELSE_RESOLVER = "tests.brobygning.test_paamindelser.failing_preload"
    rows = [row_for(center_a) for _ in range(3)]
    result = dispatch.dispatch_due()
    assert result.retried == 3
    assert {r.status for r in Paamindelse.objects.filter(pk__in=[r.pk for r in rows])} == {"afventer"}


def failing_preload(rows):
    raise ConnectionError("database went away")


# --- Channels ------------------------------------------------------------------------------------


def test_mask_number():
    assert channels.mask_number("+4520123456") == "+45******56"
    assert channels.mask_number("20123456") == "******56"
    assert channels.mask_number("123") == "***"


def test_console_sms_logs_masked_number_and_length_never_the_text(settings, caplog):
    settings.SMS_BACKEND = ""
    assert isinstance(channels.get_sms_backend(), channels.ConsoleSmsBackend)
    with caplog.at_level(logging.INFO, logger="brobygning.channels"):
        channels.send_sms(channels.Message(kanal="sms", to="+4520123456", sprog="da", text="Hej Anna, husk mødet"))
    assert "SMS to +45******56: 20 chars" in caplog.text
    assert "Anna" not in caplog.text and "20123456" not in caplog.text


def test_http_backend_is_chosen_when_sms_url_is_set(settings):
    settings.SMS_BACKEND = ""
    settings.SMS_URL = "https://sms.example.dk/send"
    assert isinstance(channels.get_sms_backend(), HttpSmsBackend)
    with pytest.raises(ValueError):
        HttpSmsBackend(url="file:///etc/passwd")


class FakeGateway:
    """A local HTTP server answering with queued status codes and recording the requests."""

    def __init__(self, codes=(200,)):
        self.codes = list(codes)
        self.requests = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
                code = gateway.codes.pop(0) if len(gateway.codes) > 1 else gateway.codes[0]
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"message": "echo of the body would go here"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def test_http_sms_backend_posts_json_with_bearer_token():
    with FakeGateway([200]) as gateway:
        HttpSmsBackend(url=gateway.url, token="hemmelig", timeout=5).send("+4520123456", "Hej Anna")
    [request] = gateway.requests
    assert request["path"] == "/api/sms"
    assert request["json"] == {"to": "+4520123456", "message": "Hej Anna"}
    assert request["headers"]["Authorization"] == "Bearer hemmelig"
    assert request["headers"]["Content-Type"] == "application/json"


@pytest.mark.parametrize("code", [500, 401, 404])
def test_http_sms_backend_raises_on_non_2xx_without_quoting_the_body(code):
    with FakeGateway([code]) as gateway, pytest.raises(DeliveryError) as error:
        HttpSmsBackend(url=gateway.url, token="t", timeout=5).send("+4520123456", "Hej Anna")
    assert str(error.value) == f"SMS-gatewayen svarede HTTP {code}"


def test_http_sms_backend_unreachable_raises():
    with FakeGateway([200]) as gateway:
        url = gateway.url
    with pytest.raises(DeliveryError, match="kunne ikke nås"):
        HttpSmsBackend(url=url, token="t", timeout=2).send("+4520123456", "Hej")


def test_sms_reminder_via_gateway_500_then_retry_sends_once(settings):
    ledsagelse = rf.planned_ledsagelse(kanal="sms", consents=("paamindelser",))
    paamindelser.sync_ledsagelse(ledsagelse)
    Paamindelse.objects.filter(art="borger_24t").update(forfalder=timezone.now() - timedelta(seconds=1))
    Paamindelse.objects.exclude(art="borger_24t").delete()
    with FakeGateway([500, 200]) as gateway:
        settings.SMS_BACKEND = ""
        settings.SMS_URL, settings.SMS_TOKEN, settings.SMS_TIMEOUT = gateway.url, "token-123", 5
        now = timezone.now()
        first = dispatch.dispatch_due(now=now)
        row = Paamindelse.objects.get(art="borger_24t")
        assert first.retried == 1 and row.status == "afventer"
        assert row.sidste_fejl == "DeliveryError: SMS-gatewayen svarede HTTP 500"
        second = dispatch.dispatch_due(now=now + timedelta(minutes=2))
        third = dispatch.dispatch_due(now=now + timedelta(minutes=20))
    row.refresh_from_db()
    assert (second.sent, third.sent) == (1, 0)
    assert row.status == "sendt" and row.forsoeg == 2 and row.kanal == "sms"
    assert len(gateway.requests) == 2
    assert {r["json"]["to"] for r in gateway.requests} == {"+4520123456"}
    assert gateway.requests[-1]["headers"]["Authorization"] == "Bearer token-123"
    # The retry carries the same idempotency key: a gateway that took the first one drops the second.
    keys = [r["headers"]["Idempotency-Key"] for r in gateway.requests]
    assert keys[0] == keys[1] == dispatch.idempotency_key(row) and keys[0]


def test_http_sms_backend_sends_the_idempotency_key_header_only_when_given():
    with FakeGateway([200]) as gateway:
        backend = HttpSmsBackend(url=gateway.url, token="t", timeout=5)
        backend.send("+4520123456", "Hej", key="brobygning-paamindelse-7-abc")
        backend.send("+4520123456", "Hej")
    assert gateway.requests[0]["headers"]["Idempotency-Key"] == "brobygning-paamindelse-7-abc"
    assert "Idempotency-Key" not in gateway.requests[1]["headers"]


def test_the_outbox_hands_the_key_to_any_sms_backend(center_a):
    ledsagelse = rf.planned_ledsagelse(center=center_a, kanal="sms", consents=("paamindelser",))
    paamindelser.sync_ledsagelse(ledsagelse)
    Paamindelse.objects.filter(art="borger_24t").update(forfalder=timezone.now() - timedelta(seconds=1))
    assert dispatch.dispatch_due().sent >= 1
    row = Paamindelse.objects.get(art="borger_24t")
    assert channels.LocmemSmsBackend.keys == [dispatch.idempotency_key(row)]


# --- Timeouts and checks -------------------------------------------------------------------------


def test_email_timeout_is_applied_to_a_relay_that_never_answers(settings):
    """A relay that accepts the connection and then says nothing: the send fails after EMAIL_TIMEOUT
    instead of blocking the dispatcher for ever."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_TIMEOUT = 0.5
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never greets
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        assert mail.get_connection().timeout == 0.5
        with pytest.raises((TimeoutError, smtplib.SMTPServerDisconnected), match="timed out"):
            channels.send_email(channels.Message(kanal="email", to="x@example.org", sprog="da", subject="s", text="t"))


def test_production_settings_set_email_timeout_well_inside_the_lease():
    assert 0 < production_settings.EMAIL_TIMEOUT * checks.OPERATIONS_PER_SEND <= production_settings.PAAMINDELSE_SENDING_TIMEOUT
    assert 0 < production_settings.SMS_TIMEOUT * checks.OPERATIONS_PER_SEND <= production_settings.PAAMINDELSE_SENDING_TIMEOUT


def _ids(messages):
    return sorted(m.id for m in messages)


def test_check_timeouts_against_the_lease(settings):
    settings.PAAMINDELSE_SENDING_TIMEOUT, settings.EMAIL_TIMEOUT, settings.SMS_TIMEOUT = 600, 15, 10
    assert checks.timeouts_inside_the_lease() == []
    settings.EMAIL_TIMEOUT, settings.SMS_TIMEOUT = None, 100
    assert _ids(checks.timeouts_inside_the_lease()) == ["paamindelser.E001", "paamindelser.W002"]
    settings.EMAIL_TIMEOUT, settings.SMS_TIMEOUT = 600, 0
    assert _ids(checks.timeouts_inside_the_lease()) == ["paamindelser.E001", "paamindelser.E002"]


def test_deploy_check_warns_when_messages_would_not_leave_the_building(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.SMS_BACKEND, settings.SMS_URL = "", ""
    assert _ids(checks.channels_really_send()) == ["paamindelser.W010", "paamindelser.W011"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "brobygning.channels.ConsoleSmsBackend"
    assert _ids(checks.channels_really_send()) == ["paamindelser.W010", "paamindelser.W011"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.SMS_BACKEND, settings.SMS_URL = "", "https://sms.example.dk/send"
    assert checks.channels_really_send() == []
    settings.DEBUG = True
    settings.EMAIL_BACKEND, settings.SMS_URL = "django.core.mail.backends.console.EmailBackend", ""
    assert checks.channels_really_send() == []  # development: the console is the point


def test_deploy_check_runs_only_with_deploy(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    deploy = {m.id for m in registry.run_checks(include_deployment_checks=True, tags=["paamindelser"])}
    plain = {m.id for m in registry.run_checks(tags=["paamindelser"])}
    assert "paamindelser.W010" in deploy and "paamindelser.W010" not in plain


# --- Entry points --------------------------------------------------------------------------------


def test_management_command_runs_one_pass_and_prints_counts():
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    assert out.getvalue().strip() == "sent=1 failed=0 missed=0 retried=0 cancelled=0 reclaimed=0 superseded=0 unrecorded=0"
    assert len(mail.outbox) == 1


def test_dispatch_task_runs_a_pass():
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)
    assert dispatch_due_reminders.delay().get()["sent"] == 1
    assert mail.outbox[0].to == ["hanne@forening.test"]


def test_beat_runs_the_dispatch_every_minute():
    entry = django_settings.CELERY_BEAT_SCHEDULE["dispatch-due-reminders"]
    assert entry["task"] == "brobygning.tasks.dispatch_due_reminders" and entry["schedule"] == 60.0


# --- The koordinator's page of påmindelser ---------------------------------------------------------------


@pytest.fixture
def paamindelse_rows(world):
    ledsagelse = rf.planned_ledsagelse(center=world.center_a)
    paamindelser.sync_ledsagelse(ledsagelse)
    failed = Paamindelse.objects.get(art="vaert_48t")
    failed.status, failed.forsoeg, failed.sidste_fejl = "fejlet", 5, "SMTPException: 421 try later"
    failed.save()
    Paamindelse.objects.filter(art="vaert_nyankomst").update(status="sendt", sendt=timezone.now())
    other = rf.planned_ledsagelse(center=world.center_b)
    paamindelser.sync_ledsagelse(other)
    Paamindelse.objects.filter(emne_id=other.pk, art="brobygger_24t").update(status="fejlet")
    return ledsagelse, failed, Paamindelse.objects.get(emne_id=other.pk, art="brobygger_24t")


def test_koordinator_sees_the_centres_paamindelser_by_tab(as_koordinator_a, paamindelse_rows):
    ledsagelse, failed, _other = paamindelse_rows
    page = as_koordinator_a.get(reverse("brobygning:paamindelse_list")).content.decode()
    assert "Kommende" in page and "24 timer før mødet" in page and "Anna → Strik og snak" in page
    assert f'href="{reverse("matching:match_detail", args=[ledsagelse.match_id])}"' in page
    for secret in ("anna@borger.test", "+4520123456", "20 12 34 56", "hanne@forening.test", ledsagelse.brobygger.email):
        assert secret not in page
    failed_page = as_koordinator_a.get(reverse("brobygning:paamindelse_list") + "?vis=fejlet").content.decode()
    assert "SMTPException: 421 try later" in failed_page and "48 timer før mødet" in failed_page
    assert reverse("brobygning:paamindelse_retry", args=[failed.pk]) in failed_page
    assert failed_page.count("Prøv igen") == 1  # the other centre's failed row is not listed
    sent_page = as_koordinator_a.get(reverse("brobygning:paamindelse_list") + "?vis=sendt").content.decode()
    assert "En ny deltager kommer" in sent_page and "Vært" in sent_page


@pytest.mark.parametrize("tab", ["kommende", "sendt", "fejlet", "forpasset", "annulleret", "junk"])
def test_every_tab_renders(as_koordinator_a, paamindelse_rows, tab):
    assert as_koordinator_a.get(reverse("brobygning:paamindelse_list") + f"?vis={tab}&side=99").status_code == 200


def test_paamindelse_list_queries_do_not_grow_with_rows(as_koordinator_a, world, django_assert_max_num_queries):
    for _ in range(8):
        paamindelser.sync_ledsagelse(rf.planned_ledsagelse(center=world.center_a))
    opf = rf.OpfoelgningFactory(match=rf.MatchFactory(borger__center=world.center_a))
    paamindelser.sync_opfoelgning(opf)
    assert Paamindelse.objects.filter(center=world.center_a).count() > 25
    with django_assert_max_num_queries(18):  # one capped count per tab (issue 15)
        response = as_koordinator_a.get(reverse("brobygning:paamindelse_list"))
    assert response.status_code == 200
    assert "Opfølgning: dagen efter første møde" in response.content.decode()


def test_retry_puts_a_failed_row_back_in_the_queue(as_koordinator_a, paamindelse_rows, monkeypatch):
    _ledsagelse, failed, _other = paamindelse_rows
    queued = []
    monkeypatch.setattr(brobygning_tasks, "dispatch_soon", lambda: queued.append("pass"))
    response = as_koordinator_a.post(reverse("brobygning:paamindelse_retry", args=[failed.pk]))
    assert response.status_code == 302
    assert queued == ["pass"]  # an immediate pass, not a wait for beat
    failed.refresh_from_db()
    assert failed.status == "afventer" and failed.forsoeg == 0
    assert failed.forfalder <= timezone.now() and failed.sidste_fejl == "SMTPException: 421 try later"
    assert AuditEntry.objects.filter(objekt_type="paamindelse", objekt_id=str(failed.pk), handling="paamindelse.proevet_igen").exists()


def test_a_retried_row_goes_out_with_the_immediate_pass(as_koordinator_a, paamindelse_rows):
    _ledsagelse, failed, _other = paamindelse_rows
    as_koordinator_a.post(reverse("brobygning:paamindelse_retry", args=[failed.pk]))
    failed.refresh_from_db()
    assert failed.status == "sendt" and failed.forsoeg == 1


def test_retry_of_a_row_that_has_not_failed_changes_nothing(as_koordinator_a, paamindelse_rows):
    sent = Paamindelse.objects.get(art="vaert_nyankomst", center__slug="odense")
    response = as_koordinator_a.post(reverse("brobygning:paamindelse_retry", args=[sent.pk]), follow=True)
    assert "Kun fejlede påmindelser kan prøves igen." in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == "sendt"


def test_other_centres_row_is_404(as_koordinator_a, paamindelse_rows):
    _ledsagelse, _failed, other = paamindelse_rows
    assert as_koordinator_a.post(reverse("brobygning:paamindelse_retry", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == "fejlet"


def test_retry_needs_post(as_koordinator_a, paamindelse_rows):
    assert as_koordinator_a.get(reverse("brobygning:paamindelse_retry", args=[paamindelse_rows[1].pk])).status_code == 405


@pytest.mark.parametrize("client_fixture", ["as_brobygger_a", "as_foreningskontakt_a"])
def test_other_roles_get_403(request, paamindelse_rows, client_fixture):
    client = request.getfixturevalue(client_fixture)
    assert client.get(reverse("brobygning:paamindelse_list")).status_code == 403
    assert client.post(reverse("brobygning:paamindelse_retry", args=[paamindelse_rows[1].pk])).status_code == 403
    paamindelse_rows[1].refresh_from_db()
    assert paamindelse_rows[1].status == "fejlet"


def test_anonymous_is_sent_to_login(client, paamindelse_rows):
    response = client.get(reverse("brobygning:paamindelse_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
