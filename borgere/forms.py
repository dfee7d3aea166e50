from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from brobygning.availability import SLOTS
from brobygning.cpr import IngenCprMixin
from brobygning.forms import (
    AvailabilityGrid,
    PostnummerField,
    SafeModelMultipleChoiceField,
    VersionedFormMixin,
    helper,
    tag_field,
)
from brobygning.models import TagType

from .models import SPROG, Borger, Projekt, SamtykkeMaade


class BorgerForm(IngenCprMixin, VersionedFormMixin, forms.ModelForm):
    postnummer = PostnummerField()
    sprog = forms.MultipleChoiceField(label=_("Sprog"), choices=SPROG, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    interesser = tag_field(TagType.INTERESSE, _("Interesser"))
    udfordringer = tag_field(TagType.UDFORDRING, _("Udfordringer og målgruppe"),
                             help_text=_("Tæller med i forslagene, når et fællesskab er rettet mod den samme målgruppe."))
    barrierer = tag_field(TagType.BARRIERE, _("Barrierer og støttebehov"))
    tilgaengelighedsbehov = tag_field(TagType.TILGAENGELIGHED, _("Behov for tilgængelighed"),
                                      help_text=_("Det, et fællesskab skal have, før det passer."))
    tilgaengelighed = forms.MultipleChoiceField(label=_("Hvornår kan borgeren"), choices=SLOTS, required=False,
                                                widget=AvailabilityGrid)

    class Meta:
        model = Borger
        fields = ["fornavn", "efternavn", "telefon", "email", "foretrukken_kanal", "postnummer", "foedselsaar",
                  "sprog", "interesser", "udfordringer", "barrierer", "tilgaengelighedsbehov", "tilgaengelighed",
                  "oensket_rolle", "max_afstand_km", "henvisningskilde", "brobygger", "status", "noter"]
        widgets = {"noter": forms.Textarea(attrs={"rows": 3}),
                   "foedselsaar": forms.NumberInput(attrs={"inputmode": "numeric"})}

    def __init__(self, *args, brobyggere, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brobygger"].queryset = brobyggere
        self.fields["henvisningskilde"].queryset = self.fields["henvisningskilde"].queryset.filter(aktiv=True)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Kontakt"), "fornavn", "efternavn", "telefon", "email", "foretrukken_kanal",
                     "postnummer", "foedselsaar", Div("sprog", css_class="checkbox-columns")),
            Fieldset(_("Det der betyder noget"), Div("interesser", css_class="checkbox-columns"),
                     Div("udfordringer", css_class="checkbox-columns"),
                     Div("barrierer", css_class="checkbox-columns"),
                     Div("tilgaengelighedsbehov", css_class="checkbox-columns"),
                     "tilgaengelighed", "oensket_rolle", "max_afstand_km"),
            Fieldset(_("Forløb"), "henvisningskilde", "brobygger", "status", "noter"),
        )
        self.helper.add_input(Submit("submit", _("Gem")))
        self.add_version_field()


class BorgerCreateForm(BorgerForm):
    """Registering a borger: the registration consent is part of the same form (issue 12).

    `samtykketekst` is the centre's current registration text; it is shown so the staff can read it
    to the borger, and its version goes along, so the consent is to the words that were read.
    """

    samtykke = forms.BooleanField(
        label=_("Jeg har læst teksten op for borgeren (eller vist den), og borgeren giver samtykke"),
        error_messages={"required": _("Borgeren kan først oprettes, når samtykket til registrering er givet.")})
    samtykke_maade = forms.ChoiceField(
        label=_("Hvordan blev samtykket givet"), choices=SamtykkeMaade.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Vælg, hvordan samtykket blev givet.")})
    samtykke_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, samtykketekst, **kwargs):
        super().__init__(*args, **kwargs)
        self.samtykketekst = samtykketekst
        self.fields["samtykke_version"].initial = samtykketekst.pk
        self.helper.layout.insert(0, Fieldset(
            _("Samtykke til registrering"),
            HTML('<p class="samtykketekst border-start border-4 ps-3">{{ samtykketekst.tekst|linebreaksbr }}</p>'),
            "samtykke", "samtykke_maade", "samtykke_version"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("samtykke_version") != self.samtykketekst.pk:
            # A koordinator published a new text meanwhile (or the field was lost): show the current
            # text, and ask for the tick again.
            data = self.data.copy()
            data[self.add_prefix("samtykke_version")] = str(self.samtykketekst.pk)
            data.pop(self.add_prefix("samtykke"), None)
            self.data = data
            self.add_error("samtykke", _("Samtykketeksten er blevet opdateret, mens formularen var åben. Læs den "
                                         "nye tekst op for borgeren, og sæt kryds igen."))
        return cleaned

    def consent(self) -> dict:
        """The service's consent arguments, from a valid form."""
        return {"samtykke_maade": self.cleaned_data["samtykke_maade"], "samtykketekst": self.samtykketekst}

    def borger_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items()
                if k not in ("samtykke", "samtykke_maade", "samtykke_version")}


class ProjektForm(IngenCprMixin, forms.ModelForm):
    class Meta:
        model = Projekt
        fields = ["navn", "bevillingsgiver", "fra", "til", "maal_antal"]
        widgets = {"fra": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "til": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "maal_antal": forms.NumberInput(attrs={"inputmode": "numeric"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(_("Gem projektet"))


class BorgerProjekterForm(forms.Form):
    projekter = SafeModelMultipleChoiceField(label=_("Projekter"), queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple,
                                             help_text=_("Borgerens forløb tæller med i rapporterne for de valgte projekter."))

    def __init__(self, *args, projekter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projekter"].queryset = projekter
        self.helper = helper(_("Gem"))
