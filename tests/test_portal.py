"""Issue #4: forening portal, field-level access, signed links, account lifecycle, feed, waiting list."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from borgere.models import AnmodningStatus, Overtagelsesanmodning
from brobygning.access import actor_for
from brobygning.models import Kalenderfeed, Medlemskab, Rolle
from foreninger.models import Forening
from foreninger.services import BEKRAEFT_SALT, bekraeft_send, bekraeft_token, foreninger_due_for_bekraeft
from foreninger.tasks import ask_foreninger_to_confirm
from matching.models import LedsagelseStatus, Stage, VaertRapport
from matching.paamindelser import resolve, sync_ledsagelse

from . import factories as f
from . import reminder_factories as rf
from .conftest import _member, client_for

# Every sensitive field of the borger holds a marker that must never reach a foreningskontakt.
MARKERS = {
    "efternavn": "Xqefternavnq",
    "telefon": "+4529876543",
    "email": "xqmailq@borger.test",
    "noter": "Xqhelbrednoteq",
}
SAMTALE_MARKER = "Xqsamtalenoteq"
OENSKE_MARKER = "Xqoenskeq"
BARRIERE_MARKER = "Xqbarriereq"


@pytest.fixture
def newcomer(world, brobygger_a, foreningskontakt_a):
    """A borger with a marker in every sensitive field, on their way to forening A's fællesskab."""
    from borgere.models import Samtale
    from brobygning.models import Tag, TagType

    brobygger_a.first_name = "Mette"
    brobygger_a.save()
    borger = world.borger_a
    for name, value in MARKERS.items():
        setattr(borger, name, value)
    borger.save()
    barriere = Tag.objects.create(type=TagType.BARRIERE, navn=BARRIERE_MARKER, slug="xq-barriere")
    borger.barrierer.add(barriere)
    Samtale.objects.create(center=world.center_a, borger=borger, brobygger=brobygger_a, noter=SAMTALE_MARKER,
                           oensker=OENSKE_MARKER, naeste_skridt=SAMTALE_MARKER)
    rf.give_consent(borger, "deling_med_vaert", "paamindelser")
    faellesskab = world.faellesskab_a
    faellesskab.vaert_navn, faellesskab.vaert_email = "Hanne", "hanne@forening.test"
    faellesskab.save()
    match = rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=faellesskab)
    return rf.LedsagelseFactory(match=match, center=world.center_a, brobygger=brobygger_a,
                                velkomstnote="Glæder sig til at strikke",
                                tidspunkt=timezone.now() + timedelta(days=1))


def _assert_no_marker(text, where):
    for marker in [*MARKERS.values(), SAMTALE_MARKER, OENSKE_MARKER, BARRIERE_MARKER]:
        assert marker not in text, f"{marker} leaked in {where}"


class TestFieldLevelAccess:
    def test_no_sensitive_field_reaches_a_foreningskontakt(self, newcomer, as_foreningskontakt_a, world,
                                                           locmem_channels, django_capture_on_commit_callbacks):
        world.forening_a.email = "strik@forening.test"
        world.forening_a.bekraeft_nonce = "leak-test"
        world.forening_a.save()
        pages = ["matching:forside", "matching:nye_paa_vej", "foreninger:forening_list", "foreninger:faellesskab_list"]
        urls = [reverse(name) for name in pages] + [
            reverse("foreninger:forening_detail", args=[world.forening_a.pk]),
            reverse("foreninger:faellesskab_detail", args=[world.faellesskab_a.pk]),
            reverse("foreninger:forening_update", args=[world.forening_a.pk]),
            reverse("foreninger:faellesskab_update", args=[world.faellesskab_a.pk]),
            reverse("foreninger:bekraeft_list", args=[bekraeft_token(world.forening_a)]),
        ]
        seen_first_name = False
        for url in urls:
            response = as_foreningskontakt_a.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            _assert_no_marker(html, url)
            seen_first_name |= "Anna" in html
        assert seen_first_name  # the page did render the newcomer, with the first name only
        # The emails the host and the forening receive.
        host_messages = [resolve(row) for row in sync_ledsagelse(newcomer) if row.art.startswith("vaert")]
        assert host_messages
        for message in host_messages:
            attachments = "".join(str(a) for a in message.attachments)
            _assert_no_marker(message.subject + message.text + message.html + attachments, message.to)
        with django_capture_on_commit_callbacks(execute=True):
            bekraeft_send(forening=world.forening_a)
        assert mail.outbox
        for sent in mail.outbox:
            _assert_no_marker(sent.subject + sent.body + str(sent.alternatives), "bekraeft mail")

    def test_first_name_and_note_only_with_consent(self, newcomer, as_foreningskontakt_a):
        newcomer.match.borger.samtykker.filter(formaal="deling_med_vaert").update(tilbagekaldt=timezone.now())
        html = as_foreningskontakt_a.get(reverse("matching:nye_paa_vej")).content.decode()
        assert "Anna" not in html and "Glæder sig til at strikke" not in html
        assert "En ny deltager" in html and "Mette" in html

    def test_foreningskontakt_cannot_see_or_set_internal_notes(self, world, as_foreningskontakt_a):
        world.forening_a.noter = "Xqinternq"
        world.forening_a.save()
        assert "Xqinternq" not in as_foreningskontakt_a.get(
            reverse("foreninger:forening_update", args=[world.forening_a.pk])).content.decode()
        as_foreningskontakt_a.post(reverse("foreninger:forening_update", args=[world.forening_a.pk]),
                                   {"navn": "Ny navn", "noter": "overskrevet", "partnerskab": "on",
                                    "version": world.forening_a.version})
        world.forening_a.refresh_from_db()
        assert world.forening_a.navn == "Ny navn"
        assert world.forening_a.noter == "Xqinternq" and not world.forening_a.partnerskab


