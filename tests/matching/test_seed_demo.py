"""seed_demo: realistic Danish demo data that is valid, stays inside its centre and can be loaded twice."""

import datetime as dt
import random
import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from stdnum.dk import cvr

from borgere.models import SPROG_CODES, Borger, Kanal
from brobygning.availability import SLOT_CODES
from brobygning.models import Frivilligcenter, Medlemskab, Rolle, Tag, TagType, User
from foreninger.models import Faellesskab, FaellesskabStatus, Forening, Frekvens, Moedetid
from matching import demo_data
from matching.management.commands.seed_demo import make_cvr

SLUGS = ("odense", "silkeborg")
LOGINS = [f"{local}@{slug}.demo" for slug in SLUGS for local in ("koordinator", "brobygger", "forening")]


def seed(**kwargs) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def fast_hasher(settings):
    # The production hasher is deliberately slow; these tests care about the data, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded(db, settings, fast_hasher):
    settings.DEBUG = True
    return seed()


def snapshot():
    models = [Frivilligcenter, User, Medlemskab, EmailAddress, Forening, Faellesskab, Moedetid, Borger,
              Medlemskab.foreninger.through, Faellesskab.interesser.through, Faellesskab.maalgrupper.through,
              Faellesskab.tilgaengelighed.through, Borger.interesser.through, Borger.barrierer.through,
              Borger.tilgaengelighedsbehov.through]
    return {m._meta.label: m.objects.count() for m in models}


@pytest.mark.django_db
def test_counts_per_centre(seeded):
    assert Frivilligcenter.objects.filter(slug__in=SLUGS).count() == 2
    for slug in SLUGS:
        center = Frivilligcenter.objects.get(slug=slug)
        assert 12 <= Forening.objects.filter(center=center).count() <= 18
        assert 35 <= Faellesskab.objects.filter(center=center).count() <= 45
        assert 25 <= Borger.objects.filter(center=center).count() <= 35
        for f in Faellesskab.objects.filter(center=center):
            assert 1 <= f.moedetider.count() <= 2, f
        roles = dict(Medlemskab.objects.filter(center=center).values_list("user__email", "rolle"))
        assert roles == {
            f"koordinator@{slug}.demo": Rolle.KOORDINATOR,
            f"brobygger@{slug}.demo": Rolle.BROBYGGER,
            f"forening@{slug}.demo": Rolle.FORENINGSKONTAKT,
        }
        kontakt = Medlemskab.objects.get(center=center, rolle=Rolle.FORENINGSKONTAKT)
        assert 1 <= kontakt.foreninger.count() <= 2
    assert 25 <= Forening.objects.count() <= 35
    assert 70 <= Faellesskab.objects.count() <= 90
    assert 50 <= Borger.objects.count() <= 70


@pytest.mark.django_db
def test_logins_authenticate_and_are_printed(seeded):
    for email in LOGINS:
        user = authenticate(request=None, username=email, password=demo_data.DEMO_PASSWORD)
        assert user is not None, email
        assert user.first_name and user.last_name
        assert EmailAddress.objects.filter(user=user, email=email, verified=True, primary=True).exists()
        assert email in seeded
    assert authenticate(request=None, username=LOGINS[0], password="wrong-password") is None
    assert demo_data.DEMO_PASSWORD in seeded


@pytest.mark.django_db
def test_second_run_creates_nothing(seeded):
    before = snapshot()
    out = seed()
    assert snapshot() == before
    assert "skipping" in out
    for email in LOGINS:
        assert authenticate(request=None, username=email, password=demo_data.DEMO_PASSWORD) is not None


@pytest.mark.django_db
def test_refuses_without_debug_unless_forced(settings, fast_hasher):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed()
    assert not Frivilligcenter.objects.filter(slug__in=SLUGS).exists()
    assert not User.objects.filter(email__in=LOGINS).exists()

    seed(force=True)
    assert Forening.objects.filter(center__slug="odense").exists()
    assert Forening.objects.filter(center__slug="silkeborg").exists()


@pytest.mark.django_db
def test_every_object_passes_full_clean(seeded):
    for model in (Frivilligcenter, User, Forening, Faellesskab, Moedetid, Borger):
        objects = list(model.objects.all())
        assert objects, model
        for obj in objects:
            obj.full_clean()


