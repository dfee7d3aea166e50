from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from stdnum.dk import cvr

from brobygning import access
from brobygning.cpr import IngenCprMixin
from brobygning.forms import PostnummerField, VersionedFormMixin, helper, tag_field
from brobygning.models import TagType

from .models import (
    LINK_FELTER,
    Faellesskab,
    Forening,
    Moedetid,
    Partner,
    Partnerkontakt,
    Partnerskab,
    Tilslutningsbeloeb,
)


class ForeningForm(IngenCprMixin, VersionedFormMixin, forms.ModelForm):
    postnummer = PostnummerField(required=False)
    hjemmeside = forms.URLField(label=_("Hjemmeside"), required=False, assume_scheme="https")
    cvr = forms.CharField(label=_("CVR-nummer"), max_length=20, required=False, help_text=_("8 cifre, fx 12345678."))

    class Meta:
        model = Forening
        fields = ["navn", "cvr", "kontaktperson", "email", "telefon", "adresse", "postnummer", "hjemmeside",
                  "inklusionsparat", "partnerskab", "noter"]
        widgets = {"noter": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None:  # a foreningskontakt neither sees nor sets the centre's notes and assessments
            for name in list(self.fields):
                if not access.may_see_field(actor, "forening_ret", name):
                    del self.fields[name]
        self.helper = helper(_("Gem"))
        self.add_version_field()

    def clean_cvr(self):
        value = cvr.compact(self.cleaned_data["cvr"] or "")
        if value and not cvr.is_valid(value):
            raise forms.ValidationError(_("CVR-nummeret er ikke gyldigt. Tjek de 8 cifre."))
        return value


class StedMixin:
    """Place by address and postal code, never raw coordinates (issue 16). A fællesskab without its own
    coordinates is placed at its postal code; a new address clears coordinates that belonged to the
    old one, unless the same submit sets new ones (the koordinator's optional "præcis placering")."""

    def clean(self):
        cleaned = super().clean()
        moved = {"adresse", "postnummer"} & set(self.changed_data)
        if moved and not {"lat", "lng"} & set(self.changed_data):
            cleaned["lat"] = cleaned["lng"] = None
        return cleaned


# The precise place, picked on a map (static/js/placering.js): a click or the dragged marker fills the
# hidden lat/lng fields. Without JavaScript the picker stays hidden and the place is the postal code.
PLACERING = HTML('{% include "foreninger/faellesskab/_placering.html" %}')

# Where the picker's map starts without a chosen place or postal code: all of Denmark.
DANMARK_MIDTE = (56.0, 10.6, 6)


class FaellesskabForm(StedMixin, IngenCprMixin, VersionedFormMixin, forms.ModelForm):
    postnummer = PostnummerField()
    interesser = tag_field(TagType.INTERESSE, _("Interesser"))
    maalgrupper = tag_field(TagType.UDFORDRING, _("Målgrupper"))
    tilgaengelighed = tag_field(TagType.TILGAENGELIGHED, _("Tilgængelighed"))

    class Meta:
        model = Faellesskab
        fields = ["forening", "titel", "beskrivelse", "velkomst", "kategori", "interesser", "maalgrupper",
                  "adresse", "postnummer", "lat", "lng", "alder_min", "alder_max", "tilgaengelighed",
                  "for_deltagere", "for_frivillige", "aaben_for_nye", "kapacitet",
                  "vaert_navn", "vaert_email", "vaert_telefon", "pris", "pris_note", "status", "sidst_bekraeftet", "offentlig"]
        widgets = {
            "beskrivelse": forms.Textarea(attrs={"rows": 4}),
            "velkomst": forms.Textarea(attrs={"rows": 3}),
            "sidst_bekraeftet": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "lat": forms.HiddenInput,
            "lng": forms.HiddenInput,
        }

    def __init__(self, *args, foreninger, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forening"].queryset = foreninger
        self.kort_tile_url = settings.MAP_TILE_URL
        self.kort_attribution = settings.MAP_TILE_ATTRIBUTION
        postnummer = self.instance.postnummer if self.instance.postnummer_id else None
        start = (postnummer.lat, postnummer.lng, 13) if postnummer else DANMARK_MIDTE
        self.kort_start = ",".join(str(v) for v in start)
        self.fields["kategori"].queryset = self.fields["kategori"].queryset.filter(aktiv=True)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("Om fællesskabet"), "forening", "titel", "beskrivelse", "velkomst", "kategori",
                     Div("interesser", css_class="checkbox-columns"), Div("maalgrupper", css_class="checkbox-columns")),
            Fieldset(_("Sted"), "adresse", "postnummer", "lat", "lng", PLACERING),
            Fieldset(_("Hvem kan være med"), Div(Field("alder_min", wrapper_class="col"),
                                                 Field("alder_max", wrapper_class="col"), css_class="row"),
                     Div("tilgaengelighed", css_class="checkbox-columns"),
                     "for_deltagere", "for_frivillige", "aaben_for_nye", "kapacitet"),
            Fieldset(_("Vært og pris"), "vaert_navn", "vaert_email", "vaert_telefon", "pris", "pris_note"),
            Fieldset(_("Status"), "status", "sidst_bekraeftet", "offentlig"),
        )
        self.add_version_field()


class FaellesskabLinkForm(StedMixin, IngenCprMixin, VersionedFormMixin, forms.ModelForm):
    """The fællesskab form behind a signed link: the practical details only (`LINK_FELTER`), and the
    place as address and postal code (a volunteer is never asked for coordinates)."""

    postnummer = PostnummerField()

    class Meta:
        model = Faellesskab
        fields = [name for name in LINK_FELTER if name not in ("lat", "lng")]
        widgets = FaellesskabForm.Meta.widgets

    def __init__(self, *args, foreninger=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("Om fællesskabet"), "beskrivelse", "velkomst", "aaben_for_nye", "kapacitet"),
            Fieldset(_("Sted"), "adresse", "postnummer"),
            Fieldset(_("Pris"), "pris", "pris_note"),
        )
        self.add_version_field()


class MoedetidForm(forms.ModelForm):
    class Meta:
        model = Moedetid
        fields = ["frekvens", "ugedag", "uge_i_maaned", "fra", "til", "gyldig_fra", "gyldig_til"]
        widgets = {
            "fra": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "til": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "gyldig_fra": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "gyldig_til": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


MoedetidFormSet = forms.inlineformset_factory(
    Faellesskab, Moedetid, form=MoedetidForm, extra=1, can_delete=True, max_num=10, validate_max=True
)



# --- Partnerskab (issue 14) ------------------------------------------------------------------------

DATO = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PartnerskabForm(IngenCprMixin, forms.ModelForm):
    class Meta:
        model = Partnerskab
        fields = ["navn", "tilslutningsloft", "budget", "beskrivelse"]
        widgets = {"beskrivelse": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(_("Gem"))


class PartnerForm(IngenCprMixin, forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["art", "forening", "navn", "kontaktperson", "kontakt_email", "kontakt_telefon", "status",
                  "aftale_fra", "aftale_til", "aftale_tekst", "aftale_fil"]
        widgets = {"aftale_fra": DATO, "aftale_til": DATO, "aftale_tekst": forms.Textarea(attrs={"rows": 4}),
                   "aftale_fil": forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt,.txt"})}
        help_texts = {"aftale_fil": _("PDF, Word (.docx), OpenDocument (.odt) eller tekst; højst 10 MB.")}

    def __init__(self, *args, foreninger, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forening"].queryset = foreninger
        self.helper = helper(_("Gem"))
        self.helper.attrs = {"enctype": "multipart/form-data"}


class PartnerkontaktForm(IngenCprMixin, forms.ModelForm):
    class Meta:
        model = Partnerkontakt
        fields = ["dato", "note"]
        widgets = {"dato": DATO, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(_("Noter kontakten"))


class TilslutningForm(IngenCprMixin, forms.ModelForm):
    class Meta:
        model = Tilslutningsbeloeb
        fields = ["beloeb", "bevilget", "udbetalt", "formaal", "opfoelgning"]
        widgets = {"bevilget": DATO, "udbetalt": DATO, "opfoelgning": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(_("Gem"))
