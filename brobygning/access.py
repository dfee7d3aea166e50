"""The one place that answers "what may this user see and do".

Selectors call `scope()` to narrow every list to what the actor may see, and `get_or_deny()`
for single objects: an object in another centre answers 404, one in the actor's own centre
that the role may not touch answers 403. Views never decide access themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core import checks
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BigIntegerField, Model, QuerySet, Value
from django.db.models.functions import Cast
from django.http import Http404

from .adgangslog import log_foreign_attempt, log_read
from .models import Frivilligcenter, Medlemskab, Rolle

K, B, F = Rolle.KOORDINATOR, Rolle.BROBYGGER, Rolle.FORENINGSKONTAKT


@dataclass(frozen=True)
class Actor:
    """The acting user in their current centre. `medlemskab` is None for users with no centre."""

    user: object
    medlemskab: Medlemskab | None
    forening_ids: frozenset[int] = field(default_factory=frozenset)
    koordinator_anywhere: bool = False  # in any of their centres; two-factor login follows the person
    medlemskaber: tuple = ()  # all their active memberships, for switching centre

    @property
    def center(self):
        return self.medlemskab.center if self.medlemskab else None

    @property
    def center_id(self):
        return self.medlemskab.center_id if self.medlemskab else None

    @property
    def rolle(self):
        return self.medlemskab.rolle if self.medlemskab else None

    @property
    def is_koordinator(self):
        return self.rolle == K

    @property
    def is_brobygger(self):
        return self.rolle == B

    @property
    def is_foreningskontakt(self):
        return self.rolle == F


# The user's active memberships, when the authentication backend (`brobygning.auth.Backend`) loaded
# them with the user in this request: a tuple on the user under this name.
AKTIVE_MEDLEMSKABER = "aktive_medlemskaber"


# Figures about a membership's centre that every page's menu shows, computed in the same query
# (`register_medlemskab_tal`): name → a function giving the annotation.
_MEDLEMSKAB_TAL: dict[str, Callable[[], object]] = {}


def register_medlemskab_tal(name: str, expression: Callable[[], object]) -> None:
    """Let an app add a figure to the query that loads a user's memberships with the user (on every
    request, `brobygning.auth.Backend`): an annotation on Medlemskab, read as `actor.medlemskab.<name>`,
    so a menu badge (borgere: the new referrals) costs no round trip of its own. `expression()` gives
    the annotation and may refer to the membership's row (`OuterRef("center_id")`); keep it bounded."""
    _MEDLEMSKAB_TAL[name] = expression


def medlemskab_tal() -> tuple:
    """The registered figures (what `aktive_medlemskaber` annotates), e.g. to key a compiled copy of it."""
    return tuple(_MEDLEMSKAB_TAL.items())


def aktive_medlemskaber(user_id) -> QuerySet:
    """A user's active memberships with their centres, in the order `actor_for` offers them, with the
    registered figures (`register_medlemskab_tal`)."""
    return (Medlemskab.objects.filter(user_id=user_id, aktiv=True).select_related("center").order_by("center__navn")
            .annotate(**{name: expression() for name, expression in _MEDLEMSKAB_TAL.items()}))


def actor_for(user, center_id: int | None = None) -> Actor:
    """Resolve the actor for `user` in `center_id` (or their first active centre)."""
    if not user.is_authenticated or not user.is_active:
        return Actor(user=user, medlemskab=None)
    memberships = getattr(user, AKTIVE_MEDLEMSKABER, None)
    if memberships is None:
        memberships = list(aktive_medlemskaber(user.pk))
    chosen = None
    if center_id is not None:
        chosen = next((m for m in memberships if m.center_id == center_id), None)
    chosen = chosen or next(iter(memberships), None)
    if chosen is None:
        return Actor(user=user, medlemskab=None)
    forening_ids = frozenset(chosen.foreninger.values_list("pk", flat=True)) if chosen.rolle == F else frozenset()
    return Actor(user=user, medlemskab=chosen, forening_ids=forening_ids,
                 koordinator_anywhere=any(m.rolle == K for m in memberships), medlemskaber=tuple(memberships))


# --- Rules ---------------------------------------------------------------------------------------
# Each rule answers for an actor already known to be in the object's centre.

Rule = Callable[[Actor, Model | None], bool]

