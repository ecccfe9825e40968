"""The moderation policy: bans, watched words and the one settings row."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Ban, ModerationSettings, ModerationWord
from ..rules import RULE_NAMES


class BanAdminForm(forms.ModelForm):
    class Meta:
        model = Ban
        fields = ["kind", "value", "reason", "expires_at"]


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    form = BanAdminForm
    list_display = ["value", "kind", "reason", "expires_at", "created_by", "created_at"]
    list_filter = ["kind", "created_at"]
    list_select_related = ["created_by"]
    search_fields = ["value", "reason"]

    def save_model(self, request, obj, form, change):
        services.ban_save(ban=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.ban_lift(ban=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for ban in queryset:
            services.ban_lift(ban=ban, actor=request.user)


@admin.register(ModerationWord)
class ModerationWordAdmin(admin.ModelAdmin):
    list_display = ["word", "kind", "note", "created_at"]
    list_filter = ["kind"]
    search_fields = ["word", "note"]

    def save_model(self, request, obj, form, change):
        services.moderation_word_save(word=obj)

    def delete_model(self, request, obj):
        services.moderation_word_delete(words=obj)

    def delete_queryset(self, request, queryset):
        services.moderation_word_delete(words=queryset)


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    """One row, made by a migration: it can be changed, not added or removed."""

    readonly_fields = ["rules_in_order"]
    fieldsets = [
        (None, {"fields": ["rules_in_order", "premoderate_all"]}),
        (
            _("Rate limits (per IP address and per email address)"),
            {
                "fields": [
                    ("rate_short_count", "rate_short_seconds"),
                    ("rate_long_count", "rate_long_seconds"),
                ]
            },
        ),
        (
            _("Holding and refusing"),
            {
                "fields": [
                    "duplicate_window_hours",
                    "max_links",
                    "trusted_after_approved",
                ]
            },
        ),
        (_("Reports"), {"fields": ["report_threshold", "reports_per_hour"]}),
        (
            _("Notifications"),
            {"fields": ["notify_moderators", "notify_interval_minutes"]},
        ),
    ]

    def changelist_view(self, request, extra_context=None):
        """There is one row: open its form, not a list of one."""
        row = ModerationSettings.objects.order_by("pk").first()
        if row is None or not self.has_view_or_change_permission(request, row):
            return super().changelist_view(request, extra_context)
        return HttpResponseRedirect(
            reverse("admin:comments_moderationsettings_change", args=[row.pk])
        )

    def save_model(self, request, obj, form, change):
        services.moderation_settings_save(config=obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("rules, in the order they run"))
    def rules_in_order(self, obj):
        rules = format_html_join(
            " → ", "<code>{}</code>", ((name,) for name in RULE_NAMES)
        )
        return format_html(
            "{}<br><small>{}</small>",
            rules,
            _(
                "Comments close %(days)d days after publication (0: never) and "
                "replies nest %(depth)d deep: these two are set per deployment "
                "(COMMENTS_CLOSE_AFTER_DAYS, COMMENTS_MAX_DEPTH)."
            )
            % {
                "days": settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS,
                "depth": settings.NEWSROOM_COMMENTS_MAX_DEPTH,
            },
        )
