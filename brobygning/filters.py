import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with one free-text box `q` over `search_fields`."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(label=_("Søg"), method="search",
                                  widget=forms.TextInput(attrs={"type": "search", "maxlength": 100}))

    def search(self, queryset, name, value):
        words = value.split()[:5]
        for word in words:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset
