import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

ALL = _("Alle")


class YesNoAllWidget(BooleanWidget):
    """Ja / Nej / Alle instead of django-filter's Yes / No / Unknown."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", ALL), ("true", _("Ja")), ("false", _("Nej"))]


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with one free-text box `q` over `search_fields`."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(label=_("Søg"), method="search",
                                  widget=forms.TextInput(attrs={"type": "search", "maxlength": 100}))

    @property
    def more_filters_used(self) -> bool:
        """Whether any filter besides the free-text box is set (the form shows them unfolded)."""
        return any(self.data.get(name) for name in self.filters if name != "q")

    def search(self, queryset, name, value):
        words = value.split()[:5]
        for word in words:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset
