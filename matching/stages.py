"""The match state machine: which stage may follow which. Only matching.services changes stages."""

from .models import STAGE_ELEMENT, Element, Stage

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


# The match page's stepper: FriSe's four elements, in order (ARCHITECTURE.md, glossary).
ELEMENT_ORDER = [Element.KENDSKAB, Element.FOELGESKAB, Element.VAERTSSKAB, Element.FAELLESSKAB]


def stepper(stage: str) -> list[dict]:
    """The four elements with their state for `stage`: "gjort", "nu" or "senere".

    An ended match shows how far it got: the element it ended in is "nu"."""
    current = STAGE_ELEMENT.get(stage)
    index = ELEMENT_ORDER.index(current) if current else None
    if stage == Stage.AKTIV_3_MD:
        index = len(ELEMENT_ORDER)  # the last step is done
    steps = []
    for i, element in enumerate(ELEMENT_ORDER):
        if index is None:
            state = "senere"
        elif i < index:
            state = "gjort"
        elif i == index:
            state = "nu"
        else:
            state = "senere"
        steps.append({"element": element, "navn": element.label, "tilstand": state,
                      "stage": Stage(stage).label if state == "nu" else ""})
    return steps
