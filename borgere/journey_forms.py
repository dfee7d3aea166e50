"""Forms for the journey on the borger's side: samtale, consent and the outcome measures."""

import functools

from django import forms
from django.utils.translation import gettext_lazy as _

from brobygning.availability import SLOTS
from brobygning.cpr import IngenCprMixin
from brobygning.forms import AvailabilityGrid, tag_field
from brobygning.models import TagType

from .measures import UCLA3_CHOICES, UCLA3_ITEMS, WHO5_CHOICES, WHO5_ITEMS
from .models import Formaal, MaalingType, OensketRolle, Samtale, SamtykkeMaade


class SamtaleForm(IngenCprMixin, forms.ModelForm):
    class Meta:
        model = Samtale
        fields = ["dato", "type", "varighed_min", "oensker", "noter", "naeste_skridt"]
        widgets = {
            "dato": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "oensker": forms.Textarea(attrs={"rows": 3}),
            "noter": forms.Textarea(attrs={"rows": 3}),
            "varighed_min": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }


class BorgerWishesForm(forms.Form):
    """What matters to the borger, updated on the borger record together with the samtale."""

    interesser = tag_field(TagType.INTERESSE, _("Interesser"))
    barrierer = tag_field(TagType.BARRIERE, _("Barrierer og støttebehov"))
    tilgaengelighedsbehov = tag_field(TagType.TILGAENGELIGHED, _("Behov for tilgængelighed"))
    tilgaengelighed = forms.MultipleChoiceField(label=_("Hvornår kan borgeren"), choices=SLOTS, required=False,
                                                widget=AvailabilityGrid)
    oensket_rolle = forms.ChoiceField(label=_("Ønsket rolle"), choices=OensketRolle.choices)

    @classmethod
    def for_borger(cls, borger, data=None):
        initial = {
            "interesser": borger.interesser.all(), "barrierer": borger.barrierer.all(),
            "tilgaengelighedsbehov": borger.tilgaengelighedsbehov.all(),
            "tilgaengelighed": borger.tilgaengelighed, "oensket_rolle": borger.oensket_rolle,
        }
        return cls(data, initial=initial, prefix="borger")


class MeasureForm(forms.Form):
    """One optional outcome measure: either every item is answered, or none is."""

    type: str
    items: list
    choices: list

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i, text in enumerate(self.items):
            # A select per item keeps a 5-item scale to one phone screen.
            self.fields[f"q{i}"] = forms.TypedChoiceField(
                label=text, choices=[("", "—"), *self.choices], coerce=int, empty_value=None, required=False,
            )

    def clean(self):
        cleaned = super().clean()
        answered = [cleaned.get(f"q{i}") for i in range(len(self.items))]
        given = [a for a in answered if a not in (None, "")]
        if given and len(given) != len(answered):
            raise forms.ValidationError(_("Besvar alle spørgsmål, eller lad skalaen stå tom."))
        cleaned["svar"] = answered if given else None
        return cleaned


class Who5Form(MeasureForm):
    type = MaalingType.WHO5
    items = WHO5_ITEMS
    choices = WHO5_CHOICES


class Ucla3Form(MeasureForm):
    type = MaalingType.UCLA3
    items = UCLA3_ITEMS
    choices = UCLA3_CHOICES


def measure_forms(data=None):
    return [Who5Form(data, prefix="who5"), Ucla3Form(data, prefix="ucla3")]


class SamtykkerForm(forms.Form):
    """The borger page's one consent form: a box per purpose, ticked for consent, and how the new
    ones were given. The text version shown per purpose comes along (`version_<formaal>`)."""

    formaal = forms.MultipleChoiceField(label=_("Formål"), choices=Formaal.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    maade = forms.ChoiceField(label=_("Hvordan blev nye samtykker givet"), required=False,
                              choices=[("", "—"), *SamtykkeMaade.choices],
                              widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for formaal in Formaal.values:
            self.fields[f"version_{formaal}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    def versioner(self) -> dict:
        return {f: self.cleaned_data.get(f"version_{f}") for f in Formaal.values}


@functools.lru_cache(maxsize=16)
def maade_felt(_sprog: str) -> tuple[str, str]:
    """The borger page's unbound "how were they given" choice as (label, widget HTML): it depends on
    the language only, so it is rendered once per language and process (~0.4 ms a page; issue 15)."""
    felt = SamtykkerForm()["maade"]
    return str(felt.label), felt.as_widget()
