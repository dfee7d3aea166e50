"""Answers after the first meeting (issue 12, points 5 and 6): "Kom {fornavn}?" to the host and
"Hvordan gik det?" to the borger, by signed one-tap link or SMS reply, and the silence alarm."""

import hashlib
import hmac
import json
import logging
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from brobygning import paamindelser as dispatch
from brobygning.channels import LocmemSmsBackend
from brobygning.models import Adgangslog, AuditAction, AuditEntry, Paamindelse
from matching import paamindelser, services, svar
from matching.models import (
    Ledsagelse,
    LedsagelseStatus,
    Moedesvar,
    Opfoelgning,
    Stage,
    Svar,
    VaertRapport,
)

from .. import factories as f
from .. import journey_factories as rf
from .conftest import assert_no_marker

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
SECRET = "webhook-hemmelighed"
LINK = re.compile(r"(/svar/(\d+)/([^/\s]+)/)\?svar=(ja|nej)")


@pytest.fixture(autouse=True)
def _channels(locmem_channels):
    """Every test here sends to the in-memory outboxes."""


def held(ledsagelse_kwargs=None, *, ended_ago=H, **kwargs) -> Ledsagelse:
    """A first meeting planned days ago (so its questions exist) that ended `ended_ago`."""
    varighed = 120
    when = timezone.now() - ended_ago - timedelta(minutes=varighed)
    ledsagelse = rf.planned_ledsagelse(when=when, varighed_min=varighed, **kwargs)
    ledsagelse.match.stage = Stage.MOEDE_PLANLAGT
    ledsagelse.match.save()
    paamindelser.sync_ledsagelse(ledsagelse, now=when - timedelta(days=3))
    return ledsagelse


def ask(ledsagelse):
    """Run the dispatcher: the questions whose time has come go out."""
    return dispatch.dispatch_due()


def links(message) -> dict[str, str]:
    """{"ja": url, "nej": url} from a message's text, as the recipient would click it."""
    found = {m.group(4): m.group(0) for m in LINK.finditer(message)}
    assert set(found) == {"ja", "nej"}, message
    return found


def host_mail(ledsagelse):
    [message] = [m for m in mail.outbox if m.to == [ledsagelse.match.faellesskab.vaert_email]]
    return message


def answered(ledsagelse, modtager="vaert") -> Moedesvar:
    return Moedesvar.objects.get(ledsagelse=ledsagelse, modtager=modtager)


# --- Planning and the messages ----------------------------------------------------------------------


def test_questions_are_planned_for_the_end_of_the_meeting_with_consent():
    now = timezone.now()
    ledsagelse = rf.planned_ledsagelse(when=now + timedelta(days=3))
    paamindelser.sync_ledsagelse(ledsagelse, now=now)
    got = {r.art: r for r in Paamindelse.objects.filter(art__in=paamindelser.ARTER_EFTER_MOEDET)}
    assert {a: (r.forfalder, r.kanal) for a, r in got.items()} == {
        "vaert_efter": (ledsagelse.slut, "email"), "borger_efter": (ledsagelse.slut, "sms")}
    # Not "missed" the moment the meeting begins: the last moment worth asking is after its end.
    assert all(r.begivenhed > ledsagelse.slut for r in got.values())
    dispatch.mark_missed(now=ledsagelse.slut + H)
    assert {r.status for r in Paamindelse.objects.filter(art__in=paamindelser.ARTER_EFTER_MOEDET)} == {"afventer"}

    without = rf.planned_ledsagelse(when=now + timedelta(days=3), consents=())
    paamindelser.sync_ledsagelse(without, now=now)
    assert not Paamindelse.objects.filter(emne_id=without.pk, art__in=paamindelser.ARTER_EFTER_MOEDET).exists()


