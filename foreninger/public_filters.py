"""Search in the public directory. GET parameters: criteria about activities are not personal data."""

import math
from datetime import time
from functools import cache

import django_filters
from django import forms
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
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


class _Haversine(Func):
    """The great-circle distance in km from `origin` (a Postnummer) to the point (lat, lng): one node
    for the ORM to resolve and copy, not the ~25 of the formula written with Radians, Sin, Cos and
    friends (which was the same SQL: Django provides these functions on SQLite too)."""

    output_field = FloatField()

    def __init__(self, lat, lng, origin):
        super().__init__(lat, lng)
        self.origin = (origin.lat, origin.lng)

    def as_sql(self, compiler, connection, **extra_context):
        (lat, lat_params), (lng, lng_params) = (compiler.compile(e) for e in self.get_source_expressions())
        olat, olng = self.origin
        return _haversine_sql(lat, lng), (2 * EARTH_RADIUS_KM, *lat_params, olat, 2, 2, *lat_params, olat,
                                          *lng_params, olng, 2, 2)


def _haversine_sql(lat: str, lng: str) -> str:
    """The great-circle distance from a point (`_haversine_params`) to (lat, lng), SQL expressions
    without parameters."""
    return (f"(%s * ASIN(SQRT((POWER(SIN((RADIANS(({lat} - %s)) / %s)), %s) + ((COS(RADIANS({lat})) * "
            f"COS(RADIANS(%s))) * POWER(SIN((RADIANS(({lng} - %s)) / %s)), %s))))))")


def _haversine_params(olat: float, olng: float) -> tuple:
    """`_haversine_sql`'s parameters for two columns (as `_Haversine` writes them)."""
    return (2 * EARTH_RADIUS_KM, olat, 2, 2, olat, olng, 2, 2)


