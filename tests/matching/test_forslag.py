"""The suggestions page and `forslag_for` on the database (issue 16, point 2): stage 1 keeps what
stage 2 needs, hidden fællesskaber are counted and can be shown, the score reads as words."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from borgere.models import Borger, alder_fra_foedselsaar, alder_fra_foedselsdato
from brobygning.models import TagType
from foreninger.models import Frekvens
from matching import engine
from matching.candidates import candidates_for
from matching.suggest import forslag_for, profil_for

from .. import factories as f
from .test_candidates import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def center(db):
    return f.CenterFactory(slug="odense")


@pytest.fixture
def forening(center):
    return f.ForeningFactory(center=center, inklusionsparat=True)


@pytest.fixture
def borger(center):
    b = f.BorgerFactory(center=center, postnummer=f.postnummer("5000"), foedselsaar=1955, max_afstand_km=10,
                        tilgaengelighed=["3-aften"])
    b.interesser.set([f.tag(TagType.INTERESSE, "sang-og-kor")])
    return b


def fs(forening, km, **kw):
    kw["lat"], kw["lng"] = at(km)
    return f.FaellesskabFactory(forening=forening, **kw)


def test_stage_1_keeps_frequency_price_and_target_groups(forening, borger):
    kor = fs(forening, 1, pris=300)
    kor.maalgrupper.set([f.tag(TagType.UDFORDRING, "ensomhed")])
    f.MoedetidFactory(faellesskab=kor, ugedag=3, fra="19:00", til="21:00", frekvens=Frekvens.MAANEDLIG)
    [k] = candidates_for(borger)
    assert k.frekvenser == {"3-aften": "MONTHLY"}
    assert k.pris == 300
    assert k.maalgrupper == {"ensomhed"}


def test_a_weekly_and_a_monthly_choir_differ(forening, borger):
    ugentlig, maanedlig = fs(forening, 1), fs(forening, 1)
    f.MoedetidFactory(faellesskab=ugentlig, ugedag=3, fra="19:00", til="21:00")
    f.MoedetidFactory(faellesskab=maanedlig, ugedag=3, fra="19:00", til="21:00", frekvens=Frekvens.MAANEDLIG)
    first, second = forslag_for(borger).forslag
    assert (first.faellesskab_id, second.faellesskab_id) == (ugentlig.pk, maanedlig.pk)
    assert first.score > second.score


def test_the_borgers_challenges_count(forening, borger):
    borger.udfordringer.set([f.tag(TagType.UDFORDRING, "ensomhed")])
    aimed, other = fs(forening, 2), fs(forening, 1)
    aimed.maalgrupper.set([f.tag(TagType.UDFORDRING, "ensomhed")])
    other.maalgrupper.set([f.tag(TagType.UDFORDRING, "angst")])
    assert profil_for(borger).udfordringer == {"ensomhed"}
    first, _second = forslag_for(borger).forslag
    assert first.faellesskab_id == aimed.pk
    assert "Rettet mod: ensomhed" in first.reasons


def test_an_adult_volunteer_is_suggested_for_a_youth_lektiecafe(forening, borger):
    borger.oensket_rolle = "frivillig"
    borger.save()
    lektiecafe = fs(forening, 1, alder_min=13, alder_max=25, for_frivillige=True)
    assert [s.faellesskab_id for s in forslag_for(borger).forslag] == [lektiecafe.pk]
    assert forslag_for(borger, rolle="deltager").forslag == []


def test_hidden_by_a_need_is_counted_and_can_be_shown(forening, borger):
    borger.tilgaengelighedsbehov.set([f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")])
    kor1, kor2, fuld = fs(forening, 1), fs(forening, 2), fs(forening, 3, kapacitet=0)
    fuld.tilgaengelighed.set([f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")])
    result = forslag_for(borger)
    assert result.forslag == []
    assert result.skjulte == [("har ikke kørestolsadgang, som borgeren har brug for", 2),
                              ("ingen ledige pladser", 1)]
    assert result.antal_skjulte == 3
    # Freshly loaded, nothing on the instance: its tags, matches and postal code are read with the candidates.
    fresh = forslag_for(Borger.objects.get(pk=borger.pk))
    assert (fresh.forslag, fresh.skjulte) == (result.forslag, result.skjulte)
    shown = forslag_for(borger, vis_skjulte=True).forslag
    assert {s.faellesskab_id for s in shown} == {kor1.pk, kor2.pk, fuld.pk}
    assert all(s.skjult for s in shown)


def test_the_page_says_what_is_hidden_and_shows_it_on_request(forening, borger, center):
    brobygger = f.MedlemskabFactory(center=center).user
    borger.brobygger = brobygger
    borger.save()
    borger.tilgaengelighedsbehov.set([f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")])
    fs(forening, 1, titel="Kor for alle")
    fs(forening, 2, titel="Kirkekoret")
    client = f.client_logged_in(brobygger)
    url = reverse("matching:forslag", args=[borger.pk])
    page = client.get(url).content.decode()
    assert "2 fællesskaber er skjult" in page
    assert "2 skjult: har ikke kørestolsadgang, som borgeren har brug for" in page
    assert "vis_skjulte=1" in page
    assert "Kor for alle" not in page
    shown = client.get(url, {"vis_skjulte": "1"}).content.decode()
    assert "Kor for alle" in shown and "Kirkekoret" in shown
    assert "Normalt skjult" in shown


def test_the_page_shows_the_score_in_words_and_every_caveat(forening, borger, center):
    brobygger = f.MedlemskabFactory(center=center).user
    borger.brobygger = brobygger
    borger.save()
    fs(forening, 30, titel="Langt væk", kapacitet=None)
    page = f.client_logged_in(brobygger).get(reverse("matching:forslag", args=[borger.pk])).content.decode()
    assert "Passer svagt" in page or "Passer rimeligt" in page
    assert "Længere væk end de 10 km, borgeren helst vil rejse" in page
    assert "Ingen fælles interesser" in page


@pytest.mark.parametrize(("aar", "today", "alder"), [
    (1955, date(2026, 1, 1), 70),  # 70 or 71: 70 is sure
    (1955, date(2026, 12, 31), 70),
    (2001, date(2026, 3, 10), 24),
    (None, date(2026, 3, 10), None),
])
def test_age_from_the_birth_year_is_the_age_surely_reached(aar, today, alder):
    assert alder_fra_foedselsaar(aar, today) == alder


def test_age_from_a_birth_date_is_exact():
    assert alder_fra_foedselsdato(date(1955, 6, 1), date(2026, 5, 31)) == 70
    assert alder_fra_foedselsdato(date(1955, 6, 1), date(2026, 6, 1)) == 71


def test_the_borger_may_be_a_year_older_than_alder(borger):
    assert borger.alder_usikker
    assert profil_for(borger).alder_usikker


def test_only_the_shown_are_explained_and_as_the_engine_explains_them(forening, borger):
    """`forslag_for` ranks k + a few without texts and explains the k it shows (`engine.forklar`): the
    points per part, reasons and caveats are the ones `rank_forklaret` gives with its texts."""
    for i in range(30):
        kor = fs(forening, 0.5 + i / 3, pris=100 * (i % 4), kapacitet=[None, 1, 5][i % 3])
        f.MoedetidFactory(faellesskab=kor, ugedag=i % 7, fra="19:00", til="21:00",
                          frekvens=[Frekvens.UGENTLIG, Frekvens.MAANEDLIG][i % 2])
        if i % 2:
            kor.interesser.set([f.tag(TagType.INTERESSE, "sang-og-kor")])
    shown = forslag_for(borger, k=12).forslag
    profil = profil_for(borger)
    ranked = engine.rank_forklaret(profil, candidates_for(borger), k=12, today=timezone.localdate()).forslag
    assert [s.faellesskab_id for s in shown] == [r.id for r in ranked]
    assert [(s.parts, s.reasons, s.caveats, s.caveat, s.score) for s in shown] == [
        (r.parts, r.reasons, r.caveats, r.caveat, r.score) for r in ranked]
    assert any(s.reasons for s in shown) and any(s.caveats for s in shown)


def test_the_consent_asked_for_is_checked_in_the_borgers_query_as_har_samtykke_checks_it(
        forening, borger, django_assert_num_queries):
    from borgere.models import Formaal, Samtykke
    from borgere.services import har_samtykke

    fs(forening, 1)
    assert har_samtykke(borger, Formaal.REGISTRERING)
    assert [s.titel for s in forslag_for(borger, samtykke=Formaal.REGISTRERING).forslag] == \
        [s.titel for s in forslag_for(borger).forslag]
    assert not har_samtykke(borger, Formaal.MAALINGER)
    with django_assert_num_queries(1):  # the borger's query, and nothing more
        assert forslag_for(borger, samtykke=Formaal.MAALINGER) is None
    Samtykke.objects.filter(borger=borger, formaal=Formaal.REGISTRERING).update(tilbagekaldt=timezone.now())
    assert not har_samtykke(borger, Formaal.REGISTRERING)
    assert forslag_for(borger, samtykke=Formaal.REGISTRERING) is None


# The cards as `_forslag_list.html` wrote them before `matching.views.forslag._kort` (issue 15).
_GAMLE_KORT = (
    "{% load i18n brobygning_tags %}{% url 'matching:match_create' borger_pk as opret_url %}"
    '{% translate "Det passer:" as t_passer %}{% translate "Men:" as t_men %}{% translate "Opret match" as t_opret %}'
    """{% for s in forslag %}
      <li class="border rounded p-3 mb-2">
        <div class="d-flex flex-wrap justify-content-between gap-2">
          <div>
            <a class="fw-semibold" href="{% pk_url 'foreninger:faellesskab_detail' s.faellesskab_id %}">{{ s.titel }}</a>
            <span class="text-body-secondary small">· {{ s.forening_navn }}</span>
          </div>
          <span class="badge text-bg-primary align-self-start">{{ s.vurdering }}<span class="visually-hidden"> ({% blocktranslate with score=s.score %}{{ score }} af 100{% endblocktranslate %})</span></span>
        </div>
        {% if s.skjult %}<p class="small mb-1 mt-1"><span class="badge text-bg-warning">{% translate "Normalt skjult" %}</span> {{ s.skjult|join:"; " }}</p>{% endif %}
        {% if s.reasons %}<p class="small mb-0 mt-1 fw-semibold">{{ t_passer }}</p>
        <ul class="small mb-1"><li>{{ s.reasons|join:"</li><li>" }}</li></ul>{% endif %}
        {% if s.caveats %}<p class="small mb-0 text-warning-emphasis fw-semibold">{{ t_men }}</p>
        <ul class="small mb-2 text-warning-emphasis"><li>{{ s.caveats|join:"</li><li>" }}</li></ul>{% endif %}
        <form method="post" action="{{ opret_url }}" class="d-flex gap-2 align-items-center">
          {% csrf_token %}
          <input type="hidden" name="faellesskab" value="{{ s.faellesskab_id }}">
          <button type="submit" class="btn btn-sm btn-success">{{ t_opret }}</button>
        </form>
      </li>
    {% endfor %}""")


@pytest.mark.parametrize("sprog", ["da", "en"])
def test_the_cards_are_what_the_template_wrote(sprog):
    # `_kort` writes the cards in Python: the same HTML as the template's loop, every value escaped as
    # the template escaped it (titles, names, reasons, caveats and why hidden), the words translated
    import re

    from django.middleware.csrf import get_token
    from django.template import engines
    from django.test import RequestFactory
    from django.utils import translation
    from django.utils.safestring import mark_safe

    from matching.suggest import Suggestion
    from matching.views.forslag import _kort

    ond = "Å<b>&'\""
    forslag = [
        Suggestion(faellesskab_id=12345, titel=f"Kaffe & <i>kage</i> {ond}", forening_navn=ond, score=87,
                   reasons=["Deler interessen <sang>", mark_safe("<em>sikker</em>"), "7 af 9 nye er blevet"],
                   caveat="Langt & væk", distance_km=1.5, caveats=["Langt & væk", ond], skjult=["fuld <x>", "b&c"]),
        Suggestion(faellesskab_id=7, titel="Strik", forening_navn="F", score=3, reasons=[], caveat=None,
                   distance_km=2.0),
        Suggestion(faellesskab_id=8, titel="Gå", forening_navn="G", score=55, reasons=["én"], caveat=None,
                   distance_km=2.0, caveats=[]),
    ]
    request = RequestFactory().get("/")
    token = get_token(request)
    with translation.override(sprog):
        forventet = engines["django"].from_string(_GAMLE_KORT).render(
            {"forslag": forslag, "borger_pk": 42, "csrf_token": token})
        ny = _kort(forslag, borger_pk=42, request=request)
    assert "Kaffe &amp; &lt;i&gt;kage&lt;/i&gt; Å&lt;b&gt;&amp;&#x27;&quot;" in forventet
    assert "<em>sikker</em>" in forventet and "fuld &lt;x&gt;; b&amp;c" in forventet

    def uden_token(html):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="X"', html)

    assert uden_token(ny) == uden_token(forventet)
    assert _kort([], borger_pk=42, request=request) == ""


def test_the_category_choices_are_the_active_categories_in_the_taxonomys_order():
    # `forms._kategorier` (plain SQL) gives the rows the ORM gave: active categories only, by
    # `Tag.Meta.ordering` (sortering, then name), whatever the ids
    from brobygning.models import Tag
    from matching.forms import SuggestionFilterForm, _kategorier

    Tag.objects.create(type=TagType.KATEGORI, slug="zz-foerst", navn="Zz først", sortering=0)
    Tag.objects.create(type=TagType.KATEGORI, slug="aa-sidst", navn="Aa sidst", sortering=999)
    Tag.objects.create(type=TagType.KATEGORI, slug="b-midt", navn="B midt", sortering=500)
    Tag.objects.create(type=TagType.KATEGORI, slug="a-midt", navn="A midt", sortering=500)
    Tag.objects.create(type=TagType.KATEGORI, slug="slukket", navn="Slukket", sortering=1, aktiv=False)
    Tag.objects.create(type=TagType.INTERESSE, slug="ikke-kategori", navn="Ikke kategori", sortering=1)
    forventet = list(Tag.objects.filter(type=TagType.KATEGORI, aktiv=True).values_list("pk", "navn"))
    assert [navn for _pk, navn in forventet][-3:] == ["A midt", "B midt", "Aa sidst"]
    assert _kategorier() == forventet
    assert SuggestionFilterForm().fields["kategori"].choices[1:] == forventet


def test_the_page_loads_the_borger_with_the_postal_code_only(forening, borger, center):
    # the page shows neither the brobygger nor the referral source: `borger_get(related=("postnummer",))`
    # joins the postal code (the search's origin) and nothing else; same number of queries
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from borgere.models import Borger

    brobygger = f.MedlemskabFactory(center=center).user
    borger.brobygger = brobygger
    borger.save()
    fs(forening, 1, titel="Kor for alle")
    client = f.client_logged_in(brobygger)
    url = reverse("matching:forslag", args=[borger.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url).content.decode()
    assert "Kor for alle" in page
    borger_table = Borger._meta.db_table
    [laest] = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT") and f'FROM "{borger_table}"' in q["sql"]]
    assert laest.count(" JOIN ") == 1 and 'JOIN "brobygning_postnummer"' in laest


_GAMLE_FELTER = """{% for field in form %}{% if field.name != "vis_skjulte" %}
      <div class="col-6 col-md-3">
        <label class="form-label small" for="{{ field.id_for_label }}">{{ field.label }}</label>
        {% if field.name == "max_km" %}<input type="number" name="max_km" id="{{ field.id_for_label }}" class="form-control" min="1" max="200" value="{{ field.value|default:'' }}" placeholder="{{ borger.max_afstand_km }}">
        {% else %}<select name="{{ field.name }}" id="{{ field.id_for_label }}" class="form-select">{% for value, label in field.field.choices %}<option value="{{ value }}"{% if field.value|stringformat:"s" == value|stringformat:"s" %} selected{% endif %}>{{ label }}</option>{% endfor %}</select>{% endif %}
      </div>
    {% endif %}{% endfor %}"""


@pytest.mark.parametrize("sprog", ["da", "en"])
@pytest.mark.parametrize("data", [None, {}, {"max_km": "8", "kategori": "KAT", "rolle": "frivillig", "vis_skjulte": "1"},
                                  {"max_km": "<b>&'\"", "kategori": "999999", "rolle": "begge"}, {"max_km": "0", "rolle": ""}])
def test_the_filter_boxes_are_what_the_template_wrote(borger, sprog, data):
    # `_felter` writes the filter form's boxes in Python: the same HTML as the template's loop, unbound,
    # bound, with a category and a role selected, with values that are not valid and need escaping
    from django.template import engines
    from django.utils import translation

    from brobygning.models import Tag
    from matching.forms import SuggestionFilterForm
    from matching.views.forslag import _felter

    Tag.objects.create(type=TagType.KATEGORI, slug="kat-ond", navn="Kaffe & <i>kage</i>", sortering=0)
    kategori = Tag.objects.filter(type=TagType.KATEGORI, aktiv=True).order_by("pk").last()
    if data and data.get("kategori") == "KAT":
        data = {**data, "kategori": str(kategori.pk)}
    with translation.override(sprog):
        form = SuggestionFilterForm(data)
        form.is_valid()
        forventet = engines["django"].from_string(_GAMLE_FELTER).render({"form": form, "borger": borger})
        assert _felter(form, borger) == forventet
    assert "Kaffe &amp; &lt;i&gt;kage&lt;/i&gt;" in forventet
    if data and data.get("rolle") == "frivillig":
        assert '<option value="frivillig" selected>' in forventet and f'<option value="{kategori.pk}" selected>' in forventet
    if data and data.get("kategori") == "999999":
        assert 'value="&lt;b&gt;&amp;&#x27;&quot;"' in forventet


def test_the_context_read_first_with_the_category_choices_gives_the_same_suggestions(
        forening, borger, django_assert_num_queries):
    # `kontekst_for` reads the borger's context with other reads in one round trip (PostgreSQL);
    # `forslag_for(kontekst=…)` then gives what it gives reading the context itself
    from django.db import connection

    from borgere.models import Formaal, Samtykke
    from matching.forms import _kategorier, kategori_laesning
    from matching.suggest import kontekst_for

    for i in range(5):
        fs(forening, 1 + i)
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        kontekst = kontekst_for(borger, samtykke=Formaal.REGISTRERING, ekstra=[kategori_laesning()])
    assert kontekst.ekstra == [_kategorier()] and kontekst.ekstra[0]
    med = forslag_for(borger, samtykke=Formaal.REGISTRERING, kontekst=kontekst)
    uden = forslag_for(borger, samtykke=Formaal.REGISTRERING)
    assert [(s.faellesskab_id, s.score, s.reasons, s.caveats) for s in med.forslag] == [
        (s.faellesskab_id, s.score, s.reasons, s.caveats) for s in uden.forslag] and med.forslag
    Samtykke.objects.filter(borger=borger, formaal=Formaal.REGISTRERING).update(tilbagekaldt=timezone.now())
    kontekst = kontekst_for(borger, samtykke=Formaal.REGISTRERING, ekstra=[kategori_laesning()])
    with django_assert_num_queries(0):  # without consent nothing more is read
        assert forslag_for(borger, samtykke=Formaal.REGISTRERING, kontekst=kontekst) is None


def test_the_count_of_those_a_need_hides_looks_each_needs_tag_up_once(forening, borger):
    # `skjult_af_behov` counts per need the fællesskaber within the distance that lack it: the same counts,
    # with the need's tag looked up once (a scalar subquery, by the unique (type, slug)) rather than the
    # tag table joined inside each fællesskab's EXISTS; a need whose tag is gone hides every one
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from matching.candidates import skjult_af_behov

    koerestol_tag, toilet = f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang"), f.tag(TagType.TILGAENGELIGHED, "handicaptoilet")
    mange = [fs(forening, 1 + i / 10) for i in range(6)]
    for kor in mange[:2]:
        kor.tilgaengelighed.set([koerestol_tag, toilet])
    mange[2].tilgaengelighed.set([koerestol_tag])
    mange[3].tilgaengelighed.set([toilet])
    fs(forening, 40).tilgaengelighed.set([])  # too far: outside the box
    needs = ["koerestolsadgang", "handicaptoilet", "findes-ikke"]
    with CaptureQueriesContext(connection) as ctx:
        counts = skjult_af_behov(borger, radius_km=10, needs=needs)
    assert counts == {"koerestolsadgang": 3, "handicaptoilet": 3, "findes-ikke": 6}
    [sql] = [q["sql"] for q in ctx.captured_queries]
    assert sql.count('"brobygning_tag"') == len(needs)  # once per need, in its own scalar subquery
    assert 'JOIN "brobygning_tag"' not in sql