# How to get from each borger-related object to the borger's responsible brobygger. A brobygger
# sees their own borgere and everything hanging off them; a koordinator sees the whole centre.
BORGER_PATH = {
    "borger": "brobygger",
    "samtale": "borger__brobygger",
    "samtykke": "borger__brobygger",
    "maaling": "borger__brobygger",
    "match": "borger__brobygger",
    "ledsagelse": "match__borger__brobygger",
    "opfoelgning": "match__borger__brobygger",
}


def _brobygger_id(obj, path: str):
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
    return getattr(obj, f"{last}_id")


def _roles(*roles) -> Rule:
    return lambda actor, obj=None: actor.rolle in roles


def _own(kind: str) -> Rule:
    """Koordinator, or the brobygger responsible for the borger behind the object."""

    def rule(actor, obj=None):
        if actor.is_koordinator:
            return True
        if not actor.is_brobygger:
            return False
        return obj is None or _brobygger_id(obj, BORGER_PATH[kind]) == actor.user.pk

    return rule


def _own_forening(actor, forening) -> bool:
    return actor.is_koordinator or (actor.is_foreningskontakt and forening is not None and forening.pk in actor.forening_ids)


def _own_faellesskab(actor, faellesskab) -> bool:
    return actor.is_koordinator or (
        actor.is_foreningskontakt and faellesskab is not None and faellesskab.forening_id in actor.forening_ids
    )


def _view_forening(actor, forening) -> bool:
    return actor.is_brobygger or _own_forening(actor, forening)


def _view_faellesskab(actor, faellesskab) -> bool:
    return actor.is_brobygger or _own_faellesskab(actor, faellesskab)


def _own_forening_row(actor, obj) -> bool:
    """A row that belongs to a forening (a partner record, a volunteer role): koordinator, or the
    forening's own foreningskontakt."""
    return actor.is_koordinator or (actor.is_foreningskontakt and obj is not None
                                    and obj.forening_id is not None and obj.forening_id in actor.forening_ids)


def _venteliste(actor, obj=None) -> bool:
    """Koordinatorer always; brobyggere when the centre has switched the waiting list on."""
    return actor.is_koordinator or (actor.is_brobygger and actor.center.venteliste_synlig)


def _anmod(actor, borger=None) -> bool:
    """A brobygger may ask to take on a borger who waits for one, when the list is switched on."""
    return (actor.is_brobygger and actor.center.venteliste_synlig
            and (borger is None or borger.brobygger_id is None))


def _host(actor, ledsagelse) -> bool:
    """The host side of a first meeting: the foreningskontakt of the fællesskab's forening, or a koordinator."""
    if actor.is_koordinator:
        return True
    return (actor.is_foreningskontakt and ledsagelse is not None
            and ledsagelse.match.faellesskab.forening_id in actor.forening_ids)


def _arrangement_runs(actor, arrangement=None) -> bool:
    """Koordinator, or a brobygger among those who help run the arrangement."""
    if actor.is_koordinator:
        return True
    return actor.is_brobygger and (arrangement is None
                                   or arrangement.ansvarlige.filter(pk=actor.user.pk).exists())


def _arrangement_view(actor, arrangement=None) -> bool:
    if _arrangement_runs(actor, arrangement):
        return True
    return actor.is_foreningskontakt and (arrangement is None or arrangement.tilmeldinger.filter(
        user=actor.user).exclude(status="afmeldt").exists())


RULES: dict[tuple[str, str], Rule] = {
    ("borger", "list"): _roles(K, B),
    ("borger", "view"): _own("borger"),
    ("borger", "create"): _roles(K),
    ("borger", "change"): _own("borger"),
    ("borger", "archive"): _roles(K),
    ("borger", "export"): _roles(K),  # art. 15 insight
    ("borger", "erase"): _roles(K),  # art. 17 anonymisation and retention extension
    ("forening", "list"): _roles(K, B, F),
    ("forening", "view"): _view_forening,
    ("forening", "create"): _roles(K),
    ("forening", "change"): _own_forening,
    ("forening", "archive"): _roles(K),
    ("faellesskab", "list"): _roles(K, B, F),
    ("faellesskab", "view"): _view_faellesskab,
    ("faellesskab", "create"): _roles(K, F),
    ("faellesskab", "change"): _own_faellesskab,
    ("faellesskab", "archive"): _own_faellesskab,
    ("medlemskab", "list"): _roles(K),
    ("medlemskab", "change"): _roles(K),
    ("invitation", "create"): _roles(K),
    ("paamindelse", "list"): _roles(K),
    ("paamindelse", "retry"): _roles(K),
    ("match", "board"): _roles(K),
    ("venteliste", "list"): _venteliste,
    ("anmodning", "create"): _anmod,
    ("anmodning", "list"): _roles(K),
    ("anmodning", "decide"): _roles(K),
    ("center", "change"): _roles(K),
    ("nyankomst", "list"): _roles(K, F),
    ("ledsagelse", "host"): _host,
    ("kalenderfeed", "manage"): _roles(K, B, F),
    # Referrals from the public form: only the centre's koordinatorer handle them.
    ("henvisning", "list"): _roles(K),
    ("henvisning", "view"): _roles(K),
    ("henvisning", "change"): _roles(K),
    ("import", "list"): _roles(K),
    ("import", "view"): _roles(K),
    ("import", "create"): _roles(K),
    ("adgangslog", "list"): _roles(K),
    # Reports leave the centre only as a koordinator's export (suppressed: matching/undertrykkelse.py).
    ("rapport", "export"): _roles(K),
    ("samtykketekst", "list"): _roles(K),
    ("samtykketekst", "create"): _roles(K),
    # The local partnership (issue 14): koordinatorer manage; a foreningskontakt reads their own
    # forening's partner record.
    ("partnerskab", "list"): _roles(K),
    ("partnerskab", "view"): _roles(K),
    ("partnerskab", "create"): _roles(K),
    ("partnerskab", "change"): _roles(K),
    ("partner", "list"): _roles(K, F),
    ("partner", "view"): _own_forening_row,
    ("partner", "create"): _roles(K),
    ("partner", "change"): _roles(K),
    # Volunteer roles: posted by koordinatorer and by the forening's own contacts.
    ("frivilligrolle", "list"): _roles(K, F),
    ("frivilligrolle", "view"): _own_forening_row,
    ("frivilligrolle", "create"): _roles(K, F),
    ("frivilligrolle", "change"): _own_forening_row,
    ("rollekandidat", "list"): _roles(K),
    ("rollekandidat", "create"): _roles(K),
    ("rollekandidat", "change"): _roles(K),
    ("rollekandidat", "export"): _roles(K),  # art. 15 for a volunteer candidate
    ("rollekandidat", "erase"): _roles(K),  # art. 17
    # A person saved as a match to a role: koordinatorer save and move it; the forening sees its own
    # roles' matches (the first name only with the person's consent: matching/frivilligroller.py).
    ("rollematch", "list"): _roles(K, F),
    ("rollematch", "create"): _roles(K),
    ("rollematch", "change"): _roles(K),
    # Advice to professionals: the centre's own log.
    ("raadgivning", "list"): _roles(K),
    ("raadgivning", "create"): _roles(K),
    ("raadgivning", "change"): _roles(K),
    # Projects and the reports cut by them (ARCHITECTURE.md, "Rapporter"): koordinatorer only.
    ("projekt", "list"): _roles(K),
    ("projekt", "view"): _roles(K),
    ("projekt", "create"): _roles(K),
    ("projekt", "change"): _roles(K),
    ("rapport", "view"): _roles(K),
    # The welcome score (issue 13): a forening sees its own fællesskaber's; the koordinator all, and
    # the list of foreninger that would benefit from an inclusion course. Koordinatorer ask a
    # forening "Er det stadig korrekt?" from the overview.
    ("velkomst", "list"): _roles(K, F),
    ("velkomst", "kursus"): _roles(K),
    ("forening", "spoerg"): _roles(K),
}
# Arrangementer (issue 14): koordinatorer manage; a brobygger sees and takes attendance at those they
# help run; a foreningskontakt sees the ones they are registered for (their courses).
RULES.update({
    ("arrangement", "list"): _roles(K, B, F),
    ("arrangement", "view"): _arrangement_view,
    ("arrangement", "create"): _roles(K),
    ("arrangement", "change"): _roles(K),
    ("arrangement", "fremmoede"): _arrangement_runs,
})
# The journey's objects: whoever may work with the borger may list, see, create and change them.
for _kind in ("samtale", "samtykke", "maaling", "match", "ledsagelse", "opfoelgning"):
    for _action in ("list", "view", "create", "change"):
        RULES[(_kind, _action)] = _own(_kind)


# --- The network role ------------------------------------------------------------------------------
# A user with `netvaerksadgang` (FriSe as national coordinator) needs no membership: they see the
# report tables aggregated over the centres that opted in (`deler_med_netvaerk`), suppressed, and no
# object of any centre. Centre rules above never apply to them (`can` needs a membership), and
# nothing but the network pages asks `is_netvaerk`. SECURITY.md, "Netværket".


