"""Centres and memberships: invitations, switching centre, health check."""

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from brobygning.models import AuditEntry, Invitation, Medlemskab, Rolle, User
from brobygning.services import INVITATION_SALT, invitation_token

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Post the invitation form; the email goes out when the transaction commits."""

    def post(client, **data):
        payload = {"fornavn": "Mette", "efternavn": "Lund", "email": "mette@example.org", "rolle": "brobygger"}
        payload.update(data)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("brobygning:invitation_create"), payload)

    return post


def link_from(message) -> str:
    return next(word for word in message.body.split() if "/invitation/" in word)


class TestInvitation:
    def test_koordinator_invites_and_new_user_sets_password(self, invite, as_koordinator_a, center_a, client):
        response = invite(as_koordinator_a)
        assert response.status_code == 302
        [message] = mail.outbox
        assert message.to == ["mette@example.org"] and "Frivilligcenter Odense" in message.subject
        assert message.alternatives and "Vælg adgangskode" in message.alternatives[0][0]
        link = link_from(message)
        page = client.get(link)
        assert page.status_code == 200 and "Vælg en adgangskode" in page.content.decode()
        response = client.post(link, {"password1": "kort", "password2": "kort"})
        assert response.status_code == 200 and not User.objects.filter(email="mette@example.org").exists()
        response = client.post(link, {"password1": "Lang-og-sikker-42", "password2": "Lang-og-sikker-42"})
        assert response.status_code == 302
        user = User.objects.get(email="mette@example.org")
        assert user.check_password("Lang-og-sikker-42") and user.first_name == "Mette"
        assert Medlemskab.objects.get(user=user).rolle == Rolle.BROBYGGER
        assert client.get(reverse("matching:forside")).status_code == 200
        assert client.get(link).status_code == 410  # used once, never again

    def test_expired_and_tampered_links_are_refused(self, invite, as_koordinator_a, client):
        invite(as_koordinator_a)
        invitation = Invitation.objects.get()
        invitation.oprettet = timezone.now() - timezone.timedelta(days=8)
        invitation.save()
        assert client.get(link_from(mail.outbox[0])).status_code == 410
        forged = signing.dumps(invitation.pk, salt="other")
        assert client.get(reverse("brobygning:invitation_accept", args=[forged])).status_code == 410
        assert client.get(reverse("brobygning:invitation_accept", args=["junk"])).status_code == 410

    def test_new_invitation_replaces_the_old_link(self, invite, as_koordinator_a, client):
        invite(as_koordinator_a)
        invite(as_koordinator_a, rolle="koordinator")
        old, new = link_from(mail.outbox[0]), link_from(mail.outbox[1])
        assert client.get(old).status_code == 410 and client.get(new).status_code == 200

    def test_existing_user_joins_second_centre_and_switches(self, invite, as_koordinator_b, koordinator_a, center_a,
                                                           center_b, client):
        invite(as_koordinator_b, email=koordinator_a.email, rolle="brobygger")
        f.log_in(client, koordinator_a)
        response = client.post(link_from(mail.outbox[0]))
        assert response.status_code == 302 and response.url == reverse("matching:forside")
        assert koordinator_a.check_password(f.PASSWORD)  # their password is untouched
        roles = dict(Medlemskab.objects.filter(user=koordinator_a).values_list("center__slug", "rolle"))
        assert roles == {"odense": "koordinator", "silkeborg": "brobygger"}
        assert client.get(reverse("matching:forside")).context["actor"].center == center_a
        client.post(reverse("brobygning:switch_center"), {"center": center_b.pk})
        actor = client.get(reverse("matching:forside")).context["actor"]
        assert actor.center == center_b and actor.is_brobygger
        assert client.get(reverse("brobygning:medlem_list")).status_code == 403  # koordinator only in Odense

    def test_invitation_for_an_existing_account_needs_that_account_logged_in(
            self, invite, as_koordinator_b, koordinator_a, brobygger_a, client):
        """Whoever else holds the link (anonymous, or logged in as someone else) is told to log in as
        the invited account first, and nothing changes; logged in as that account, it works."""
        invite(as_koordinator_b, email=koordinator_a.email, rolle="koordinator")
        link = link_from(mail.outbox[0])
        refusal = "Log ind som den bruger, invitationen er sendt til"

        for holder in (client, f.client_logged_in(brobygger_a)):
            response = holder.post(link, follow=True)
            assert not Medlemskab.objects.filter(user=koordinator_a, center__slug="silkeborg").exists()
            assert Invitation.objects.get().er_aaben
            assert refusal in response.content.decode()
        page = client.get(link)
        assert page.status_code == 200 and refusal in page.content.decode()
        assert 'name="password1"' not in page.content.decode()
        assert "Tag imod invitationen" not in f.client_logged_in(brobygger_a).get(link).content.decode()

        f.log_in(client, koordinator_a)
        assert "Tag imod invitationen" in client.get(link).content.decode()
        assert client.post(link).status_code == 302
        assert Medlemskab.objects.get(user=koordinator_a, center__slug="silkeborg").rolle == Rolle.KOORDINATOR
        assert not Invitation.objects.get().er_aaben

    def test_cannot_switch_into_a_centre_you_are_not_in(self, as_brobygger_a, center_a, center_b):
        as_brobygger_a.post(reverse("brobygning:switch_center"), {"center": center_b.pk})
        assert as_brobygger_a.get(reverse("matching:forside")).context["actor"].center == center_a

    def test_foreningskontakt_needs_a_forening_from_own_centre(self, invite, as_koordinator_a, world):
        response = invite(as_koordinator_a, rolle="foreningskontakt")
        assert response.status_code == 200 and "foreninger" in response.context["form"].errors
        response = invite(as_koordinator_a, rolle="foreningskontakt", foreninger=[world.forening_b.pk])
        assert response.status_code == 200 and Invitation.objects.count() == 0
        assert invite(as_koordinator_a, rolle="foreningskontakt", foreninger=[world.forening_a.pk]).status_code == 302
        assert list(Invitation.objects.get().foreninger.all()) == [world.forening_a]

    def test_token_carries_no_email(self, invite, as_koordinator_a):
        invite(as_koordinator_a)
        token = invitation_token(Invitation.objects.get())
        assert "mette" not in token and signing.loads(token, salt=INVITATION_SALT) == Invitation.objects.get().pk

    def test_deactivated_member_loses_access(self, as_koordinator_a, brobygger_a, as_brobygger_a):
        membership = Medlemskab.objects.get(user=brobygger_a)
        as_koordinator_a.post(reverse("brobygning:medlem_deactivate", args=[membership.pk]))
        membership.refresh_from_db()
        assert not membership.aktiv
        # Their session is gone: the next request asks them to log in (and they no longer can).
        response = as_brobygger_a.get(reverse("borgere:borger_list"))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


class TestHealthz:
    def test_healthy(self, client):
        response = client.get(reverse("brobygning:healthz"))
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}

    def test_broker_down_gives_503(self, client, monkeypatch):
        from brobygning.celery import app

        monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
        response = client.get(reverse("brobygning:healthz"))
        assert response.status_code == 503 and response.json()["broker"] == "fejl"


def test_english_is_available(as_koordinator_a):
    as_koordinator_a.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = as_koordinator_a.get(reverse("matching:forside")).content.decode()
    assert 'lang="en"' in page and "Overview" in page


@pytest.fixture
def admin_client(db):
    """A superuser logged in as through allauth, with the two-factor step the admin needs."""
    superuser = f.give_mfa(f.UserFactory(email="admin@x.test", is_staff=True, is_superuser=True))
    return f.client_logged_in(superuser)


def _admin_post_data(page) -> dict:
    """The admin change form of `page` as the browser would post it back, inlines included."""
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for field in form:
            value = field.value()
            if value is False or value is None:
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def test_membership_added_or_changed_in_admin_is_audited(admin_client, brobygger_a, center_a, center_b):
    """A membership gives a role and a centre's data; the admin's inline writes the audit log too."""
    url = reverse("admin:brobygning_user_change", args=[brobygger_a.pk])
    data = _admin_post_data(admin_client.get(url))
    data.update({"medlemskaber-0-rolle": Rolle.KOORDINATOR,  # the existing membership in A changes role
                 "medlemskaber-TOTAL_FORMS": "2", "medlemskaber-1-center": center_b.pk,
                 "medlemskaber-1-rolle": Rolle.BROBYGGER, "medlemskaber-1-aktiv": "on",
                 "medlemskaber-1-user": brobygger_a.pk})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    in_a, in_b = (Medlemskab.objects.get(user=brobygger_a, center=c) for c in (center_a, center_b))
    assert in_a.rolle == Rolle.KOORDINATOR
    entries = {(e.handling, e.objekt_id, e.center_id): e for e in AuditEntry.objects.filter(objekt_type="medlemskab")}
    changed = entries[("medlemskab.aendret", str(in_a.pk), center_a.pk)]
    created = entries[("medlemskab.oprettet", str(in_b.pk), center_b.pk)]
    assert changed.felter == ["rolle"] and changed.actor.is_superuser and created.actor == changed.actor


def test_taxonomy_is_editable_in_admin(admin_client):
    from brobygning.models import Tag

    tag = Tag.objects.get(type="kategori", slug="dyr")
    url = reverse("admin:brobygning_tag_change", args=[tag.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"type": "kategori", "navn": "Dyr og natur", "slug": "dyr", "gruppe": "",
                                       "sortering": 13, "aktiv": "on"})
    assert response.status_code == 302
    tag.refresh_from_db()
    assert tag.navn == "Dyr og natur"
    assert admin_client.get(reverse("admin:brobygning_auditentry_changelist")).status_code == 200


def test_danish_even_for_an_english_browser(as_koordinator_a):
    page = as_koordinator_a.get(reverse("matching:forside"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="da"' in page and "Overblik" in page
