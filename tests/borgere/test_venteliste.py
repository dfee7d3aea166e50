"""The waiting list: switched on by the koordinator, seen by brobyggere, requests decided by the koordinator."""

import pytest
from django.urls import reverse

from borgere.models import AnmodningStatus, Overtagelsesanmodning

from .. import factories as f


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
