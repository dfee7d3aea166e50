import django_filters
from django.db.models import Value
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from brobygning.filters import ALL, SearchFilterSet, YesNoAllWidget
from brobygning.models import Tag, TagType

from .models import Borger, BorgerStatus


class BorgerFilter(SearchFilterSet):
    search_fields = ("fornavn", "efternavn", "email", "telefon")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=BorgerStatus.choices, empty_label=ALL)
    interesse = django_filters.ModelChoiceFilter(
        label=_("Interesse"), field_name="interesser",
        queryset=Tag.objects.filter(type=TagType.INTERESSE, aktiv=True), empty_label=ALL,
    )
    uden_brobygger = django_filters.BooleanFilter(label=_("Uden brobygger"), field_name="brobygger",
                                                  lookup_expr="isnull", widget=YesNoAllWidget)
    postnummer = django_filters.CharFilter(label=_("Postnummer"), field_name="postnummer__nr")

    class Meta:
        model = Borger
        fields = ["q", "status", "interesse", "uden_brobygger", "postnummer"]

    def search(self, queryset, name, value):
        """Each word in name, e-mail or phone (`search_fields`), through the stored `soegetekst`."""
        for word in value.split()[:5]:
            queryset = queryset.filter(soegetekst__contains=Upper(Value(word)))
        return queryset

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        if not actor.is_koordinator:
            del self.filters["uden_brobygger"]  # a brobygger only sees their own borgere anyway
