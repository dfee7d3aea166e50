"""The public referral form. It never asks for a CPR number."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from brobygning.cpr import IngenCprMixin
from brobygning.forms import PostnummerField
from brobygning.models import Tag, TagType

from .models import EGEN_HENVENDELSE, Henvisning

HONEYPOT = "hjemmeside"  # a field people never see; bots fill it in


class HenvisningForm(IngenCprMixin, forms.ModelForm):
    postnummer = PostnummerField(required=False, help_text=_("Hvor personen bor, så vi kan finde noget i nærheden."))
    samtykke = forms.BooleanField(
        label=_("Personen har læst eller fået læst teksten ovenfor op og giver sit samtykke."),
        error_messages={"required": _("Sæt kryds, når personen har givet samtykke. Uden samtykke kan vi ikke "
                                      "modtage henvisningen.")},
    )
    samtykke_version = forms.IntegerField(widget=forms.HiddenInput)
    hjemmeside = forms.CharField(label=_("Lad dette felt være tomt"), required=False,
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    class Meta:
        model = Henvisning
        fields = ["kilde", "henviser_navn", "henviser_organisation", "henviser_email", "henviser_telefon",
                  "fornavn", "efternavn", "telefon", "email", "foretrukken_kanal", "kontakt_note", "postnummer",
                  "oensker"]
        labels = {
            "kilde": _("Hvem henviser?"),
            "henviser_navn": _("Dit navn"),
            "henviser_organisation": _("Organisation eller arbejdsplads"),
            "henviser_email": _("Din e-mail"),
            "henviser_telefon": _("Dit telefonnummer"),
            "fornavn": _("Personens fornavn"),
            "efternavn": _("Personens efternavn"),
            "telefon": _("Personens telefon"),
            "email": _("Personens e-mail"),
            "oensker": _("Hvad ønsker personen? Hvad kunne han eller hun tænke sig at være med i?"),
        }
        help_texts = {
            "kilde": _("Vælg 'Egen henvendelse', hvis du skriver om dig selv."),
            "henviser_organisation": _("Fx jobcenter, bostøtte eller lægepraksis."),
            "henviser_email": _("Vi sender en kvittering hertil."),
            "oensker": _("Skriv ikke CPR-nummer eller detaljerede helbredsoplysninger."),
        }
        widgets = {
            "oensker": forms.Textarea(attrs={"rows": 4}),
            "henviser_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "henviser_telefon": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "telefon": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, samtykketekst, **kwargs):
        super().__init__(*args, **kwargs)
        self.samtykketekst = samtykketekst
        self.fields["kilde"].queryset = Tag.objects.filter(type=TagType.HENVISNINGSKILDE, aktiv=True)
        self.fields["kilde"].empty_label = _("Vælg")
        egen = self.fields["kilde"].queryset.filter(slug=EGEN_HENVENDELSE).values_list("pk", flat=True).first()
        if egen:  # static/js/henvisning.js hides the referrer's fields for a self-referral
            self.fields["kilde"].widget.attrs["data-egen"] = str(egen)
        self.fields["oensker"].required = True
        self.fields["samtykke_version"].initial = samtykketekst.pk
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}  # the server's Danish messages, not the browser's
        self.helper.layout = Layout(
            Fieldset(_("Om dig, der henviser"), "kilde",
                     Div("henviser_navn", "henviser_organisation", "henviser_email", "henviser_telefon",
                         css_class="henviser-felter")),
            Fieldset(_("Om personen"), "fornavn", "efternavn", "telefon", "email", "foretrukken_kanal",
                     "kontakt_note", "postnummer", "oensker"),
            Fieldset(_("Samtykke"),
                     HTML('<p class="samtykketekst border-start border-4 ps-3">{{ samtykketekst.tekst|linebreaksbr }}'
                          '</p>'),
                     "samtykke", "samtykke_version"),
            Div(Field(HONEYPOT), css_class="d-none"),
        )
        self.helper.add_input(Submit("submit", _("Send henvisning")))

    def clean(self):
        cleaned = super().clean()
        if "samtykke_version" in cleaned and cleaned["samtykke_version"] != self.samtykketekst.pk:
            # A koordinator published a new text meanwhile: show it, and ask for the tick again.
            data = self.data.copy()
            data["samtykke_version"] = str(self.samtykketekst.pk)
            data.pop("samtykke", None)
            self.data = data
            self.add_error("samtykke", _("Samtykketeksten er blevet opdateret, mens formularen var åben. Læs den "
                                         "nye tekst, og sæt kryds igen."))
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())


class HenvisningAfvisForm(IngenCprMixin, forms.Form):
    afvist_grund = forms.CharField(
        label=_("Begrundelse"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kort og sagligt, fx 'Personen er henvist til et andet tilbud'. Gemmes ved henvisningen."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template's form posts to the decline URL
        self.helper.add_input(Submit("submit", _("Afvis henvisningen"), css_class="btn-danger"))
