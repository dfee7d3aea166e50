"""The session engine (brobygning/sessions.py): Django's database sessions, read with one plain
statement; the same data, and the same answer for a missing, expired or malformed key. On PostgreSQL
the user and their memberships come in the session's round trip once the process knows whose session it
is, are used only for that user, and are read in the same request (never kept)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from brobygning.middleware import MFA_SESSION_KEY
from brobygning.sessions import SessionStore, husk_bruger

pytestmark = pytest.mark.django_db


def test_settings_use_it():
    assert settings.SESSION_ENGINE == "brobygning.sessions"


def test_it_reads_what_django_reads(monkeypatch, django_assert_num_queries):
    gemt = SessionStore()
    gemt.update({"a": 1, "b": ["x", "æøå"]})
    gemt.save()
    key = gemt.session_key
    assert DjangoStore(key).load() == {"a": 1, "b": ["x", "æøå"]}

    from django.db.models.sql.compiler import SQLCompiler

    def no_compile(self, *args, **kwargs):  # pragma: no cover - the point is that it is not called
        raise AssertionError("the session's read should not be built by the ORM")

    monkeypatch.setattr(SQLCompiler, "as_sql", no_compile)
    with django_assert_num_queries(1):
        store = SessionStore(key)
        assert store.load() == {"a": 1, "b": ["x", "æøå"]} and store.session_key == key


def test_missing_and_expired_sessions_are_empty_and_forget_their_key(django_assert_num_queries):
    gemt = SessionStore()
    gemt["a"] = 1
    gemt.save()
    Session.objects.filter(session_key=gemt.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    for key in (gemt.session_key, "x" * 32):
        for store in (SessionStore(key), DjangoStore(key)):
            assert store.load() == {} and store.session_key is None
    with django_assert_num_queries(0):
        store = SessionStore("kort")  # shorter than 8: Django refuses the key at once
        assert store.load() == {} and store.session_key is None


def test_a_logged_in_page_reads_its_session(brobygger_a, client):
    client.force_login(brobygger_a)
    assert client.get("/").status_code == 200
    session = SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    assert session.load()["_auth_user_id"] == str(brobygger_a.pk)


postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="one round trip of two statements")


def _statements(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, [q["sql"] for q in ctx.captured_queries]


@postgresql
def test_the_user_is_read_in_the_sessions_round_trip_once_the_session_is_known(koordinator_a, client):
    client.force_login(koordinator_a)
    session = client.session
    session[MFA_SESSION_KEY] = koordinator_a.pk
    session.save()
    url = reverse("brobygning:profil")
    _response, first = _statements(client, url)  # whose session this is, the process learns now
    assert '"django_session"' in first[0] and ";" not in first[0] and '"brobygning_medlemskab"' in first[1]
    response, then = _statements(client, url)
    assert response.status_code == 200 and response.context["user"] == koordinator_a
    assert '"django_session"' in then[0] and '"brobygning_medlemskab"' in then[0].split(";", 1)[1]
    assert len(then) == len(first) - 1 and not any('"brobygning_medlemskab"' in sql for sql in then[1:])


@postgresql
def test_rows_read_for_another_user_are_not_used(koordinator_a, brobygger_a, client):
    client.force_login(brobygger_a)
    assert client.get("/").status_code == 200
    husk_bruger(client.session.session_key, koordinator_a.pk)  # as if the process had it wrong
    response, statements = _statements(client, "/")
    assert response.status_code == 200 and response.context["user"] == brobygger_a
    assert response.context["actor"].rolle == "brobygger" and response.context["actor"].user == brobygger_a
    assert sum('"brobygning_medlemskab"' in sql for sql in statements) == 2  # read again, for the right user
    assert client.get("/").context["user"] == brobygger_a


@postgresql
def test_what_is_read_with_the_session_is_current(koordinator_a, brobygger_a, client):
    client.force_login(brobygger_a)
    assert client.get("/").status_code == 200 and client.get("/").status_code == 200
    brobygger_a.medlemskaber.update(rolle="koordinator")  # now a koordinator: two-factor login applies
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("mfa_activate_totp"))
    brobygger_a.is_active = False
    brobygger_a.save()
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


@postgresql
def test_a_session_that_ended_is_anonymous_with_the_user_remembered(brobygger_a, client):
    client.force_login(brobygger_a)
    assert client.get("/").status_code == 200 and client.get("/").status_code == 200
    Session.objects.all().delete()  # e.g. the user deactivated by a koordinator (services delete the sessions)
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
