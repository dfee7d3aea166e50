"""The shared pieces every list page stands on (issue 15): the capped paginator, counts in one query,
filter fields drawn without crispy's templates, and the main menu kept per process."""

import re
from datetime import timedelta

import pytest
from django.http import QueryDict
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from borgere.filters import BorgerFilter
from borgere.models import Formaal, Henvisning
from borgere.selectors import borger_list
from borgere.services import gaeldende_samtykketekst
from brobygning.access import actor_for
from brobygning.links import pk_urls
from brobygning.models import Adgangslog
from brobygning.pagination import paginate, paginate_keys
from brobygning.selectors import capped_counts
from brobygning.templatetags import brobygning_tags
from brobygning.views.adgangslog import AdgangslogFilter
from foreninger.public_filters import PublicFaellesskabFilter
from foreninger.selectors import public_faellesskab_list

from .. import factories as f

pytestmark = pytest.mark.django_db


def _log(world, user, n):
    Adgangslog.objects.bulk_create([Adgangslog(center=world.center_a, bruger=user, handling=Adgangslog.Handling.LAEST)
                                    for _ in range(n)])


def test_a_capped_page_count_stops_but_every_page_stays_reachable(world, koordinator_a, django_assert_num_queries):
    _log(world, koordinator_a, 60)
    qs = Adgangslog.objects.filter(center=world.center_a).order_by("pk")
    with django_assert_num_queries(2):  # the capped count and the page
        page = paginate(RequestFactory().get("/"), qs, 10, loft=25)
        assert len(page.object_list) == 10
    assert page.paginator.count == 26 and page.sider == "3+" and page.has_next()
    page = paginate(RequestFactory().get("/?side=5"), qs, 10, loft=25)  # beyond the cap, one page at a time
    assert page.number == 5 and page.has_next() and page.sider == "6+"
    page = paginate(RequestFactory().get("/?side=6"), qs, 10, loft=25)
    assert page.number == 6 and not page.has_next() and page.sider == 6
    page = paginate(RequestFactory().get("/?side=junk"), qs, 10, loft=100)
    assert page.number == 1 and page.sider == 6 and page.paginator.count == 60  # under the cap: exact


@pytest.mark.parametrize("side", ["", "2", "5", "6", "7", "junk"])
def test_a_capped_count_in_the_page_or_given_is_the_same_page(world, koordinator_a, side, django_assert_num_queries):
    _log(world, koordinator_a, 60)
    qs = Adgangslog.objects.filter(center=world.center_a).order_by("pk")
    request = RequestFactory().get(f"/?side={side}")
    plain = paginate(request, qs, 10, loft=25)
    forventet = (plain.number, [a.pk for a in plain.object_list], plain.sider, plain.paginator.count, plain.has_next())
    with django_assert_num_queries(3 if side == "7" else 1):  # past the end: the empty page, then as Paginator
        page = paginate(request, qs, 10, loft=25, loft_i_siden=True)
        assert (page.number, [a.pk for a in page.object_list], page.sider, page.paginator.count,
                page.has_next()) == forventet
    antal = capped_counts([qs], loft=25)[0]
    with django_assert_num_queries(1 if side in ("", "2", "junk") else 2):  # the given count within the cap only
        page = paginate(request, qs, 10, loft=25, antal=antal)
        assert (page.number, [a.pk for a in page.object_list], page.sider, page.paginator.count,
                page.has_next()) == forventet


def test_keys_planned_with_a_page_cost_are_the_same_keys(world, koordinator_a, django_assert_num_queries):
    _log(world, koordinator_a, 30)
    qs = Adgangslog.objects.filter(center=world.center_a).order_by("-pk")
    for side in ("", "3", "4"):
        plain = paginate_keys(RequestFactory().get(f"/?side={side}"), qs, Adgangslog.objects.all(), 10, loft=15)
        page = paginate_keys(RequestFactory().get(f"/?side={side}"), qs, Adgangslog.objects.all(), 10, loft=15,
                             random_page_cost=1.1)
        assert ([a.pk for a in page.object_list], page.sider) == ([a.pk for a in plain.object_list], plain.sider)
    page = paginate_keys(RequestFactory().get("/"), qs.none(), Adgangslog.objects.all(), 10, random_page_cost=1.1)
    assert page.paginator.count == 0


