"""The host side of a first meeting: "Nye på vej", the handshake, and what a foreningskontakt may see."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from brobygning.models import Rolle
from foreninger.services import bekraeft_send, bekraeft_token
from matching.models import LedsagelseStatus, Stage, VaertRapport
from matching.paamindelser import resolve, sync_ledsagelse

from ..conftest import _member, client_for
from .conftest import assert_no_marker


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
            assert_no_marker(html, url)
            seen_first_name |= "Anna" in html
        assert seen_first_name  # the page did render the newcomer, with the first name only
        # The emails the host and the forening receive.
        host_messages = [resolve(row) for row in sync_ledsagelse(newcomer) if row.art.startswith("vaert")]
        assert host_messages
        for message in host_messages:
            attachments = "".join(str(a) for a in message.attachments)
            assert_no_marker(message.subject + message.text + message.html + attachments, message.to)
        with django_capture_on_commit_callbacks(execute=True):
            bekraeft_send(forening=world.forening_a)
        assert mail.outbox
        for sent in mail.outbox:
            assert_no_marker(sent.subject + sent.body + str(sent.alternatives), "bekraeft mail")

    def test_first_name_and_note_only_with_consent(self, newcomer, as_foreningskontakt_a):
        borger = newcomer.match.borger
        borger.fornavn = "Xqfornavnq"  # not "Anna": a generated staff name may contain that
        borger.save(update_fields=["fornavn"])
        borger.samtykker.filter(formaal="deling_med_vaert").update(tilbagekaldt=timezone.now())
        html = as_foreningskontakt_a.get(reverse("matching:nye_paa_vej")).content.decode()
        assert "Xqfornavnq" not in html and "Glæder sig til at strikke" not in html
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


class TestNyePaaVejShowsWhatTheHostNeeds:
    """Issue 16: place, the brobygger's phone, natural dates; reported meetings move to "Tidligere"."""

    def test_place_phone_and_the_past_under_tidligere(self, newcomer, brobygger_a, as_foreningskontakt_a):
        brobygger_a.telefon = "+4520304050"
        brobygger_a.save()
        type(newcomer).objects.filter(pk=newcomer.pk).update(moedested="Ved hoveddøren")
        url = reverse("matching:nye_paa_vej")
        html = as_foreningskontakt_a.get(url).content.decode()
        assert "Mødested: Ved hoveddøren" in html
        assert 'href="tel:+4520304050"' in html and "20 30 40 50" in html
        assert "I morgen, " in html
        assert "Tidligere" not in html
        type(newcomer).objects.filter(pk=newcomer.pk).update(tidspunkt=timezone.now() - timedelta(hours=3))
        as_foreningskontakt_a.post(reverse("matching:vaert_rapport", args=[newcomer.pk]), {"rapport": "kom"})
        html = as_foreningskontakt_a.get(url).content.decode()
        current, _sep, past = html.partition("Tidligere</h2>")
        assert "Ingen nye på vej lige nu" in current and "Ved hoveddøren" not in current
        assert "Kom og blev taget godt imod" in past or "Kom" in past

    def test_the_brobygger_sets_their_phone_on_min_profil(self, brobygger_a, as_brobygger_a):
        url = reverse("brobygning:profil")
        assert as_brobygger_a.post(url, {"telefon": "ikke et nummer"}).status_code == 200
        brobygger_a.refresh_from_db()
        assert not brobygger_a.telefon
        assert as_brobygger_a.post(url, {"telefon": "20 30 40 50"}).status_code == 302
        brobygger_a.refresh_from_db()
        assert brobygger_a.telefon.as_e164 == "+4520304050"