class TestHostHandshake:
    def test_confirm_then_report_welcomed_moves_to_vaertsskab(self, newcomer, as_foreningskontakt_a):
        assert as_foreningskontakt_a.post(reverse("matching:vaert_bekraeft", args=[newcomer.pk])).status_code == 302
        newcomer.refresh_from_db()
        assert newcomer.vaert_bekraeftet is not None
        # Reporting before the meeting is refused, with a message and no change.
        as_foreningskontakt_a.post(reverse("matching:vaert_rapport", args=[newcomer.pk]), {"rapport": "kom"})
        newcomer.refresh_from_db()
        assert newcomer.vaert_rapport == ""
        type(newcomer).objects.filter(pk=newcomer.pk).update(tidspunkt=timezone.now() - timedelta(hours=3))
        as_foreningskontakt_a.post(reverse("matching:vaert_rapport", args=[newcomer.pk]), {"rapport": "kom"})
        newcomer.refresh_from_db()
        newcomer.match.refresh_from_db()
        assert newcomer.vaert_rapport == VaertRapport.KOM
        assert newcomer.status == LedsagelseStatus.MOEDT_OP
        assert newcomer.match.stage == Stage.BUDT_VELKOMMEN
        assert list(newcomer.match.overgange.values_list("til", flat=True))[-2:] == [Stage.LEDSAGET,
                                                                                      Stage.BUDT_VELKOMMEN]

    def test_did_not_come_is_flagged_to_the_brobygger(self, newcomer, as_foreningskontakt_a, as_brobygger_a):
        type(newcomer).objects.filter(pk=newcomer.pk).update(tidspunkt=timezone.now() - timedelta(hours=3))
        as_foreningskontakt_a.post(reverse("matching:vaert_rapport", args=[newcomer.pk]), {"rapport": "kom_ikke"})
        newcomer.refresh_from_db()
        newcomer.match.refresh_from_db()
        assert newcomer.vaert_rapport == VaertRapport.KOM_IKKE
        assert newcomer.match.stage == Stage.MOEDE_PLANLAGT  # the brobygger records the outcome
        assert "Værten meldte: kom ikke" in as_brobygger_a.get(reverse("matching:forside")).content.decode()

    def test_other_forening_cannot_confirm(self, newcomer, world):
        fk2 = _member(world.center_a, Rolle.FORENINGSKONTAKT, "fk2@a.test", foreninger=[world.forening_a2])
        assert client_for(fk2).post(reverse("matching:vaert_bekraeft", args=[newcomer.pk])).status_code == 403
        newcomer.refresh_from_db()
        assert newcomer.vaert_bekraeftet is None