def test_counts_in_one_query(world, koordinator_a, django_assert_num_queries):
    _log(world, koordinator_a, 7)
    qs = Adgangslog.objects.filter(center=world.center_a)
    with django_assert_num_queries(1):
        assert capped_counts([qs, qs.filter(bruger=None), qs.filter(handling="x")], loft=5) == [6, 0, 0]
    assert capped_counts([], loft=5) == []


def _norm(html):
    return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", re.sub(r"\s+", " ", html))).strip()


def _both(form):
    crispy = engines["django"].from_string("{% load crispy_forms_tags %}{% for f in form %}{{ f|as_crispy_field }}|{% endfor %}")
    felt = engines["django"].from_string("{% load brobygning_tags %}{% for f in form %}{{ f|felt }}|{% endfor %}")
    return _norm(crispy.render({"form": form()})), _norm(felt.render({"form": form()}))


@pytest.mark.parametrize("data", [None, {"q": "a<b", "status": "ny", "uden_brobygger": "true", "postnummer": "5000"},
                                  {"status": "zzz", "interesse": "999999", "uden_brobygger": "maybe"}])
def test_filter_fields_are_the_markup_crispy_gives(world, koordinator_a, data):
    f.tag("interesse", "strik")
    actor = actor_for(koordinator_a)

    def form():
        filterset = BorgerFilter(QueryDict(mutable=True) if data is None else _querydict(data),
                                 queryset=borger_list(actor=actor), actor=actor)
        filterset.form.is_valid()
        return filterset.form

    crispy, felt = _both(form)
    assert crispy == felt and "form-select" in felt


@pytest.mark.parametrize("data", [None, {"borger": "-1", "handling": "laest", "fra": "2026-02-01", "til": "2026-01-01"}])
def test_access_log_filter_fields_are_the_markup_crispy_gives(world, koordinator_a, data):
    actor = actor_for(koordinator_a)

    def form():
        filter_form = AdgangslogFilter(data, actor=actor)
        if data:
            filter_form.is_valid()
        return filter_form

    crispy, felt = _both(form)
    assert crispy == felt
    if data:
        assert "is-invalid" in felt and "invalid-feedback" in felt


@pytest.mark.parametrize("data", [None, {"q": "kaffe", "postnummer": "5000"},
                                  {"ugedag": ["0", "2"], "tidspunkt": "aften", "aaben_for_nye": "on", "rolle": "frivillig",
                                   "maalgruppe": "ENSOMHED", "tilgaengelighed": ["KOERESTOL", "TOILET"]},
                                  {"ugedag": "9", "maalgruppe": "999999", "alder": "abc", "postnummer": "0001"}])
@pytest.mark.parametrize("sprog", ["da", "en"])
def test_public_search_fields_are_the_markup_crispy_gives(world, data, sprog):
    """The directory's form: its checkboxes (`_afkrydsning`) too; a field with errors goes to crispy."""
    ids = {"ENSOMHED": f.tag("udfordring", "ensomhed").pk, "KOERESTOL": f.tag("tilgaengelighed", "koerestolsadgang").pk,
           "TOILET": f.tag("tilgaengelighed", "handicaptoilet").pk}
    if data:
        data = {k: [str(ids.get(x, x)) for x in v] if isinstance(v, list) else str(ids.get(v, v))
                for k, v in data.items()}

    def form():
        query = QueryDict(mutable=True)
        for key, value in (data or {}).items():
            query.setlist(key, value if isinstance(value, list) else [value])
        filterset = PublicFaellesskabFilter(query or None, queryset=public_faellesskab_list(center=world.center_a))
        filterset.form.is_valid()
        return filterset.form

    with translation.override(sprog):
        crispy, felt = _both(form)
    assert crispy == felt and 'type="checkbox"' in felt
    if data and "tidspunkt" in data:
        assert felt.count(" checked") == 7  # 2 days, 1 time of day, 1 group, 2 accessibility tags, 1 box
    if data and "ugedag" in data and data["ugedag"] == "9":
        assert "is-invalid" in felt


