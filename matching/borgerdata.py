"""matching's part in a borger's life (`borgere.hooks`): archiving and anonymising a borger, consent
changes, the art. 15 export and the retention clock, for matches, meetings and follow-ups."""

from django.db.models import Prefetch, Q

from borgere.gdpr import ANONYM, export_fields, latest_per_borger
from borgere.hooks import BorgerData
from brobygning.models import Paamindelse

from . import arrangement_paamindelser, forloeb
from .frivilligroller import rollematch_anonymise, rollematch_export
from .models import (
    Evaluering,
    Fremmoede,
    Ledsagelse,
    LedsagelseStatus,
    Match,
    MatchOvergang,
    Moedesvar,
    Opfoelgning,
    RolleMatch,
    Tilmelding,
    TilmeldingStatus,
)
from .paamindelser import EMNE_LEDSAGELSE, EMNE_OPFOELGNING, cancel_for_borger, sync_ledsagelse
from .selectors import borger_timeline, borger_timeline_laesning
from .services import ledsagelse_samtykke_aendret, match_afslut_for_borger


def archived(borger) -> None:
    cancel_for_borger(borger)
    arrangement_paamindelser.cancel_for_borger(borger)


def consent_changed(borger_id: int) -> None:
    """The planned meetings and their påmindelser follow the borger's consents: withdrawn
    registration cancels the meetings, withdrawn sharing cancels the host's calendar entry
    (`matching.services.ledsagelse_samtykke_aendret`)."""
    ledsagelse_samtykke_aendret(actor=None, borger_id=borger_id)
    for ledsagelse in Ledsagelse.objects.filter(match__borger_id=borger_id, status=LedsagelseStatus.PLANLAGT):
        sync_ledsagelse(ledsagelse)
    arrangement_paamindelser.sync_tilmeldinger(
        Tilmelding.objects.filter(borger_id=borger_id).exclude(status=TilmeldingStatus.AFMELDT)
        .select_related("arrangement", "borger"))


def anonymise(borger) -> None:
    cancel_for_borger(borger, grund="Borgeren er anonymiseret")
    arrangement_paamindelser.cancel_for_borger(borger, grund="Borgeren er anonymiseret")
    # Event participation stays for the statistics, without the borger's words.
    Evaluering.objects.filter(tilmelding__borger=borger).update(kommentar="")
    matches = Match.objects.filter(borger=borger)
    matches.update(afslutningsnote="", begrundelser=[])
    MatchOvergang.objects.filter(match__in=matches).update(note="")
    ledsagelser = Ledsagelse.objects.filter(match__in=matches)
    ledsagelser.update(moedested=ANONYM, transport="", velkomstnote="")
    Moedesvar.objects.filter(ledsagelse__in=ledsagelser).update(kommentar="", telefon_noegle="")
    opfoelgninger = Opfoelgning.objects.filter(match__in=matches)
    opfoelgninger.update(aarsag="")
    Paamindelse.objects.filter(
        Q(emne_type=EMNE_LEDSAGELSE, emne_id__in=ledsagelser.values("pk"))
        | Q(emne_type=EMNE_OPFOELGNING, emne_id__in=opfoelgninger.values("pk"))
    ).update(sidste_fejl="")
    rollematch_anonymise(RolleMatch.objects.filter(borger=borger))
    # Last, so the scrubbing above leaves the new "aflyst" messages and the ending's note alone.
    match_afslut_for_borger(actor=None, borger=borger)


def export(borger) -> dict:
    matches = []
    for match in Match.objects.filter(borger=borger).select_related("faellesskab__forening"):
        matches.append({
            **export_fields(match, exclude={"borger", "begrundelser"}),
            "forening": str(match.faellesskab.forening),
            "faser": [export_fields(o, exclude={"match"}) for o in MatchOvergang.objects.filter(match=match)],
            "moeder": [export_fields(x, exclude={"match"}) for x in Ledsagelse.objects.filter(match=match)],
            "svar_efter_moedet": [export_fields(x, exclude={"ledsagelse", "paamindelse", "nonce", "telefon_noegle"})
                                  for x in Moedesvar.objects.filter(ledsagelse__match=match)],
            # (`match_aaben` repeats the match's stage, which is above: kept for the overview, issue 15)
            "opfoelgninger": [export_fields(x, exclude={"match", "match_aaben"})
                              for x in Opfoelgning.objects.filter(match=match)],
        })
    arrangementer = [{
        **export_fields(t, exclude={"borger", "nonce", "user", "arrangement"}),
        "arrangement": t.arrangement.titel,
        "type": t.arrangement.get_type_display(),
        "fremmoede": [{"dato": f.dato.start, "moedt": f.moedt} for f in t.fremmoeder.all()],
        "evaluering": [export_fields(e, exclude={"tilmelding"}) for e in [getattr(t, "evaluering", None)] if e],
    } for t in Tilmelding.objects.filter(borger=borger).select_related("arrangement", "evaluering").prefetch_related(
        Prefetch("fremmoeder", queryset=Fremmoede.objects.select_related("dato").order_by("dato__start")))]
    return {"matches": matches, "arrangementer": arrangementer,
            "frivilligroller": rollematch_export(RolleMatch.objects.filter(borger=borger))}


def last_activity() -> list:
    return [latest_per_borger(Match, "borger", "stage_siden"),
            latest_per_borger(Ledsagelse, "match__borger", "tidspunkt"),
            latest_per_borger(Opfoelgning, "match__borger", "udfoert"),
            latest_per_borger(Tilmelding, "borger", "tilmeldt"),
            latest_per_borger(RolleMatch, "borger", "status_siden")]


def timeline(actor, borger) -> list:
    """The journey's lines and the borger's arrangementer (whoever may see the borger sees them), in one query."""
    return borger_timeline(actor=actor, borger=borger, arrangementer=True)


def timeline_laesning(actor, borger):
    """`timeline`'s read, for the borger page's round trip."""
    return borger_timeline_laesning(actor=actor, borger=borger, arrangementer=True)


PART = BorgerData(name="matching", archived=archived, consent_changed=consent_changed, anonymise=anonymise,
                  export=export, last_activity=last_activity, timeline=timeline,
                  activity_recorded=forloeb.opdater, timeline_laesning=timeline_laesning)
