"""The borger's rights: art. 15 insight, art. 17 erasure by anonymisation, and retention."""

import json
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import serializers
from django.urls import reverse
from django.utils import timezone

from borgere import gdpr
from borgere.models import Borger, Henvisning, HenvisningStatus, Maaling, MaalingType, Samtale
from brobygning import adgangslog
from brobygning.models import Adgangslog, Paamindelse, PaamindelseStatus
from matching.models import Match, MatchOvergang
from matching.paamindelser import sync_ledsagelse

from .. import factories as f
from ..conftest import _member, client_for
from ..journey_factories import OpfoelgningFactory, give_consent, planned_ledsagelse

pytestmark = pytest.mark.django_db

MARKERS = ["Zqmarkørfornavn", "Zqmarkørefternavn", "zqmarker@borger.test", "+45 20 99 88 77", "Zqmarkørnote",
           "Zqmarkørsamtale", "Zqmarkørønske", "Zqmarkørskridt", "Zqmarkørvelkomst", "Zqmarkørmødested",
           "Zqmarkørtransport", "Zqmarkørårsag", "Zqmarkørafslutning", "Zqmarkørovergang",
           "Zqmarkørhenvist", "Zqmarkørhenviser", "zqhenviser@kommune.test"]


@pytest.fixture
def rich_borger():
    """A borger with every kind of data, each free-text field carrying a marker."""
    ledsagelse = planned_ledsagelse(
        borger_kwargs={"efternavn": "Zqmarkørefternavn", "telefon": "+4520998877", "noter": "Zqmarkørnote",
                       "foedselsaar": 1987, "sprog": ["da", "ar"], "tilgaengelighed": ["0-aften"]},
        velkomstnote="Zqmarkørvelkomst", moedested="Zqmarkørmødested", transport="Zqmarkørtransport")
    borger = ledsagelse.match.borger
    Borger.objects.filter(pk=borger.pk).update(fornavn="Zqmarkørfornavn", email="zqmarker@borger.test")
    borger.refresh_from_db()
    borger.barrierer.add(*list(f.Tag.objects.filter(type="barriere")[:2]))
    borger.interesser.add(f.Tag.objects.create(type="interesse", navn="Zqmarkørhobby", slug="zq-hobby"))
    borger.udfordringer.add(f.Tag.objects.create(type="udfordring", navn="Zqmarkørudfordring", slug="zq-udfordring"))
    sync_ledsagelse(ledsagelse)
    Samtale.objects.create(center=borger.center, borger=borger, noter="Zqmarkørsamtale", oensker="Zqmarkørønske",
                           naeste_skridt="Zqmarkørskridt")
    give_consent(borger, "maalinger")
    for svar in ([1, 1, 1, 1, 1], [4, 4, 4, 4, 4]):
        Maaling.objects.create(center=borger.center, borger=borger, type=MaalingType.WHO5, svar=svar)
    match = ledsagelse.match
    Match.objects.filter(pk=match.pk).update(afslutningsnote="Zqmarkørafslutning")
    MatchOvergang.objects.create(match=match, fra="accepteret", til="moede_planlagt", note="Zqmarkørovergang")
    OpfoelgningFactory(match=match, aarsag="Zqmarkørårsag")
    _henvisning(borger.center, borger=borger, status=HenvisningStatus.OPRETTET, fornavn="Zqmarkørfornavn",
                oensker="Zqmarkørhenvist", henviser_navn="Zqmarkørhenviser", henviser_email="zqhenviser@kommune.test")
    return borger


def _henvisning(center, **fields):
    """A referral as the public form stores it (the borger came from it, or it waits in the inbox)."""
    from borgere.services import gaeldende_samtykketekst

    return Henvisning.objects.create(
        center=center, telefon="+4520304050", kilde=f.tag("henvisningskilde", "jobcenter"),
        samtykketekst=gaeldende_samtykketekst(center_id=center.pk, formaal="registrering"), **fields)


