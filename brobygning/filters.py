import django_filters
from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceIterator as FilterModelChoiceIterator
from django_filters.widgets import BooleanWidget

ALL = _("Alle")


class ChoicesInOneQuery(ModelChoiceIterator):
    """A select's choices from one plain query. Django reads them with `QuerySet.iterator()`, which on
    PostgreSQL is a server-side cursor: DECLARE … WITH HOLD, FETCH and CLOSE, three round trips and
    the rows kept until commit, for a list of a few dozen tags or users on every page view."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # A form that reads several fields' choices in one query sets them on the field (`forhaandslaest`).
        rows = getattr(self.field, "forhaandslaest", None)
        for obj in self.queryset.all() if rows is None else rows:
            yield self.choice(obj)


class FilterChoicesInOneQuery(FilterModelChoiceIterator, ChoicesInOneQuery):
    """The same for django-filter's fields (which add a "null" choice after the empty one)."""


def choices_in_one_query(form):
    """Let every model choice field of `form` read its choices in one query (`ChoicesInOneQuery`)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            filter_field = issubclass(field.iterator, FilterModelChoiceIterator)
            field.iterator = FilterChoicesInOneQuery if filter_field else ChoicesInOneQuery
            field.widget.choices = field.choices  # the widget holds the iterator made when the queryset was set
    return form


class YesNoAllWidget(BooleanWidget):
    """Ja / Nej / Alle instead of django-filter's Yes / No / Unknown."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", ALL), ("true", _("Ja")), ("false", _("Nej"))]


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with one free-text box `q` over `search_fields`."""

    search_fields: tuple[str, ...] = ()

    @property
    def form(self):
        if not hasattr(self, "_form"):
            self._form = choices_in_one_query(super().form)
        return self._form

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
