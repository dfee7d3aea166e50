from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.db import connection
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from brobygning.availability import SLOTS
from brobygning.cpr import IngenCprMixin
from brobygning.forms import AvailabilityGrid, PostnummerField, helper, tag_field
from brobygning.models import Tag, TagType
from brobygning.planner import Laesning, fetch_together

from .models import (
    Afslutningsaarsag,
    Arrangement,
    Frivilligrolle,
    Ledsagelse,
    MatchRolle,
    Netvaerksmateriale,
    Raadgivning,
    Resultat,
    RolleKandidat,
)


class SuggestionFilterForm(forms.Form):
    max_km = forms.IntegerField(label=_("Højst km"), min_value=1, max_value=200, required=False)
    kategori = forms.TypedChoiceField(label=_("Kategori"), coerce=int, empty_value=None, required=False)
    rolle = forms.ChoiceField(label=_("Rolle"), required=False,
                              choices=[("", _("Som borgeren ønsker"))] + list(MatchRolle.choices))
    vis_skjulte = forms.BooleanField(required=False, widget=forms.HiddenInput)  # show what the needs hide

    def __init__(self, *args, kategorier: list[tuple[int, str]] | None = None, **kwargs):
        """`kategorier`: the category choices as `kategori_laesning` reads them, if read already."""
        super().__init__(*args, **kwargs)
        self.fields["kategori"].choices = [("", _("Alle")), *(_kategorier() if kategorier is None else kategorier)]


def kategori_laesning() -> Laesning:
    """The active categories, (id, name), in the taxonomy's order (`Tag.Meta.ordering`; the type is one),
    as a read another can send in its round trip (`fetch_together`). Plain SQL: the ORM took ~8× as long
    to build it as the database to run it (issue 15)."""
    return Laesning(f"SELECT id, navn FROM {Tag._meta.db_table} WHERE aktiv AND type = %s "  # noqa: S608
                    "ORDER BY sortering, navn", [TagType.KATEGORI], lambda rows, _connection: rows)


def _kategorier() -> list[tuple[int, str]]:
    [rows] = fetch_together(connection, [kategori_laesning()])
    return rows