def test_the_host_asked_kom_by_email_with_two_one_tap_links_only_with_consent():
    ledsagelse = held(kanal="email")
    result = ask(ledsagelse)
    message = host_mail(ledsagelse)
    assert message.subject == "Kom Anna til Strik og snak?"
    assert "Kom Anna?" in message.body and "logge ind" in message.body
    urls = links(message.body)
    assert urls["ja"].split("?")[0] == urls["nej"].split("?")[0]  # one question, the answer chosen by the link
    html = message.alternatives[0][0]
    assert urls["ja"] in html and "JA, kom" in html and "NEJ, kom ikke" in html
    assert not message.attachments  # no calendar invitation for a question
    assert result.sent >= 2
    assert_no_marker(message.body + html, "the host's question")

    withdrawn = held(kanal="email")
    withdrawn.match.borger.samtykker.filter(formaal="deling_med_vaert").update(tilbagekaldt=timezone.now())
    mail.outbox.clear()
    ask(withdrawn)
    row = Paamindelse.objects.get(emne_id=withdrawn.pk, art="vaert_efter")
    assert row.status == "annulleret" and "samtykke" in row.sidste_fejl
    assert not [m for m in mail.outbox if m.to == [withdrawn.match.faellesskab.vaert_email]]


def test_the_borger_asked_hvordan_gik_det_by_preference_only_with_consent():
    by_mail = held(kanal="email")
    by_sms = held(kanal="sms")
    no_consent = held(kanal="email", consents=("deling_med_vaert",))
    ask(by_mail)
    [message] = [m for m in mail.outbox if m.to == ["anna@borger.test"]]
    assert message.subject == "Hvordan gik det i Strik og snak?"
    assert {"ja", "nej"} == set(links(message.body))
    assert "Godt – jeg vil gerne igen" in message.body and "Det var ikke noget for mig" in message.body
    [(to, text)] = [(to, text) for to, text in LocmemSmsBackend.outbox if "Hvordan gik det" in text]
    assert to == by_sms.match.borger.telefon.as_e164
    assert "Svar JA" in text and "NEJ" in text and "/svar/" not in text
    assert not Paamindelse.objects.filter(emne_id=no_consent.pk, art="borger_efter").exists()


def test_the_host_without_email_is_asked_by_sms():
    ledsagelse = held(kanal="email")
    faellesskab = ledsagelse.match.faellesskab
    faellesskab.vaert_email, faellesskab.vaert_telefon = "", "+4521212121"
    faellesskab.save()
    ask(ledsagelse)
    [text] = [text for to, text in LocmemSmsBackend.outbox if to == "+4521212121"]
    assert text.startswith("Hej Hanne. Kom Anna til Strik og snak? Svar JA eller NEJ")
    moedesvar = answered(ledsagelse)
    assert moedesvar.kanal == "sms" and moedesvar.telefon_noegle == svar.telefon_noegle("21 21 21 21")
    assert "2121" not in moedesvar.telefon_noegle  # a keyed hash, not the number


def test_outcomes_decide_which_questions_survive():
    ledsagelse = held()
    # "Mødte op" recorded by the brobygger: both questions still go (the host's is the handshake).
    Ledsagelse.objects.filter(pk=ledsagelse.pk).update(status=LedsagelseStatus.MOEDT_OP)
    ledsagelse.refresh_from_db()
    paamindelser.sync_ledsagelse(ledsagelse)
    statuses = dict(Paamindelse.objects.filter(emne_id=ledsagelse.pk, art__in=paamindelser.ARTER_EFTER_MOEDET)
                    .values_list("art", "status"))
    assert statuses == {"vaert_efter": "afventer", "borger_efter": "afventer"}
    for status in (LedsagelseStatus.AFLYST, LedsagelseStatus.UDEBLEV):
        other = held()
        Ledsagelse.objects.filter(pk=other.pk).update(status=status)
        other.refresh_from_db()
        paamindelser.sync_ledsagelse(other)
        assert set(Paamindelse.objects.filter(emne_id=other.pk, art__in=paamindelser.ARTER_EFTER_MOEDET)
                   .values_list("status", flat=True)) == {"annulleret"}


