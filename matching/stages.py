"""The match state machine: which stage may follow which. Only matching.services changes stages."""

from .models import Stage

TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.FORESLAAET: frozenset({Stage.ACCEPTERET, Stage.AFSLUTTET}),
    Stage.ACCEPTERET: frozenset({Stage.MOEDE_PLANLAGT, Stage.AFSLUTTET}),
    # A cancelled or missed first meeting goes back to "accepted", ready for a new time.
    Stage.MOEDE_PLANLAGT: frozenset({Stage.LEDSAGET, Stage.ACCEPTERET, Stage.AFSLUTTET}),
    Stage.LEDSAGET: frozenset({Stage.BUDT_VELKOMMEN, Stage.AFSLUTTET}),
    Stage.BUDT_VELKOMMEN: frozenset({Stage.AKTIV_1_MD, Stage.AFSLUTTET}),
    Stage.AKTIV_1_MD: frozenset({Stage.AKTIV_3_MD, Stage.AFSLUTTET}),
    Stage.AKTIV_3_MD: frozenset({Stage.AFSLUTTET}),
    Stage.AFSLUTTET: frozenset(),
}

# What a person may choose by hand on the match page. The other steps follow from planning a
# meeting, recording its outcome, and recording follow-ups.
MANUAL = {
    Stage.FORESLAAET: [Stage.ACCEPTERET],
    Stage.LEDSAGET: [Stage.BUDT_VELKOMMEN],
}


def allowed(fra: str, til: str) -> bool:
    return til in TRANSITIONS.get(fra, frozenset())