def test_a_page_counted_in_its_own_query(world, koordinator_a, django_assert_num_queries):
    _log(world, koordinator_a, 60)
    qs = Adgangslog.objects.filter(center=world.center_a).order_by("pk").values_list("pk")
    ids = list(qs.values_list("pk", flat=True))
    with django_assert_num_queries(1):  # the page and the count: COUNT(*) OVER ()
        page = paginate(RequestFactory().get("/?side=2"), qs, 25, antal_med_siden=True)
        assert [row[0] for row in page.object_list] == ids[25:50]
    assert page.paginator.count == 60 and page.number == 2 and page.sider == 3 and page.has_next()
    with django_assert_num_queries(3):  # past the end: as Paginator, the count, then the last page
        page = paginate(RequestFactory().get("/?side=9"), qs, 25, antal_med_siden=True)
        assert [row[0] for row in page.object_list] == ids[50:]
    assert page.number == 3 and not page.has_next()
    page = paginate(RequestFactory().get("/?side=junk"), qs.none(), 25, antal_med_siden=True)
    assert page.number == 1 and page.paginator.count == 0 and list(page.object_list) == []


def _querydict(data):
    query = QueryDict(mutable=True)
    query.update(data)
    return query


def test_the_menu_follows_the_badge_the_page_and_the_role(world, as_koordinator_a, as_brobygger_a, settings):
    settings.DEBUG = False
    brobygning_tags._hovedmenu.cache_clear()
    html = as_koordinator_a.get(reverse("borgere:borger_list")).content.decode()
    assert "nye henvisninger" not in html and 'href="/adgangslog/"' in html
    for i in range(3):
        Henvisning.objects.create(center=world.center_a, fornavn=f"Ny{i}", telefon="+4520304050",
                                  kilde=f.tag("henvisningskilde", "jobcenter"),
                                  samtykketekst=gaeldende_samtykketekst(center_id=world.center_a.pk,
                                                                        formaal=Formaal.REGISTRERING))
    html = as_koordinator_a.get(reverse("brobygning:adgangslog")).content.decode()
    assert re.search(r'text-bg-warning">3<span class="visually-hidden"> nye henvisninger', html)
    assert brobygning_tags._hovedmenu.cache_info().currsize == 2  # one per page and badge
    html = as_brobygger_a.get(reverse("borgere:borger_list")).content.decode()
    assert "Mine borgere" in html and 'aria-current="page">Mine borgere' in html and "/adgangslog/" not in html


def test_pages_by_key_read_the_keys_once_then_the_page(world, koordinator_a, django_assert_num_queries):
    _log(world, koordinator_a, 60)
    qs = Adgangslog.objects.filter(center=world.center_a).order_by("-pk")
    newest = list(qs.values_list("pk", flat=True))
    with django_assert_num_queries(2):  # the keys up to the cap, the page's rows
        page = paginate_keys(RequestFactory().get("/"), qs, Adgangslog.objects.all(), 10, loft=25)
        assert [a.pk for a in page.object_list] == newest[:10]  # in the list's order
    assert page.paginator.count == 26 and page.paginator.over_loft and page.paginator.mindst == 25
    assert page.sider == "3+" and page.has_next()
    page = paginate_keys(RequestFactory().get("/?side=6"), qs, Adgangslog.objects.all(), 10, loft=25)
    assert [a.pk for a in page.object_list] == newest[50:] and not page.has_next() and page.sider == 6
    page = paginate_keys(RequestFactory().get("/?side=junk"), qs, Adgangslog.objects.all(), 10, loft=100)
    assert page.number == 1 and page.sider == 6 and page.paginator.count == 60 and not page.paginator.over_loft
    # rows are read through `rows`: what it leaves out is not shown
    page = paginate_keys(RequestFactory().get("/"), qs, Adgangslog.objects.exclude(pk=newest[0]), 10, loft=25)
    assert [a.pk for a in page.object_list] == newest[1:10]
    with django_assert_num_queries(0):  # nothing to show: no read at all
        page = paginate_keys(RequestFactory().get("/"), qs.none(), Adgangslog.objects.all(), 10)
    assert list(page.object_list) == [] and page.paginator.count == 0


