"""A member's life in a centre: invitation, deactivation, and what follows."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brobygning.access import actor_for
from brobygning.models import Kalenderfeed, Medlemskab, Rolle

from .. import factories as f
from .. import journey_factories as rf
from ..conftest import client_for


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


class TestOverdragelse:
    """Issue 11: after deactivation the koordinator sees what the person still holds in the centre."""

    def test_deactivation_leads_to_the_borgere_and_meetings_to_reassign(self, world, brobygger_a, koordinator_a,
                                                                         as_koordinator_a):
        medlemskab = Medlemskab.objects.get(user=brobygger_a, center=world.center_a)
        ledsagelse = rf.LedsagelseFactory(
            match=rf.MatchFactory(borger=world.borger_a, center=world.center_a, faellesskab=world.faellesskab_a),
            center=world.center_a, brobygger=brobygger_a, tidspunkt=timezone.now() + timedelta(days=2))
        other_borger = f.BorgerFactory(center=world.center_a, fornavn="Ikke-Hans", brobygger=koordinator_a)
        Medlemskab.objects.create(user=brobygger_a, center=world.center_b, rolle=Rolle.BROBYGGER)
        world.borger_b.brobygger = brobygger_a  # theirs in centre B: not this koordinator's business
        world.borger_b.save()

        response = as_koordinator_a.post(reverse("brobygning:medlem_deactivate", args=[medlemskab.pk]))
        url = reverse("matching:medlem_overdragelse", args=[medlemskab.pk])
        assert response.status_code == 302 and response.url == url
        page = as_koordinator_a.get(url)
        html = page.content.decode()
        assert [b.pk for b in page.context["borgere"]] == [world.borger_a.pk]
        assert [le.pk for le in page.context["ledsagelser"]] == [ledsagelse.pk]
        assert world.borger_a.fornavn in html and other_borger.fornavn not in html
        assert world.borger_b.fornavn not in html
        listing = as_koordinator_a.get(reverse("brobygning:medlem_list")).content.decode()
        assert url in listing

    def test_the_list_is_paginated(self, world, brobygger_a, as_koordinator_a):
        medlemskab = Medlemskab.objects.get(user=brobygger_a, center=world.center_a)
        for _i in range(30):
            f.BorgerFactory(center=world.center_a, brobygger=brobygger_a)
        page = as_koordinator_a.get(reverse("matching:medlem_overdragelse", args=[medlemskab.pk]))
        assert len(page.context["borgere"]) == 25 and page.context["borgere"].paginator.count == 31
