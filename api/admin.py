"""
API keys in the admin: made here (the key is shown once, on the page after
saving, and only its digest is kept), revoked with an action or the checkbox
on the change form. Every write goes through ``api.keys``.
"""

from django.contrib import admin, messages
from django.utils import timezone

from . import keys
from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "per_minute", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "revoked_at")
    fields = ("name", "per_minute", "prefix", "created_at", "revoked_at")
    actions = ("revoke",)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "per_minute"])
            keys.forget(obj)
            return
        made, raw = keys.api_key_create(name=obj.name, per_minute=obj.per_minute)
        obj.pk, obj.prefix, obj.digest = made.pk, made.prefix, made.digest
        messages.warning(
            request,
            f"The new key is {raw} — copy it now: it is stored hashed and "
            "cannot be shown again.",
        )

    def delete_model(self, request, obj):
        keys.api_key_revoke(key=obj)
        obj.delete()

    def delete_queryset(self, request, queryset):
        for key in queryset:
            self.delete_model(request, key)

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            keys.api_key_revoke(key=key)
        self.message_user(request, f"Revoked at {timezone.now():%H:%M}.")


from .webhooks import admin as webhooks_admin  # noqa: E402, F401  (registers them)
