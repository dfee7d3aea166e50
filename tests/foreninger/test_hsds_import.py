"""Import of HSDS 3.0 JSON and the CSV template: dry run, all or nothing, idempotent, bad files refused."""

import json
from datetime import date, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from brobygning.models import AuditEntry
from foreninger import tasks
from foreninger.hsds import parse, services
from foreninger.models import Faellesskab, Forening, Frekvens, ImportJob, ImportStatus, Moedetid

from .. import factories as f

pytestmark = pytest.mark.django_db

HEADER = ",".join(parse.CSV_HEADER)


def csv_file(*rows, header=HEADER, encoding="utf-8"):
    return (header + "\n" + "\n".join(rows) + "\n").encode(encoding)


def row(**values):
    base = dict.fromkeys(parse.CSV_HEADER, "")
    base.update({"forening_id": "F1", "forening_navn": "Ærø Strikkeforening", "faellesskab_id": "S1",
                 "titel": "Strik ☕ på Ærø", "postnummer": "5000"})
    base.update(values)
    return ",".join(f'"{base[c]}"' for c in parse.CSV_HEADER)


def actor_for(user):
    from brobygning.access import actor_for as resolve

    return resolve(user)


def upload(user, content, name="data.csv"):
    """Upload and run the dry run, as the import page does (the task runs eagerly in tests)."""
    job = services.import_upload(actor=actor_for(user), fil=SimpleUploadedFile(name, content))
    tasks.import_check.delay(center_id=job.center_id, job_id=job.pk)
    job.refresh_from_db()
    return job


def confirm(user, job):
    services.import_confirm(actor=actor_for(user), job=job)
    tasks.import_run.delay(center_id=job.center_id, job_id=job.pk)
    job.refresh_from_db()
    return job


def snapshot(center):
    """What matters about a centre's fællesskaber, independent of ids."""
    result = []
    for fc in Faellesskab.objects.filter(center=center).select_related("forening", "kategori", "postnummer").order_by("titel"):
        result.append((
            fc.titel, fc.beskrivelse, fc.velkomst, fc.forening.navn, fc.forening.cvr, fc.kategori_id, fc.adresse,
            fc.postnummer_id, fc.lat, fc.lng, fc.alder_min, fc.alder_max, fc.for_deltagere, fc.for_frivillige,
            fc.aaben_for_nye, fc.kapacitet, fc.pris, fc.pris_note, fc.status, fc.sidst_bekraeftet,
            sorted(fc.interesser.values_list("slug", flat=True)), sorted(fc.maalgrupper.values_list("slug", flat=True)),
            sorted(fc.tilgaengelighed.values_list("slug", flat=True)),
            sorted((m.frekvens, m.ugedag, m.uge_i_maaned, m.fra, m.til, m.gyldig_fra, m.gyldig_til)
                   for m in fc.moedetider.all()),
        ))
    return result


def test_csv_dry_run_then_import(koordinator_a, center_a):
    content = csv_file(
        row(moedetider="mandag 17:00-19:00|sidste fredag 9:30-11:00", maalgrupper="ensomhed|Angst",
            kategori="Musik og sang", forening_cvr="25313763", pris="25,50", kapacitet="4"),
        row(faellesskab_id="S2", titel="Gå-tur", moedetider="hver anden onsdag 10:00-12:00 fra 2026-01-07",
            for_frivillige="ja"),
        row(forening_id="F2", forening_navn="Kor", faellesskab_id=""),
    )
    job = upload(koordinator_a, content)
    assert job.status == ImportStatus.KLAR, job.resultat
    assert job.resultat["foreninger"]["opret"] == 2 and job.resultat["faellesskaber"]["opret"] == 2
    assert not Faellesskab.objects.filter(center=center_a, titel="Gå-tur").exists()  # a dry run changes nothing
    job = confirm(koordinator_a, job)
    assert job.status == ImportStatus.FAERDIG
    assert bytes(job.indhold) == b""  # the uploaded file is not kept after the import
    strik = Faellesskab.objects.get(center=center_a, ekstern_id="S1")
    assert strik.kategori.slug == "musik-og-sang" and strik.pris == 25.5 and strik.kapacitet == 4
    assert sorted(strik.maalgrupper.values_list("slug", flat=True)) == ["angst", "ensomhed"]
    assert {(m.frekvens, m.ugedag, m.uge_i_maaned) for m in strik.moedetider.all()} == {
        (Frekvens.UGENTLIG, 0, None), (Frekvens.MAANEDLIG, 4, -1)}
    gaa = Faellesskab.objects.get(center=center_a, ekstern_id="S2")
    assert gaa.for_frivillige and gaa.moedetider.get().gyldig_fra == date(2026, 1, 7)
    assert Forening.objects.get(center=center_a, ekstern_id="F1").cvr == "25313763"
    assert AuditEntry.objects.filter(handling="importjob.importeret", objekt_type="importjob", objekt_id=str(job.pk)).exists()
    assert AuditEntry.objects.filter(handling="faellesskab.importeret", objekt_type="faellesskab").count() == 2


