import django_filters
from django.utils.translation import gettext_lazy as _

from brobygning.filters import SearchFilterSet
from brobygning.models import Tag, TagType

from .models import Faellesskab, FaellesskabStatus, Forening

YES_NO = [("true", _("Ja")), ("false", _("Nej"))]


class ForeningFilter(SearchFilterSet):
    search_fields = ("navn", "kontaktperson", "cvr")
    inklusionsparat = django_filters.BooleanFilter(label=_("Klædt på til at tage imod nye"))
    partnerskab = django_filters.BooleanFilter(label=_("Med i partnerskabet"))

    class Meta:
        model = Forening
        fields = ["q", "inklusionsparat", "partnerskab"]


class FaellesskabFilter(SearchFilterSet):
    search_fields = ("titel", "beskrivelse", "forening__navn")
    kategori = django_filters.ModelChoiceFilter(
        label=_("Kategori"), queryset=Tag.objects.filter(type=TagType.KATEGORI, aktiv=True)
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=FaellesskabStatus.choices)
    aaben_for_nye = django_filters.BooleanFilter(label=_("Åben for nye"))
    postnummer = django_filters.CharFilter(label=_("Postnummer"), field_name="postnummer__nr")

    class Meta:
        model = Faellesskab
        fields = ["q", "kategori", "status", "aaben_for_nye", "postnummer"]
