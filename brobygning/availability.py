"""Weekly availability: weekday × time of day. Shared by borgere (when they can) and matching."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

WEEKDAYS = [
    (0, _("Mandag")),
    (1, _("Tirsdag")),
    (2, _("Onsdag")),
    (3, _("Torsdag")),
    (4, _("Fredag")),
    (5, _("Lørdag")),
    (6, _("Søndag")),
]
DAYPARTS = [
    ("formiddag", _("formiddag"), 6, 12),
    ("eftermiddag", _("eftermiddag"), 12, 17),
    ("aften", _("aften"), 17, 24),
]
# format_lazy keeps the labels translatable; an f-string would freeze them in the start-up language.
SLOTS = [
    (f"{day}-{part}", format_lazy("{} {}", day_label, part_label))
    for day, day_label in WEEKDAYS
    for part, part_label, _s, _e in DAYPARTS
]
SLOT_CODES = frozenset(code for code, _label in SLOTS)


def slot_labels(codes) -> list[str]:
    """["0-formiddag"] as ["Mandag formiddag"], in the week's order; unknown codes are left out."""
    return [str(label) for code, label in SLOTS if code in set(codes or [])]


def daypart_for_hour(hour: int) -> str:
    for code, _label, start, end in DAYPARTS:
        if start <= hour < end:
            return code
    return "formiddag"