@pytest.mark.parametrize("pk", [1, 42, 987654321, 10**12])
def test_pk_url_is_the_url_tag(pk):
    html = engines["django"].from_string("{% load brobygning_tags %}{% pk_url 'borgere:borger_detail' pk %}|"
                                         "{% url 'borgere:borger_detail' pk %}").render({"pk": pk})
    mine, djangos = html.split("|")
    assert mine == djangos == reverse("borgere:borger_detail", args=[pk])
    assert pk_urls("borgere:borger_detail", [pk, 7]) == [djangos, reverse("borgere:borger_detail", args=[7])]


@pytest.mark.parametrize("sprog", ["da", "en"])
def test_i_tid_siden_gives_what_the_block_tag_gave(sprog):
    """The match board's cards say how long a match has been in its stage with one filter; it must
    give exactly what `{% blocktranslate with d=…|tid_siden %}i {{ d }}{% endblocktranslate %}` gave."""
    engine = engines["django"]
    blok = engine.from_string("{% load i18n brobygning_tags %}"
                              "{% blocktranslate with d=t|tid_siden %}i {{ d }}{% endblocktranslate %}")
    filter_ = engine.from_string("{% load brobygning_tags %}{{ t|i_tid_siden }}")
    nu = timezone.now()
    with translation.override(sprog):
        tider = (nu - timedelta(minutes=3), nu - timedelta(days=40, hours=5), nu - timedelta(days=800), None)
        for t in tider:
            assert filter_.render({"t": t}) == blok.render({"t": t})
        # The board makes its cards' texts for the whole list at once (`i_tid_siden_liste`): the same.
        ens = engine.from_string("{% for t in tider %}{{ t }}|{% endfor %}")
        assert ens.render({"tider": brobygning_tags.i_tid_siden_liste(tider)}) == "".join(blok.render({"t": t}) + "|" for t in tider)