@pytest.mark.django_db
def test_each_centre_only_references_itself(seeded):
    for f in Faellesskab.objects.select_related("forening"):
        assert f.forening.center_id == f.center_id
    for m in Medlemskab.objects.prefetch_related("foreninger"):
        assert all(forening.center_id == m.center_id for forening in m.foreninger.all())
    for slug in SLUGS:
        borgere = list(Borger.objects.filter(center__slug=slug))
        assigned = [b for b in borgere if b.brobygger_id]
        for b in assigned:
            assert Medlemskab.objects.filter(user=b.brobygger, center=b.center, rolle=Rolle.BROBYGGER).exists()
        # About two thirds have a brobygger; the rest have none yet.
        assert 0.5 <= len(assigned) / len(borgere) <= 0.8
        postnumre = set(demo_data.PLACES[slug]["postnumre"])
        assert {b.postnummer_id for b in borgere} <= postnumre
        assert set(Faellesskab.objects.filter(center__slug=slug).values_list("postnummer", flat=True)) <= postnumre


@pytest.mark.django_db
def test_no_cpr_anywhere(seeded):
    for model in apps.get_models():
        for field in model._meta.get_fields():
            assert "cpr" not in field.name.lower(), f"{model._meta.label}.{field.name}"
    cpr_like = re.compile(r"\b\d{6}-?\d{4}\b")
    for b in Borger.objects.all():
        for value in (b.fornavn, b.efternavn, b.email, b.noter):
            assert not cpr_like.search(value), value


@pytest.mark.django_db
def test_content_is_realistic(seeded):
    today = timezone.localdate()

    foreninger = list(Forening.objects.all())
    with_cvr = [f for f in foreninger if f.cvr]
    assert 0 < len(with_cvr) < len(foreninger)
    assert all(cvr.is_valid(f.cvr) for f in with_cvr)
    assert {f.inklusionsparat for f in foreninger} == {True, False}
    assert {f.partnerskab for f in foreninger} == {True, False}
    for f in foreninger:
        assert f.telefon.as_e164.startswith("+452")
        assert f.email.endswith(".demo")
        assert f.kontaktperson and f.adresse

    faellesskaber = list(Faellesskab.objects.select_related("postnummer", "kategori"))
    assert sum(f.status == FaellesskabStatus.AKTIV for f in faellesskaber) > 0.75 * len(faellesskaber)
    assert sum(f.aaben_for_nye for f in faellesskaber) > 0.75 * len(faellesskaber)
    assert sum(f.pris == 0 for f in faellesskaber) > 0.5 * len(faellesskaber)
    placed = [f for f in faellesskaber if f.lat is not None]
    assert 0.75 * len(faellesskaber) < len(placed) < len(faellesskaber)
    for f in placed:
        assert abs(f.lat - f.postnummer.lat) < 0.05 and abs(f.lng - f.postnummer.lng) < 0.05
    assert any(f.alder_min is None for f in faellesskaber) and any(f.alder_min for f in faellesskaber)
    assert any(f.for_frivillige for f in faellesskaber)
    assert any(f.kapacitet for f in faellesskaber)
    for f in faellesskaber:
        assert f.kategori is not None and f.kategori.type == TagType.KATEGORI
        assert f.beskrivelse and f.velkomst
        assert f.maalgrupper.exists() and f.tilgaengelighed.exists()
        assert all(t.type == TagType.UDFORDRING for t in f.maalgrupper.all())
        assert today - dt.timedelta(days=366) <= f.sidst_bekraeftet <= today
        if f.vaert_email:
            assert f.vaert_email.endswith("@example.org")

    moedetider = list(Moedetid.objects.all())
    assert {m.frekvens for m in moedetider} == {Frekvens.UGENTLIG, Frekvens.HVER_ANDEN_UGE, Frekvens.MAANEDLIG}
    assert sum(m.frekvens == Frekvens.UGENTLIG for m in moedetider) > 0.5 * len(moedetider)
    for m in moedetider:
        assert m.fra < m.til
        if m.frekvens == Frekvens.HVER_ANDEN_UGE:
            assert m.gyldig_fra and m.gyldig_fra.weekday() == m.ugedag
        assert (m.uge_i_maaned is not None) == (m.frekvens == Frekvens.MAANEDLIG)

    borgere = list(Borger.objects.select_related("henvisningskilde"))
    assert len({b.status for b in borgere}) >= 3
    assert any(b.email for b in borgere) and any(not b.email for b in borgere)
    assert any(set(b.sprog) - {"da"} for b in borgere)
    for b in borgere:
        assert 1945 <= b.foedselsaar <= 2008
        assert b.sprog and set(b.sprog) <= SPROG_CODES
        assert b.tilgaengelighed and set(b.tilgaengelighed) <= SLOT_CODES
        assert b.interesser.exists() and b.barrierer.exists()
        assert b.henvisningskilde.type == TagType.HENVISNINGSKILDE
        if b.foretrukken_kanal == Kanal.EMAIL:
            assert b.email.endswith("@example.org")
        else:
            assert b.telefon.as_e164.startswith("+45")


