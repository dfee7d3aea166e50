"""The session engine (brobygning/sessions.py): Django's database sessions, read with one plain
statement; the same data, and the same answer for a missing, expired or malformed key."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from brobygning.sessions import SessionStore

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
