"""The Django admin: the shared taxonomy, centres and memberships. Borger data stays in the app,
where every read is scoped and logged."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AuditEntry, Frivilligcenter, Invitation, Medlemskab, Postnummer, Tag, User


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("navn", "type", "gruppe", "sortering", "aktiv")
    list_filter = ("type", "aktiv")
    list_editable = ("sortering", "aktiv")
    search_fields = ("navn", "slug")
    prepopulated_fields = {"slug": ("navn",)}


@admin.register(Frivilligcenter)
class FrivilligcenterAdmin(admin.ModelAdmin):
    list_display = ("navn", "slug", "email")
    prepopulated_fields = {"slug": ("navn",)}


class MedlemskabInline(admin.TabularInline):
    """Memberships are switched off (`aktiv`), never deleted, and every change is audited."""

    model = Medlemskab
    extra = 0
    can_delete = False
    filter_horizontal = ("foreninger",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Navn"), {"fields": ("first_name", "last_name")}),
        (_("Rettigheder"), {"fields": ("is_active", "is_staff", "is_superuser", "netvaerksadgang")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()
    list_filter = ("is_active", "is_staff", "netvaerksadgang")
    inlines = [MedlemskabInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "netvaerksadgang" in form.changed_data:
            services.netvaerksadgang_admin_saved(user=request.user, bruger=obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Medlemskab:
            services.medlemskab_admin_saved(user=request.user, created=formset.new_objects,
                                            changed=formset.changed_objects)


@admin.register(Postnummer)
class PostnummerAdmin(admin.ModelAdmin):
    list_display = ("nr", "by", "lat", "lng")
    search_fields = ("nr", "by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "center", "rolle", "oprettet", "accepteret", "tilbagekaldt")
    list_filter = ("center", "rolle")
    readonly_fields = ("oprettet", "accepteret")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is evidence."""

    list_display = ("tidspunkt", "center", "actor", "handling", "objekt_type", "objekt_id")
    list_filter = ("center", "handling", "objekt_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