@pytest.mark.django_db
def test_every_tag_name_in_the_demo_data_exists():
    """A renamed taxonomy term would otherwise be skipped silently."""
    known = set(Tag.objects.values_list("type", "navn"))
    wanted = set()
    for tpl in demo_data.ACTIVITIES.values():
        wanted.add((TagType.KATEGORI, tpl["kategori"]))
        wanted |= {(TagType.INTERESSE, n) for n in tpl["interesser"]}
        wanted |= {(TagType.UDFORDRING, n) for n in tpl["maalgrupper"]}
        wanted |= {(TagType.TILGAENGELIGHED, n) for n in tpl["tilgaengelighed"]}
    for places in demo_data.PLACES.values():
        for _nr, _adresse, flags in places["venues"]:
            wanted |= {(TagType.TILGAENGELIGHED, n) for n in flags}
    for profil in demo_data.PROFILER:
        wanted |= {(TagType.INTERESSE, n) for n in profil["interesser"]}
        wanted |= {(TagType.BARRIERE, n) for n in profil["barrierer"]}
        wanted |= {(TagType.TILGAENGELIGHED, n) for n in profil["behov"]}
        wanted |= {(TagType.HENVISNINGSKILDE, n) for n in profil["kilder"]}
    assert wanted - known == set()


def test_cvr_numbers_are_valid_and_deterministic():
    first = [make_cvr(random.Random(7)) for _ in range(3)]
    assert first == [make_cvr(random.Random(7)) for _ in range(3)]
    rng = random.Random(1)
    assert all(cvr.is_valid(make_cvr(rng)) for _ in range(500))


def test_each_role_has_something_to_see(seeded):
    """The demo foreningskontakt has newcomers on the way; the brobygger sees the waiting list."""
    from django.test import Client
    from django.urls import reverse

    from brobygning.models import User

    for slug in SLUGS:
        kontakt = Client()
        kontakt.force_login(User.objects.get(email=f"forening@{slug}.demo"))
        html = kontakt.get(reverse("matching:nye_paa_vej")).content.decode()
        assert "Vi tager imod" in html and "Kom og blev taget godt imod" in html
        brobygger = Client()
        brobygger.force_login(User.objects.get(email=f"brobygger@{slug}.demo"))
        assert brobygger.get(reverse("borgere:venteliste")).status_code == 200


@pytest.mark.django_db
def test_demo_meetings_and_follow_ups_are_made_through_the_services_with_their_reminders(seeded):
    """Issue 12: the demo meetings have their påmindelser, as meetings planned in the app do."""
    from brobygning.models import Paamindelse
    from matching.models import Ledsagelse, LedsagelseStatus, Opfoelgning, Stage

    for slug in SLUGS:
        center = Frivilligcenter.objects.get(slug=slug)
        upcoming = Ledsagelse.objects.get(center=center, tidspunkt__gt=timezone.now())
        pending = set(Paamindelse.objects.filter(emne_type="ledsagelse", emne_id=upcoming.pk, status="afventer")
                      .values_list("art", flat=True))
        assert {"vaert_nyankomst", "brobygger_24t", "brobygger_2t", "borger_24t"} <= pending
        assert upcoming.match.stage == Stage.MOEDE_PLANLAGT
        assert upcoming.match.overgange.count() == 3  # foreslået, accepteret, møde planlagt: each a service step
        held = Ledsagelse.objects.get(center=center, status=LedsagelseStatus.MOEDT_OP)
        assert held.match.stage == Stage.LEDSAGET
        follow_ups = Opfoelgning.objects.filter(match=held.match)
        assert follow_ups.count() == 3
        assert Paamindelse.objects.filter(emne_type="opfoelgning", emne_id__in=follow_ups.values("pk"),
                                          status="afventer").count() == 2  # the day-after one's time had passed: no row


@pytest.mark.django_db
def test_the_network_user_sees_both_demo_centres(seeded):
    user = authenticate(request=None, username=demo_data.NETVAERK_USER[0], password=demo_data.DEMO_PASSWORD)
    assert user is not None and user.netvaerksadgang
    assert not Medlemskab.objects.filter(user=user).exists()
    assert set(Frivilligcenter.objects.filter(deler_med_netvaerk=True).values_list("slug", flat=True)) == set(SLUGS)
    assert demo_data.NETVAERK_USER[0] in seeded