@pytest.fixture
def koordinator(rich_borger):
    return client_for(_member(rich_borger.center, "koordinator", "koord-gdpr@x.test"))


def test_art15_export_holds_every_kind_of_data_and_access_dates_without_staff_names(rich_borger, koordinator):
    brobygger = _member(rich_borger.center, "brobygger", "laeser-gdpr@x.test")
    brobygger.first_name, brobygger.last_name = "Staffnavn", "Hemmeligsen"
    brobygger.save()
    adgangslog.log(handling=adgangslog.H.LAEST, borger_id=rich_borger.pk, center_id=rich_borger.center_id,
                  user=brobygger, formaal="sagsbehandling")
    response = koordinator.get(reverse("borgere:borger_export", args=[rich_borger.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for marker in ["Zqmarkørfornavn", "Zqmarkørefternavn", "zqmarker@borger.test", "Zqmarkørnote", "Zqmarkørsamtale",
                   "Zqmarkørvelkomst", "Zqmarkørårsag", "Zqmarkørovergang", "Strik og snak", "1987",
                   "Zqmarkørudfordring"]:
        assert marker in html, marker
    assert "sagsbehandling" in html and "Staffnavn" not in html and "Hemmeligsen" not in html

    download = koordinator.get(reverse("borgere:borger_export_json", args=[rich_borger.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    data = json.loads(download.content)
    assert set(data) == {"borger", "samtaler", "matches", "arrangementer", "frivilligroller", "maalinger", "samtykker", "adgange"}
    assert [m["score"] for m in data["maalinger"]] == [20, 80]
    assert {s["tekstversion"] for s in data["samtykker"]} == {1}
    assert "Zqmarkørvelkomst" in json.dumps(data["matches"][0]["moeder"][0], ensure_ascii=False)
    opfoelgning = data["matches"][0]["opfoelgninger"][0]  # the borger's data, not the overview's bookkeeping
    assert opfoelgning["årsag"] == "Zqmarkørårsag" and "match aaben" not in opfoelgning
    assert data["adgange"] and all(set(a) == {"tidspunkt", "handling", "formaal"} for a in data["adgange"])
    assert "Staffnavn" not in download.content.decode()
    assert Adgangslog.objects.filter(handling=Adgangslog.Handling.EKSPORT, borger_id=rich_borger.pk).count() == 2


def test_art15_page_reads_as_text_for_a_person(rich_borger, koordinator):
    """Labels, local dates with the weekday and availability in words; no ISO stamps, slot codes or keys."""
    adgangslog.log(handling=adgangslog.H.LAEST, borger_id=rich_borger.pk, center_id=rich_borger.center_id,
                  formaal="sagsbehandling")
    html = koordinator.get(reverse("borgere:borger_export", args=[rich_borger.pk])).content.decode()
    assert "Mandag aften" in html and "0-aften" not in html
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", html)
    weekday = timezone.localdate().strftime("%w")
    assert ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"][int(weekday)] in html
    for key in ("svar_efter_moedet", "opfoelgninger", "tekstversion", ">score<", ">faser<"):
        assert key not in html, key
    assert "Første møder" in html and "Faser" in html and "data-udskriv" in html
    data = json.loads(koordinator.get(reverse("borgere:borger_export_json", args=[rich_borger.pk])).content)
    assert re.match(r"\d{4}-\d{2}-\d{2}T", data["adgange"][0]["tidspunkt"])  # the download stays ISO 8601


def test_only_koordinatorer_may_export_or_erase(rich_borger):
    brobygger = client_for(rich_borger.brobygger)
    for name in ("borgere:borger_export", "borgere:borger_export_json", "borgere:borger_erase"):
        assert brobygger.get(reverse(name, args=[rich_borger.pk])).status_code == 403


def _everything_as_text() -> str:
    """Every row of every model, serialised: where a leftover marker would show up."""
    chunks = []
    for model in apps.get_models():
        if model._meta.app_label in ("brobygning", "borgere", "matching", "foreninger"):
            chunks.append(serializers.serialize("json", model.objects.all()))
    return "\n".join(chunks)


def test_art17_needs_confirmation_then_leaves_nothing_identifying_but_keeps_statistics(rich_borger, koordinator):
    url = reverse("borgere:borger_erase", args=[rich_borger.pk])
    assert "ikke kan fortrydes" in koordinator.get(url).content.decode()
    response = koordinator.post(url, {})
    assert response.status_code == 200 and "Sæt kryds" in response.content.decode()
    assert Borger.objects.get(pk=rich_borger.pk).anonymiseret is None

    before = {"samtaler": Samtale.objects.filter(borger=rich_borger).count(),
              "stages": list(Match.objects.filter(borger=rich_borger).values_list("stage", flat=True)),
              "scores": [m.score for m in Maaling.objects.filter(borger=rich_borger)]}
    pending = Paamindelse.objects.filter(status=PaamindelseStatus.AFVENTER).count()
    assert pending > 0
    assert koordinator.post(url, {"bekraeft": "on"}).status_code == 302

    text = _everything_as_text()
    leftovers = [m for m in MARKERS if m in text or json.dumps(m)[1:-1] in text]
    assert leftovers == []
    borger = Borger.objects.get(pk=rich_borger.pk)
    assert borger.anonymiseret and borger.foedselsaar == 1980 and not borger.interesser.exists()
    assert not borger.udfordringer.exists()
    assert Samtale.objects.filter(borger=borger).count() == before["samtaler"]
    # The open match ends (issue 12: no live meeting after art. 17); how far it got stays in its history.
    assert before["stages"] == ["moede_planlagt"]
    assert list(Match.objects.filter(borger=borger).values_list("stage", flat=True)) == ["afsluttet"]
    assert "moede_planlagt" in MatchOvergang.objects.filter(match__borger=borger).values_list("til", flat=True)
    assert [m.score for m in Maaling.objects.filter(borger=borger)] == before["scores"]
    assert not Paamindelse.objects.filter(status=PaamindelseStatus.AFVENTER).exists()
    assert Adgangslog.objects.filter(handling=Adgangslog.Handling.SLETTET, borger_id=borger.pk).exists()
    assert koordinator.get(reverse("borgere:borger_detail", args=[borger.pk])).status_code == 404  # gone from the UI
    with pytest.raises(Exception, match="allerede"):
        gdpr.borger_anonymise(actor=None, borger=borger)


def _age(borger, days):
    """Backdate the borger's data, as a direct write does; the retention clock is then recomputed
    from the data (`sidste_aktivitet` is otherwise kept by the services)."""
    old = timezone.now() - timedelta(days=days)
    Borger.objects.filter(pk=borger.pk).update(opdateret=old)
    Samtale.objects.filter(borger=borger).update(oprettet=old)
    gdpr.aktivitet_registreret(borger.pk)


def test_retention_anonymises_inactive_borgere_after_the_centres_period(world, settings):
    world.center_a.opbevaring_maaneder = 12
    world.center_a.save()
    stale = f.BorgerFactory(center=world.center_a, fornavn="Gammel")
    active = f.BorgerFactory(center=world.center_a, fornavn="Aktiv")
    _age(stale, 400)
    _age(active, 400)
    Samtale.objects.create(center=world.center_a, borger=active)  # recent activity keeps it
    extended = f.BorgerFactory(center=world.center_a, fornavn="Forlænget")
    _age(extended, 400)
    Borger.objects.filter(pk=extended.pk).update(opbevar_til=timezone.localdate() + timedelta(days=10))
    from borgere.tasks import anonymise_inactive

    assert settings.CELERY_BEAT_SCHEDULE["anonymise-inactive-borgere"]["task"] == "borgere.tasks.anonymise_inactive"
    assert anonymise_inactive.delay().get() == 1
    assert Borger.objects.get(pk=stale.pk).anonymiseret is not None
    assert Borger.objects.get(pk=active.pk).anonymiseret is None
    assert Borger.objects.get(pk=extended.pk).anonymiseret is None


def test_retention_scrubs_referrals_once_handled_or_left_too_long(world, settings):
    center = world.center_a
    now = timezone.now()
    old_declined = _henvisning(center, fornavn="Zqafvist", oensker="x", status=HenvisningStatus.AFVIST,
                               afvist_grund="Zqgrund", behandlet=now - timedelta(days=31))
    new_declined = _henvisning(center, fornavn="Zqnyafvist", oensker="x", status=HenvisningStatus.AFVIST,
                               afvist_grund="y", behandlet=now - timedelta(days=5))
    waiting = _henvisning(center, fornavn="Zqventer", oensker="x")
    forgotten = _henvisning(center, fornavn="Zqglemt", oensker="x")
    Henvisning.objects.filter(pk=forgotten.pk).update(oprettet=now - timedelta(days=400))
    gdpr.anonymise_inactive()
    names = dict(Henvisning.objects.values_list("pk", "fornavn"))
    assert names[old_declined.pk] == names[forgotten.pk] == gdpr.ANONYM
    assert (names[new_declined.pk], names[waiting.pk]) == ("Zqnyafvist", "Zqventer")
    scrubbed = Henvisning.objects.get(pk=old_declined.pk)
    assert (scrubbed.telefon, scrubbed.afvist_grund, scrubbed.status) == ("", "", HenvisningStatus.AFVIST)


def test_per_centre_retention_period(world):
    world.center_a.opbevaring_maaneder = 24
    world.center_a.save()
    borger = f.BorgerFactory(center=world.center_a)
    _age(borger, 400)
    assert gdpr.anonymise_inactive() == 0


def test_koordinator_is_warned_30_days_ahead_and_can_extend_with_a_logged_reason(world, as_koordinator_a):
    soon = f.BorgerFactory(center=world.center_a, fornavn="Snart-Udløbet-Markør", brobygger=world.borger_a.brobygger)
    _age(soon, 12 * 30 - 10)
    later = f.BorgerFactory(center=world.center_a, fornavn="Langt-Fra-Markør", brobygger=world.borger_a.brobygger)
    _age(later, 100)
    html = as_koordinator_a.get(reverse("matching:forside")).content.decode()
    assert "Snart-Udløbet-Markør" in html and "Langt-Fra-Markør" not in html

    url = reverse("borgere:borger_retention_extend", args=[soon.pk])
    as_koordinator_a.post(url, {"begrundelse": ""})
    assert Borger.objects.get(pk=soon.pk).opbevar_til is None
    as_koordinator_a.post(url, {"begrundelse": "Borgeren venter på ny samtale"})
    assert Borger.objects.get(pk=soon.pk).opbevar_til > timezone.localdate()
    entry = Adgangslog.objects.get(handling=Adgangslog.Handling.FORLAENGET)
    assert entry.kriterium == "Borgeren venter på ny samtale" and entry.borger_id == soon.pk
    assert "Snart-Udløbet-Markør" not in as_koordinator_a.get(reverse("matching:forside")).content.decode()


def _clock(borger):
    """The stored retention clock, and the same computed from the data (they must agree)."""
    stored = Borger.objects.get(pk=borger.pk).sidste_aktivitet
    computed = Borger.objects.annotate(x=gdpr.aktivitet_udtryk()).get(pk=borger.pk).x
    return stored, computed


def _backdate(borger, days=400):
    old = timezone.now() - timedelta(days=days)
    Borger.objects.filter(pk=borger.pk).update(opdateret=old, sidste_aktivitet=old)
    return old


def test_the_retention_clock_column_is_kept_by_samtale_stage_change_meeting_and_follow_up(world, brobygger, match):
    """Issue 15: `Borger.sidste_aktivitet` replaces four subqueries per borger; each kind of activity
    the old expression counted moves the stored column, and it always equals the expression."""
    from borgere.services import samtale_create
    from matching import services
    from matching.models import Opfoelgning, OpfoelgningType, Resultat, Stage

    from ..journey_factories import attend, plan

    borger = world.borger_a
    MatchOvergang.objects.filter(match=match).update(tidspunkt=timezone.now() - timedelta(days=400))
    Match.objects.filter(pk=match.pk).update(stage_siden=timezone.now() - timedelta(days=400))

    old = _backdate(borger)
    before = timezone.now()
    samtale_create(actor=brobygger, borger=borger, data={"noter": "x"}, borger_data={})
    stored, computed = _clock(borger)
    assert stored == computed and stored >= before > old

    old = _backdate(borger)
    Samtale.objects.filter(borger=borger).update(oprettet=old)
    before = timezone.now()
    match = services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
    stored, computed = _clock(borger)
    assert stored == computed == Match.objects.get(pk=match.pk).stage_siden >= before

    # A meeting: its time counts, even ahead; moved earlier, the clock follows it back.
    _backdate(borger)
    when = timezone.now() + timedelta(days=10)
    ledsagelse = plan(brobygger, match, when=when)
    assert _clock(borger) == (when, when)
    sooner = timezone.now() + timedelta(days=4)
    services.ledsagelse_update(actor=brobygger, ledsagelse=ledsagelse, data={"tidspunkt": sooner})
    assert _clock(borger) == (sooner, sooner)
    services.ledsagelse_outcome(actor=brobygger, ledsagelse=ledsagelse, status="aflyst")

    # A follow-up.
    match = Match.objects.get(pk=match.pk)
    attend(brobygger, match)
    _backdate(borger)
    opf = Opfoelgning.objects.get(match=match, type=OpfoelgningType.DAGEN_EFTER)
    before = timezone.now()
    services.opfoelgning_record(actor=brobygger, opfoelgning=opf, resultat=Resultat.DELTAGER_STADIG)
    stored, computed = _clock(borger)
    assert stored == computed and stored >= Opfoelgning.objects.get(pk=opf.pk).udfoert >= before

    # A save of the borger itself is activity, as `opdateret` was; it never lowers the clock.
    borger = Borger.objects.get(pk=borger.pk)
    borger.save()
    assert _clock(borger) == (sooner, sooner)  # the cancelled meeting ahead still counts, as it did
    other = f.BorgerFactory(center=world.center_a)
    _backdate(other)
    other = Borger.objects.get(pk=other.pk)
    other.save()
    stored, computed = _clock(other)
    assert stored == computed == Borger.objects.get(pk=other.pk).opdateret


def test_retention_warnings_are_an_index_range_with_fixed_queries(world, as_koordinator_a,
                                                                  django_assert_max_num_queries):
    """The overview's warnings read the column: no per-borger subquery, whatever the centre's size."""
    soon = [f.BorgerFactory(center=world.center_a, fornavn=f"Udløber-{i}") for i in range(3)]
    for borger in soon:
        _age(borger, 12 * 30 - 10)
    as_koordinator_a.get(reverse("matching:forside"))
    with django_assert_max_num_queries(60) as few:
        as_koordinator_a.get(reverse("matching:forside"))
    for i in range(60):
        _age(f.BorgerFactory(center=world.center_a, fornavn=f"Udløber-x{i}"), 12 * 30 - 10)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = as_koordinator_a.get(reverse("matching:forside"))
    assert len(response.context["opbevaring_udloeber"]) == 50
    warnings = [q["sql"] for q in many.captured_queries if "sidste_aktivitet" in q["sql"]]
    assert warnings and not any("MAX(" in sql.upper() for sql in warnings)