def test_reimport_is_idempotent(koordinator_a, center_a):
    content = csv_file(row(moedetider="mandag 17:00-19:00", maalgrupper="ensomhed"), row(faellesskab_id="S2", titel="To"))
    confirm(koordinator_a, upload(koordinator_a, content))
    before = snapshot(center_a)
    again = upload(koordinator_a, content)
    assert again.resultat["faellesskaber"] == {"opret": 0, "opdater": 0, "uaendret": 2}
    assert again.resultat["foreninger"] == {"opret": 0, "opdater": 0, "uaendret": 1}
    confirm(koordinator_a, again)
    assert snapshot(center_a) == before
    assert Faellesskab.objects.filter(center=center_a, ekstern_id__in=["S1", "S2"]).count() == 2
    changed = upload(koordinator_a, csv_file(row(titel="Nyt navn", moedetider="mandag 17:00-19:00",
                                                  maalgrupper="ensomhed"), row(faellesskab_id="S2", titel="To")))
    assert changed.resultat["faellesskaber"] == {"opret": 0, "opdater": 1, "uaendret": 1}
    confirm(koordinator_a, changed)
    assert Faellesskab.objects.get(center=center_a, ekstern_id="S1").titel == "Nyt navn"


def test_row_errors_are_danish_and_nothing_is_saved(koordinator_a, center_a):
    content = csv_file(
        row(),
        row(faellesskab_id="S2", postnummer="0000", alder_min="40", alder_max="20"),
        row(faellesskab_id="S3", moedetider="om lidt"),
        row(faellesskab_id="S4", forening_id="F9", forening_navn="Dårlig", forening_cvr="12345678",
            forening_telefon="123"),
        row(faellesskab_id="S1", titel="Dublet"),
    )
    job = upload(koordinator_a, content)
    assert job.status == ImportStatus.AFVIST
    errors = {(e["raekke"], e["felt"]) for e in job.resultat["fejl"]}
    assert (3, "postnummer") in errors and (3, "alder_max") in errors
    assert (4, "moedetider") in errors
    assert (5, "forening_cvr") in errors and (5, "forening_telefon") in errors
    assert (6, "faellesskab_id") in errors
    assert any("findes ikke i Danmark" in e["fejl"] for e in job.resultat["fejl"])
    with pytest.raises(Exception, match="ikke klar"):
        confirm(koordinator_a, job)
    assert not Faellesskab.objects.filter(center=center_a, ekstern_id__startswith="S").exists()
    assert not Forening.objects.filter(center=center_a, ekstern_id__startswith="F").exists()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("data.csv", csv_file(row(titel="Æblegrød og ørred"), encoding="cp1252"), "UTF-8"),
    ("data.csv", csv_file(row(), header=HEADER.replace("titel", "navn")), "kolonner"),
    ("data.json", b'[{"id": "x", "name": ', "ikke gyldig JSON"),
    ("data.json", json.dumps([{"id": "ikke-et-uuid", "name": "X", "status": "aaben"}]).encode(), "HSDS 3.0"),
    ("data.json", b'"bare en tekst"', "liste"),
])
def test_bad_files_are_refused_whole(koordinator_a, center_a, name, content, message):
    job = upload(koordinator_a, content, name=name)
    assert job.status == ImportStatus.AFVIST
    assert message in job.resultat["filfejl"]
    assert not Faellesskab.objects.filter(center=center_a).exists()


def test_too_large_file_is_refused(koordinator_a, center_a):
    big = SimpleUploadedFile("stor.csv", b"x" * (50 * 1024 * 1024))
    with pytest.raises(Exception, match="for stor"):
        services.import_upload(actor=actor_for(koordinator_a), fil=big)
    assert not ImportJob.objects.exists()


def test_hsds_duplicate_ids_are_refused(koordinator_a, center_a, client, world):
    service = client.get(reverse("foreninger:hsds_service", args=[world.faellesskab_a.uuid])).json()
    job = upload(koordinator_a, json.dumps([service, service]).encode(), name="dobbelt.json")
    assert job.status == ImportStatus.AFVIST
    assert any("flere gange" in e["fejl"] for e in job.resultat["fejl"])


