""""Er det stadig korrekt?": the signed link, what it may change, and the reminder mail."""

import os
import re
import threading
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from brobygning.access import actor_for_forening_link
from foreninger import services
from foreninger.models import Forening
from foreninger.services import (
    BEKRAEFT_SALT,
    bekraeft_send,
    bekraeft_token,
    faellesskab_update,
    foreninger_due_for_bekraeft,
)
from foreninger.tasks import ask_foreninger_to_confirm

from .. import factories as f
from ..formdata import post_data


class TestSignedLinks:
    @pytest.fixture
    def sent(self, world, locmem_channels, django_capture_on_commit_callbacks):
        world.forening_a.email = "strik@forening.test"
        world.forening_a.save()
        with django_capture_on_commit_callbacks(execute=True):
            assert bekraeft_send(forening=world.forening_a)
        world.forening_a.refresh_from_db()
        # The token as mailed: one signed again now could carry the next second's timestamp.
        [token] = re.findall(r"/stadig-korrekt/([^/\s]+)/", mail.outbox[0].body)
        return token

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

    def test_link_changes_practical_details_but_not_the_host_or_visibility(self, sent, world, client):
        """Issue 11: a forwarded link must not redirect newcomer notices or change public visibility."""
        faellesskab = world.faellesskab_a
        faellesskab.vaert_navn, faellesskab.vaert_email, faellesskab.offentlig = "Hanne", "hanne@forening.test", True
        faellesskab.save()
        url = reverse("foreninger:bekraeft_rediger", args=[sent, faellesskab.pk])
        page = client.get(url)
        assert "vaert_email" not in page.context["form"].fields and "offentlig" not in page.context["form"].fields
        data = {**post_data(page.context), "beskrivelse": "Vi strikker hver tirsdag", "pris": "20",
                "vaert_email": "angriber@evil.test", "vaert_navn": "Mallory", "vaert_telefon": "+4511111111"}
        data.pop("offentlig", None)  # an unticked box: a browser sends nothing
        response = client.post(url, data)
        assert response.status_code == 302, response.context["form"].errors if response.context else ""
        faellesskab.refresh_from_db()
        assert faellesskab.beskrivelse == "Vi strikker hver tirsdag" and faellesskab.pris == 20
        assert (faellesskab.vaert_email, faellesskab.vaert_navn, faellesskab.offentlig) == (
            "hanne@forening.test", "Hanne", True)
        assert faellesskab.vaert_telefon != "+4511111111"

    def test_a_volunteer_gives_the_place_as_an_address_never_coordinates(self, sent, world, client):
        """Issue 16: no latitude/longitude on the link form; a new address drops the old coordinates,
        so the fællesskab is shown at its postal code until someone places it precisely."""
        faellesskab = world.faellesskab_a
        faellesskab.lat, faellesskab.lng = 55.4, 10.38
        faellesskab.save()
        url = reverse("foreninger:bekraeft_rediger", args=[sent, faellesskab.pk])
        page = client.get(url)
        assert 'name="lat"' not in page.content.decode() and "breddegrad" not in page.content.decode()
        response = client.post(url, {**post_data(page.context), "adresse": "Nørregade 5"})
        assert response.status_code == 302
        faellesskab.refresh_from_db()
        assert faellesskab.adresse == "Nørregade 5" and faellesskab.lat is None and faellesskab.lng is None

    def test_the_service_refuses_host_fields_from_a_link_actor(self, sent, world):
        with pytest.raises(ValidationError, match="Log ind"):
            faellesskab_update(actor=actor_for_forening_link(world.forening_a), faellesskab=world.faellesskab_a,
                               data={"vaert_email": "angriber@evil.test", "offentlig": False}, moedetider=[])
        world.faellesskab_a.refresh_from_db()
        assert world.faellesskab_a.vaert_email != "angriber@evil.test" and world.faellesskab_a.offentlig

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


def test_the_beat_task_rechecks_who_is_due_under_the_lock(world, locmem_channels, django_capture_on_commit_callbacks):
    """A forening asked after the task listed it (by another run) is not asked again."""
    Forening.objects.filter(pk=world.forening_a.pk).update(email="strik@forening.test")
    [listed] = [x for x in foreninger_due_for_bekraeft() if x.pk == world.forening_a.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert bekraeft_send(forening=listed, only_if_due=True)  # the other run
        assert not bekraeft_send(forening=listed, only_if_due=True)  # this run, with its stale list
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_beats_mail_each_forening_once_on_postgresql(locmem_channels, monkeypatch):
    """Two runs of the task at once, each with its own connection, both having listed the same due
    foreninger before either mailed: each forening gets one mail."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the concurrency test on PostgreSQL: set DATABASE_URL=postgres://…")
        pytest.skip("needs PostgreSQL: SQLite has no row locks (set DATABASE_URL=postgres://…)")
    center = f.CenterFactory()
    foreninger = [f.ForeningFactory(center=center, email=f"forening{i}@forening.test") for i in range(5)]
    for forening in foreninger:
        f.FaellesskabFactory(forening=forening)
    barrier = threading.Barrier(2)
    listed = services.foreninger_due_for_bekraeft

    def list_then_wait(**kwargs):
        due = listed(**kwargs)
        barrier.wait(timeout=30)  # both runs have decided who is due before either mails
        return due

    monkeypatch.setattr(services, "foreninger_due_for_bekraeft", list_then_wait)
    counts, errors = [], []

    def beat():
        try:
            counts.append(ask_foreninger_to_confirm())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(counts) == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(x.email for x in foreninger)