class TestSignedLinks:
    @pytest.fixture
    def sent(self, world, locmem_channels, django_capture_on_commit_callbacks):
        world.forening_a.email = "strik@forening.test"
        world.forening_a.save()
        with django_capture_on_commit_callbacks(execute=True):
            assert bekraeft_send(forening=world.forening_a)
        world.forening_a.refresh_from_db()
        return bekraeft_token(world.forening_a)

    def test_valid_link_confirms_without_password(self, sent, world, client):
        assert len(mail.outbox) == 1 and sent in mail.outbox[0].body
        assert mail.outbox[0].alternatives  # html too
        response = client.get(reverse("foreninger:bekraeft_list", args=[sent]))
        assert response.status_code == 200 and "Strik og snak" in response.content.decode()
        client.post(reverse("foreninger:bekraeft_faellesskab", args=[sent, world.faellesskab_a.pk]))
        world.faellesskab_a.refresh_from_db()
        assert world.faellesskab_a.sidst_bekraeftet == timezone.localdate()

    def test_edit_through_the_link(self, sent, world, client):
        response = client.get(reverse("foreninger:bekraeft_rediger", args=[sent, world.faellesskab_a.pk]))
        assert response.status_code == 200

    def test_expired(self, sent, world, client, settings):
        settings.BEKRAEFT_LINK_MAX_AGE_DAYS = 0
        response = client.get(reverse("foreninger:bekraeft_list", args=[sent]))
        assert response.status_code == 410

    def test_tampered(self, sent, world, client):
        data = signing.loads(sent, salt=BEKRAEFT_SALT)
        forged = sent[:-3] + ("aaa" if not sent.endswith("aaa") else "bbb")
        assert client.get(reverse("foreninger:bekraeft_list", args=[forged])).status_code == 410
        unsigned = signing.dumps({**data, "f": world.forening_a2.pk}, salt="wrong-salt")
        assert client.get(reverse("foreninger:bekraeft_list", args=[unsigned])).status_code == 410

    def test_other_forening(self, sent, world, client):
        other = world.forening_a2
        theirs = f.FaellesskabFactory(forening=other, titel="Gåtur")
        response = client.post(reverse("foreninger:bekraeft_faellesskab", args=[sent, theirs.pk]))
        assert response.status_code == 403
        other_centre = client.post(reverse("foreninger:bekraeft_faellesskab", args=[sent, world.faellesskab_b.pk]))
        assert other_centre.status_code == 404
        theirs.refresh_from_db()
        assert theirs.sidst_bekraeftet is None

    def test_reused_after_a_new_mailing(self, sent, world, client):
        bekraeft_send(forening=world.forening_a)
        assert client.get(reverse("foreninger:bekraeft_list", args=[sent])).status_code == 410
        world.forening_a.refresh_from_db()
        assert client.get(reverse("foreninger:bekraeft_list", args=[bekraeft_token(world.forening_a)])).status_code == 200

    def test_beat_task_mails_each_due_forening_once(self, world, locmem_channels):
        Forening.objects.filter(pk=world.forening_a.pk).update(email="strik@forening.test")
        assert ask_foreninger_to_confirm() == 1  # forening_a2 has no fællesskab; centre B's has no address
        assert ask_foreninger_to_confirm() == 0  # not due again for N weeks
        Forening.objects.filter(pk=world.forening_a.pk).update(bekraeft_sendt=timezone.now() - timedelta(weeks=9))
        assert world.forening_a.pk in {x.pk for x in foreninger_due_for_bekraeft()}

    def test_stale_is_flagged_to_the_koordinator(self, world, as_koordinator_a):
        type(world.faellesskab_a).objects.filter(pk=world.faellesskab_a.pk).update(
            sidst_bekraeftet=timezone.localdate() - timedelta(weeks=17))
        html = as_koordinator_a.get(reverse("matching:forside")).content.decode()
        assert "ikke er bekræftet i 16 uger" in html and "Strik og snak" in html


class TestAccountLifecycle:
    def test_deactivation_ends_every_session_and_revokes_the_feed(self, world, brobygger_a, as_koordinator_a):
        phone, laptop = Client(), Client()
        phone.force_login(brobygger_a)
        laptop.force_login(brobygger_a)
        Kalenderfeed.objects.create(user=brobygger_a, token_hash="x" * 64)
        keep = Client()
        keep.force_login(f.UserFactory())
        before = Session.objects.count()
        as_koordinator_a.post(reverse("brobygning:medlem_deactivate", args=[Medlemskab.objects.get(user=brobygger_a).pk]))
        assert Session.objects.count() == before - 2
        brobygger_a.refresh_from_db()
        assert not brobygger_a.is_active
        assert not Kalenderfeed.objects.filter(user=brobygger_a).exists()
        for client in (phone, laptop):
            assert client.get(reverse("matching:forside")).status_code == 302

    def test_user_in_another_centre_stays_active_there(self, world, brobygger_a, as_koordinator_a):
        Medlemskab.objects.create(user=brobygger_a, center=world.center_b, rolle=Rolle.FORENINGSKONTAKT)
        as_koordinator_a.post(reverse("brobygning:medlem_deactivate", args=[Medlemskab.objects.get(
            user=brobygger_a, center=world.center_a).pk]))
        brobygger_a.refresh_from_db()
        assert brobygger_a.is_active
        actor = actor_for(brobygger_a)
        assert actor.center_id == world.center_b.pk and actor.is_foreningskontakt

    def test_each_role_applies_only_in_its_centre(self, world, brobygger_a):
        Medlemskab.objects.create(user=brobygger_a, center=world.center_b, rolle=Rolle.KOORDINATOR)
        f.give_mfa(brobygger_a)
        client = client_for(brobygger_a)
        assert client.get(reverse("borgere:borger_detail", args=[world.borger_b.pk])).status_code == 404
        assert client.get(reverse("brobygning:medlem_list")).status_code == 403  # a brobygger in centre A
        client.post(reverse("brobygning:switch_center"), {"center": world.center_b.pk})
        assert client.get(reverse("borgere:borger_detail", args=[world.borger_b.pk])).status_code == 200
        assert client.get(reverse("borgere:borger_detail", args=[world.borger_a.pk])).status_code == 404


