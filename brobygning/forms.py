from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .availability import DAYPARTS, WEEKDAYS
from .changes import VersionConflict
from .cpr import IngenCprMixin
from .models import Postnummer, Rolle, Tag, User


def helper(submit_label) -> FormHelper:
    """A crispy helper with one primary submit button."""
    form_helper = FormHelper()
    form_helper.add_input(Submit("submit", submit_label))
    return form_helper


def add_service_errors(form, error) -> None:
    """Show a service's ValidationError on the form, by field where the field exists."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


MAX_PK = 2**63 - 1


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Rejects ids that are not whole numbers in the database's range before querying.

    Django's own field hands a 30-digit "id" to the database, where it overflows (a 500)."""

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        if key == "pk":
            for pk in value:
                text = str(pk).strip()
                if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_PK:
                    raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                          params={"pk": pk})
        return super()._check_values(value)


class InvitationForm(IngenCprMixin, forms.Form):
    fornavn = forms.CharField(label=_("Fornavn"), max_length=100)
    efternavn = forms.CharField(label=_("Efternavn"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    rolle = forms.ChoiceField(label=_("Rolle"), choices=Rolle.choices)
    foreninger = SafeModelMultipleChoiceField(
        label=_("Foreninger"), queryset=None, required=False,
        help_text=_("Kun for foreningskontakter: de foreninger, personen repræsenterer."),
    )

    def __init__(self, *args, foreninger, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["foreninger"].queryset = foreninger
        self.helper = helper(_("Send invitation"))


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(label=_("Adgangskode"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                strip=False, help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("Gentag adgangskode"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, user_email, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_email = user_email
        self.helper = helper(_("Gem adgangskode og log ind"))

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("De to adgangskoder er ikke ens."))
        if p1:
            try:
                password_validation.validate_password(p1, User(email=self.user_email))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PostnummerField(forms.ModelChoiceField):
    """A four-digit Danish postal code typed as text, checked against the real list."""

    default_error_messages = {
        "invalid_choice": _("Postnummeret findes ikke i Danmark. Skriv fire cifre, fx 5000."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Postnummer"))
        super().__init__(
            queryset=Postnummer.objects.all(),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code",
                                          "maxlength": 4, "pattern": "[0-9]{4}"}),
            **kwargs,
        )

    def to_python(self, value):
        return super().to_python(value.strip() if isinstance(value, str) else value)


def tag_field(tag_type, label, **kwargs) -> SafeModelMultipleChoiceField:
    """Checkboxes over one kind of taxonomy term."""
    return SafeModelMultipleChoiceField(
        queryset=Tag.objects.filter(type=tag_type, aktiv=True), label=label, required=False,
        widget=forms.CheckboxSelectMultiple, **kwargs,
    )


def act(request, call, message) -> bool:
    """A one-button POST: run the service `call()`; the success `message` or the service's refusal
    becomes the message the user sees after the redirect."""
    try:
        call()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, message)
    return True


def save_valid_form(request, form, save, message):
    """On a valid POST, call `save()` (a service) and redirect to what it returns.

    A ValidationError from the service lands on the form, so the user sees it next to their input.
    Returns None when the form should be shown (again).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save()
    except ValidationError as error:
        if isinstance(error, VersionConflict):
            # Keep the user's input; the next save knowingly replaces the version they have now seen.
            form.data = form.data.copy()
            form.data[form.add_prefix("version")] = error.current_version
        add_service_errors(form, error)
        return None
    messages.success(request, message)
    return redirect(saved)


class AvailabilityGrid(forms.widgets.ChoiceWidget):
    """Weekly availability as a table: weekdays down, morning/afternoon/evening across.

    Not a CheckboxSelectMultiple subclass on purpose: crispy-forms would render that as a flat list.
    """

    allow_multiple_selected = True
    input_type = "checkbox"
    template_name = "widgets/availability_grid.html"
    option_template_name = "django/forms/widgets/checkbox_option.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = {option["value"]: option for _group, group_options, _i in context["widget"]["optgroups"]
                   for option in group_options}
        context["dayparts"] = [label for _code, label, _start, _end in DAYPARTS]
        context["rows"] = [(day_label, [options[f"{day}-{code}"] for code, *_rest in DAYPARTS])
                           for day, day_label in WEEKDAYS]
        return context

    def use_required_attribute(self, initial):
        return False

    def id_for_label(self, id_, index=None):
        # The field's label is a heading for the whole grid; tied to the first box it would tick
        # Monday morning when clicked (issue 16). As CheckboxSelectMultiple does: no index, no id.
        if index is None:
            return ""
        return super().id_for_label(id_, index)

    def value_omitted_from_data(self, data, files, name):
        return False  # no box ticked means "no times", not "field left out"


class VersionedFormMixin:
    """The hidden `version` field for optimistic locking (brobygning.changes.check_version).

    Call `self.add_version_field()` at the end of `__init__`, after the crispy helper is set."""

    def add_version_field(self):
        instance = getattr(self, "instance", None)
        if instance is None or not instance.pk:
            return
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, initial=instance.version, min_value=1, max_value=2**31 - 1,
            error_messages={k: _("Formularen mangler sit versionsnummer. Genindlæs siden, og prøv igen.")
                            for k in ("required", "invalid", "min_value", "max_value")})
        helper_ = getattr(self, "helper", None)
        if helper_ is not None:
            helper_.render_hidden_fields = True

    def full_clean(self):
        super().full_clean()
        # A hidden field's error would not be shown next to it: show it at the top of the form.
        if self._errors and "version" in self._errors:
            errors = self._errors.pop("version")
            self._errors.setdefault(forms.forms.NON_FIELD_ERRORS, self.error_class(error_class="nonfield")).extend(errors)


class TelefonForm(forms.Form):
    """Min profil: the person's own phone number (issue 16)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["telefon"] = User._meta.get_field("telefon").formfield()