def test_a_moved_meeting_moves_its_questions_and_a_host_who_reported_is_not_asked():
    now = timezone.now()
    ledsagelse = rf.planned_ledsagelse(when=now + timedelta(days=3))
    paamindelser.sync_ledsagelse(ledsagelse, now=now)
    ledsagelse.tidspunkt += timedelta(days=1)
    ledsagelse.save()
    paamindelser.sync_ledsagelse(ledsagelse, now=now)
    got = Paamindelse.objects.filter(emne_id=ledsagelse.pk, art__in=paamindelser.ARTER_EFTER_MOEDET)
    assert {(r.forfalder, r.status) for r in got} == {(ledsagelse.slut, "afventer")}

    reported = held(kanal="email")
    Ledsagelse.objects.filter(pk=reported.pk).update(vaert_rapport=VaertRapport.KOM, vaert_rapporteret=now)
    ask(reported)  # no re-sync: checked again when sent
    row = Paamindelse.objects.get(emne_id=reported.pk, art="vaert_efter")
    assert (row.status, row.sidste_fejl) == ("annulleret", "Værten har allerede meldt tilbage")
    assert not Moedesvar.objects.filter(ledsagelse=reported, modtager="vaert").exists()


# --- Signed reply links ---------------------------------------------------------------------------------


@pytest.fixture
def host_links():
    ledsagelse = held(kanal="email")
    ask(ledsagelse)
    return ledsagelse, links(host_mail(ledsagelse).body)


def _state(ledsagelse):
    ledsagelse.refresh_from_db()
    ledsagelse.match.refresh_from_db()
    return (ledsagelse.status, ledsagelse.vaert_rapport, ledsagelse.match.stage,
            list(Moedesvar.objects.values_list("pk", "svar", "besvaret", "kommentar")))


