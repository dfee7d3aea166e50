"""seed_demo --size: the national dataset (issue 15), written with COPY. PostgreSQL only."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F
from django.test import Client

from borgere.models import Borger, Formaal, Samtale, Samtykke
from brobygning.models import Adgangslog, Frivilligcenter, Medlemskab, Paamindelse, Rolle, User
from foreninger.models import Faellesskab, Forening, Moedetid
from matching import demo_data
from matching.models import Ledsagelse, Match, MatchOvergang, Opfoelgning
from matching.national import SIZES, zipf_split
from matching.national_copy import Copier, ModelDrift

from .. import factories as f

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the national dataset is written with COPY"),
]
TINY = SIZES["tiny"]


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = True  # seed_demo refuses otherwise (the logins have a published password)


@pytest.fixture
def national(fast_hasher) -> str:
    out = StringIO()
    call_command("seed_demo", size="tiny", stdout=out)
    return out.getvalue()


def largest() -> Frivilligcenter:
    return Frivilligcenter.objects.get(slug__startswith="n001-")


def test_counts(national):
    assert Frivilligcenter.objects.count() == TINY.centres
    assert Borger.objects.count() == TINY.borgere
    assert Faellesskab.objects.count() == TINY.faellesskaber
    assert Samtale.objects.count() == TINY.samtaler
    assert Match.objects.count() == TINY.matches
    assert Adgangslog.objects.count() == TINY.adgangslog
    assert Borger.objects.filter(center=largest()).count() == zipf_split(TINY.borgere, TINY.centres)[0]
    assert Moedetid.objects.count() >= TINY.faellesskaber
    for model in (Forening, Ledsagelse, Opfoelgning, MatchOvergang, Paamindelse):
        assert model.objects.exists(), model
    assert Faellesskab.objects.filter(lat__isnull=False).count() > TINY.faellesskaber // 2
    assert Faellesskab.interesser.through.objects.exists()
    assert Paamindelse.objects.filter(status="sendt").exists() and Paamindelse.objects.filter(status="afventer").exists()
    assert "Largest centre: /c/n001-" in national


def test_follow_ups_know_whether_their_match_is_open(national):
    # `Opfoelgning.match_aaben`, written by the COPY: the match's stage, for open and closed matches
    aaben = Opfoelgning.objects.filter(match_aaben=True)
    assert aaben.exists() and Opfoelgning.objects.filter(match_aaben=False).exists()
    assert not aaben.filter(match__stage="afsluttet").exists()
    assert not Opfoelgning.objects.filter(match_aaben=False).exclude(match__stage="afsluttet").exists()


def test_meetings_and_follow_ups_know_their_borgers_brobygger(national):
    # `mindag_brobygger` (migration matching 0022), kept by triggers the COPY fires: the brobygger of the
    # match's borger on every meeting and follow-up, what Min dag finds them by
    from .test_mindag_brobygger import uden_for_trit

    assert uden_for_trit() == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(mindag_brobygger) FROM matching_ledsagelse")
        assert cursor.fetchone()[0] > 0


def test_every_row_stays_in_its_parents_centre(national):
    assert not Faellesskab.objects.exclude(center=F("forening__center")).exists()
    assert not Samtale.objects.exclude(center=F("borger__center")).exists()
    assert not Samtykke.objects.exclude(center=F("borger__center")).exists()
    assert not Samtykke.objects.exclude(center=F("tekst__center")).exists()
    assert not Match.objects.exclude(center=F("borger__center")).exists()
    assert not Match.objects.exclude(center=F("faellesskab__center")).exists()
    assert not Ledsagelse.objects.exclude(center=F("match__center")).exists()
    assert not Opfoelgning.objects.exclude(center=F("match__center")).exists()
    ledsagelse_centre = dict(Ledsagelse.objects.values_list("pk", "center"))
    opfoelgning_centre = dict(Opfoelgning.objects.values_list("pk", "center"))
    for emne_type, emne_id, center in Paamindelse.objects.values_list("emne_type", "emne_id", "center"):
        assert center == {"ledsagelse": ledsagelse_centre, "opfoelgning": opfoelgning_centre}[emne_type][emne_id]
    members = set(Medlemskab.objects.values_list("user", "center"))
    for brobygger, center in Borger.objects.filter(brobygger__isnull=False).values_list("brobygger", "center"):
        assert (brobygger, center) in members
    for bruger, center in Adgangslog.objects.values_list("bruger", "center").distinct():
        assert (bruger, center) in members


def test_consent_first(national):
    registered = set(Samtykke.objects.filter(formaal=Formaal.REGISTRERING).values_list("borger", flat=True))
    assert registered == set(Borger.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("model", [Frivilligcenter, User, Forening, Faellesskab, Moedetid, Borger, Samtykke, Samtale,
                                   Match, MatchOvergang, Ledsagelse, Opfoelgning, Paamindelse, Adgangslog])
def test_a_sample_passes_model_validation(national, model):
    sample = list(model.objects.order_by("?")[:25])
    assert sample
    for obj in sample:
        # A follow-up not yet recorded has no one who recorded it; the services create it so too.
        obj.full_clean(exclude=["udfoert_af"] if model is Opfoelgning and obj.udfoert is None else None)


def test_sequences_continue_after_the_generated_ids(national):
    borger = f.BorgerFactory(center=largest())
    assert borger.pk > max(Borger.objects.exclude(pk=borger.pk).values_list("pk", flat=True))


def test_the_demo_logins_work(national):
    slug = largest().slug
    for local, rolle in (("koordinator", Rolle.KOORDINATOR), ("brobygger1", Rolle.BROBYGGER)):
        user = authenticate(request=None, username=f"{local}@{slug}.demo", password=demo_data.DEMO_PASSWORD)
        assert user is not None
        assert Medlemskab.objects.get(user=user).rolle == rolle
        assert EmailAddress.objects.get(user=user).verified
    brobygger = User.objects.get(email=f"brobygger1@{slug}.demo")
    client = Client()
    client.force_login(brobygger)
    assert client.get("/borgere/").status_code == 200
    mine = Borger.objects.filter(brobygger=brobygger).first()
    assert client.get(f"/borgere/{mine.pk}/").status_code == 200


def test_refuses_a_second_build(national):
    with pytest.raises(CommandError, match="already holds a national dataset"):
        call_command("seed_demo", size="tiny", stdout=StringIO(), force=True)


def test_refuses_next_to_other_data_unless_forced(fast_hasher):
    f.CenterFactory()
    with pytest.raises(CommandError, match="not empty"):
        call_command("seed_demo", size="tiny", stdout=StringIO())
    call_command("seed_demo", size="tiny", stdout=StringIO(), force=True)
    assert Frivilligcenter.objects.count() == TINY.centres + 1


def test_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo", size="tiny", stdout=StringIO())
    assert not Borger.objects.exists()


def test_copy_refuses_a_model_with_a_required_column_it_does_not_fill():
    with pytest.raises(ModelDrift, match="center"):
        Copier().copy(Forening, ["id", "navn"], [])
