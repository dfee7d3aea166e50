"""The access log: what writes an entry, that it is append-only, the purge, and the koordinator's pages."""

from datetime import timedelta

import pytest
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from brobygning import adgangslog
from brobygning import settings as production_settings
from brobygning.models import Adgangslog
from brobygning.testdb import base as testdb_base
from matching.models import Match

from .. import factories as f

pytestmark = pytest.mark.django_db
H = Adgangslog.Handling


def entries(**kwargs):
    return list(Adgangslog.objects.filter(**kwargs))


def test_reading_a_borger_page_writes_one_entry(world, as_brobygger_a, brobygger_a):
    assert as_brobygger_a.get(reverse("borgere:borger_detail", args=[world.borger_a.pk])).status_code == 200
    [entry] = entries(handling=H.LAEST)
    assert entry.bruger == brobygger_a and entry.borger_id == world.borger_a.pk
    assert entry.center_id == world.center_a.pk and entry.formaal == "sagsbehandling"
    assert entry.visning == "borger_detail" and entry.tidspunkt.utcoffset() == timedelta(0)


def test_htmx_fragment_and_related_objects_are_logged_as_reads_of_the_borger(world, as_brobygger_a):
    response = as_brobygger_a.get(reverse("matching:forslag", args=[world.borger_a.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert entries(handling=H.LAEST, borger_id=world.borger_a.pk, formaal="matching", visning="forslag")
    match = Match.objects.create(center=world.center_a, borger=world.borger_a, faellesskab=world.faellesskab_a)
    before = Adgangslog.objects.filter(visning="match_detail").count()
    assert as_brobygger_a.get(reverse("matching:match_detail", args=[match.pk])).status_code == 200
    assert Adgangslog.objects.filter(visning="match_detail", borger_id=world.borger_a.pk).count() == before + 1


def test_a_search_over_borgere_records_its_criterion(world, as_koordinator_a):
    as_koordinator_a.post(reverse("borgere:borger_list"), {"q": "Søgeord-XQ", "status": "ny"})
    as_koordinator_a.get(reverse("borgere:borger_list"))
    [entry] = entries(handling=H.SOEGNING)
    assert "q=Søgeord-XQ" in entry.kriterium and "status=ny" in entry.kriterium and entry.borger_id is None


def test_refused_authorisations_are_logged(world, as_brobygger_a2, as_koordinator_b):
    assert as_brobygger_a2.get(reverse("borgere:borger_detail", args=[world.borger_a.pk])).status_code == 403
    assert as_koordinator_b.get(reverse("borgere:borger_detail", args=[world.borger_a.pk])).status_code == 404
    refused = entries(handling=H.AFVIST, bruger__isnull=False)  # the actors' own centres' entries
    assert sorted(e.formaal for e in refused) == ["403", "404"]
    assert all(f"/borgere/{world.borger_a.pk}/" in e.kriterium for e in refused)
    assert not entries(handling=H.LAEST)


def test_login_logout_and_failed_login_are_logged_without_the_typed_address(client, brobygger_a):
    client.post(reverse("account_login"), {"login": "ukendt-markoer@x.test", "password": "forkert-forkert"})
    client.post(reverse("account_login"), {"login": brobygger_a.email, "password": f.PASSWORD})
    client.post(reverse("account_logout"))
    assert [e.handling for e in Adgangslog.objects.order_by("pk")] == [H.LOGIN_FEJLET, H.LOGIN, H.LOGOUT]
    assert not Adgangslog.objects.filter(kriterium__icontains="markoer").exists()
    assert entries(handling=H.LOGIN)[0].bruger == brobygger_a


def test_entries_cannot_be_changed_or_deleted_through_the_app(world):
    adgangslog.log(handling=H.LAEST, borger_id=world.borger_a.pk, center_id=world.center_a.pk)
    entry = Adgangslog.objects.get()
    entry.formaal = "ændret"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        Adgangslog.objects.filter(pk=entry.pk).update(formaal="x")
    with pytest.raises(PermissionError):
        Adgangslog.objects.all().delete()
    assert Adgangslog.objects.get().formaal == "sagsbehandling"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_update_and_delete_except_for_the_purge(world):
    adgangslog.log(handling=H.LAEST, borger_id=world.borger_a.pk, center_id=world.center_a.pk)
    table = Adgangslog._meta.db_table
    for sql in (f"UPDATE {table} SET formaal = 'x'", f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Adgangslog.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_truncate_except_with_the_purge_flag(world):
    adgangslog.log(handling=H.LAEST, borger_id=world.borger_a.pk, center_id=world.center_a.pk)
    table = Adgangslog._meta.db_table
    with pytest.raises(DatabaseError, match="kan ikke tømmes"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")
    assert Adgangslog.objects.count() == 1
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {adgangslog.PURGE_SETTING} = 'on'")
        cursor.execute(f"TRUNCATE {table}")
    assert Adgangslog.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_the_test_databases_flush_may_empty_the_access_log_and_production_keeps_djangos_backend(world):
    """Transactional tests end with Django's flush (a TRUNCATE); only the test settings' backend sets the flag."""
    adgangslog.log(handling=H.LAEST, borger_id=world.borger_a.pk, center_id=world.center_a.pk)
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), [Adgangslog._meta.db_table]))
    assert not Adgangslog.objects.exists()
    assert testdb_base.PURGE_SETTING == adgangslog.PURGE_SETTING
    assert production_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def test_purge_deletes_only_entries_older_than_the_retention(world, settings):
    settings.ADGANGSLOG_RETENTION_DAYS = 183
    now = timezone.now()
    for days in (200, 184, 10):
        Adgangslog(handling=H.LAEST, borger_id=world.borger_a.pk, tidspunkt=now - timedelta(days=days)).save()
    from brobygning.tasks import purge_access_log

    assert purge_access_log.delay().get() == 2
    assert [e.tidspunkt.date() for e in Adgangslog.objects.all()] == [(now - timedelta(days=10)).date()]


def test_purge_is_scheduled_daily(settings):
    assert settings.CELERY_BEAT_SCHEDULE["purge-access-log"]["task"] == "brobygning.tasks.purge_access_log"


def test_koordinator_sees_the_log_per_borger_and_per_user_in_their_centre_only(
        world, as_brobygger_a, as_koordinator_a, brobygger_a, koordinator_b):
    as_brobygger_a.get(reverse("borgere:borger_detail", args=[world.borger_a.pk]))
    adgangslog.log(handling=H.LAEST, borger_id=world.borger_b.pk, center_id=world.center_b.pk, user=koordinator_b)
    page = as_koordinator_a.get(reverse("brobygning:adgangslog"), {"borger": world.borger_a.pk})
    rows = list(page.context["page"].object_list)
    assert rows and all(r.borger_id == world.borger_a.pk for r in rows)
    rows = list(as_koordinator_a.get(reverse("brobygning:adgangslog"), {"bruger": brobygger_a.pk}).context["page"].object_list)
    assert rows and all(r.bruger_id == brobygger_a.pk for r in rows)
    everything = list(as_koordinator_a.get(reverse("brobygning:adgangslog")).context["page"].object_list)
    assert world.borger_b.pk not in {r.borger_id for r in everything}
    assert as_brobygger_a.get(reverse("brobygning:adgangslog")).status_code == 403


def test_stikproeve_draws_a_random_sample_within_the_period(world, as_koordinator_a, brobygger_a):
    now = timezone.now()
    for i in range(30):
        Adgangslog(handling=H.LAEST, borger_id=i + 1, center=world.center_a, bruger=brobygger_a,
                   tidspunkt=now - timedelta(days=i)).save()
    fra = timezone.localdate() - timedelta(days=9)
    response = as_koordinator_a.get(reverse("brobygning:adgangslog_stikproeve"),
                                     {"fra": fra.isoformat(), "til": timezone.localdate().isoformat(), "antal": 5})
    rows = response.context["rows"]
    assert len(rows) == 5 and all(timezone.localdate(r.tidspunkt) >= fra for r in rows)


def _reads(center, user, day, n):
    when = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(hours=10)
    for i in range(n):
        Adgangslog(handling=H.LAEST, borger_id=1000 + i, center=center, bruger=user, tidspunkt=when).save()


def test_unusual_volume_alert_on_the_koordinator_overview(world, brobygger_a, brobygger_a2, as_koordinator_a):
    today = timezone.localdate()
    for d in range(1, 31):  # brobygger_a usually reads 4 a day, brobygger_a2 usually 10
        _reads(world.center_a, brobygger_a, today - timedelta(days=d), 4)
        _reads(world.center_a, brobygger_a2, today - timedelta(days=d), 10)
    _reads(world.center_a, brobygger_a, today, 25)   # > 3 × 4 and ≥ 20: alert
    _reads(world.center_a, brobygger_a2, today, 25)  # not > 3 × 10: no alert
    alerts = adgangslog.volume_alerts(center_id=world.center_a.pk, today=today)
    assert [(a["bruger_id"], a["i_dag"], a["median"]) for a in alerts] == [(brobygger_a.pk, 25, 4)]
    html = as_koordinator_a.get(reverse("matching:forside")).content.decode()
    assert "Usædvanligt mange opslag" in html and f"?bruger={brobygger_a.pk}" in html
    assert f"?bruger={brobygger_a2.pk}" not in html


def test_the_days_many_reads_are_what_the_orms_aggregate_counted(world, brobygger_a, brobygger_a2, koordinator_a):
    # `_mange_i_dag` (plain SQL) against the ORM's aggregate it replaced: distinct borgere, the day's
    # bounds (midnight in, the next midnight out), the minimum, only reads of the centre with a user and a borger
    from django.db.models import Count
    today = timezone.localdate()
    fra, til = adgangslog._midnat(today), adgangslog._midnat(today + timedelta(days=1))
    for i in range(25):  # 25 reads of 21 borgere, at the first instant of the day
        Adgangslog(handling=H.LAEST, borger_id=2000 + min(i, 20), center=world.center_a, bruger=brobygger_a,
                   tidspunkt=fra).save()
    for i in range(21):  # 21 borgere, one of them at the next midnight (another day): 20 today
        Adgangslog(handling=H.LAEST, borger_id=3000 + i, center=world.center_a, bruger=brobygger_a2,
                   tidspunkt=til if i == 0 else fra + timedelta(hours=23)).save()
    for i in range(19):  # under the minimum
        Adgangslog(handling=H.LAEST, borger_id=4000 + i, center=world.center_a, bruger=koordinator_a, tidspunkt=fra).save()
    for i in range(30):  # another centre, another handling, no borger, no user: not counted
        Adgangslog(handling=H.LAEST, borger_id=5000 + i, center=world.center_b, bruger=brobygger_a, tidspunkt=fra).save()
        Adgangslog(handling=H.SOEGNING, borger_id=5000 + i, center=world.center_a, bruger=koordinator_a, tidspunkt=fra).save()
        Adgangslog(handling=H.LAEST, center=world.center_a, bruger=koordinator_a, tidspunkt=fra).save()
        Adgangslog(handling=H.LAEST, borger_id=6000 + i, center=world.center_a, tidspunkt=fra).save()
    orm = dict(Adgangslog.objects.filter(center_id=world.center_a.pk, handling=H.LAEST, bruger__isnull=False,
                                         borger_id__isnull=False, tidspunkt__gte=fra, tidspunkt__lt=til)
               .values("bruger_id").annotate(n=Count("borger_id", distinct=True))
               .filter(n__gte=adgangslog.ALERT_MINIMUM).values_list("bruger_id", "n"))
    assert adgangslog._mange_i_dag(world.center_a.pk, fra, til) == orm == {brobygger_a.pk: 21, brobygger_a2.pk: 20}


def test_no_alert_below_the_minimum(world, brobygger_a):
    _reads(world.center_a, brobygger_a, timezone.localdate(), 19)
    assert adgangslog.volume_alerts(center_id=world.center_a.pk) == []


def test_changes_to_a_borger_and_its_objects_are_logged_after_commit(world, brobygger_a,
                                                                     django_capture_on_commit_callbacks):
    from borgere.models import Formaal
    from borgere.services import samtykke_give
    from brobygning.access import actor_for

    with django_capture_on_commit_callbacks(execute=True):
        samtykke_give(actor=actor_for(brobygger_a), borger=world.borger_a, formaal=Formaal.MAALINGER,
                      maade="mundtligt")
    [entry] = entries(handling=H.AENDRET)
    assert entry.borger_id == world.borger_a.pk and entry.bruger == brobygger_a
    assert entry.kriterium == "samtykke.givet"


def test_a_failed_change_leaves_no_change_entry(world, brobygger_a, django_capture_on_commit_callbacks):
    from borgere.models import MaalingType, Samtale
    from borgere.services import samtale_create
    from brobygning.access import actor_for
    from brobygning.models import AuditEntry

    # The samtale is audited first, then the measure (no consent) fails and everything rolls back.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception, match="samtykke"):
        samtale_create(actor=actor_for(brobygger_a), borger=world.borger_a, data={"noter": "x"}, borger_data={},
                       maalinger=[(MaalingType.WHO5, [1] * 5)])
    assert not Samtale.objects.exists() and not AuditEntry.objects.filter(objekt_type="samtale").exists()
    assert not entries(handling=H.AENDRET)


def test_lists_of_borgere_on_the_front_page_and_the_board_are_logged(world, as_koordinator_a):
    as_koordinator_a.get(reverse("matching:forside"))
    as_koordinator_a.get(reverse("matching:pipeline"))
    assert sorted(e.kriterium for e in entries(handling=H.SOEGNING)) == ["liste=forside", "liste=matchtavle"]


def test_the_user_list_links_to_each_users_log(world, as_koordinator_a, brobygger_a):
    html = as_koordinator_a.get(reverse("brobygning:medlem_list")).content.decode()
    assert f'{reverse("brobygning:adgangslog")}?bruger={brobygger_a.pk}' in html


# --- Attempts from another centre (issue 12) -----------------------------------------------------------


def _foreign(center):
    return entries(handling=H.AFVIST, center_id=center.pk, formaal=adgangslog.FORMAAL_ANDET_CENTER)


def _no_trace_of(entry, user):
    values = " ".join(str(v) for v in (entry.kriterium, entry.formaal, entry.visning))
    return entry.bruger_id is None and user.email not in values and user.first_name not in values


def test_another_centres_attempt_is_logged_under_the_target_centre_without_the_user(
        world, as_koordinator_b, koordinator_b):
    url = reverse("borgere:borger_detail", args=[world.borger_a.pk])
    assert as_koordinator_b.get(url).status_code == 404
    [own] = entries(handling=H.AFVIST, center_id=world.center_b.pk)  # the attacker's centre: as before
    assert own.bruger == koordinator_b and own.formaal == "404" and url in own.kriterium
    [target] = _foreign(world.center_a)
    assert target.borger_id == world.borger_a.pk and _no_trace_of(target, koordinator_b)
    assert target.kriterium == f"borger={world.borger_a.pk} forsøgt fra et andet center (center #{world.center_b.pk})"
    assert target.visning == "borger_detail"


def test_an_object_hanging_off_a_borger_names_the_borger(world, as_koordinator_b, koordinator_b):
    match = Match.objects.create(center=world.center_a, borger=world.borger_a, faellesskab=world.faellesskab_a)
    assert as_koordinator_b.get(reverse("matching:match_detail", args=[match.pk])).status_code == 404
    [target] = _foreign(world.center_a)
    assert target.borger_id == world.borger_a.pk and target.kriterium.startswith(f"match={match.pk} ")
    assert _no_trace_of(target, koordinator_b)


def test_an_id_that_exists_nowhere_logs_nothing_in_any_other_centre(world, as_koordinator_b):
    assert as_koordinator_b.get(reverse("borgere:borger_detail", args=[987654])).status_code == 404
    assert not entries(formaal=adgangslog.FORMAAL_ANDET_CENTER)


def test_access_check_on_another_centres_object_is_logged_there_too(world, koordinator_b):
    from django.http import Http404

    from brobygning import access

    with pytest.raises(Http404):
        access.check(access.actor_for(koordinator_b), "borger", "change", world.borger_a)
    [target] = _foreign(world.center_a)
    assert target.borger_id == world.borger_a.pk and target.bruger_id is None


def test_the_target_centres_spot_check_and_log_show_the_attempt(world, as_koordinator_b, as_koordinator_a,
                                                                brobygger_a):
    for i in range(40):  # plenty of ordinary entries the random draw could pick instead
        Adgangslog(handling=H.LAEST, borger_id=i + 1, center=world.center_a, bruger=brobygger_a).save()
    as_koordinator_b.get(reverse("borgere:borger_detail", args=[world.borger_a.pk]))
    today = timezone.localdate().isoformat()
    page = as_koordinator_a.get(reverse("brobygning:adgangslog_stikproeve"), {"fra": today, "til": today, "antal": 1})
    [attempt] = page.context["andre_centre"]
    assert attempt.borger_id == world.borger_a.pk
    html = page.content.decode()
    assert "Forsøg fra andre centre i perioden" in html and "forsøgt fra et andet center" in html
    refused = as_koordinator_a.get(reverse("brobygning:adgangslog"), {"handling": H.AFVIST})
    assert [e.pk for e in refused.context["page"].object_list] == [attempt.pk]
    # The attacker's centre sees its own user's refusal, never the target centre's entry.
    theirs = as_koordinator_b.get(reverse("brobygning:adgangslog"), {"handling": H.AFVIST}).context["page"].object_list
    assert attempt.pk not in {e.pk for e in theirs}


def test_the_volume_alert_filters_on_a_time_range_not_a_cast_date(world, django_assert_max_num_queries):
    """Issue 15: `tidspunkt__date__gte` cast the column per row, so no index range applied."""
    with django_assert_max_num_queries(1) as queries:
        adgangslog.volume_alerts(center_id=world.center_a.pk)
    where = queries.captured_queries[0]["sql"].split(" WHERE ", 1)[1].split(" GROUP BY ", 1)[0]
    assert '"tidspunkt" >=' in where and "cast_date" not in where and "::date" not in where.lower()
