"""Search in the public directory. GET parameters: criteria about activities are not personal data."""

import math
from datetime import time

import django_filters
from django import forms
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, FloatField, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import ASin, Coalesce, Cos, Power, Radians, Sin, Sqrt
from django.utils.translation import gettext_lazy as _

from brobygning.availability import DAYPARTS, WEEKDAYS
from brobygning.filters import ALL, choices_in_one_query
from brobygning.models import Postnummer, Tag, TagType

from .models import Faellesskab, Moedetid

EARTH_RADIUS_KM = 6371.0
AFSTANDE = [(2, _("2 km")), (5, _("5 km")), (10, _("10 km")), (25, _("25 km")), (50, _("50 km"))]
ROLLER = [("deltager", _("Deltager")), ("frivillig", _("Frivillig"))]
TIDSPUNKTER = [(code, label) for code, label, _start, _end in DAYPARTS]

# The text the free-text search looks in. On PostgreSQL it is stored, as search_vector() builds it,
# in the generated column `fts` with a GIN index (migration foreninger 0007), which the search reads.
FTS_FIELDS = ("titel", "beskrivelse")
FTS_CONFIG = "danish"


def search_vector():
    return SearchVector(*FTS_FIELDS, config=FTS_CONFIG)


def stored_search(value: str) -> RawSQL:
    """`fts @@ websearch_to_tsquery('danish', value)` on the stored column (PostgreSQL only).

    Reading the column, not the expression, means no row computes to_tsvector, whichever index
    the planner starts from (issue 15).
    """
    table = Faellesskab._meta.db_table
    return RawSQL(f'"{table}"."fts" @@ websearch_to_tsquery(%s::regconfig, %s)',  # noqa: S611 -- params
                  (FTS_CONFIG, value), output_field=BooleanField())


def _tags(tag_type):
    return Tag.objects.filter(type=tag_type, aktiv=True)


class PublicFilterForm(forms.Form):
    def clean_postnummer(self):
        value = (self.cleaned_data.get("postnummer") or "").strip()
        self.postnummer_obj = Postnummer.objects.filter(nr=value).first() if value else None
        if value and self.postnummer_obj is None:
            raise forms.ValidationError(_("Postnummeret findes ikke i Danmark. Skriv fire cifre, fx 5000."))
        return value


class PublicFaellesskabFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Søg"), method="filter_q", max_length=100,
                                  widget=forms.TextInput(attrs={"type": "search", "maxlength": 100}))
    kategori = django_filters.ModelChoiceFilter(label=_("Kategori"), queryset=_tags(TagType.KATEGORI),
                                                empty_label=ALL)
    maalgruppe = django_filters.ModelMultipleChoiceFilter(
        label=_("Udfordringer og målgrupper"), field_name="maalgrupper", queryset=_tags(TagType.UDFORDRING),
        widget=forms.CheckboxSelectMultiple, method="filter_maalgruppe",
    )
    alder = django_filters.NumberFilter(label=_("Alder"), method="filter_alder",
                                        widget=forms.NumberInput(attrs={"min": 0, "max": 120, "inputmode": "numeric"}))
    ugedag = django_filters.MultipleChoiceFilter(label=_("Ugedag"), choices=WEEKDAYS, method="filter_tid",
                                                 widget=forms.CheckboxSelectMultiple)
    tidspunkt = django_filters.MultipleChoiceFilter(label=_("Tidspunkt"), choices=TIDSPUNKTER, method="filter_tid",
                                                    widget=forms.CheckboxSelectMultiple)
    postnummer = django_filters.CharFilter(
        label=_("Tæt på postnummer"), method="filter_afstand",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4, "pattern": "[0-9]{4}",
                                      "autocomplete": "postal-code"}),
    )
    afstand = django_filters.ChoiceFilter(label=_("Højst"), choices=AFSTANDE, empty_label=_("10 km"),
                                          method="filter_noop")
    tilgaengelighed = django_filters.ModelMultipleChoiceFilter(
        label=_("Tilgængelighed"), queryset=_tags(TagType.TILGAENGELIGHED), conjoined=True,
        widget=forms.CheckboxSelectMultiple,
    )
    rolle = django_filters.ChoiceFilter(label=_("Jeg vil være"), choices=ROLLER, empty_label=ALL,
                                        method="filter_rolle")
    aaben_for_nye = django_filters.BooleanFilter(label=_("Kun fællesskaber, der tager imod nye lige nu"),
                                                 method="filter_aaben", widget=forms.CheckboxInput)

    class Meta:
        model = Faellesskab
        form = PublicFilterForm
        fields = ["q", "kategori", "maalgruppe", "alder", "ugedag", "tidspunkt", "postnummer", "afstand",
                  "tilgaengelighed", "rolle", "aaben_for_nye"]

    # The fields whose choices are tags, and of which type.
    TAG_FELTER = {"kategori": TagType.KATEGORI, "maalgruppe": TagType.UDFORDRING,
                  "tilgaengelighed": TagType.TILGAENGELIGHED}

    @property
    def form(self):
        """The form, its three tag lists read in one plain query (not three server-side cursors)."""
        if not hasattr(self, "_form"):
            form = choices_in_one_query(super().form)
            tags = list(Tag.objects.filter(aktiv=True, type__in=list(self.TAG_FELTER.values())))  # Tag's ordering
            for name, tag_type in self.TAG_FELTER.items():
                form.fields[name].forhaandslaest = [tag for tag in tags if tag.type == tag_type]
            self._form = form
        return self._form

    @property
    def more_filters_used(self) -> bool:
        return any(self.data.get(name) for name in self.filters if name != "q")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if connection.vendor == "postgresql":
            return queryset.filter(stored_search(value))
        for word in value.split()[:5]:
            queryset = queryset.filter(Q(titel__icontains=word) | Q(beskrivelse__icontains=word))
        return queryset

    def filter_maalgruppe(self, queryset, name, value):
        """Any of the chosen groups."""
        if not value:
            return queryset
        through = Faellesskab.maalgrupper.through.objects.filter(faellesskab_id=OuterRef("pk"), tag__in=value)
        return queryset.filter(Exists(through))

    def filter_alder(self, queryset, name, value):
        return queryset.filter(Q(alder_min__isnull=True) | Q(alder_min__lte=value),
                               Q(alder_max__isnull=True) | Q(alder_max__gte=value))

    def filter_tid(self, queryset, name, value):
        # Weekday and time of day are one criterion: a meeting time that matches both.
        if name == "tidspunkt" and self.form.cleaned_data.get("ugedag"):
            return queryset  # already applied together with the weekday
        days = self.form.cleaned_data.get("ugedag") or []
        parts = self.form.cleaned_data.get("tidspunkt") or []
        moeder = Moedetid.objects.filter(faellesskab_id=OuterRef("pk"))
        if days:
            moeder = moeder.filter(ugedag__in=[int(d) for d in days])
        if parts:
            condition = Q()
            for code, _label, start, end in DAYPARTS:
                if code in parts:
                    part = Q(fra__gte=time(start))
                    condition |= part & Q(fra__lt=time(end)) if end < 24 else part
            moeder = moeder.filter(condition)
        return queryset.filter(Exists(moeder))

    def filter_afstand(self, queryset, name, value):
        postnummer = self.form.postnummer_obj
        self.origin = postnummer
        km = int(self.form.cleaned_data.get("afstand") or 10)
        # Haversine in the database (Django provides these functions on SQLite too).
        lat, lng = Coalesce("lat", "postnummer__lat"), Coalesce("lng", "postnummer__lng")
        dlat = Radians(lat - postnummer.lat) / 2
        dlng = Radians(lng - postnummer.lng) / 2
        a = Power(Sin(dlat), 2) + Cos(Radians(lat)) * Cos(Radians(postnummer.lat)) * Power(Sin(dlng), 2)
        distance = ExpressionWrapper(2 * EARTH_RADIUS_KM * ASin(Sqrt(a)), output_field=FloatField())
        # A bounding box first, so the exact distance is only computed for nearby rows.
        dlat_deg = km / 111.0
        dlng_deg = km / (111.0 * max(0.2, math.cos(math.radians(postnummer.lat))))
        return (queryset.alias(_lat=lat, _lng=lng)
                .filter(_lat__range=(postnummer.lat - dlat_deg, postnummer.lat + dlat_deg),
                        _lng__range=(postnummer.lng - dlng_deg, postnummer.lng + dlng_deg))
                .annotate(afstand_km=distance)
                .filter(afstand_km__lte=km)
                .order_by("afstand_km", "titel", "pk"))

    def filter_noop(self, queryset, name, value):
        return queryset  # used by filter_afstand

    def filter_rolle(self, queryset, name, value):
        return queryset.filter(**{"for_frivillige" if value == "frivillig" else "for_deltagere": True})

    def filter_aaben(self, queryset, name, value):
        return queryset.filter(aaben_for_nye=True) if value else queryset

