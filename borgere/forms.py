from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from brobygning.availability import SLOTS
from brobygning.forms import AvailabilityGrid, PostnummerField, VersionedFormMixin, tag_field
from brobygning.models import TagType

from .models import SPROG, Borger


class BorgerForm(VersionedFormMixin, forms.ModelForm):
    postnummer = PostnummerField()
    sprog = forms.MultipleChoiceField(label=_("Sprog"), choices=SPROG, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    interesser = tag_field(TagType.INTERESSE, _("Interesser"))
    barrierer = tag_field(TagType.BARRIERE, _("Barrierer og støttebehov"))
    tilgaengelighedsbehov = tag_field(TagType.TILGAENGELIGHED, _("Behov for tilgængelighed"),
                                      help_text=_("Det, et fællesskab skal have, før det passer."))
    tilgaengelighed = forms.MultipleChoiceField(label=_("Hvornår kan borgeren"), choices=SLOTS, required=False,
                                                widget=AvailabilityGrid)

    class Meta:
        model = Borger
        fields = ["fornavn", "efternavn", "telefon", "email", "foretrukken_kanal", "postnummer", "foedselsaar",
                  "sprog", "interesser", "barrierer", "tilgaengelighedsbehov", "tilgaengelighed",
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
                     Div("barrierer", css_class="checkbox-columns"),
                     Div("tilgaengelighedsbehov", css_class="checkbox-columns"),
                     "tilgaengelighed", "oensket_rolle", "max_afstand_km"),
            Fieldset(_("Forløb"), "henvisningskilde", "brobygger", "status", "noter"),
        )
        self.helper.add_input(Submit("submit", _("Gem")))
        self.add_version_field()
