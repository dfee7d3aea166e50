"""Factories for the journey objects the reminder tests need (created directly with the ORM)."""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import factory
from django.utils import timezone

from borgere.models import Samtykke, SamtykkeMaade
from borgere.services import gaeldende_samtykketekst
from matching import services
from matching.models import Ledsagelse, LedsagelseStatus, Match, Opfoelgning, OpfoelgningType, Stage

from . import factories as f


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    borger = factory.SubFactory(f.BorgerFactory)
    center = factory.SelfAttribute("borger.center")
    faellesskab = factory.SubFactory(
        f.FaellesskabFactory, forening=factory.SubFactory(f.ForeningFactory, center=factory.SelfAttribute("...center"))
    )
    stage = Stage.MOEDE_PLANLAGT


class LedsagelseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ledsagelse

    match = factory.SubFactory(MatchFactory)
    center = factory.SelfAttribute("match.center")
    tidspunkt = factory.LazyFunction(lambda: timezone.now() + timedelta(days=5))
    brobygger = factory.SubFactory(f.UserFactory)
    moedested = "Ved indgangen"


class OpfoelgningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opfoelgning

    match = factory.SubFactory(MatchFactory)
    center = factory.SelfAttribute("match.center")
    type = OpfoelgningType.DAGEN_EFTER
    forfalder = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=1))


class SamtykkeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Samtykke

    borger = factory.SubFactory(f.BorgerFactory)
    center = factory.SelfAttribute("borger.center")
    formaal = "paamindelser"
    maade = SamtykkeMaade.MUNDTLIGT
    tekst = factory.LazyAttribute(lambda o: gaeldende_samtykketekst(center_id=o.borger.center_id, formaal=o.formaal))


def give_consent(borger, *formaal):
    for purpose in formaal:
        SamtykkeFactory(borger=borger, formaal=purpose)


def planned_ledsagelse(*, center=None, when=None, consents=("paamindelser", "deling_med_vaert"), kanal="sms",
                       borger_kwargs=None, **kwargs) -> Ledsagelse:
    """A planned first meeting with everything a full set of reminders needs: a brobygger with an
    e-mail address, a host with an e-mail address, a borger reachable by `kanal`, and consents."""
    center = center or f.CenterFactory(email="kontakt@center.test", telefon="66 11 22 33")
    brobygger = f.UserFactory(first_name="Mette")
    f.MedlemskabFactory(user=brobygger, center=center)
    forening = f.ForeningFactory(center=center)
    faellesskab = f.FaellesskabFactory(
        forening=forening, titel="Strik og snak", adresse="Vestergade 1", vaert_navn="Hanne",
        vaert_email="hanne@forening.test",
    )
    borger = f.BorgerFactory(center=center, fornavn="Anna", brobygger=brobygger, email="anna@borger.test",
                             foretrukken_kanal=kanal, **(borger_kwargs or {}))
    give_consent(borger, *consents)
    match = MatchFactory(borger=borger, center=center, faellesskab=faellesskab)
    return LedsagelseFactory(match=match, center=center, brobygger=brobygger,
                             tidspunkt=when or timezone.now() + timedelta(days=5), **kwargs)


# --- Through the services, as a brobygger would ------------------------------------------------------


def plan(actor, match, when=None, **extra):
    data = {"tidspunkt": when or timezone.now() + timedelta(days=3), "varighed_min": 120,
            "moedested": "Ved indgangen", "transport": "", "brobygger": actor.user, "velkomstnote": ""}
    data.update(extra)
    return services.ledsagelse_plan(actor=actor, match=match, data=data)


def attend(actor, match):
    ledsagelse = plan(actor, match)
    # The meeting is over (it started varighed_min + 1 hour ago), so the day-after follow-up is open.
    ledsagelse.tidspunkt = timezone.now() - timedelta(minutes=ledsagelse.varighed_min + 60)
    ledsagelse.save()
    return services.ledsagelse_outcome(actor=actor, ledsagelse=ledsagelse, status=LedsagelseStatus.MOEDT_OP)


@contextmanager
def moved_clock(**delta):
    """Run as if it were `timedelta(**delta)` from now: `timezone.now`, and with it `localdate` and
    `localtime`, move; so a follow-up due in a month can be recorded "in a month" (its window)."""
    real_now = timezone.now
    with mock.patch("django.utils.timezone.now", lambda: real_now() + timedelta(**delta)):
        yield