def is_netvaerk(actor: Actor) -> bool:
    user = actor.user
    return bool(user.is_authenticated and user.is_active and getattr(user, "netvaerksadgang", False))


def check_netvaerk(actor: Actor) -> None:
    if not is_netvaerk(actor):
        raise PermissionDenied


def netvaerk_center_ids() -> list[int]:
    """The centres whose reports the network sees: those that opted in."""
    return list(Frivilligcenter.objects.filter(deler_med_netvaerk=True).order_by("pk").values_list("pk", flat=True))


# The network space (issue 14, point 5; ARCHITECTURE.md, "Netværksrummet"): the network's meetings,
# its shared library and meeting notes. The network user and the koordinatorer of centres that share
# with the network use it; brobyggere, foreningskontakter and centres that did not opt in never see it.
# Its rows are not one centre's, so it has its own two questions instead of RULES: may the actor use
# the space at all, and in whose name do they act there (which meetings and materials are theirs).


def netvaerksrum_adgang(actor: Actor) -> bool:
    if is_netvaerk(actor):
        return True
    return actor.is_koordinator and bool(actor.center.deler_med_netvaerk)


def check_netvaerksrum(actor: Actor) -> None:
    if not netvaerksrum_adgang(actor):
        raise PermissionDenied


def netvaerk_side(actor: Actor) -> int | None:
    """The side the actor acts for in the network space: their centre's id, or None for the network
    itself (the network user). A meeting or material with the same `center_id` is theirs to change."""
    return None if is_netvaerk(actor) else actor.center_id


def can(actor: Actor, kind: str, action: str, obj: Model | None = None) -> bool:
    if actor.medlemskab is None:
        return False
    if obj is not None and getattr(obj, "center_id", actor.center_id) != actor.center_id:
        return False
    return RULES[(kind, action)](actor, obj)


def check(actor: Actor, kind: str, action: str, obj: Model | None = None) -> None:
    """Raise 404 for another centre's object (logged in that centre too) and 403 for a forbidden one."""
    if obj is not None and getattr(obj, "center_id", actor.center_id) != actor.center_id:
        log_foreign_attempt(center_id=obj.center_id, kind=kind, obj_id=obj.pk, from_center_id=actor.center_id,
                            borger_id=borger_id_of(obj, kind) if kind in BORGER_PATH else None)
        raise Http404
    if not can(actor, kind, action, obj):
        raise PermissionDenied


# --- Row scoping ---------------------------------------------------------------------------------


def _center_value(center_id):
    """The centre as bigint, the column's type, for the borger list's trigram index (borgere 0016:
    btree_gin has `bigint = bigint` only; an integer literal makes `bigint = integer`, which that
    index cannot use, and PostgreSQL keeps one of two equal conditions). btree indexes use either."""
    return center_id if center_id is None else Cast(Value(center_id), BigIntegerField())


def scope(actor: Actor, kind: str, qs: QuerySet) -> QuerySet:
    """Narrow `qs` to the rows of `kind` the actor may list: their centre, then their role's share."""
    if not can(actor, kind, "list"):
        return qs.none()
    qs = qs.filter(center_id=_center_value(actor.center_id) if kind == "borger" else actor.center_id)
    if kind in BORGER_PATH and actor.is_brobygger:
        return qs.filter(**{BORGER_PATH[kind]: actor.user})
    if kind == "forening" and actor.is_foreningskontakt:
        return qs.filter(pk__in=actor.forening_ids)
    if kind == "faellesskab" and actor.is_foreningskontakt:
        return qs.filter(forening_id__in=actor.forening_ids)
    if kind in ("partner", "frivilligrolle") and actor.is_foreningskontakt:
        return qs.filter(forening_id__in=actor.forening_ids)
    if kind == "rollematch" and actor.is_foreningskontakt:  # matches to the forening's own roles
        return qs.filter(rolle__forening_id__in=actor.forening_ids)
    if kind == "velkomst" and actor.is_foreningskontakt:  # the forening's own fællesskaber only
        return qs.filter(faellesskab__forening_id__in=actor.forening_ids)
    if kind == "nyankomst" and actor.is_foreningskontakt:  # ledsagelser to the forening's fællesskaber
        return qs.filter(match__faellesskab__forening_id__in=actor.forening_ids)
    if kind == "arrangement" and actor.is_brobygger:
        return qs.filter(ansvarlige=actor.user)
    if kind == "arrangement" and actor.is_foreningskontakt:  # their courses
        return qs.filter(tilmeldinger__user=actor.user,
                         tilmeldinger__status__in=("tilmeldt", "venteliste")).distinct()
    if kind == "venteliste":  # borgere with no brobygger yet
        return qs.filter(brobygger__isnull=True)
    return qs


