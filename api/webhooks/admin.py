"""
Webhooks in the admin. Subscriptions are for superusers only (no group is
given their permissions): one holds a signing secret and points our servers
at an outside address, which is a site administrator's decision, not an
editorial one. Editors see a switched-off subscription on their desk.
Every write goes through ``services``.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .addresses import RefusedTarget, target_check
from .models import EVENTS, WebhookAttempt, WebhookDelivery, WebhookSubscription


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=EVENTS, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        fields = ("name", "url", "events", "is_active")

    def clean_url(self):
        # The service checks again; here the admin gets the reason on the field.
        url = self.cleaned_data["url"]
        try:
            target_check(url)
        except RefusedTarget as exc:
            raise ValidationError(str(exc)) from exc
        return url


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ("name", "url", "is_active", "consecutive_failures", "disabled_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    readonly_fields = (
        "secret",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "created_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "url", "events", "is_active", "secret")}),
        (
            _("Failures"),
            {
                "classes": ("collapse",),
                "fields": (
                    "consecutive_failures",
                    "disabled_at",
                    "disabled_reason",
                    "created_at",
                ),
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        services.webhook_subscription_save(subscription=obj)

    def delete_model(self, request, obj):
        services.webhook_subscription_delete(subscription=obj)

    def delete_queryset(self, request, queryset):
        for subscription in queryset:
            services.webhook_subscription_delete(subscription=subscription)


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("number", "started_at", "latency_ms", "response_code", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "event",
        "subscription",
        "status",
        "attempts",
        "response_code",
        "latency_ms",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("status", "event", "subscription")
    list_select_related = ("subscription",)
    search_fields = ("message_id",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "subscription",
        "message_id",
        "event",
        "body",
        "status",
        "attempts",
        "response_code",
        "latency_ms",
        "next_attempt_at",
        "created_at",
        "finished_at",
    )
    inlines = (AttemptInline,)
    actions = ("redeliver",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_redeliver_permission(self, request):
        return request.user.has_perm("api.add_webhookdelivery")

    @admin.action(description=_("Redeliver"), permissions=["redeliver"])
    def redeliver(self, request, queryset):
        done = 0
        for delivery in queryset.select_related("subscription"):
            try:
                services.webhook_redeliver(delivery=delivery)
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            else:
                done += 1
        messages.success(
            request,
            ngettext("%d delivery queued again.", "%d deliveries queued again.", done)
            % done,
        )
