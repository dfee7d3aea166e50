"""Matching, end to end: borger → stage 1 (database) → stage 2 (pure) → suggestions.

The caller has already checked access. One call makes at most 7 queries on PostgreSQL, whatever
N and K: the borger's tags (skipped if prefetched), their matches, their postal code (skipped if
loaded), the KNN candidates, the candidates' tags, their meeting times, and the K fællesskaber.
SQLite may add one: when its bounding box holds fewer than N rows it looks at the whole centre.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Value
from django.utils import timezone

from borgere.models import Borger
from foreninger.models import Faellesskab

from . import engine
from .candidates import DEFAULT_N, candidates_for, effective_role
from .models import Match


@dataclass
class Suggestion:
    faellesskab: Faellesskab  # with forening, postnummer and kategori loaded
    score: int  # 0–100
    reasons: list[str]  # Danish (or the active language), most telling first
    caveat: str | None  # the main reason it is not a perfect fit, if any
    distance_km: float
    parts: dict[str, float] = field(default_factory=dict)  # points per part, for the curious


_TAG_FIELDS = {"i": "interesser", "b": "barrierer", "t": "tilgaengelighedsbehov"}


def _borger_tags(borger: Borger) -> dict[str, list[tuple[str, str]]]:
    """(slug, navn) per tag field: from the prefetch cache if there is one, else one UNION query."""
    cache = getattr(borger, "_prefetched_objects_cache", {})
    if all(name in cache for name in _TAG_FIELDS.values()):
        return {name: [(t.slug, t.navn) for t in cache[name]] for name in _TAG_FIELDS.values()}
    queries = [
        getattr(Borger, name).through.objects.filter(borger_id=borger.pk)
        .annotate(kind=Value(kind)).values_list("tag__slug", "tag__navn", "kind")
        for kind, name in _TAG_FIELDS.items()
    ]
    out: dict[str, list[tuple[str, str]]] = {name: [] for name in _TAG_FIELDS.values()}
    for slug, navn, kind in queries[0].union(*queries[1:], all=True):
        out[_TAG_FIELDS[kind]].append((slug, navn))
    return out


def profil_for(borger: Borger, *, rolle: str | None = None) -> engine.BorgerProfil:
    tags = _borger_tags(borger)
    return engine.BorgerProfil(
        alder=borger.alder,
        rolle=effective_role(borger, rolle),
        max_afstand_km=float(borger.max_afstand_km or 10),
        interesser=frozenset(slug for slug, _n in tags["interesser"]),
        barrierer=frozenset(slug for slug, _n in tags["barrierer"]),
        tilgaengelighedsbehov=frozenset(slug for slug, _n in tags["tilgaengelighedsbehov"]),
        tilgaengelighed=frozenset(borger.tilgaengelighed or ()),
        tag_navne={slug: navn for rows in tags.values() for slug, navn in rows},
    )


def excluded_ids(borger: Borger) -> frozenset[int]:
    """Fællesskaber the borger has any match with: ended or declined (afsluttet), or still open."""
    return frozenset(Match.objects.filter(borger_id=borger.pk).values_list("faellesskab_id", flat=True))


def suggestions_for(borger: Borger, *, max_km: float | None = None, kategori_id: int | None = None,
                    rolle: str | None = None, k: int = engine.DEFAULT_K, n: int = DEFAULT_N,
                    today: date | None = None) -> list[Suggestion]:
    """The top `k` fællesskaber for the borger, best first, with reasons.

    `max_km` is a hard cut (a search filter); the borger's own max distance only lowers the score.
    `rolle` ("deltager"/"frivillig"/"begge") overrides the borger's wished role for this search.
    `n` is how many nearest candidates stage 1 hands to stage 2.
    """
    profil = profil_for(borger, rolle=rolle)
    exclude = excluded_ids(borger)
    kandidater = candidates_for(borger, n=n, max_km=max_km, kategori_id=kategori_id, rolle=profil.rolle,
                                exclude_ids=exclude)
    ranked = engine.rank(profil, kandidater, exclude=exclude, k=k, today=today or timezone.localdate())
    if not ranked:
        return []
    objs = Faellesskab.objects.select_related("forening", "postnummer", "kategori").in_bulk(
        [f.id for f in ranked])
    return [
        Suggestion(faellesskab=objs[f.id], score=f.score, reasons=f.reasons, caveat=f.caveat,
                   distance_km=f.kandidat.distance_km, parts=f.parts)
        for f in ranked
        if f.id in objs  # deleted in between: drop it rather than fail
    ]