def test_round_trip_into_a_fresh_centre(koordinator_a, client, world):
    fc = world.faellesskab_a
    fc.lat, fc.lng, fc.kapacitet, fc.pris, fc.pris_note = 55.39, 10.38, 3, 20, "pr. gang"
    fc.velkomst, fc.alder_min, fc.sidst_bekraeftet = "Værten står ved døren.", 16, date(2026, 9, 1)
    fc.kategori = f.tag("kategori", "musik-og-sang")
    fc.for_frivillige, fc.aaben_for_nye = True, False
    fc.save()
    fc.tilgaengelighed.set([f.tag("tilgaengelighed", "koerestolsadgang")])
    fc.maalgrupper.set([f.tag("udfordring", "angst")])
    f.MoedetidFactory(faellesskab=fc, ugedag=0, fra=time(17), til=time(19))
    f.MoedetidFactory(faellesskab=fc, frekvens=Frekvens.HVER_ANDEN_UGE, ugedag=2, fra=time(10), til=time(12),
                      gyldig_fra=date(2026, 1, 7))
    f.MoedetidFactory(faellesskab=fc, frekvens=Frekvens.MAANEDLIG, ugedag=4, uge_i_maaned=2, fra=time(9), til=time(11),
                      gyldig_til=date(2027, 6, 30))
    f.FaellesskabFactory(forening=world.forening_a2, titel="Uden mødetider ☕ Ærø")
    world.forening_a.cvr = "25313763"
    world.forening_a.save()

    export = client.get(reverse("foreninger:hsds_center_services", kwargs={"center_slug": "odense"}),
                        {"full": "true", "per_page": 500}).content
    fresh = f.CenterFactory(slug="ny-centralen", navn="Ny Central")
    koordinator = f.UserFactory(email="ny@ny.test")
    f.MedlemskabFactory(user=koordinator, center=fresh, rolle="koordinator")
    job = confirm(koordinator, upload(koordinator, export, name="odense.json"))
    assert job.status == ImportStatus.FAERDIG, job.resultat
    assert snapshot(fresh) == snapshot(world.center_a)
    assert len(snapshot(fresh)) == 2
    # The same file again into the fresh centre: matched by external id, nothing new, nothing changed.
    again = confirm(koordinator, upload(koordinator, export, name="odense.json"))
    assert again.resultat["faellesskaber"] == {"opret": 0, "opdater": 0, "uaendret": 2}
    assert again.resultat["foreninger"] == {"opret": 0, "opdater": 0, "uaendret": 2}
    assert snapshot(fresh) == snapshot(world.center_a)
    # Importing our own export into the same centre finds every fællesskab by its UUID: nothing new.
    same = upload(koordinator_a, export, name="odense.json")
    assert same.resultat["faellesskaber"] == {"opret": 0, "opdater": 0, "uaendret": 2}


def test_organizations_with_services_import(koordinator_a, center_a, client, world):
    org = client.get(reverse("foreninger:hsds_organization", args=[world.forening_a.uuid])).json()
    fresh = f.CenterFactory(slug="org-central")
    koordinator = f.UserFactory(email="org@ny.test")
    f.MedlemskabFactory(user=koordinator, center=fresh, rolle="koordinator")
    job = confirm(koordinator, upload(koordinator, json.dumps([org]).encode(), name="orgs.json"))
    assert job.status == ImportStatus.FAERDIG, job.resultat
    assert list(Faellesskab.objects.filter(center=fresh).values_list("titel", flat=True)) == ["Strik og snak"]


def test_confirm_runs_once(koordinator_a, center_a):
    job = confirm(koordinator_a, upload(koordinator_a, csv_file(row())))
    with pytest.raises(Exception, match="allerede"):
        confirm(koordinator_a, job)
    assert Faellesskab.objects.filter(center=center_a).count() == 1
    assert Moedetid.objects.count() == 0


def test_a_failure_while_writing_leaves_nothing(koordinator_a, center_a, monkeypatch):
    """All or nothing: if the last bulk write fails, the foreninger and fællesskaber written before it are gone too."""
    job = upload(koordinator_a, csv_file(row(moedetider="mandag 17:00-19:00"), row(faellesskab_id="S2", titel="To")))
    assert job.status == ImportStatus.KLAR

    def boom(*args, **kwargs):
        raise RuntimeError("disk fuld")

    monkeypatch.setattr(Moedetid.objects, "bulk_create", boom)
    confirm(koordinator_a, job)  # the worker logs the error; eager Celery keeps it in the task result
    assert job.status == ImportStatus.FEJLET and "intet blev gemt" in job.resultat["filfejl"]
    assert not Forening.objects.filter(center=center_a, ekstern_id="F1").exists()
    assert not Faellesskab.objects.filter(center=center_a, ekstern_id__in=["S1", "S2"]).exists()
    assert not AuditEntry.objects.filter(handling="faellesskab.importeret", objekt_type="faellesskab").exists()
