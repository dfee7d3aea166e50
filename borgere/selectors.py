"""Reads for borgere, always scoped to the acting user."""

from django.db.models import Exists, OuterRef, Q

from brobygning import access
from brobygning.models import Tag

from .models import STANDARD_SAMTYKKETEKSTER, Borger, Formaal, Henvisning, Maaling, Samtykke, SamtykkeTekst


def borger_list(*, actor):
    return access.scope(actor, "borger", Borger.objects.active().select_related("postnummer", "brobygger"))


def borger_get(*, actor, pk, action="view"):
    qs = Borger.objects.active().select_related("postnummer", "brobygger", "henvisningskilde")
    return access.get_or_deny(actor, "borger", action, qs, pk)


def samtykke_get(*, actor, pk, action="change"):
    return access.get_or_deny(actor, "samtykke", action, Samtykke.objects.select_related("borger"), pk)


def samtykke_list(*, actor, borger):
    return access.scope(actor, "samtykke", Samtykke.objects.filter(borger=borger)).select_related("registreret_af", "tekst")


def gaeldende_samtykketekster(*, center_id) -> list[tuple[Formaal, str]]:
    """(purpose, text) a borger would consent to now: the centre's newest version, else the standard text."""
    tekster = {formaal: str(tekst) for formaal, tekst in STANDARD_SAMTYKKETEKSTER.items()}
    seen = set()
    for formaal, tekst in SamtykkeTekst.objects.filter(center_id=center_id).order_by("-version").values_list(
            "formaal", "tekst"):
        if formaal not in seen:
            seen.add(formaal)
            tekster[formaal] = tekst
    return [(formaal, tekster[formaal]) for formaal in Formaal]


def maaling_list(*, actor, borger):
    return access.scope(actor, "maaling", Maaling.objects.filter(borger=borger))


BORGER_TAG_FIELDS = ("interesser", "barrierer", "tilgaengelighedsbehov")


def borger_tags(*, borger) -> dict[str, list[Tag]]:
    """The borger's interests, barriers and accessibility needs, in one query instead of three."""
    through = {name: getattr(Borger, name).through.objects.filter(borger_id=borger.pk).values("tag_id")
               for name in BORGER_TAG_FIELDS}
    condition = Q()
    for rows in through.values():
        condition |= Q(pk__in=rows)
    tags = Tag.objects.filter(condition).annotate(
        **{f"i_{name}": Exists(rows.filter(tag_id=OuterRef("pk"))) for name, rows in through.items()}
    )
    return {name: [t for t in tags if getattr(t, f"i_{name}")] for name in BORGER_TAG_FIELDS}


def maaling_summary(*, actor, borger) -> list[dict]:
    """Each scale's scores over time, and the change from the first to the latest."""
    by_type: dict[str, list[Maaling]] = {}
    for maaling in maaling_list(actor=actor, borger=borger):
        by_type.setdefault(maaling.type, []).append(maaling)
    return [
        {"navn": items[0].get_type_display(), "maalinger": items,
         "aendring": items[-1].score - items[0].score if len(items) > 1 else None}
        for items in by_type.values()
    ]


def henvisning_list(*, actor, status=None):
    qs = access.scope(actor, "henvisning", Henvisning.objects.select_related("kilde", "postnummer"))
    return qs.filter(status=status) if status else qs


def henvisning_get(*, actor, pk, action="view"):
    qs = Henvisning.objects.select_related("kilde", "postnummer", "samtykketekst", "borger", "behandlet_af")
    return access.get_or_deny(actor, "henvisning", action, qs, pk)