@pytest.mark.parametrize("sprog", ["da", "en"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Copenhagen"])
def test_the_boards_own_timesince_gives_what_djangos_gives(sprog, zone):
    """The board's "i 3 uger, 2 dage" for 140 cards is `timesince`'s arithmetic without its per-call
    lookups (`_tid_siden_hurtigt`); on month ends, leap days, across years, DST and to the minute, it
    must say what `timesince` says."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils.timesince import timesince

    tz = ZoneInfo(zone)
    nu_er = [datetime(2024, 3, 31, 2, 30, 15, 123, tzinfo=tz), datetime(2025, 1, 1, 0, 0, tzinfo=tz),
             datetime(2024, 2, 29, 23, 59, 59, tzinfo=tz), datetime(2026, 10, 25, 2, 15, tzinfo=tz),
             datetime(2026, 12, 4, 3, 0, 0, 500, tzinfo=tz)]
    skridt = [timedelta(0), timedelta(seconds=-30), timedelta(seconds=59), timedelta(minutes=1),
              timedelta(hours=1, seconds=1), timedelta(hours=23, minutes=59), timedelta(days=1),
              timedelta(days=6, hours=23), timedelta(days=7), timedelta(days=13, minutes=1), timedelta(days=29),
              timedelta(days=30), timedelta(days=31), timedelta(days=59, hours=3), timedelta(days=365),
              timedelta(days=366, minutes=5), timedelta(days=800), timedelta(days=4000, seconds=7)]
    with translation.override(sprog):
        tekster = brobygning_tags._tidstekster(sprog)

        def tekst(name, num):
            return brobygning_tags._tidstekst(sprog, name, num).replace(" ", "\xa0")

        for nu in nu_er:
            for trin in skridt:
                for ekstra in (timedelta(0), timedelta(days=1, hours=-1), timedelta(days=-1, seconds=1)):
                    d = nu - trin - ekstra
                    assert brobygning_tags._tid_siden_hurtigt(d, nu, tekst, translation.gettext(", ")) \
                        == timesince(d, nu, time_strings=tekster), (d, nu)


@pytest.mark.parametrize("sprog", ["da", "en"])
def test_a_reminders_channel_is_named_as_get_kanal_display_names_it(sprog):
    """The påmindelser page names a row's channel from a dict made once (`Beskrivelse.kanal`)."""
    from brobygning.models import Paamindelse, PaamindelseKanal
    from matching.paamindelser import Beskrivelse

    with translation.override(sprog):
        for kanal in [*PaamindelseKanal.values, "ukendt"]:
            row = Paamindelse(kanal=kanal)
            assert Beskrivelse(row=row, modtager="", art="", emne="", url="").kanal == row.get_kanal_display()


@pytest.mark.parametrize("sprog", ["da", "en"])
def test_a_pages_reminder_times_written_once_per_minute_are_what_each_row_writes(sprog):
    """`describe` writes the rows' times once per local minute (`matching.paamindelser._tider`): the
    same text as each row's own `Beskrivelse.tid`, across seconds, minutes, an empty time and the hour
    that repeats when summer time ends (Europe/Copenhagen, 27 October 2024)."""
    from datetime import UTC, datetime

    from brobygning.models import Paamindelse, PaamindelseStatus
    from matching.paamindelser import Beskrivelse, _tider

    S = PaamindelseStatus
    foer = datetime(2024, 10, 27, 0, 30, 5, tzinfo=UTC)  # 02:30:05 summer time
    efter = datetime(2024, 10, 27, 1, 30, 59, tzinfo=UTC)  # 02:30:59 winter time
    tider = [foer, foer + timedelta(seconds=40), efter, foer + timedelta(minutes=1), timezone.now(),
             timezone.now() - timedelta(seconds=1)]
    rows = [Paamindelse(status=S.SENDT, sendt=t, forfalder=t - timedelta(hours=1)) for t in tider]
    rows += [Paamindelse(status=S.AFVENTER, forfalder=t) for t in tider]
    rows.append(Paamindelse(status=S.SENDT, sendt=None, forfalder=foer))
    with translation.override(sprog), timezone.override("Europe/Copenhagen"):
        hver = [Beskrivelse(row=row, modtager="", art="", emne="", url="").tid for row in rows]
        assert _tider(rows) == hver
        assert hver[0] == hver[1] != hver[3] and hver[-1] == ""
        assert Beskrivelse(row=rows[0], modtager="", art="", emne="", url="", tid_tekst="x").tid == "x"


@pytest.mark.parametrize("sprog", ["da", "en"])
def test_a_reminders_time_is_written_as_the_date_filter_wrote_it(sprog):
    """The sent tab shows when a row was sent, every other tab when it falls due (`Beskrivelse.tid`)."""
    from brobygning.models import Paamindelse, PaamindelseStatus
    from matching.paamindelser import Beskrivelse

    dato = engines["django"].from_string('{{ t|date:"SHORT_DATETIME_FORMAT" }}')
    sendt, forfalder = timezone.now() - timedelta(hours=30), timezone.now() + timedelta(days=2, minutes=7)
    with translation.override(sprog):
        for status in PaamindelseStatus.values:
            row = Paamindelse(status=status, sendt=sendt if status == PaamindelseStatus.SENDT else None,
                              forfalder=forfalder)
            vist = sendt if status == PaamindelseStatus.SENDT else forfalder
            tid = Beskrivelse(row=row, modtager="", art="", emne="", url="").tid
            assert tid == dato.render({"t": vist}) and tid