def scope_public(kind: str, qs: QuerySet, center=None) -> QuerySet:
    """What anyone, without logging in, may see of `kind` in `center` (or the whole deployment):
    the public directory and the HSDS export.

    Only what the owning app registered as public (`register_kinds(public=...)`): for fællesskaber,
    active, non-archived ones marked public, of non-archived foreninger. Nothing else is public;
    borgere and everything about them never are.
    """
    public = _PUBLIC.get(kind)
    if public is None:
        return qs.none()
    qs = public(qs)
    # The centre as bigint, as `_center_value` gives it: the public text search's count reads a GIN index
    # that leads with the centre (foreninger 0010, btree_gin: bigint = bigint only).
    return qs if center is None else qs.filter(center_id=_center_value(center.pk))


# --- Kinds and the apps that own them --------------------------------------------------------------
# RULES above stays the one table of who may do what. Each app registers the kinds it owns in its
# AppConfig.ready(), with the filter for what of a kind is public, if anything. The core imports no
# domain app; the system check below fails when a kind in RULES has no owner, or is owned twice.

_OWNERS: dict[str, str] = {}
_PUBLIC: dict[str, Callable[[QuerySet], QuerySet]] = {}


def register_kinds(app_label: str, kinds, *, public: dict | None = None) -> None:
    for kind in kinds:
        if _OWNERS.setdefault(kind, app_label) != app_label:
            raise ValueError(f"access kind {kind!r} is owned by {_OWNERS[kind]!r}, not {app_label!r}")
    _PUBLIC.update(public or {})


def owner(kind: str) -> str | None:
    return _OWNERS.get(kind)


@checks.register()
def _every_kind_has_an_owner(app_configs=None, **kwargs):
    kinds = {kind for kind, _action in RULES}
    errors = [checks.Error(f"access kind {kind!r} has a rule but no app registered it", id="access.E001")
              for kind in sorted(kinds - set(_OWNERS))]
    errors += [checks.Error(f"access kind {kind!r} is registered by {_OWNERS[kind]!r} but has no rule",
                            id="access.E002") for kind in sorted(set(_OWNERS) - kinds)]
    return errors


register_kinds("brobygning", {"medlemskab", "invitation", "paamindelse", "center", "kalenderfeed", "adgangslog"})


def get_or_deny(actor: Actor, kind: str, action: str, qs: QuerySet, pk, *, hent=None) -> Model:
    """Load one object: 404 when it is outside the actor's centre, 403 when the role may not `action` it.

    `hent(pk)`: the rows `qs.get(pk=pk, center_id=actor.center_id)` would find, read another way (a
    statement compiled once per process: `borgere.selectors.borger_get`); the checks are the same."""
    if actor.medlemskab is None:
        raise PermissionDenied
    try:
        if hent is None:
            obj = qs.get(pk=pk, center_id=actor.center_id)
        else:
            rows = hent(pk)
            if not rows:
                raise qs.model.DoesNotExist
            (obj,) = rows
    except (qs.model.DoesNotExist, ValueError, TypeError):
        _log_if_foreign(actor, kind, qs.model, pk)
        raise Http404 from None
    check(actor, kind, action, obj)
    if kind in BORGER_PATH:
        # Every borger-related object loaded for a page or fragment is a read of that borger's data.
        log_read(actor=actor, borger_id=borger_id_of(obj, kind), center_id=obj.center_id)
    return obj


def _log_if_foreign(actor: Actor, kind: str, model, pk) -> None:
    """When the object asked for exists in another centre, that centre's log records the attempt.
    One query, on the refusal path only."""
    borger_field = _borger_field(kind) if kind in BORGER_PATH else None
    fields = ["center_id"] + ([borger_field] if borger_field else [])
    try:
        row = model._base_manager.filter(pk=pk).exclude(center_id=actor.center_id).values(*fields).first()
    except (ValueError, TypeError, ValidationError):
        return  # not even a valid id: nothing was reached
    if row is not None and row["center_id"] is not None:  # a row of the network itself belongs to no centre
        log_foreign_attempt(center_id=row["center_id"], kind=kind, obj_id=pk, from_center_id=actor.center_id,
                            borger_id=row.get(borger_field) if borger_field else None)


