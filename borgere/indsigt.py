"""The art. 15 insight as a person reads it: headed sections, labels instead of field keys, local
dates with the weekday, yes/no, and availability as "Mandag formiddag" (ARCHITECTURE.md, "GDPR").
The JSON download keeps the machine form; this only changes how the page shows the same data."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

# Keys the export builds itself (not model fields, which arrive already labelled).
NOEGLE_TEKST = {
    "forening": _("Forening"),
    "score": _("Score"),
    "tekstversion": _("Tekstversion"),
    "tekst": _("Samtykketekst"),
    "arrangement": _("Arrangement"),
    "type": _("Type"),
    "dato": _("Dato"),
    "moedt": _("Mødte op"),
    "rolle": _("Frivilligrolle"),
}
# Lists of records nested in a match, shown as sub-sections in this order.
UNDERGRUPPER = [
    ("faser", _("Faser")),
    ("moeder", _("Første møder")),
    ("svar_efter_moedet", _("Svar efter mødet")),
    ("opfoelgninger", _("Opfølgninger")),
    ("fremmoede", _("Fremmøde")),
    ("evaluering", _("Evaluering")),
]
SEKTIONER = [
    ("borger", _("Oplysninger")),
    ("samtykker", _("Samtykker")),
    ("samtaler", _("Samtaler")),
    ("matches", _("Matches, møder og opfølgninger")),
    ("arrangementer", _("Arrangementer")),
    ("frivilligroller", _("Frivilligroller")),
    ("maalinger", _("Målinger")),
]


@dataclass
class Post:
    felter: list[tuple[str, str]]
    grupper: list[tuple[str, list["Post"]]] = field(default_factory=list)


@dataclass
class Sektion:
    noegle: str
    titel: str
    poster: list[Post]


def vis_vaerdi(value) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return str(_("Ja") if value else _("Nej"))
    if isinstance(value, datetime):
        lokal = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(lokal, "l j. F Y \\k\\l. H.i")
    if isinstance(value, date):
        return formats.date_format(value, "l j. F Y")
    if isinstance(value, list | tuple):
        return ", ".join(vis_vaerdi(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {vis_vaerdi(v)}" for k, v in value.items())
    return str(value)


def etiket(noegle: str) -> str:
    tekst = str(NOEGLE_TEKST.get(noegle, noegle))
    return tekst[:1].upper() + tekst[1:]


def post(felter: dict) -> Post:
    undergrupper = dict(UNDERGRUPPER)
    return Post(
        felter=[(etiket(k), vis_vaerdi(v)) for k, v in felter.items() if k not in undergrupper],
        grupper=[(str(titel), [post(x) for x in felter[k]]) for k, titel in UNDERGRUPPER if felter.get(k)],
    )


def indsigt_sektioner(data: dict) -> list[Sektion]:
    sektioner = [Sektion("borger", str(SEKTIONER[0][1]), [post(data["borger"])])]
    sektioner += [Sektion(k, str(titel), [post(x) for x in data.get(k, [])]) for k, titel in SEKTIONER[1:]]
    return sektioner


def adgange(data: dict) -> list[dict]:
    return [{**a, "tidspunkt": vis_vaerdi(a["tidspunkt"])} for a in data["adgange"]]
