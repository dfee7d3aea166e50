"""Arrangementer (ARCHITECTURE.md, "Arrangementer"): the koordinator's pages, attendance at the door,
the public list and registration, and the signed links to cancel and to evaluate (no login).

Signed-link pages: a GET never changes anything (mail scanners fetch links); the POST does.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from borgere.forms import BorgerCreateForm
from borgere.models import BorgerStatus, Formaal, Kanal
from borgere.selectors import borger_list
from borgere.services import gaeldende_samtykketekst
from brobygning import access, adgangslog
from brobygning.decorators import member_required
from brobygning.forms import act, add_service_errors, save_valid_form
from brobygning.models import Rolle
from brobygning.pagination import paginate
from brobygning.public import public_page
from brobygning.ratelimit import rate_limited
from brobygning.selectors import brobygger_list
from foreninger.selectors import forening_list, public_center_get

from .. import arrangement_links as links
from .. import arrangement_paamindelser, services
from .. import arrangementer as selectors
from ..forms import (
    PUBLIC_HONEYPOT,
    ArrangementForm,
    DatoForm,
    EvalueringForm,
    PublicTilmeldingForm,
    StartForloebForm,
    TilmeldAndenForm,
    TilmeldKontaktForm,
)
from ..models import Arrangement, ArrangementType, TilmeldingKilde, TilmeldingStatus

SAMTYKKETEKST = gettext_lazy(
    "Vi gemmer dit navn og din e-mail for at kunne sende dig en bekræftelse, en påmindelse og eventuelle "
    "ændringer til arrangementet, og bagefter et kort spørgeskema. Vi deler dem ikke med andre. Du kan altid "
    "afmelde dig med linket i bekræftelsen.")
BORGER_SOEG_MAX = 20


ANSVARLIGE = [Rolle.KOORDINATOR, Rolle.BROBYGGER]  # who may help run an arrangement


@member_required
def arrangement_list(request):
    access.check(request.actor, "arrangement", "list")
    tidligere = request.GET.get("vis") == "tidligere"
    qs = selectors.arrangement_list(actor=request.actor, kommende=not tidligere)
    return render(request, "matching/arrangement/arrangement_list.html", {
        "page": paginate(request, qs), "tidligere": tidligere,
        "kan_oprette": access.can(request.actor, "arrangement", "create")})


@member_required
def arrangement_create(request):
    access.check(request.actor, "arrangement", "create")
    form = ArrangementForm(request.POST or None, ansvarlige_qs=selectors.medarbejdere(center_id=request.actor.center_id, roller=ANSVARLIGE))
    response = save_valid_form(request, form, lambda: services.arrangement_create(
        actor=request.actor, data=form.cleaned_data, datoer=form.datoer()), _("Arrangementet er oprettet."))
    return response or render(request, "matching/arrangement/arrangement_form.html", {"form": form})


@member_required
def arrangement_update(request, pk):
    arrangement = selectors.arrangement_get(actor=request.actor, pk=pk, action="change")
    form = ArrangementForm(request.POST or None, instance=Arrangement.objects.get(pk=arrangement.pk), ny=False,
                           ansvarlige_qs=selectors.medarbejdere(center_id=request.actor.center_id, roller=ANSVARLIGE))
    response = save_valid_form(request, form, lambda: services.arrangement_update(
        actor=request.actor, arrangement=arrangement, data=form.cleaned_data), _("Arrangementet er gemt."))
    return response or render(request, "matching/arrangement/arrangement_form.html",
                              {"form": form, "arrangement": arrangement})


@member_required
def arrangement_detail(request, pk):
    arrangement = selectors.arrangement_get(actor=request.actor, pk=pk)
    kan_aendre = access.can(request.actor, "arrangement", "change", arrangement)
    kan_fremmoede = access.can(request.actor, "arrangement", "fremmoede", arrangement)
    context = {"arrangement": arrangement, "datoer": list(arrangement.datoer.all()),
               "kan_aendre": kan_aendre, "kan_fremmoede": kan_fremmoede,
               "ledige": selectors.ledige_pladser(arrangement), "dato_form": DatoForm(),
               "kan_starte_forloeb": kan_aendre and request.actor.is_koordinator
               and arrangement.type == ArrangementType.WORKSHOP}
    if kan_fremmoede:
        context["tilmeldte"], context["venteliste"] = (
            paginate(request, selectors.tilmeldinger(arrangement=arrangement, status=status),
                     selectors.TILMELDINGER_SIDE, param=param)
            for status, param in ((TilmeldingStatus.TILMELDT, "tilmeldte"), (TilmeldingStatus.VENTELISTE, "venteliste")))
    return render(request, "matching/arrangement/arrangement_detail.html", context)


@require_POST
@member_required
def arrangement_aflys(request, pk):
    arrangement = selectors.arrangement_get(actor=request.actor, pk=pk, action="change")
    act(request, lambda: services.arrangement_aflys(actor=request.actor, arrangement=arrangement),
        _("Arrangementet er aflyst. De tilmeldte får besked."))
    return redirect(arrangement)


@require_POST
@member_required
def dato_tilfoej(request, pk):
    arrangement = selectors.arrangement_get(actor=request.actor, pk=pk, action="change")
    form = DatoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Angiv en gyldig dato, et tidspunkt og en varighed på 15–1440 minutter."))
    else:
        act(request, lambda: services.dato_tilfoej(actor=request.actor, arrangement=arrangement, **form.cleaned_data),
            _("Datoen er tilføjet."))
    return redirect(arrangement)


@member_required
def dato_flyt(request, pk):
    dato = selectors.dato_get(actor=request.actor, pk=pk, action="change")
    form = DatoForm(request.POST or None, initial={"start": timezone.localtime(dato.start),
                                                   "varighed_min": dato.varighed_min})
    response = save_valid_form(request, form, lambda: services.dato_flyt(
        actor=request.actor, dato=dato, **form.cleaned_data).arrangement,
        _("Datoen er flyttet. Dem, der har fået besked, får den nye tid."))
    return response or render(request, "matching/arrangement/dato_form.html", {"form": form, "dato": dato})


@require_POST
@member_required
def dato_aflys(request, pk):
    dato = selectors.dato_get(actor=request.actor, pk=pk, action="change")
    act(request, lambda: services.dato_aflys(actor=request.actor, dato=dato),
        _("Datoen er aflyst. De tilmeldte får besked."))
    return redirect(dato.arrangement)


@member_required
def tilmelding_create(request, pk):
    """Staff register a borger or a foreningskontakt (each found by a posted name search, at most
    `SOEG_MAX` hits) or another person by name, with a bounded forening select (issue 14)."""
    arrangement = selectors.arrangement_get(actor=request.actor, pk=pk, action="change")
    kontakter = selectors.medarbejdere(center_id=request.actor.center_id, roller=[Rolle.FORENINGSKONTAKT])
    foreninger = forening_list(actor=request.actor)
    hvem = request.POST.get("hvem", "")
    # Searches are names, so they are POSTed, never put in the URL (SECURITY.md).
    soeg = {k: request.POST.get(k, "").strip()[:100] for k in ("q", "q_kontakt", "q_forening")}
    valg, flere = selectors.forening_valg(foreninger, q=soeg["q_forening"] if hvem == "soeg_forening" else "")
    kontakt_form = TilmeldKontaktForm(request.POST if hvem == "kontakt" else None, kontakter=kontakter)
    anden_form = TilmeldAndenForm(request.POST if hvem == "anden" else None, foreninger=foreninger,
                                  forening_valg=valg,
                                  initial={k: request.POST.get(k, "") for k in ("navn", "email")})
    if request.method == "POST" and hvem in ("borger", "kontakt", "anden"):
        try:
            if hvem == "borger":
                borger_id = request.POST.get("borger", "")
                borger = borger_list(actor=request.actor).filter(pk=borger_id).first() if borger_id.isdigit() else None
                if borger is None:
                    raise ValidationError(_("Vælg en borger på listen."))
                services.tilmelding_opret(actor=request.actor, arrangement=arrangement, borger=borger)
            elif hvem == "kontakt" and kontakt_form.is_valid():
                services.tilmelding_opret(actor=request.actor, arrangement=arrangement, **kontakt_form.cleaned_data)
            elif hvem == "anden" and anden_form.is_valid():
                services.tilmelding_opret(actor=request.actor, arrangement=arrangement, **anden_form.cleaned_data)
            elif hvem == "kontakt":
                raise ValidationError(kontakt_form.errors.get("user") or _("Ret fejlene i formularen."))
            else:
                raise ValidationError(_("Ret fejlene i formularen."))
        except ValidationError as error:
            form = anden_form if hvem == "anden" else None
            if form is not None and form.is_bound:
                add_service_errors(form, error)
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Tilmeldingen er gemt."))
            return redirect(arrangement)
    fundne = []
    if hvem == "soeg" and soeg["q"]:
        adgangslog.log_search(actor=request.actor, criteria={"liste": "arrangement_tilmeld"})
        fundne = list(borger_list(actor=request.actor).filter(
            Q(fornavn__icontains=soeg["q"]) | Q(efternavn__icontains=soeg["q"])).order_by("fornavn", "pk")[:BORGER_SOEG_MAX])
    kontakter_fundne = selectors.foreningskontakt_soeg(center_id=request.actor.center_id, q=soeg["q_kontakt"]) \
        if hvem == "soeg_kontakt" else []
    return render(request, "matching/arrangement/tilmelding_form.html", {
        "arrangement": arrangement, "q": soeg["q"] if hvem == "soeg" else "", "fundne": fundne,
        "q_kontakt": soeg["q_kontakt"] if hvem == "soeg_kontakt" else "", "kontakter_fundne": kontakter_fundne,
        "q_forening": soeg["q_forening"] if hvem == "soeg_forening" else "", "flere_foreninger": flere,
        "anden_form": anden_form, "soeg_max": selectors.SOEG_MAX, "ledige": selectors.ledige_pladser(arrangement)})


@member_required
def tilmelding_start_forloeb(request, pk):
    """A workshop registration starts a brobygning forløb (koordinator): a registered borger gets a
    brobygger; a public registrant becomes a borger, with their registration consent (issue 14)."""
    tilmelding = selectors.tilmelding_get(actor=request.actor, pk=pk)
    if not request.actor.is_koordinator:
        raise PermissionDenied
    brobyggere = brobygger_list(actor=request.actor)
    if tilmelding.borger_id:
        form = StartForloebForm(request.POST or None, brobyggere=brobyggere,
                                initial={"brobygger": tilmelding.borger.brobygger_id})

        def save():
            services.tilmelding_start_forloeb(actor=request.actor, tilmelding=tilmelding, data=form.cleaned_data)
            return tilmelding.borger
        tekst = None
    else:
        tekst = gaeldende_samtykketekst(center_id=request.actor.center_id, formaal=Formaal.REGISTRERING)
        fornavn, _mellem, efternavn = (tilmelding.navn or "").partition(" ")
        form = BorgerCreateForm(request.POST or None, brobyggere=brobyggere, samtykketekst=tekst, initial={
            "fornavn": fornavn, "efternavn": efternavn, "email": tilmelding.email,
            "foretrukken_kanal": Kanal.EMAIL, "status": BorgerStatus.AKTIV})

        def save():
            return services.tilmelding_start_forloeb(actor=request.actor, tilmelding=tilmelding,
                                                     data=form.borger_data(), **form.consent())
    if response := save_valid_form(request, form, save, _("Forløbet er startet.")):
        return response
    return render(request, "matching/arrangement/start_forloeb.html", {
        "form": form, "tilmelding": tilmelding, "arrangement": tilmelding.arrangement, "samtykketekst": tekst})


@require_POST
@member_required
def tilmelding_afmeld(request, pk):
    tilmelding = selectors.tilmelding_get(actor=request.actor, pk=pk)
    act(request, lambda: services.tilmelding_afmeld(actor=request.actor, tilmelding=tilmelding),
        _("Tilmeldingen er afmeldt. Er der en venteliste, er den første rykket op."))
    return redirect(tilmelding.arrangement)


# --- Attendance at the door ---------------------------------------------------------------------


@member_required
def fremmoede(request, pk):
    """The door list of one date, made for a phone: one tap per person."""
    dato = selectors.dato_get(actor=request.actor, pk=pk, action="fremmoede")
    page = paginate(request, selectors.fremmoede_liste(dato=dato), selectors.FREMMOEDE_SIDE)
    return render(request, "matching/arrangement/fremmoede.html", {
        "dato": dato, "arrangement": dato.arrangement, "page": page, "rows": page.object_list})


@require_POST
@member_required
def fremmoede_tap(request, pk):
    """One tap: `moedt` = ja, nej or fortryd. Answers the row again for htmx, or goes back to the list."""
    row = selectors.fremmoede_get(actor=request.actor, pk=pk)
    moedt = {"ja": True, "nej": False, "fortryd": None}.get(request.POST.get("moedt", ""), "ugyldig")
    fejl = ""
    try:
        if moedt == "ugyldig":
            raise ValidationError(_("Vælg om personen er mødt op."))
        saved = services.fremmoede_registrer(actor=request.actor, fremmoede=row, moedt=moedt)
        row.moedt = saved.moedt
    except ValidationError as error:
        fejl = " ".join(error.messages)
        if not request.htmx:
            messages.error(request, fejl)
    if request.htmx:  # the row again, with the error under it: htmx only swaps in a 2xx answer
        return render(request, "matching/arrangement/_fremmoede_row.html", {"r": row, "fejl": fejl})
    return redirect(reverse("matching:arrangement_fremmoede", args=[row.dato_id]) + f"#r{row.pk}")


# --- Public ----------------------------------------------------------------------------------------


@public_page()
def public_list(request, slug):
    center = public_center_get(slug=slug)
    return render(request, "matching/arrangement/public_list.html", {
        "center": center, "arrangementer": selectors.public_arrangement_list(center=center)})


def _public_get(center, pk):
    try:
        return selectors.public_arrangement_get(center=center, pk=pk)
    except (Arrangement.DoesNotExist, ValueError):
        raise Http404 from None


@public_page(cacheable=False)
def public_tilmeld(request, slug, pk):
    center = public_center_get(slug=slug)
    arrangement = _public_get(center, pk)
    form = PublicTilmeldingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if rate_limited(request, "arrangement", limit=settings.ARRANGEMENT_RATE_LIMIT,
                        period=settings.ARRANGEMENT_RATE_PERIOD):
            form.add_error(None, _("Der er sendt mange tilmeldinger fra din forbindelse på kort tid. Vent lidt, og "
                                   "prøv igen, eller ring til frivilligcentret."))
            status = 429
        elif form.is_spam:
            return redirect("matching:arrangement_public_tak", slug=center.slug)  # looks like success
        elif form.is_valid():
            try:
                services.tilmelding_opret(
                    actor=access.actor_for_system(center), arrangement=arrangement, navn=form.cleaned_data["navn"],
                    email=form.cleaned_data["email"], kilde=TilmeldingKilde.OFFENTLIG,
                    samtykke=form.cleaned_data["samtykke"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("matching:arrangement_public_tak", slug=center.slug)
    return render(request, "matching/arrangement/public_tilmeld.html", {
        "center": center, "arrangement": arrangement, "form": form, "honeypot": PUBLIC_HONEYPOT,
        "datoer": [d for d in arrangement.datoer.all() if not d.aflyst], "samtykketekst": SAMTYKKETEKST,
        "ledige": selectors.ledige_pladser(arrangement)}, status=status)


@public_page()
def public_tak(request, slug):
    return render(request, "matching/arrangement/public_tak.html", {"center": public_center_get(slug=slug)})


@public_page()
def public_ics(request, slug):
    """The centre's public arrangementer as an iCal feed, for subscribing in a calendar app."""
    center = public_center_get(slug=slug)
    now = timezone.now()
    datoer = selectors.public_datoer(center=center, fra=now - timezone.timedelta(days=1),
                                     til=now + timezone.timedelta(days=184))
    response = HttpResponse(arrangement_paamindelser.public_ics(datoer, center=center),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="arrangementer.ics"'
    return response


# --- Signed links: cancel, evaluate ----------------------------------------------------------------

_UGYLDIG_TEKST = {
    (links.AFMELD, links.UGYLDIG): (gettext_lazy("Linket virker ikke"), gettext_lazy(
        "Linket er ikke gyldigt. Brug linket i den nyeste e-mail, eller kontakt frivilligcentret.")),
    (links.AFMELD, links.UDLOEBET): (gettext_lazy("Linket er udløbet"), gettext_lazy(
        "Linket virker ikke længere. Kontakt frivilligcentret, hvis du vil afmelde dig.")),
    (links.AFMELD, links.BRUGT): (gettext_lazy("Du er allerede afmeldt"), gettext_lazy(
        "Din afmelding er modtaget. Vil du tilmelde dig igen, så kontakt frivilligcentret.")),
    (links.EVALUER, links.UGYLDIG): (gettext_lazy("Linket virker ikke"), gettext_lazy(
        "Linket er ikke gyldigt. Brug linket i den nyeste e-mail, eller kontakt frivilligcentret.")),
    (links.EVALUER, links.UDLOEBET): (gettext_lazy("Linket er udløbet"), gettext_lazy(
        "Evalueringen kan kun gives i en periode efter arrangementet. Tak for din interesse!")),
    (links.EVALUER, links.BRUGT): (gettext_lazy("Du har allerede svaret"), gettext_lazy(
        "Din evaluering er modtaget. Tak!")),
}


def _ugyldig(request, formaal: str, grund: str):
    titel, tekst = _UGYLDIG_TEKST[(formaal, grund)]
    return render(request, "matching/svar/svar_ugyldig.html", {"titel": titel, "tekst": tekst}, status=410)


@never_cache
def afmeld_link(request, pk, token):
    opslag = links.fra_token(pk, token, links.AFMELD)
    if opslag.grund:
        return _ugyldig(request, links.AFMELD, opslag.grund)
    tilmelding = opslag.tilmelding
    if request.method == "POST":
        try:
            services.tilmelding_afmeld(actor=access.actor_for_system(tilmelding.center), tilmelding=tilmelding,
                                       via_link=True)
        except ValidationError:
            return _ugyldig(request, links.AFMELD, links.BRUGT)
        return render(request, "matching/arrangement/afmeld_tak.html", {"arrangement": tilmelding.arrangement})
    return render(request, "matching/arrangement/afmeld_link.html", {
        "arrangement": tilmelding.arrangement, "datoer": [d for d in tilmelding.arrangement.datoer.all()
                                                          if not d.aflyst]})


@never_cache
def evaluering_link(request, pk, token):
    opslag = links.fra_token(pk, token, links.EVALUER)
    if opslag.grund:
        return _ugyldig(request, links.EVALUER, opslag.grund)
    tilmelding = opslag.tilmelding
    form = EvalueringForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluering_giv(tilmelding=tilmelding, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "matching/arrangement/evaluering_tak.html", {"arrangement": tilmelding.arrangement})
    return render(request, "matching/arrangement/evaluering_link.html",
                  {"arrangement": tilmelding.arrangement, "form": form})