# --- Field-level access --------------------------------------------------------------------------
# Which of a borger's (and the journey's) fields each role may receive. Koordinatorer and the
# responsible brobygger work with the whole record (row access above decides whose). A
# foreningskontakt gets a newcomer's first name and the welcome note, and only when the borger has
# consented to "deling_med_vaert"; never surname, contact details, barriers, health, notes or
# samtaler. Forening-facing selectors build their rows through `visible_fields`, never by handing
# model objects to templates.

ALL = None  # every field
FIELDS: dict[tuple[str, str], frozenset[str] | None] = {
    ("borger", K): ALL,
    ("borger", B): ALL,
    ("borger", F): frozenset({"fornavn"}),
    ("ledsagelse", K): ALL,
    ("ledsagelse", B): ALL,
    ("ledsagelse", F): frozenset({"tidspunkt", "varighed_min", "moedested", "velkomstnote", "status",
                                  "vaert_bekraeftet", "vaert_rapport"}),
    ("brobygger", K): ALL,
    ("brobygger", B): ALL,
    # The host may ring the brobygger who brings a newcomer (issue 16): their own work phone.
    ("brobygger", F): frozenset({"first_name", "telefon"}),
    # What a foreningskontakt may see of and change in their own forening: not the centre's own notes
    # and assessments.
    ("forening", K): ALL,
    ("forening", B): ALL,
    ("forening", F): frozenset({"navn", "cvr", "kontaktperson", "email", "telefon", "adresse", "postnummer",
                                "hjemmeside", "inklusionsparat", "partnerskab"}),
    ("forening_ret", K): ALL,
    ("forening_ret", F): frozenset({"navn", "cvr", "kontaktperson", "email", "telefon", "adresse", "postnummer",
                                    "hjemmeside"}),
    # The waiting list brobyggere may see (issue #4): first name, area and interests only.
    ("venteliste", K): frozenset({"fornavn", "postnummer", "interesser"}),
    ("venteliste", B): frozenset({"fornavn", "postnummer", "interesser"}),
}
# Fields that need the borger's consent to "deling_med_vaert" before a foreningskontakt sees them.
NEEDS_HOST_CONSENT = frozenset({("borger", "fornavn"), ("ledsagelse", "velkomstnote")})


def may_see_field(actor: Actor, kind: str, name: str) -> bool:
    allowed = FIELDS.get((kind, actor.rolle), frozenset())
    return allowed is ALL or name in allowed


def visible_fields(actor: Actor, kind: str, obj, names, *, host_consent: bool = False) -> dict:
    """The values of `names` on `obj` the actor may see; a forbidden field is simply absent.

    For a foreningskontakt, consent-bound fields are absent unless `host_consent` is true.
    """
    out = {}
    for name in names:
        if not may_see_field(actor, kind, name):
            continue
        if actor.is_foreningskontakt and (kind, name) in NEEDS_HOST_CONSENT and not host_consent:
            continue
        out[name] = getattr(obj, name)
    return out


def actor_for_forening_link(forening) -> Actor:
    """The actor behind a signed "Er det stadig korrekt?" link: that one forening, nothing else."""
    medlemskab = Medlemskab(center=forening.center, rolle=F)
    return Actor(user=AnonymousUser(), medlemskab=medlemskab, forening_ids=frozenset({forening.pk}))


def _borger_field(kind: str) -> str:
    """The lookup from an object of `kind` to its borger's id: "pk" for a borger, "match__borger" …"""
    return BORGER_PATH[kind].removesuffix("brobygger").removesuffix("__") or "pk"


def actor_for_system(center) -> Actor:
    """The actor behind an answer by signed link or SMS from someone without a login (the borger's
    "Hvordan gik det?"): the centre, no user and no role, so no rule lets it do anything; the service
    that takes the answer is the whole of what it may do. Audit entries show no user."""
    return Actor(user=AnonymousUser(), medlemskab=Medlemskab(center=center, rolle=""))


def borger_id_of(obj, kind: str):
    """The id of the borger behind a borger-related object of `kind`."""
    path = BORGER_PATH[kind].removesuffix("brobygger").removesuffix("__")
    if not path:
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
    return getattr(obj, f"{last}_id")