class LedsagelseForm(IngenCprMixin, forms.ModelForm):
    naeste_moede = forms.ChoiceField(label=_("Fællesskabets næste møder"), required=False)
    tidspunkt = forms.DateTimeField(
        label=_("Eller vælg selv et tidspunkt"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = Ledsagelse
        fields = ["tidspunkt", "varighed_min", "moedested", "transport", "brobygger", "velkomstnote"]
        widgets = {"velkomstnote": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, forekomster, brobyggere, maa_dele_med_vaert, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["naeste_moede"].choices = [("", _("Vælg et af møderne"))] + [
            (f.start.isoformat(), formats.date_format(timezone.localtime(f.start), "l j. F H:i").capitalize())
            for f in forekomster
        ]
        self.fields["brobygger"].queryset = brobyggere
        if not maa_dele_med_vaert:
            # Without consent to share with the host, there is nothing to write here.
            self.fields["velkomstnote"].disabled = True
            self.fields["velkomstnote"].help_text = _(
                "Borgeren har ikke givet samtykke til at dele fornavn og velkomstnote med værten."
            )

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("naeste_moede")
        if chosen:
            cleaned["tidspunkt"] = parse_datetime(chosen)
        if not cleaned.get("tidspunkt") and "tidspunkt" not in self.errors:
            self.add_error("tidspunkt", _("Vælg et af fællesskabets møder eller et tidspunkt."))
        return cleaned

    @property
    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MatchEndForm(IngenCprMixin, forms.Form):
    # Nothing preselected (issue 16): the reason is a choice the person makes, never a default.
    aarsag = forms.ChoiceField(label=_("Hvorfor slutter matchet?"),
                               choices=[("", _("Vælg en årsag …")), *Afslutningsaarsag.choices])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class OpfoelgningForm(IngenCprMixin, forms.Form):
    resultat = forms.ChoiceField(label=_("Hvad viste opfølgningen?"), choices=Resultat.choices,
                                 widget=forms.RadioSelect)
    aarsag = forms.CharField(label=_("Årsag"), max_length=300, required=False,
                             help_text=_("Skal udfyldes, hvis borgeren er stoppet."))
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("resultat") == Resultat.STOPPET and not cleaned.get("aarsag"):
            self.add_error("aarsag", _("Skriv kort, hvorfor borgeren er stoppet."))
        return cleaned


class SvarForm(IngenCprMixin, forms.Form):
    """The answer page behind a one-tap link: the answer (pre-chosen by the link) and optional free text."""

    svar = forms.ChoiceField(label=_("Dit svar"), widget=forms.RadioSelect,
                             error_messages={"required": _("Vælg et af svarene."),
                                             "invalid_choice": _("Vælg et af svarene.")})
    kommentar = forms.CharField(
        label=_("Vil du fortælle brobyggeren mere? (valgfrit)"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kun brobyggeren ser det. Det bliver ikke sendt videre."),
    )

    def __init__(self, *args, valg, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["svar"].choices = valg


# --- Frivillige til foreninger and rådgivning (issue 14) ------------------------------------------


class FrivilligrolleForm(IngenCprMixin, forms.ModelForm):
    postnummer = PostnummerField()
    interesser = tag_field(TagType.INTERESSE, _("Interesser"))
    tider = forms.MultipleChoiceField(label=_("Tidspunkter"), choices=SLOTS, required=False, widget=AvailabilityGrid)

    class Meta:
        model = Frivilligrolle
        fields = ["forening", "titel", "beskrivelse", "hvornaar", "tider", "sted", "postnummer", "krav",
                  "interesser", "antal", "aaben"]
        widgets = {"beskrivelse": forms.Textarea(attrs={"rows": 3}), "krav": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, foreninger, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forening"].queryset = foreninger
        self.helper = helper(_("Gem"))
        self.helper.layout = Layout(
            Fieldset(_("Rollen"), "forening", "titel", "beskrivelse", "krav", Div("interesser", css_class="checkbox-columns")),
            Fieldset(_("Hvornår og hvor"), "hvornaar", "tider", "sted", "postnummer"),
            Fieldset(_("Status"), "antal", "aaben"),
        )


class RolleKandidatForm(IngenCprMixin, forms.ModelForm):
    postnummer = PostnummerField()
    interesser = tag_field(TagType.INTERESSE, _("Interesser"))
    tilgaengelighed = forms.MultipleChoiceField(label=_("Hvornår kan personen"), choices=SLOTS, required=False,
                                                widget=AvailabilityGrid)
    samtykke = forms.BooleanField(
        label=_("Personen har givet samtykke til, at centret registrerer oplysningerne for at finde en frivilligrolle."),
        required=True)

    class Meta:
        model = RolleKandidat
        fields = ["fornavn", "efternavn", "email", "telefon", "postnummer", "foedselsaar", "interesser",
                  "tilgaengelighed", "max_afstand_km", "deling_med_foreninger", "aktiv"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["samtykke"]  # given at registration
        self.helper = helper(_("Gem"))


class RaadgivningForm(IngenCprMixin, forms.ModelForm):
    class Meta:
        model = Raadgivning
        fields = ["dato", "organisation", "art", "emne", "varighed_min", "opfoelgning", "note"]
        widgets = {"dato": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "opfoelgning": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(_("Gem"))


# --- Arrangementer (issue 14) ----------------------------------------------------------------------

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ArrangementForm(IngenCprMixin, forms.ModelForm):
    """The arrangement and, when new, its dates: the first, and optionally a weekly series."""

    online_link = forms.URLField(label=_("Link til online-møde"), required=False, assume_scheme="https")
    start = forms.DateTimeField(label=_("Første dato og tidspunkt"), widget=DATETIME_WIDGET)
    varighed_min = forms.IntegerField(label=_("Varighed (minutter)"), min_value=15, max_value=1440, initial=120)
    gentag_uger = forms.IntegerField(label=_("Gentag ugentligt, antal gange i alt"), min_value=1, max_value=26,
                                     initial=1, help_text=_("1 = kun én dato. Flere datoer kan også tilføjes bagefter."))

    class Meta:
        model = Arrangement
        fields = ["type", "titel", "beskrivelse", "maalgruppe", "sted", "online_link", "kapacitet", "offentlig",
                  "ansvarlige"]
        widgets = {"beskrivelse": forms.Textarea(attrs={"rows": 4}), "ansvarlige": forms.CheckboxSelectMultiple}

    def __init__(self, *args, ansvarlige_qs, ny: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ansvarlige"].queryset = ansvarlige_qs
        self.fields["ansvarlige"].label_from_instance = lambda u: u.get_full_name() or u.email
        self.fields["ansvarlige"].help_text = _("Brobyggere, der hjælper med at afvikle det, ser arrangementet og "
                                                "kan tage fremmøde.")
        if not ny:
            for name in ("start", "varighed_min", "gentag_uger"):
                del self.fields[name]

    def datoer(self) -> list:
        start, minutter = self.cleaned_data["start"], self.cleaned_data["varighed_min"]
        return [(start + timedelta(weeks=i), minutter) for i in range(self.cleaned_data.get("gentag_uger") or 1)]


class DatoForm(forms.Form):
    start = forms.DateTimeField(label=_("Dato og tidspunkt"), widget=DATETIME_WIDGET)
    varighed_min = forms.IntegerField(label=_("Varighed (minutter)"), min_value=15, max_value=1440, initial=120)


class TilmeldAndenForm(IngenCprMixin, forms.Form):
    """Staff register another person by name and e-mail (a host, a professional), optionally for a forening.

    The forening select is bounded: it offers `forening_valg` (the centre's first active foreninger by
    name, or the hits of a posted name search, at most `arrangementer.FORENING_VALG_MAX`), while the
    choice is validated against all of the centre's active ones (`foreninger`)."""

    navn = forms.CharField(label=_("Navn"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    forening = forms.ModelChoiceField(label=_("Forening (valgfri)"), queryset=None, required=False)

    def __init__(self, *args, foreninger, forening_valg, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["forening"]
        field.queryset = foreninger
        valg = list(forening_valg)
        valgt = self.data.get("forening") if self.is_bound else None
        if valgt and str(valgt).isdigit() and all(str(f.pk) != str(valgt) for f in valg):
            valg = list(foreninger.filter(pk=valgt)[:1]) + valg  # keep the person's choice after a search
        field.widget.choices = [("", "---------")] + [(f.pk, f.navn) for f in valg]


class TilmeldKontaktForm(forms.Form):
    """A foreningskontakt picked from a posted name search (a hidden id), checked against the
    centre's active foreningskontakter."""

    user = forms.ModelChoiceField(label=_("Foreningskontakt"), queryset=None, widget=forms.HiddenInput,
                                  error_messages={"invalid_choice": _("Vælg en foreningskontakt på listen.")})

    def __init__(self, *args, kontakter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = kontakter


class StartForloebForm(forms.Form):
    """A registered borger's forløb starts from a workshop: who takes contact."""

    brobygger = forms.ModelChoiceField(label=_("Brobygger"), queryset=None,
                                       error_messages={"required": _("Vælg den brobygger, der skal tage kontakt.")})

    def __init__(self, *args, brobyggere, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brobygger"].queryset = brobyggere
        self.fields["brobygger"].label_from_instance = lambda u: u.get_full_name() or u.email
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Start forløb")))


PUBLIC_HONEYPOT = "hjemmeside"


class PublicTilmeldingForm(IngenCprMixin, forms.Form):
    """The public registration: name, e-mail, consent; and a honeypot people never see."""

    navn = forms.CharField(label=_("Dit navn"), max_length=200)
    email = forms.EmailField(label=_("Din e-mail"), help_text=_("Hertil sender vi bekræftelsen og et link til at "
                                                                "afmelde dig."))
    samtykke = forms.BooleanField(
        label=_("Jeg har læst teksten ovenfor og giver mit samtykke."),
        error_messages={"required": _("Sæt kryds for at give samtykke. Uden samtykke kan vi ikke tage imod "
                                      "tilmeldingen.")})
    hjemmeside = forms.CharField(label=_("Lad dette felt være tomt"), required=False,
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(PUBLIC_HONEYPOT))


class EvalueringForm(IngenCprMixin, forms.Form):
    udbytte = forms.TypedChoiceField(
        label=_("Hvad fik du ud af det?"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("Rigtig meget")), (4, _("En del")), (3, _("Noget")), (2, _("Lidt")), (1, _("Ingenting"))])
    kommentar = forms.CharField(label=_("Vil du fortælle os mere? (valgfrit)"), required=False, max_length=1000,
                                widget=forms.Textarea(attrs={"rows": 3}))


# --- The network of centres (issue 14, point 5) ------------------------------------------------------


class NetvaerksmoedeForm(IngenCprMixin, forms.ModelForm):
    """A network meeting and, when new, its first date."""

    online_link = forms.URLField(label=_("Link til online-møde"), required=False, assume_scheme="https")
    start = forms.DateTimeField(label=_("Dato og tidspunkt"), widget=DATETIME_WIDGET)
    varighed_min = forms.IntegerField(label=_("Varighed (minutter)"), min_value=15, max_value=1440, initial=180)

    class Meta:
        model = Arrangement
        fields = ["titel", "beskrivelse", "maalgruppe", "sted", "online_link", "kapacitet"]
        widgets = {"beskrivelse": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, ny: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ny:
            del self.fields["start"], self.fields["varighed_min"]
        self.helper = helper(_("Gem netværksmødet"))

    def datoer(self) -> list:
        return [(self.cleaned_data["start"], self.cleaned_data["varighed_min"])]


class NetvaerkTilmeldForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Medarbejder"), queryset=None)

    def __init__(self, *args, medarbejdere, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = medarbejdere
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.email


class NetvaerksreferatForm(IngenCprMixin, forms.Form):
    tekst = forms.CharField(label=_("Referat"), max_length=5000, required=False,
                            widget=forms.Textarea(attrs={"rows": 12}),
                            help_text=_("Skriv aldrig navne eller andre oplysninger om borgere i referatet."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(_("Gem referatet"))


class NetvaerksmaterialeForm(IngenCprMixin, forms.ModelForm):
    """A method or tool for the shared library: a file or a link."""

    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https", max_length=500)
    tags = forms.CharField(label=_("Emneord"), max_length=300, required=False,
                           help_text=_("Adskilt med komma, fx: inklusion, samtale, metode."))

    class Meta:
        model = Netvaerksmateriale
        fields = ["titel", "beskrivelse", "fil", "link", "tags"]
        widgets = {"beskrivelse": forms.Textarea(attrs={"rows": 4}),
                   "fil": forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.pptx,.odt,.txt"})}
        help_texts = {"fil": _("PDF, Word, Excel, PowerPoint, OpenDocument eller tekst; højst 20 MB. "
                               "Eller angiv et link herunder.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tag_liste)
        self.helper = helper(_("Del i netværket"))

    def _post_clean(self):
        pass  # the service validates the model and the file (matching/netvaerksrum.py)
