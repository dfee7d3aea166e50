import django_filters
from django.utils.translation import gettext_lazy as _

from brobygning.filters import ALL, SearchFilterSet, YesNoAllWidget
from brobygning.models import Tag, TagType

from .models import Faellesskab, FaellesskabStatus, Forening


class ForeningFilter(SearchFilterSet):
    search_fields = ("navn", "kontaktperson", "cvr")
    inklusionsparat = django_filters.BooleanFilter(label=_("Klædt på til at tage imod nye"), widget=YesNoAllWidget)
    partnerskab = django_filters.BooleanFilter(label=_("Med i partnerskabet"), widget=YesNoAllWidget)

    class Meta:
        model = Forening
        fields = ["q", "inklusionsparat", "partnerskab"]


class FaellesskabFilter(SearchFilterSet):
    search_fields = ("titel", "beskrivelse", "forening__navn")
    kategori = django_filters.ModelChoiceFilter(
        label=_("Kategori"), queryset=Tag.objects.filter(type=TagType.KATEGORI, aktiv=True), empty_label=ALL
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=FaellesskabStatus.choices, empty_label=ALL)
    aaben_for_nye = django_filters.BooleanFilter(label=_("Åben for nye"), widget=YesNoAllWidget)
    postnummer = django_filters.CharFilter(label=_("Postnummer"), field_name="postnummer__nr")

    class Meta:
        model = Faellesskab
        fields = ["q", "kategori", "status", "aaben_for_nye", "postnummer"]
