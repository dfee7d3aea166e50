"""The authentication backend (brobygning/auth.py): the user and their active memberships, with the
menu's count of new referrals, in one query; the same answers as Django's ModelBackend."""

import pytest
from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from borgere.models import Formaal, Henvisning, HenvisningStatus
from borgere.services import gaeldende_samtykketekst
from brobygning.access import AKTIVE_MEDLEMSKABER, actor_for
from brobygning.auth import Backend
from brobygning.models import Medlemskab, Rolle, TagType

from .. import factories as f
from ..conftest import compiles_from_here

pytestmark = pytest.mark.django_db


def test_sessions_name_this_backend_first():
    assert settings.AUTHENTICATION_BACKENDS[0] == "brobygning.auth.Backend"


def test_user_and_memberships_in_one_query(koordinator_a, center_a, center_b, django_assert_num_queries):
    Medlemskab.objects.create(user=koordinator_a, center=center_b, rolle=Rolle.BROBYGGER)
    Medlemskab.objects.create(user=koordinator_a, center=f.CenterFactory(navn="Aabenraa"), rolle=Rolle.BROBYGGER,
                              aktiv=False)
    Henvisning.objects.create(center=center_a, fornavn="Henvist", telefon="+4520304050", status=HenvisningStatus.NY,
                              kilde=f.tag(TagType.HENVISNINGSKILDE, "jobcenter"),
                              samtykketekst=gaeldende_samtykketekst(center_id=center_a.pk, formaal=Formaal.REGISTRERING))
    with django_assert_num_queries(1):
        user = Backend().get_user(koordinator_a.pk)
        medlemskaber = getattr(user, AKTIVE_MEDLEMSKABER)
        assert [(m.center.navn, m.rolle) for m in medlemskaber] == [("Frivilligcenter Odense", Rolle.KOORDINATOR),
                                                                    ("Frivilligcenter Silkeborg", Rolle.BROBYGGER)]
        assert all(m.user is user for m in medlemskaber)
        assert [m.nye_henvisninger for m in medlemskaber] == [1, 0]
        actor = actor_for(user, center_b.pk)
        assert (actor.center_id, actor.rolle, actor.koordinator_anywhere) == (center_b.pk, Rolle.BROBYGGER, True)
    assert user == ModelBackend().get_user(koordinator_a.pk)


def test_a_user_without_memberships_and_an_inactive_user(koordinator_a):
    ingen = f.UserFactory(email="ingen@example.org")
    user = Backend().get_user(ingen.pk)
    assert user == ingen and not getattr(user, AKTIVE_MEDLEMSKABER, None)
    assert actor_for(user).medlemskab is None
    koordinator_a.is_active = False
    koordinator_a.save()
    assert Backend().get_user(koordinator_a.pk) is None  # as ModelBackend: inactive users are not loaded
    assert ModelBackend().get_user(koordinator_a.pk) is None
    assert Backend().get_user(10 ** 9) is None


def test_a_session_of_the_old_backend_path_is_logged_out(koordinator_a, client):
    client.force_login(koordinator_a, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/paamindelser/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_memberships_query_is_compiled_once_and_gives_what_the_orm_gives(koordinator_a, center_a, center_b,
                                                                              monkeypatch, django_assert_num_queries):
    from brobygning.access import aktive_medlemskaber

    koordinator_a.telefon = "+4520304050"  # a field with a converter (PhoneField)
    koordinator_a.save()
    Medlemskab.objects.create(user=koordinator_a, center=center_b, rolle=Rolle.BROBYGGER)
    Henvisning.objects.create(center=center_a, fornavn="Henvist", telefon="+4520304051", status=HenvisningStatus.NY,
                              kilde=f.tag(TagType.HENVISNINGSKILDE, "jobcenter"),
                              samtykketekst=gaeldende_samtykketekst(center_id=center_a.pk, formaal=Formaal.REGISTRERING))
    Backend().get_user(koordinator_a.pk)  # compiled here, if not before
    compiles = compiles_from_here(monkeypatch)
    with django_assert_num_queries(1):
        user = Backend().get_user(str(koordinator_a.pk))  # the session keeps the id as text
    assert compiles == []
    orm = list(aktive_medlemskaber(koordinator_a.pk).select_related("user"))

    def fields(obj):
        return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}

    medlemskaber = getattr(user, AKTIVE_MEDLEMSKABER)
    assert [fields(m) for m in medlemskaber] == [fields(m) for m in orm]
    assert [fields(m.center) for m in medlemskaber] == [fields(m.center) for m in orm]
    assert [m.nye_henvisninger for m in medlemskaber] == [m.nye_henvisninger for m in orm] == [1, 0]
    assert fields(user) == fields(orm[0].user) and str(user.telefon) == "+45 20 30 40 50"  # converted
    assert all(not m._state.adding and m._state.db == "default" for m in (*medlemskaber, user))
    other = Backend().get_user(f.UserFactory(email="anden@example.org").pk)  # the same statement, another user
    assert other.email == "anden@example.org" and not getattr(other, AKTIVE_MEDLEMSKABER, None)
