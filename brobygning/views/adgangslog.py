"""The koordinator's view of the access log: per borger, per user, and a random spot check."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .. import access, selectors
from ..decorators import member_required
from ..filters import choices_in_one_query
from ..models import Adgangslog, User
from ..pagination import paginate

STIKPROEVE_MAX = 200
# The log's page count stops here ("Side 1 af 40+"): half a year of a large centre's log is not
# counted on every visit (issue 15); every page stays reachable through "Næste".
SIDE_LOFT = 1000


class AdgangslogFilter(forms.Form):
    """Ids only: the log is filtered by borger id and user, never by name in the URL."""

    borger = forms.IntegerField(label=_("Borger-id"), required=False, min_value=1, max_value=2**62)
    bruger = forms.ModelChoiceField(label=_("Bruger"), queryset=None, required=False, empty_label=_("Alle"))
    handling = forms.ChoiceField(label=_("Handling"), required=False,
                                 choices=[("", _("Alle"))] + list(Adgangslog.Handling.choices))
    fra = forms.DateField(label=_("Fra"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    til = forms.DateField(label=_("Til"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["bruger"].queryset = User.objects.filter(medlemskaber__center_id=actor.center_id).distinct()
        choices_in_one_query(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("fra") and cleaned.get("til") and cleaned["fra"] > cleaned["til"]:
            self.add_error("til", _("Slutdatoen skal ligge efter startdatoen."))
        return cleaned


@member_required
def adgangslog(request):
    access.check(request.actor, "adgangslog", "list")
    form = AdgangslogFilter(request.GET or None, actor=request.actor)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.adgangslog_list(actor=request.actor, data=data)
    return render(request, "brobygning/adgangslog/adgangslog.html", {
        "form": form, "page": paginate(request, rows, loft=SIDE_LOFT, loft_i_siden=True), "stikproeve": False,
    })


@member_required
def adgangslog_stikproeve(request):
    """A random sample of entries in a period, for the koordinator's regular spot check."""
    access.check(request.actor, "adgangslog", "list")
    form = AdgangslogFilter(request.GET or None, actor=request.actor)
    rows, andre_centre = [], []
    if form.is_bound and form.is_valid():
        antal = request.GET.get("antal", "")
        antal = min(int(antal), STIKPROEVE_MAX) if antal.isascii() and antal.isdigit() and int(antal) else 20
        rows = list(selectors.adgangslog_list(actor=request.actor, data=form.cleaned_data).order_by("?")[:antal])
        andre_centre = list(selectors.adgangslog_foreign_attempts(actor=request.actor, data=form.cleaned_data,
                                                                  limit=STIKPROEVE_MAX))
    return render(request, "brobygning/adgangslog/adgangslog.html",
                  {"form": form, "rows": rows, "andre_centre": andre_centre, "stikproeve": True})
