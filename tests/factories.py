import time

import factory
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.mfa.models import Authenticator
from django.test import Client

from borgere.models import Borger, Formaal, Samtykke, SamtykkeMaade
from borgere.services import gaeldende_samtykketekst
from brobygning.models import Frivilligcenter, Medlemskab, Postnummer, Rolle, Tag, User
from foreninger.models import Faellesskab, Forening, Moedetid

PASSWORD = "brobygning-test-1234"


def postnummer(nr="5000"):
    return Postnummer.objects.get(nr=nr)


def tag(type_, slug):
    return Tag.objects.get(type=type_, slug=slug)


class CenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Frivilligcenter
        django_get_or_create = ("slug",)

    navn = factory.Sequence(lambda n: f"Frivilligcenter {n}")
    slug = factory.Sequence(lambda n: f"center-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"bruger{n}@example.org")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def persist(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MedlemskabFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Medlemskab

    user = factory.SubFactory(UserFactory)
    center = factory.SubFactory(CenterFactory)
    rolle = Rolle.BROBYGGER


def give_mfa(user):
    """A TOTP authenticator, so a koordinator passes the MFA requirement in tests."""
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "test"})
    return user


def log_in(client, user):
    """`force_login`, as after allauth's whole login: for a user with an authenticator, the session
    also records the two-factor step, which the MFA middleware asks for."""
    client.force_login(user)
    if Authenticator.objects.filter(user=user).exists():
        now = time.time()
        session = client.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": now},
                                                       {"method": "mfa", "at": now, "type": "totp"}]
        session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
        session.save()
    return client


def client_logged_in(user) -> Client:
    """A test client logged in as `user` (with the two-factor step when they have an authenticator)."""
    return log_in(Client(), user)


class ForeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forening

    center = factory.SubFactory(CenterFactory)
    navn = factory.Sequence(lambda n: f"Forening {n}")
    postnummer = factory.LazyFunction(postnummer)


class FaellesskabFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Faellesskab

    forening = factory.SubFactory(ForeningFactory)
    center = factory.SelfAttribute("forening.center")
    titel = factory.Sequence(lambda n: f"Fællesskab {n}")
    beskrivelse = "Vi mødes og hygger."
    postnummer = factory.LazyFunction(postnummer)


class MoedetidFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Moedetid

    faellesskab = factory.SubFactory(FaellesskabFactory)
    ugedag = 1
    fra = "17:00"
    til = "19:00"


class BorgerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Borger
        skip_postgeneration_save = True

    center = factory.SubFactory(CenterFactory)
    fornavn = factory.Faker("first_name", locale="da_DK")
    efternavn = factory.Faker("last_name", locale="da_DK")
    telefon = "+4520123456"
    postnummer = factory.LazyFunction(postnummer)
    foedselsaar = 1980

    @factory.post_generation
    def registreringssamtykke(obj, create, extracted, **kwargs):
        """Registration consent, as borger_create records it (issue 12: consent first), so a test
        borger can be described and matched. `BorgerFactory(registreringssamtykke=False)` for one without."""
        if create and extracted is not False:
            Samtykke.objects.create(
                center=obj.center, borger=obj, formaal=Formaal.REGISTRERING, maade=SamtykkeMaade.MUNDTLIGT,
                tekst=gaeldende_samtykketekst(center_id=obj.center_id, formaal=Formaal.REGISTRERING))


def samtykke_data(center) -> dict:
    """The registration consent fields of the "Ny borger" form, as a koordinator fills them in."""
    tekst = gaeldende_samtykketekst(center_id=center.pk, formaal=Formaal.REGISTRERING)
    return {"samtykke": "on", "samtykke_maade": "mundtligt", "samtykke_version": tekst.pk}
