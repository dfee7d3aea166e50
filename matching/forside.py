"""The front page (forside): what each role sees first, read through the scoped selectors."""

from borgere.gdpr import retention_warnings
from borgere.models import BorgerStatus
from borgere.selectors import anmodning_list, borger_list
from brobygning import access
from brobygning.adgangslog import log_search, volume_alerts
from brobygning.models import Paamindelse, PaamindelseStatus
from foreninger.selectors import faellesskab_list, forening_list
from foreninger.services import stale_q

from . import selectors as matching
from .selectors import bounded

# Every list on a front page is bounded (issue 15): at most LISTE rows, with the total when there
# are more (`selectors.bounded`), so a page costs the same for a centre of 20 borgere or 20,000.
LISTE = 20


def min_dag(*, actor) -> dict:
    """The brobygger's day: meetings soon, outcomes to record, follow-ups due, their borgere."""
    return {
        "ledsagelser": bounded(matching.upcoming_ledsagelser(actor=actor), LISTE),
        "uden_udfald": bounded(matching.past_unrecorded_ledsagelser(actor=actor), LISTE),
        "opfoelgninger": matching.opfoelgninger_med_aabner(matching.due_opfoelgninger(actor=actor), LISTE),
        "borgere": list(borger_list(actor=actor).exclude(status=BorgerStatus.AFSLUTTET)[:LISTE]),
        "kom_ikke": bounded(matching.host_reported_no_show(actor=actor), LISTE),
        "svar": matching.svar_seneste(actor=actor),
        **stille(actor=actor),
        "venteliste": access.can(actor, "venteliste", "list"),
    }


def koordinator_overblik(*, actor) -> dict:
    return {
        "faser": matching.stage_counts(actor=actor),
        "ledsagelser": bounded(matching.upcoming_ledsagelser(actor=actor), LISTE),
        "forfaldne": bounded(matching.due_opfoelgninger(actor=actor, within_days=-1), LISTE),
        "fejlede_paamindelser": failed_reminders_count(actor=actor),
        "uden_brobygger": list(borger_list(actor=actor).filter(brobygger__isnull=True)[:LISTE]),
        "anmodninger": anmodning_list(actor=actor).count(),
        "foraeldede": bounded(stale_faellesskaber(actor=actor), LISTE),
        "interval_uger": actor.center.bekraeft_interval_uger,
        "adgangsalarmer": volume_alerts(center_id=actor.center_id),
        **stille(actor=actor),
        "opbevaring_udloeber": retention_warnings(actor=actor),
    }


def stille(*, actor) -> dict:
    """The silence alarm (issue 12): meetings with no outcome 24 h on, follow-ups 7 days overdue.
    The actor's own on Min dag, the centre's on the koordinator's overview; bounded, with a count."""
    return {"stille_moeder": matching.stille_moeder(actor=actor),
            "stille_opfoelgninger": matching.stille_opfoelgninger(actor=actor)}


def stale_faellesskaber(*, actor):
    """The centre's fællesskaber not confirmed for 2 × N weeks (or never), oldest first."""
    return faellesskab_list(actor=actor).filter(stale_q(actor.center)).order_by("sidst_bekraeftet", "titel")


def failed_reminders_count(*, actor) -> int:
    failed = Paamindelse.objects.filter(status=PaamindelseStatus.FEJLET)
    return access.scope(actor, "paamindelse", failed).count()  # none for roles that may not list them


def forening_overblik(*, actor) -> dict:
    return {"foreninger": forening_list(actor=actor).count(), "faellesskaber": faellesskab_list(actor=actor).count(),
            "nye": matching.nye_paa_vej(actor=actor)}


def for_actor(*, actor) -> tuple[str, dict]:
    """The template and its data for the actor's front page. Its lists of borgere are logged."""
    if actor.is_koordinator or actor.is_brobygger:
        log_search(actor=actor, criteria={"liste": "forside"})
    if actor.is_koordinator:
        return "matching/forside/home_koordinator.html", koordinator_overblik(actor=actor)
    if actor.is_brobygger:
        return "matching/forside/home_brobygger.html", min_dag(actor=actor)
    return "matching/forside/home_forening.html", forening_overblik(actor=actor)
