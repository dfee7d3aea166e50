"""Small model pieces shared by the registries."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

LONG_TEXT_MAX = 5000


def long_text(verbose_name, **kwargs):
    """A free-text field with a hard upper bound, so oversized input gets a clear error."""
    return models.TextField(verbose_name, blank=True, validators=[MaxLengthValidator(LONG_TEXT_MAX)], **kwargs)


class ArchivableQuerySet(models.QuerySet):
    def active(self):
        return self.filter(arkiveret__isnull=True)


class Archivable(models.Model):
    """Soft delete: archived rows disappear from lists but stay for history and statistics."""

    arkiveret = models.DateTimeField(_("arkiveret"), null=True, blank=True, editable=False)
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)
    opdateret = models.DateTimeField(_("opdateret"), auto_now=True)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def er_arkiveret(self):
        return self.arkiveret is not None

    def mark_archived(self):
        self.arkiveret = timezone.now()


class PhoneField(PhoneNumberField):
    """A phone number (Danish by default) whose form error is in Danish; the library only ships English."""

    def formfield(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": _("Skriv et gyldigt telefonnummer, fx 20 12 34 56.")})
        return super().formfield(**kwargs)