class TestCalendarFeed:
    def test_feed_holds_first_names_times_and_places_only(self, newcomer, as_brobygger_a):
        response = as_brobygger_a.post(reverse("brobygning:kalender_ny"), follow=True)
        url = response.context["feed_url"]
        assert url in response.content.decode()
        assert as_brobygger_a.get(reverse("brobygning:profil")).context["feed_url"] is None  # shown once only
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        assert len(token) >= 43 and not Kalenderfeed.objects.filter(token_hash=token).exists()  # stored hashed
        feed = Client().get(reverse("matching:kalender_feed", args=[token]))
        assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
        body = feed.content.decode()
        _assert_no_marker(body, "feed")
        events = Calendar.from_ical(feed.content).walk("VEVENT")
        assert len(events) == 1 and "Anna" in str(events[0]["summary"])
        # A new link retires the old one; deleting it ends it.
        as_brobygger_a.post(reverse("brobygning:kalender_ny"))
        assert Client().get(reverse("matching:kalender_feed", args=[token])).status_code == 404
        as_brobygger_a.post(reverse("brobygning:kalender_slet"))
        assert not Kalenderfeed.objects.exists()


class TestWaitingList:
    @pytest.fixture
    def waiting(self, world):
        world.center_a.venteliste_synlig = True
        world.center_a.save()
        return f.BorgerFactory(center=world.center_a, fornavn="Venter", efternavn="Xqventerq", brobygger=None)

    def test_brobygger_sees_first_name_area_and_interests_only(self, waiting, as_brobygger_a):
        html = as_brobygger_a.get(reverse("borgere:venteliste")).content.decode()
        assert "Venter" in html and "5000" in html and "Xqventerq" not in html and "20123456" not in html

    def test_list_is_off_unless_the_koordinator_switches_it_on(self, world, as_brobygger_a, as_koordinator_a):
        assert as_brobygger_a.get(reverse("borgere:venteliste")).status_code == 403
        as_koordinator_a.post(reverse("brobygning:center_indstillinger"),
                              {"venteliste_synlig": "on", "bekraeft_interval_uger": "6"})
        world.center_a.refresh_from_db()
        assert world.center_a.venteliste_synlig and world.center_a.bekraeft_interval_uger == 6
        assert as_brobygger_a.get(reverse("borgere:venteliste")).status_code == 200

    def test_ask_and_approve_assigns_the_brobygger(self, waiting, brobygger_a, as_brobygger_a, as_koordinator_a,
                                                   as_brobygger_a2):
        as_brobygger_a.post(reverse("borgere:venteliste_anmod", args=[waiting.pk]))
        as_brobygger_a2.post(reverse("borgere:venteliste_anmod", args=[waiting.pk]))
        assert as_brobygger_a.get(reverse("borgere:borger_detail", args=[waiting.pk])).status_code == 403
        mine = Overtagelsesanmodning.objects.get(brobygger=brobygger_a)
        as_koordinator_a.post(reverse("borgere:anmodning_decide", args=[mine.pk]), {"beslutning": "godkend"})
        waiting.refresh_from_db()
        assert waiting.brobygger == brobygger_a
        assert set(Overtagelsesanmodning.objects.values_list("status", flat=True)) == {
            AnmodningStatus.GODKENDT, AnmodningStatus.AFVIST}
        assert as_brobygger_a.get(reverse("borgere:borger_detail", args=[waiting.pk])).status_code == 200


def test_accepted_foreningskontakt_invitation_links_the_forening(world, koordinator_a):
    from brobygning.models import Invitation
    from brobygning.services import invitation_accept

    invitation = Invitation.objects.create(center=world.center_a, email="ny@strik.test", fornavn="Ny",
                                           rolle=Rolle.FORENINGSKONTAKT, inviteret_af=koordinator_a)
    invitation.foreninger.set([world.forening_a])
    user = invitation_accept(invitation=invitation, password="en-lang-adgangskode-42")
    actor = actor_for(user)
    assert actor.is_foreningskontakt and actor.forening_ids == frozenset({world.forening_a.pk})
    client = client_for(user)
    assert client.get(reverse("foreninger:forening_update", args=[world.forening_a.pk])).status_code == 200
    assert client.get(reverse("foreninger:forening_update", args=[world.forening_a2.pk])).status_code == 403