def _boks(origin, km: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """A bounding box around `origin` holding every point within `km`: (lat range, lng range)."""
    dlat_deg = km / 111.0
    dlng_deg = km / (111.0 * max(0.2, math.cos(math.radians(origin.lat))))
    return (origin.lat - dlat_deg, origin.lat + dlat_deg), (origin.lng - dlng_deg, origin.lng + dlng_deg)


def med_afstand(queryset, origin, km: int):
    """The directory's list near a postal code: the rows within `km` of `origin` (own coordinates,
    else the postal code's), nearest first, then by title and id; each with `afstand_km`."""
    lat, lng = Coalesce("lat", "postnummer__lat"), Coalesce("lng", "postnummer__lng")
    lat_range, lng_range = _boks(origin, km)
    # The box first, so the exact distance is only computed for nearby rows.
    return (queryset.alias(_lat=lat, _lng=lng)
            .filter(_lat__range=lat_range, _lng__range=lng_range)
            .annotate(afstand_km=_Haversine(lat, lng, origin))
            .filter(afstand_km__lte=km)
            .order_by("afstand_km", "titel", "pk"))


class PublicFilterForm(forms.Form):
    forhaandslaest_postnummer = None  # (value, [the Postnummer] or []) if read already (`PublicFaellesskabFilter`)

    def clean_postnummer(self):
        value = (self.cleaned_data.get("postnummer") or "").strip()
        if value and self.forhaandslaest_postnummer is not None and self.forhaandslaest_postnummer[0] == value:
            self.postnummer_obj = next(iter(self.forhaandslaest_postnummer[1]), None)
        else:
            self.postnummer_obj = Postnummer.objects.filter(nr=value).first() if value else None
        if value and self.postnummer_obj is None:
            raise forms.ValidationError(_("Postnummeret findes ikke i Danmark. Skriv fire cifre, fx 5000."))
        return value

    def _valgte(self, name):
        """The tags chosen in `name`; none chosen as [], not the field's `queryset.none()`: the filter asks
        whether it is empty, and asking a QuerySet compiles its query (0.13 ms a field on every search)."""
        value = self.cleaned_data.get(name)
        return [] if isinstance(value, QuerySet) and value.query.is_empty() else value

    def clean_maalgruppe(self):
        return self._valgte("maalgruppe")

    def clean_tilgaengelighed(self):
        return self._valgte("tilgaengelighed")


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
        label=_("Tilgængelighed"), queryset=_tags(TagType.TILGAENGELIGHED), widget=forms.CheckboxSelectMultiple,
        method="filter_tilgaengelighed",
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

    _form_class = None

    def __init__(self, *args, tags=None, postnummer=None, **kwargs):
        """`tags`: the active tags of `TAG_FELTER`'s types in Tag's order, if read already
        (`selectors.public_center_og_tags`), else the form reads them; `postnummer`: (the value sent,
        [its Postnummer] or []), if read already, else the form reads it."""
        super().__init__(*args, **kwargs)
        self._tags, self._postnummer = tags, postnummer

    def get_form_class(self):
        """django-filter makes the form's class on every request, a field per filter; its fields are
        the same every time (static choices and querysets, copied by each form), so made once."""
        cls = type(self)
        if cls.__dict__.get("_form_class") is None:
            cls._form_class = super().get_form_class()
        return cls._form_class

    @property
    def form(self):
        """The form, its three tag lists read in one plain query (not three server-side cursors)."""
        if not hasattr(self, "_form"):
            form = choices_in_one_query(super().form)
            tags = self._tags
            if tags is None:
                tags = list(Tag.objects.filter(aktiv=True, type__in=list(self.TAG_FELTER.values())))  # Tag's ordering
            for name, tag_type in self.TAG_FELTER.items():
                form.fields[name].forhaandslaest = [tag for tag in tags if tag.type == tag_type]
            form.forhaandslaest_postnummer = self._postnummer
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
            self.tekst = True
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

    def filter_tilgaengelighed(self, queryset, name, value):
        """Every chosen feature, each an EXISTS: not a join per feature and DISTINCT (django-filter's
        `conjoined`), under which the nearest-first page's subqueries (`naermeste`) were invalid SQL."""
        through = Faellesskab.tilgaengelighed.through.objects
        for tag in value:
            queryset = queryset.filter(Exists(through.filter(faellesskab_id=OuterRef("pk"), tag=tag)))
        return queryset

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

    tekst = False  # the search has words, read by the stored tsvector (filter_q, PostgreSQL)
    origin = None  # the postal code searched near, and the distance asked for (filter_afstand)
    km = None

    def filter_afstand(self, queryset, name, value):
        # Applied in `qs`, after every other filter: `uden_afstand` is then the rest of the search,
        # which the nearest-first page on PostgreSQL (`naermeste`) starts from.
        self.origin = self.form.postnummer_obj
        self.km = int(self.form.cleaned_data.get("afstand") or 10)
        return queryset

    @property
    def qs(self):
        if not hasattr(self, "_med_afstand"):
            self.uden_afstand = super().qs
            self._med_afstand = (self.uden_afstand if self.origin is None
                                 else med_afstand(self.uden_afstand, self.origin, self.km))
        return self._med_afstand

    def filter_noop(self, queryset, name, value):
        return queryset  # used by filter_afstand

    def filter_rolle(self, queryset, name, value):
        return queryset.filter(**{"for_frivillige" if value == "frivillig" else "for_deltagere": True})

    def filter_aaben(self, queryset, name, value):
        return queryset.filter(aaben_for_nye=True) if value else queryset



# --- Near a postal code on PostgreSQL: the nearest rows first, not every row of the centre (issue 15) ---
# filter_afstand defines the list: rows within the distance, by the great-circle distance (haversine),
# then title, then id. Ordering that computes the distance of every public row of the centre (all
# 4,318 of the largest centre lie within 10 km of its postal codes). `naermeste` finds the same page
# from the nearest rows only, through GiST indexes that leading with the centre (migration
# matching.0018: (center_id, ll_to_earth(lat, lng)) for rows with their own coordinates; matching's
# (center_id, postnummer_id) for rows without, and the postal codes' ll_to_earth index).

# earth_box() takes metres on earthdistance's sphere (radius 6,378,168 m); afstand_km is on 6,371 km.
_EARTH_BOX_M_PER_KM = 1000.0 * 6378.168 / EARTH_RADIUS_KM


@cache
def _inden_sql() -> str:
    """The rows within an earth_box around a point (`point <@ earth_box(…)`): rows with their own
    coordinates by matching 0018's GiST index, the others by their postal code among those in the box
    (`= ANY(ARRAY(…))`, under the OR an index condition, unlike `IN (subquery)`); the SQL the ORM wrote
    from expressions, now written once per process, not built and compiled per page (issue 15).
    Parameters: the centre's id, then lat, lng and radius (m) twice."""
    f, p = Faellesskab._meta, Postnummer._meta
    t = f'"{f.db_table}"'
    lat, lng, center, postnummer = (f'{t}."{f.get_field(name).column}"' for name in ("lat", "lng", "center",
                                                                                     "postnummer"))
    return (f'(({center} = (%s)::bigint AND {lat} IS NOT NULL AND {lng} IS NOT NULL AND '  # noqa: S608 -- names
            f'(ll_to_earth({lat}, {lng}) <@ earth_box(ll_to_earth(%s, %s), %s))) OR (({lat} IS NULL OR {lng} IS NULL) '
            f'AND ({postnummer} = ANY(ARRAY(SELECT U0."{p.pk.column}" AS "{p.pk.column}" FROM "{p.db_table}" U0 '
            f'WHERE (ll_to_earth(U0."lat", U0."lng") <@ earth_box(ll_to_earth(%s, %s), %s)))))))')


def _where(queryset) -> tuple[str, list]:
    """The WHERE clause of `queryset` (the search without the distance: rows of one table, no joins)
    as SQL and parameters, compiled by the ORM, for `_naermeste_sql` to put in its statements."""
    query = queryset.query
    if any(count for alias, count in query.alias_refcount.items() if alias != query.base_table):
        raise ValueError("a search filter joined another table; naermeste's statements name only their own")
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.compile(query.where)
    return sql or "TRUE", list(params)


def _naermeste_sql(where: str, k: int, graense: int) -> tuple[str, str]:
    """`naermeste`'s two statements, the SQL the ORM wrote from querysets, written here around the
    search's WHERE (`_where`), so only that is compiled per request (issue 15):

    - the k-th nearest row with own coordinates, the k-th nearest without (within `km`), and the
      list's count up to `graense`. Parameters: per part, the haversine's and the WHERE's; then the
      centre's id and the origin (the KNN), the origin and radius (m) of `km`'s box and the origin
      (the postal codes' KNN), and the box and `km` of the count;
    - the page's keys (id, distance) within a bound, in the list's order, followed by `LIMIT %s
      OFFSET %s`. Parameters: the haversine's, the WHERE's, the box, `km`, `_inden_sql`'s, the
      haversine's and the bound."""
    f, p = Faellesskab._meta, Postnummer._meta
    t, pt = f'"{f.db_table}"', f'"{p.db_table}"'
    lat, lng, center, postnummer, titel = (f'{t}."{f.get_field(name).column}"' for name in (
        "lat", "lng", "center", "postnummer", "titel"))
    plat, plng, pnr = f'{pt}."lat"', f'{pt}."lng"', f'{pt}."{p.pk.column}"'
    join = f"{t} INNER JOIN {pt} ON ({postnummer} = {pnr})"
    clat, clng = f"COALESCE({lat}, {plat})", f"COALESCE({lng}, {plng})"
    afstand = _haversine_sql(clat, clng)
    listen = f"{join} WHERE ({where} AND {clat} BETWEEN %s AND %s AND {clng} BETWEEN %s AND %s AND {afstand} <= %s"  # as med_afstand
    # Rows with coordinates: on their own columns (no postal-code join) and without the box or the `km`
    # filter, whose misestimated selectivity made PostgreSQL sort the centre instead of walking the
    # GiST index: the k-th row's distance may then exceed `km`, and the bound is at most `km` anyway.
    # The centre as bigint, the column's type: btree_gist has only bigint = bigint, so an integer
    # constant could not lead the GiST index (as in matching.candidates).
    egen = (f'SELECT {_haversine_sql(lat, lng)} AS "afstand_km" FROM {t} WHERE ({where} AND {center} = (%s)::bigint '  # noqa: S608
            f"AND {lat} IS NOT NULL AND {lng} IS NOT NULL) ORDER BY (ll_to_earth({lat}, {lng}) <-> "
            f"ll_to_earth(%s, %s)) ASC LIMIT 1 OFFSET {k - 1}")
    # Rows without coordinates: the postal codes within `km` nearest first, each probing its rows by
    # matching's (center_id, postnummer_id) index (a LATERAL subquery, kept apart by OFFSET 0). The
    # plain join read every such row of the centre through the centre's index (0.8-1.9 ms at national
    # size). A k-th row beyond `km` (here none) gives the same bound: it is capped at `km`.
    uden = (f'SELECT {_haversine_sql(plat, plng)} AS "afstand_km" FROM {pt} CROSS JOIN LATERAL (SELECT 1 FROM {t} '  # noqa: S608
            f"WHERE ({where} AND {postnummer} = {pnr} AND ({lat} IS NULL OR {lng} IS NULL)) OFFSET 0) AS uden "
            f"WHERE (ll_to_earth({plat}, {plng}) <@ earth_box(ll_to_earth(%s, %s), %s)) "
            f"ORDER BY (ll_to_earth({plat}, {plng}) <-> ll_to_earth(%s, %s)) ASC LIMIT 1 OFFSET {k - 1}")
    antal = f'SELECT {t}."id" AS "pk" FROM {listen}) LIMIT {graense}'  # noqa: S608
    side = (f'SELECT {t}."id" AS "pk", {afstand} AS "afstand_km" FROM {listen} AND ({_inden_sql()}) AND '  # noqa: S608
            f"{afstand} <= %s) ORDER BY 2 ASC, {titel} ASC, 1 ASC LIMIT %s OFFSET %s")
    return f"SELECT ({egen}), ({uden}), (SELECT COUNT(*) FROM ({antal}) AS antal)", side  # noqa: S608


def _radius(km: float) -> float:
    """An earth_box's radius (m) holding every point within `km` (a hair over)."""
    return km * _EARTH_BOX_M_PER_KM * (1 + 1e-6) + 1.0


def naermeste(uden_afstand, *, center, origin, km: int, k: int, graense: int):
    """`med_afstand(uden_afstand, origin, km)` on PostgreSQL, without computing the distance of every
    row: returns its count, capped at `graense` rows, and `side(offset, limit)`: one page of it in its
    order, as the statement and parameters of its keys (id, distance: `selectors.public_kort`), for
    any page that ends at or before row `k`.

    1. One query: the k-th nearest row with its own coordinates (a KNN walk of k rows on the GiST
       index), the k-th nearest without (postal codes nearest first, their rows by index), and the
       count, which stops at `graense` rows. At least k rows of the list lie within the smaller of
       the two distances D (within `km`, if neither has k rows).
    2. The page: the list's rows within D (an earth_box of radius D on both indexes: a bitmap of
       about k rows and the ties at D, not the centre), in the list's order. The list's first k rows
       all lie within D, so this is the list's page.
    """
    where, where_params = _where(uden_afstand)
    (lat_range, lng_range), k, graense = _boks(origin, km), int(k), int(graense)
    olat, olng = origin.lat, origin.lng
    foerst, side_sql = _naermeste_sql(where, k, graense)
    afstand = _haversine_params(olat, olng)
    listen = [*where_params, *lat_range, *lng_range, *afstand, float(km)]  # the list's WHERE, as med_afstand
    with connection.cursor() as cursor:
        cursor.execute(foerst, [*afstand, *where_params, center.pk, olat, olng, *afstand, *where_params, olat, olng,
                                _radius(km), olat, olng, *listen])
        egen_k, uden_k, antal = cursor.fetchone()
    bound = min([d for d in (egen_k, uden_k) if d is not None] or [km])
    # A hair over D: the distances are the same arithmetic on the same values, so equal, but a
    # superset costs nothing (the list's order puts any extra row after its first k).
    bound = min(bound * (1 + 1e-9) + 1e-9, float(km))
    radius = _radius(bound)

    def side(offset: int, limit: int) -> tuple[str, list]:
        return side_sql, [*afstand, *listen, center.pk, olat, olng, radius, olat, olng, radius, *afstand, bound,
                          int(limit), int(offset)]

    return antal, side
