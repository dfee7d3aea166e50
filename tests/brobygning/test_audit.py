"""The audit log holds dotted action ids only, for the right kind of object; old rows were rewritten."""

import importlib

import pytest

from brobygning.audit import log_action
from brobygning.models import AuditAction, AuditEntry

from .. import factories as f

migration = importlib.import_module("brobygning.migrations.0009_audit_action")


@pytest.mark.django_db
def test_an_action_is_recorded_with_its_dotted_id(koordinator_a, world):
    from brobygning.access import actor_for

    log_action(actor=actor_for(koordinator_a), handling=AuditAction.FORENING_AENDRET, obj=world.forening_a,
               felter=["navn"])
    entry = AuditEntry.objects.get(objekt_type="forening")
    assert (entry.handling, entry.get_handling_display(), entry.felter) == ("forening.aendret", "Forening ændret",
                                                                           ["navn"])


@pytest.mark.django_db
@pytest.mark.parametrize("handling", ["ændret", "forening.slettet", ""])
def test_free_text_is_refused(handling):
    with pytest.raises(ValueError):
        log_action(actor=None, handling=handling, obj=f.ForeningFactory())
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_an_action_for_another_kind_is_refused():
    with pytest.raises(ValueError, match="does not belong to a forening"):
        log_action(actor=None, handling=AuditAction.BORGER_AENDRET, obj=f.ForeningFactory())


@pytest.mark.parametrize(("old", "objekt_type", "new"), [
    ("ændret", "borger", "borger.aendret"),
    ("oprettet", "samtale", "samtale.oprettet"),
    ("deaktiveret", "user", "user.deaktiveret"),
    ("importeret", "importjob", "importjob.importeret"),
    ("ændret ved import", "faellesskab", "faellesskab.aendret_ved_import"),
    ("fase:ledsaget", "match", "match.fase.ledsaget"),
    ("vært:kom_ikke", "ledsagelse", "ledsagelse.vaert.kom_ikke"),
    ("godkendt", "overtagelsesanmodning", "overtagelsesanmodning.godkendt"),
])
def test_the_migration_maps_every_old_text_to_an_action_that_exists(old, objekt_type, new):
    assert migration.new_id(old, objekt_type) == new
    assert new in AuditAction.values


def test_every_old_text_the_migration_knows_maps_into_the_enum():
    kinds = {"borger", "samtale", "forening", "faellesskab", "match", "ledsagelse", "importjob", "medlemskab",
             "user", "invitation", "frivilligcenter"}
    for old in migration.FIXED:
        targets = {migration.new_id(old, kind) for kind in kinds}
        assert targets & set(AuditAction.values), f"{old!r} maps to no action"
