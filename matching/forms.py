from django import forms
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from brobygning.cpr import IngenCprMixin
from brobygning.models import Tag, TagType

from .models import Afslutningsaarsag, Ledsagelse, MatchRolle, Resultat


class SuggestionFilterForm(forms.Form):
    max_km = forms.IntegerField(label=_("Højst km"), min_value=1, max_value=200, required=False)
    kategori = forms.TypedChoiceField(label=_("Kategori"), coerce=int, empty_value=None, required=False)
    rolle = forms.ChoiceField(label=_("Rolle"), required=False,
                              choices=[("", _("Som borgeren ønsker"))] + list(MatchRolle.choices))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kategorier = Tag.objects.filter(type=TagType.KATEGORI, aktiv=True).values_list("pk", "navn")
        self.fields["kategori"].choices = [("", _("Alle")), *kategorier]  # one query, no COUNT


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
    aarsag = forms.ChoiceField(label=_("Hvorfor slutter matchet?"), choices=Afslutningsaarsag.choices)
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