def test_valid_link_shows_a_confirm_page_and_the_post_records_it(host_links, client):
    ledsagelse, urls = host_links
    before = _state(ledsagelse)
    page = client.get(urls["ja"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Kom Anna?" in body and "Send svar" in body and page.context["form"].initial["svar"] == Svar.KOM
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]
    assert _state(ledsagelse) == before  # a GET (a mail scanner's prefetch) changes nothing
    assert client.get(urls["nej"]).context["form"].initial["svar"] == Svar.KOM_IKKE

    response = client.post(urls["ja"].split("?")[0], {"svar": Svar.KOM, "kommentar": "Hun fik en kop kaffe"})
    assert response.status_code == 302 and response["Location"] == reverse("matching:svar_tak")
    assert client.get(response["Location"]).status_code == 200
    ledsagelse.refresh_from_db()
    assert (ledsagelse.status, ledsagelse.vaert_rapport) == (LedsagelseStatus.MOEDT_OP, VaertRapport.KOM)
    assert ledsagelse.match.__class__.objects.get(pk=ledsagelse.match_id).stage == Stage.BUDT_VELKOMMEN
    assert Opfoelgning.objects.filter(match=ledsagelse.match).count() == 3
    moedesvar = answered(ledsagelse)
    assert (moedesvar.svar, moedesvar.besvaret_via, moedesvar.kommentar) == ("kom", "link", "Hun fik en kop kaffe")
    entry = AuditEntry.objects.get(handling=AuditAction.LEDSAGELSE_SVAR_VAERT)
    assert entry.actor is None and entry.objekt_id == str(ledsagelse.pk) and entry.felter == ["kommentar", "svar"]
    assert AuditEntry.objects.filter(handling=AuditAction.LEDSAGELSE_VAERT_KOM, actor=None).exists()
    assert AuditEntry.objects.filter(handling="match.fase.budt_velkommen", actor=None).exists()


def test_reused_link_changes_nothing(host_links, client):
    ledsagelse, urls = host_links
    client.post(urls["nej"].split("?")[0], {"svar": Svar.KOM_IKKE})
    after_first = _state(ledsagelse)
    assert after_first[1] == VaertRapport.KOM_IKKE and after_first[0] == LedsagelseStatus.PLANLAGT
    again = client.get(urls["ja"])
    assert again.status_code == 410 and "Du har allerede svaret" in again.content.decode()
    posted = client.post(urls["ja"].split("?")[0], {"svar": Svar.KOM})
    assert posted.status_code == 410
    assert _state(ledsagelse) == after_first


def test_expired_link_changes_nothing(host_links, client, settings):
    ledsagelse, urls = host_links
    before = _state(ledsagelse)
    settings.SVAR_LINK_MAX_AGE_DAYS = 0
    response = client.post(urls["ja"].split("?")[0], {"svar": Svar.KOM})
    assert response.status_code == 410 and "Linket er udløbet" in response.content.decode()
    assert _state(ledsagelse) == before


def test_tampered_link_changes_nothing(host_links, client):
    ledsagelse, urls = host_links
    before = _state(ledsagelse)
    path, pk, token, _valg = LINK.search(urls["ja"]).groups()
    data = signing.loads(token, salt=svar.SALT)
    forged = [
        path.replace(token, token[:-2] + ("aa" if not token.endswith("aa") else "bb")),
        reverse("matching:svar_link", args=[pk, signing.dumps({**data, "n": "gaettet"}, salt=svar.SALT)]),
        reverse("matching:svar_link", args=[pk, signing.dumps(data, salt="en-anden-salt")]),
        reverse("matching:svar_link", args=[pk, signing.dumps({**data, "m": "borger"}, salt=svar.SALT)]),
    ]
    for url in forged:
        for response in (client.get(url), client.post(url, {"svar": Svar.KOM})):
            assert response.status_code == 410, url
            assert "Linket virker ikke" in response.content.decode()
    assert _state(ledsagelse) == before


def test_link_for_another_meeting_changes_nothing(host_links, client):
    ledsagelse, urls = host_links
    other = held(kanal="email")
    before = (_state(ledsagelse), _state(other))
    _path, _pk, token, _valg = LINK.search(urls["ja"]).groups()
    url = reverse("matching:svar_link", args=[other.pk, token])
    assert client.get(url).status_code == 410
    assert client.post(url, {"svar": Svar.KOM}).status_code == 410
    assert (_state(ledsagelse), _state(other)) == before


def test_the_borger_answers_by_link_and_the_brobygger_sees_it_but_not_the_host(client):
    ledsagelse = held(kanal="email")
    ask(ledsagelse)
    [message] = [m for m in mail.outbox if m.to == ["anna@borger.test"]]
    url = links(message.body)["nej"]
    page = client.get(url)
    assert "Hvordan gik det?" in page.content.decode()
    response = client.post(url.split("?")[0], {"svar": Svar.IKKE_FOR_MIG, "kommentar": "For mange mennesker"})
    assert response.status_code == 302
    ledsagelse.refresh_from_db()
    assert ledsagelse.status == LedsagelseStatus.MOEDT_OP and ledsagelse.vaert_rapport == ""
    assert ledsagelse.match.__class__.objects.get(pk=ledsagelse.match_id).stage == Stage.LEDSAGET
    entry = AuditEntry.objects.get(handling=AuditAction.LEDSAGELSE_SVAR_BORGER)
    assert entry.actor is None

    brobygger = f.client_logged_in(ledsagelse.brobygger)
    forside = brobygger.get(reverse("matching:forside")).content.decode()
    assert "Svar fra vært og borger" in forside
    assert "Det var ikke noget for mig" in forside and "For mange mennesker" in forside
    detail = brobygger.get(ledsagelse.match.get_absolute_url()).content.decode()
    assert "Borgeren svarede: Det var ikke noget for mig" in detail and "For mange mennesker" in detail

    kontakt = f.UserFactory()
    f.MedlemskabFactory(user=kontakt, center=ledsagelse.center, rolle="foreningskontakt").foreninger.set(
        [ledsagelse.match.faellesskab.forening])
    host_page = f.client_logged_in(kontakt).get(reverse("matching:nye_paa_vej")).content.decode()
    assert "For mange mennesker" not in host_page


def test_a_cancelled_meeting_refuses_a_late_answer_with_a_clear_message(host_links, client):
    ledsagelse, urls = host_links
    Ledsagelse.objects.filter(pk=ledsagelse.pk).update(status=LedsagelseStatus.UDEBLEV)
    response = client.post(urls["ja"].split("?")[0], {"svar": Svar.KOM})
    assert response.status_code == 200 and "Mødet er aflyst." in response.content.decode()
    assert answered(ledsagelse).besvaret is None


def test_the_answer_page_logs_the_read_of_the_borger(host_links, client):
    ledsagelse, urls = host_links
    client.get(urls["ja"])
    assert Adgangslog.objects.filter(handling="laest", borger_id=ledsagelse.match.borger_id).exists()


# --- The inbound-SMS webhook ------------------------------------------------------------------------------


def _sign(body: bytes, secret=SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_sms(client, sender, text, *, secret=SECRET, signature=None, as_json=True, message_id=None):
    payload = {"from": sender, "text": text, **({"id": message_id} if message_id else {})}
    if as_json:
        body, content_type = json.dumps(payload).encode(), "application/json"
    else:
        body, content_type = urlencode(payload).encode(), "application/x-www-form-urlencoded"
    headers = {"X-Brobygning-Signatur": signature if signature is not None else _sign(body, secret)}
    return client.post(reverse("matching:svar_sms"), body, content_type=content_type, headers=headers)


@pytest.fixture
def sms_host(settings):
    settings.SMS_WEBHOOK_SECRET = SECRET
    ledsagelse = held(kanal="email")
    faellesskab = ledsagelse.match.faellesskab
    faellesskab.vaert_email, faellesskab.vaert_telefon = "", "+4521212121"
    faellesskab.save()
    ask(ledsagelse)
    assert answered(ledsagelse).kanal == "sms"
    return ledsagelse


def test_webhook_without_a_secret_refuses(sms_host, client, settings):
    settings.SMS_WEBHOOK_SECRET = ""
    response = post_sms(client, "+4521212121", "JA", secret="hvad-som-helst")
    assert response.status_code == 403 and response.json() == {"status": "ikke_sat_op"}
    assert answered(sms_host).besvaret is None


def test_webhook_with_a_bad_signature_refuses(sms_host, client):
    for signature in ("", "sha256=" + "0" * 64, _sign(b"another body")):
        response = post_sms(client, "+4521212121", "JA", signature=signature)
        assert response.status_code == 403, signature
    assert post_sms(client, "+4521212121", "JA", secret="forkert").status_code == 403
    assert answered(sms_host).besvaret is None


def test_webhook_only_takes_posts(client):
    assert client.get(reverse("matching:svar_sms")).status_code == 405


def test_unknown_number_is_ignored_and_logged_without_the_number(sms_host, client, caplog):
    with caplog.at_level(logging.INFO, logger="matching.views.svar"):
        response = post_sms(client, "+4599887766", "JA")
    assert response.status_code == 200 and response.json() == {"status": "ignoreret"}
    assert caplog.records and all("99887766" not in r.getMessage() for r in caplog.records)
    assert answered(sms_host).besvaret is None


@pytest.mark.parametrize(("text", "expected", "kommentar"), [
    ("ja", Svar.KOM, ""),
    ("JA", Svar.KOM, ""),
    ("Ja tak, hun var glad", Svar.KOM, "tak, hun var glad"),
    ("nej", Svar.KOM_IKKE, ""),
    ("NEJ. Hun blev syg\nmåske næste uge", Svar.KOM_IKKE, "Hun blev syg\nmåske næste uge"),
])
def test_sms_reply_keywords_and_free_text(sms_host, client, text, expected, kommentar):
    response = post_sms(client, "21 21 21 21", text)  # the gateway's own number format
    assert response.json() == {"status": "registreret"}
    moedesvar = answered(sms_host)
    assert (moedesvar.svar, moedesvar.kommentar, moedesvar.besvaret_via) == (expected, kommentar, "sms")
    sms_host.refresh_from_db()
    assert sms_host.vaert_rapport == (VaertRapport.KOM if expected == Svar.KOM else VaertRapport.KOM_IKKE)


def test_sms_reply_form_encoded_and_a_repeat_is_not_counted_twice(sms_host, client):
    assert post_sms(client, "+4521212121", "nej", as_json=False, message_id="gw-1").json()["status"] == "registreret"
    assert post_sms(client, "+4521212121", "ja", as_json=False, message_id="gw-1").json()["status"] == \
        "allerede_modtaget"
    assert answered(sms_host).svar == Svar.KOM_IKKE


def test_sms_reply_without_a_keyword_changes_nothing(sms_host, client):
    for text in ("Hvad?", "jamen", "nejtak", ""):
        assert post_sms(client, "+4521212121", text).json()["status"] in ("ukendt_svar", "ignoreret")
    assert answered(sms_host).besvaret is None


def test_malformed_body_is_a_400(sms_host, client):
    body = b"{not json"
    response = client.post(reverse("matching:svar_sms"), body, content_type="application/json",
                           headers={"X-Brobygning-Signatur": _sign(body)})
    assert response.status_code == 400


def test_the_most_recent_open_question_to_the_number_gets_the_answer(sms_host, client):
    newer = held(kanal="email")
    faellesskab = newer.match.faellesskab
    faellesskab.vaert_email, faellesskab.vaert_telefon = "", "+4521212121"
    faellesskab.save()
    ask(newer)
    Paamindelse.objects.filter(emne_id=newer.pk, art="vaert_efter").update(sendt=timezone.now() + H)
    post_sms(client, "+4521212121", "JA")
    assert answered(newer).svar == Svar.KOM and answered(sms_host).besvaret is None
    post_sms(client, "+4521212121", "NEJ")  # the next reply goes to the one still open
    assert answered(sms_host).svar == Svar.KOM_IKKE


def test_webhook_is_rate_limited(sms_host, client, settings):
    cache.clear()
    settings.SMS_WEBHOOK_RATE_LIMIT = 2
    codes = [post_sms(client, "+4599887766", "JA").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.parametrize(("text", "expected"), [
    ("ja", (0, "")), ("Ja!", (0, "")), ("  NEJ  tak ", (1, "tak")), ("nej, hun kom ikke", (1, "hun kom ikke")),
    ("jamen", None), ("", None), ("ok ja", None),
])
def test_fortolk_sms(text, expected):
    assert svar.fortolk_sms(text) == expected


# --- The silence alarm ------------------------------------------------------------------------------------


@pytest.fixture
def silent(world, brobygger_a, brobygger_a2):
    """Brobygger A's borger with a meeting 30 h ago and one 10 h ago, a follow-up 8 days and one 6 days
    overdue; brobygger A2's borger with a silent meeting too."""
    now = timezone.now()
    match = rf.MatchFactory(borger=world.borger_a, center=world.center_a, faellesskab=world.faellesskab_a)
    old = rf.LedsagelseFactory(match=match, center=world.center_a, brobygger=brobygger_a, tidspunkt=now - 30 * H)
    rf.LedsagelseFactory(match=match, center=world.center_a, brobygger=brobygger_a, tidspunkt=now - 10 * H)
    late = rf.OpfoelgningFactory(match=match, center=world.center_a, forfalder=timezone.localdate() - timedelta(days=8))
    rf.OpfoelgningFactory(match=match, center=world.center_a, type="1_md",
                          forfalder=timezone.localdate() - timedelta(days=6))
    other_borger = f.BorgerFactory(center=world.center_a, fornavn="Otto", brobygger=brobygger_a2)
    other_match = rf.MatchFactory(borger=other_borger, center=world.center_a, faellesskab=world.faellesskab_a)
    theirs = rf.LedsagelseFactory(match=other_match, center=world.center_a, brobygger=brobygger_a2,
                                  tidspunkt=now - 50 * H)
    return old, late, theirs


def test_silence_alarm_on_min_dag_links_to_the_action_that_clears_it(silent, as_brobygger_a):
    old, late, theirs = silent
    response = as_brobygger_a.get(reverse("matching:forside"))
    moeder, opfoelgninger = response.context["stille_moeder"], response.context["stille_opfoelgninger"]
    assert [x.pk for x in moeder.rows] == [old.pk] and moeder.antal == 1  # not the 10 h one, not A2's
    assert [o.pk for o in opfoelgninger.rows] == [late.pk]  # not the one 6 days overdue
    body = response.content.decode()
    assert "Stille forløb" in body
    assert f'href="{old.match.get_absolute_url()}#moede-h"' in body
    assert f'href="{reverse("matching:opfoelgning_record", args=[late.pk])}"' in body
    # The link leads to the outcome form, and recording it clears the task.
    detail = as_brobygger_a.get(old.match.get_absolute_url()).content.decode()
    assert 'id="moede-h"' in detail and reverse("matching:ledsagelse_outcome", args=[old.pk]) in detail
    as_brobygger_a.post(reverse("matching:ledsagelse_outcome", args=[old.pk]), {"status": "udeblev"})
    assert as_brobygger_a.get(reverse("matching:forside")).context["stille_moeder"].antal == 0


def test_silence_alarm_on_the_koordinators_overview_is_the_centres(silent, as_koordinator_a, as_koordinator_b):
    old, late, theirs = silent
    response = as_koordinator_a.get(reverse("matching:forside"))
    assert [x.pk for x in response.context["stille_moeder"].rows] == [theirs.pk, old.pk]
    assert [o.pk for o in response.context["stille_opfoelgninger"].rows] == [late.pk]
    assert f'{old.match.get_absolute_url()}#moede-h' in response.content.decode()
    other = as_koordinator_b.get(reverse("matching:forside"))
    assert other.context["stille_moeder"].antal == 0 and other.context["stille_opfoelgninger"].antal == 0


def test_silence_alarm_lists_are_bounded_with_a_count_and_fixed_queries(world, brobygger_a, as_brobygger_a,
                                                                        django_assert_max_num_queries):
    now = timezone.now()

    def make(n):
        for _ in range(n):
            borger = f.BorgerFactory(center=world.center_a, brobygger=brobygger_a)
            match = rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a)
            rf.LedsagelseFactory(match=match, center=world.center_a, brobygger=brobygger_a, tidspunkt=now - 40 * H)
            rf.OpfoelgningFactory(match=match, center=world.center_a,
                                  forfalder=timezone.localdate() - timedelta(days=10))
            Moedesvar.objects.create(center=world.center_a, ledsagelse=match.ledsagelser.get(), modtager="borger",
                                     kanal="sms", nonce="x", svar=Svar.GODT, besvaret=now, besvaret_via="sms")

    make(3)
    as_brobygger_a.get(reverse("matching:forside"))
    with django_assert_max_num_queries(40) as few:
        as_brobygger_a.get(reverse("matching:forside"))
    make(30)
    # + the four counts of full lists: the two alarms, the answers and the follow-ups (issue 15)
    with django_assert_max_num_queries(len(few.captured_queries) + 4):
        response = as_brobygger_a.get(reverse("matching:forside"))
    moeder, opf, svar_ = (response.context[k] for k in ("stille_moeder", "stille_opfoelgninger", "svar"))
    assert (len(moeder.rows), moeder.antal, len(opf.rows), opf.antal) == (20, 33, 20, 33)
    assert (len(response.context["opfoelgninger"].rows), response.context["opfoelgninger"].antal) == (20, 33)
    assert (len(svar_.rows), svar_.antal) == (10, 33)
    assert "og 13 møder mere uden udfald" in response.content.decode()


def test_the_dag_efter_follow_up_and_recent_meetings_do_not_alarm(world, brobygger, match, as_brobygger_a):
    services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
    rf.attend(brobygger, match)
    response = as_brobygger_a.get(reverse("matching:forside"))
    assert response.context["stille_moeder"].antal == 0 and response.context["stille_opfoelgninger"].antal == 0
    assert "Stille forløb" not in response.content.decode()


def test_the_host_answer_service_keeps_the_host_rules(host_links):
    ledsagelse, _urls = host_links
    moedesvar = answered(ledsagelse)
    with pytest.raises(Exception, match="Vælg et af svarene"):
        services.moedesvar_registrer(moedesvar=moedesvar, svar=Svar.GODT, via="link")  # the borger's answer
    assert answered(ledsagelse).besvaret is None


# --- A batch's questions (PERFORMANCE.md, "Burst: cost per reminder") --------------------------------------


def _moedesvar_queries(queries):
    return [q["sql"] for q in queries if '"matching_moedesvar"' in q["sql"]]


def test_a_batch_looks_its_questions_up_once_and_inserts_each_new_one_without_a_select():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    meetings = [held() for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        assert dispatch.dispatch_due(batch_size=50).sent == 6  # two questions per meeting
    sql = _moedesvar_queries(queries.captured_queries)
    assert sum(s.startswith("SELECT") for s in sql) == 1
    assert sum(s.startswith("INSERT") for s in sql) == 6 and len(sql) == 7
    assert Moedesvar.objects.filter(ledsagelse__in=meetings).count() == 6

    # Sent again (a retry of the same arming): the same questions, not written again, same links.
    before = {(m.ledsagelse_id, m.modtager): m.nonce for m in Moedesvar.objects.all()}
    first_links = [{k: v.split(":")[0] for k, v in links(m.body).items()} for m in mail.outbox]  # the signed part
    mail.outbox.clear()
    Paamindelse.objects.filter(art__in=paamindelser.ARTER_EFTER_MOEDET).update(
        status="afventer", forfalder=timezone.now() - timedelta(seconds=1))
    with CaptureQueriesContext(connection) as queries:
        assert dispatch.dispatch_due(batch_size=50).sent == 6
    assert [s.split()[0] for s in _moedesvar_queries(queries.captured_queries)] == ["SELECT"]
    assert {(m.ledsagelse_id, m.modtager): m.nonce for m in Moedesvar.objects.all()} == before
    assert [{k: v.split(":")[0] for k, v in links(m.body).items()} for m in mail.outbox] == first_links


def test_a_question_made_meanwhile_by_another_dispatcher_is_the_one_sent(monkeypatch):
    """Two dispatchers' batches both hold the meeting's row for the question (the second after a
    reclaim); the second made its batch's list before the first inserted. It must send the question
    the first made (the same nonce, so either link opens it), not fail or make another."""
    ledsagelse = held(kanal="email")
    [row] = Paamindelse.objects.filter(emne_id=ledsagelse.pk, art="vaert_efter")
    kendte = svar.kendte_spoergsmaal([ledsagelse.pk])  # empty: none made yet
    first = svar.til_afsendelse(row=row, ledsagelse=ledsagelse, modtager="vaert", kanal="email",
                                to="vaert@x.test", kendte={})
    second = svar.til_afsendelse(row=row, ledsagelse=ledsagelse, modtager="vaert", kanal="email",
                                 to="vaert@x.test", kendte=kendte)
    assert second.pk == first.pk and second.nonce == first.nonce
    assert Moedesvar.objects.filter(ledsagelse=ledsagelse, modtager="vaert").count() == 1
    assert kendte[(ledsagelse.pk, "vaert")].pk == first.pk


def test_a_known_question_whose_channel_changed_is_updated_and_an_answered_one_is_not_sent_again():
    ledsagelse = held(kanal="email")
    ask(ledsagelse)
    moedesvar = answered(ledsagelse, "borger")
    Moedesvar.objects.filter(pk=moedesvar.pk).update(kanal="sms", telefon_noegle="x")
    row = Paamindelse.objects.get(emne_id=ledsagelse.pk, art="borger_efter")
    kendte = svar.kendte_spoergsmaal([ledsagelse.pk])
    again = svar.til_afsendelse(row=row, ledsagelse=ledsagelse, modtager="borger", kanal="email", to="b@x.test",
                                kendte=kendte)
    moedesvar.refresh_from_db()
    assert (again.nonce, moedesvar.kanal, moedesvar.telefon_noegle) == (moedesvar.nonce, "email", "")

    host = answered(ledsagelse, "vaert")
    Moedesvar.objects.filter(pk=host.pk).update(besvaret=timezone.now(), svar=Svar.KOM)
    mail.outbox.clear()
    Paamindelse.objects.filter(emne_id=ledsagelse.pk, art="vaert_efter").update(
        status="afventer", forfalder=timezone.now() - timedelta(seconds=1))
    result = dispatch.dispatch_due()
    assert result.cancelled == 1 and not mail.outbox
    assert Paamindelse.objects.get(emne_id=ledsagelse.pk, art="vaert_efter").sidste_fejl == \
        "Spørgsmålet er allerede besvaret"
