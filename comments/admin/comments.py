import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..models import (
    AuditEntry,
    Ban,
    Comment,
    ModerationSettings,
    ModerationWord,
    Report,
)
from ..rules import RULE_NAMES

DASH = "—"


class RuleFilter(admin.SimpleListFilter):
    """The rule that decided, listed from the policy: no DISTINCT over every
    comment to find the names."""

    title = _("rule")
    parameter_name = "moderation_rule"

    def lookups(self, request, model_admin):
        return [(name, name) for name in RULE_NAMES]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(moderation_rule=self.value())
        return queryset


class QueueFilter(admin.SimpleListFilter):
    """Opens on what needs a moderator: held comments and reported ones."""

    title = _("queue")
    parameter_name = "queue"

    def __init__(self, request, params, model, model_admin):
        # Any other filter or a search means the moderator is looking for
        # something in particular: then the default is everything.
        self.default = (
            "all"
            if any(key != self.parameter_name for key in params) or request.GET.get("q")
            else "attention"
        )
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [
            ("attention", _("Needs attention")),
            ("held", _("Held for review")),
            ("reported", _("Reported")),
            ("all", _("All comments")),
        ]

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == "attention":
            return queryset.needs_attention()
        if value == "held":
            return queryset.filter(status=Comment.Status.PENDING)
        if value == "reported":
            open_reports = Report.objects.filter(
                comment=OuterRef("pk"), outcome=Report.Outcome.OPEN
            )
            return queryset.filter(Q(hidden_at__isnull=False) | Exists(open_reports))
        return queryset


class ModerationActionForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason (for the audit log)"),
        required=False,
        max_length=500,
    )
    ban_ip = forms.BooleanField(
        label=_("When banning, ban the IP address too"), required=False
    )


class CommentAdminForm(forms.ModelForm):
    decision_reason = forms.CharField(
        label=_("Reason (for the audit log)"),
        required=False,
        max_length=500,
        help_text=_("Why you changed the status or the text."),
    )

    class Meta:
        model = Comment
        fields = ["status", "body"]


class ReportInline(admin.TabularInline):
    model = Report
    fields = ["reason", "note", "weight", "outcome", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = CommentAdminForm
    action_form = ModerationActionForm
    list_display = [
        "excerpt",
        "commenter",
        "history",
        "article_link",
        "status_label",
        "reports_column",
        "rule_column",
        "created_at",
    ]
    list_filter = [QueueFilter, "status", RuleFilter, "created_at"]
    search_fields = ["body", "author_name", "=author_email", "article__headline"]
    search_help_text = _("Text, name, exact email address or article headline.")
    ordering = ["-created_at", "-pk"]
    list_select_related = ["article"]
    list_per_page = 50
    inlines = [ReportInline]
    actions = [
        "approve_comments",
        "reject_comments",
        "mark_spam",
        "ban_commenters",
        "export_commenter_data",
        "erase_commenter_data",
    ]
    readonly_fields = [
        "article_link",
        "parent_link",
        "author_name",
        "author_email",
        "history",
        "notify_replies",
        "rule_column",
        "hidden_at",
        "reviewed_by",
        "reviewed_at",
        "created_at",
        "ip_address",
        "user_agent",
        "erased_at",
        "audit_trail",
    ]
    fieldsets = [
        (None, {"fields": ["article_link", "parent_link", "status", "body"]}),
        (_("Decision"), {"fields": ["decision_reason"]}),
        (
            _("Commenter"),
            {"fields": ["author_name", "author_email", "history", "notify_replies"]},
        ),
        (
            _("Moderation"),
            {
                "fields": [
                    "rule_column",
                    "hidden_at",
                    "reviewed_by",
                    "reviewed_at",
                    "audit_trail",
                ]
            },
        ),
        (
            _("Advanced"),
            {
                "classes": ["collapse"],
                "fields": ["created_at", "ip_address", "user_agent", "erased_at"],
            },
        ),
    ]

    def get_queryset(self, request):
        same_email = (
            Comment.objects.filter(author_email=OuterRef("author_email"))
            .exclude(author_email="")
            .order_by()
            .values("author_email")
        )

        def count(statuses):
            return Coalesce(
                Subquery(
                    same_email.filter(status__in=statuses)
                    .annotate(count=Count("pk"))
                    .values("count")[:1]
                ),
                Value(0),
            )

        return (
            super()
            .get_queryset(request)
            .annotate(
                approved_so_far=count([Comment.Status.APPROVED]),
                refused_so_far=count([Comment.Status.REJECTED, Comment.Status.SPAM]),
            )
            .prefetch_related(
                Prefetch(
                    "reports",
                    queryset=Report.objects.filter(outcome=Report.Outcome.OPEN),
                    to_attr="open_reports",
                )
            )
        )

    # Permissions: looking is not deciding.

    def has_add_permission(self, request):
        return False  # comments come from readers

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def has_ban_permission(self, request):
        return request.user.has_perm("comments.ban_commenter")

    def has_privacy_permission(self, request):
        return request.user.has_perm("comments.manage_commenter_data")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_moderate_permission(request):
            fields += ["status", "body"]
        return fields

    # Columns.

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(100)

    @admin.display(description=_("commenter"), ordering="author_email")
    def commenter(self, obj):
        if not obj.author_email:
            return obj.display_name
        return format_html(
            "{}<br><small>{}</small>", obj.display_name, obj.author_email
        )

    @admin.display(description=_("history"))
    def history(self, obj):
        approved = getattr(obj, "approved_so_far", 0)
        refused = getattr(obj, "refused_so_far", 0)
        if not obj.author_email:
            return DASH
        return _("%(approved)d approved · %(refused)d removed") % {
            "approved": approved,
            "refused": refused,
        }

    @admin.display(description=_("article"), ordering="article__headline")
    def article_link(self, obj):
        url = obj.article.get_absolute_url()
        if obj.is_public:
            url = obj.get_absolute_url()
        return format_html(
            '<a href="{}">{}</a>', url, Truncator(obj.article.headline).chars(60)
        )

    @admin.display(description=_("in reply to"))
    def parent_link(self, obj):
        if obj.parent_id is None:
            return DASH
        url = reverse("admin:comments_comment_change", args=[obj.parent_id])
        return format_html(
            '<a href="{}">{}</a>', url, Truncator(obj.parent.body).chars(80)
        )

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        if obj.hidden_at is not None:
            return format_html(
                "{}<br><strong>{}</strong>",
                obj.get_status_display(),
                _("hidden by reports"),
            )
        return obj.get_status_display()

    @admin.display(description=_("reports"))
    def reports_column(self, obj):
        reports = getattr(obj, "open_reports", None)
        if reports is None:
            reports = list(obj.reports.filter(outcome=Report.Outcome.OPEN))
        if not reports:
            return DASH
        weight = sum(report.weight for report in reports)
        reasons = {}
        for report in reports:
            label = report.get_reason_display()
            reasons[label] = reasons.get(label, 0) + 1
        return format_html(
            "{} <small>({})</small><br><small>{}</small>",
            len(reports),
            _("weight %(weight)s") % {"weight": services.number_text(weight)},
            ", ".join(
                f"{label} ×{n}" if n > 1 else label for label, n in reasons.items()
            ),
        )

    @admin.display(description=_("rule"), ordering="moderation_rule")
    def rule_column(self, obj):
        if not obj.moderation_rule:
            return DASH
        return format_html(
            "<strong>{}</strong><br><small>{}</small>",
            obj.moderation_rule,
            obj.moderation_reason,
        )

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        entries = AuditEntry.objects.filter(comment_id=obj.pk).order_by("created_at")
        if not entries:
            return DASH
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
                    entry.get_action_display(),
                    entry.who,
                    entry.from_status or DASH,
                    entry.to_status or DASH,
                    entry.reason,
                )
                for entry in entries
            ),
        )
        return format_html("<table>{}</table>", rows)

    # One path for every change: the services.

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("decision_reason", "")
        original = Comment.objects.get(pk=obj.pk)
        if "body" in form.changed_data:
            services.comment_edit(
                comment=original, body=obj.body, actor=request.user, reason=reason
            )
        if "status" in form.changed_data:
            services.comment_set_status(
                comment=original, status=obj.status, actor=request.user, reason=reason
            )

    def delete_model(self, request, obj):
        services.comment_delete(
            comment=obj, actor=request.user, reason=_("Deleted in the admin.")
        )

    def delete_queryset(self, request, queryset):
        for comment in queryset:
            if Comment.objects.filter(pk=comment.pk).exists():  # not gone with a parent
                services.comment_delete(
                    comment=comment,
                    actor=request.user,
                    reason=_("Deleted in the admin."),
                )

    # Bulk actions.

    def _reason(self, request, default):
        return request.POST.get("reason", "").strip() or str(default)

    def _decide(self, request, queryset, service, default_reason, message):
        reason = self._reason(request, default_reason)
        changed = sum(
            service(comment=comment, actor=request.user, reason=reason)
            for comment in queryset
        )
        self.message_user(
            request, message(changed) % {"count": changed}, messages.SUCCESS
        )

    @admin.action(description=_("Approve selected comments"), permissions=["moderate"])
    def approve_comments(self, request, queryset):
        self._decide(
            request,
            queryset,
            services.comment_approve,
            _("Approved in the moderation queue."),
            lambda n: ngettext(
                "%(count)d comment approved.", "%(count)d comments approved.", n
            ),
        )

    @admin.action(description=_("Reject selected comments"), permissions=["moderate"])
    def reject_comments(self, request, queryset):
        self._decide(
            request,
            queryset,
            services.comment_reject,
            _("Rejected in the moderation queue."),
            lambda n: ngettext(
                "%(count)d comment rejected.", "%(count)d comments rejected.", n
            ),
        )

    @admin.action(
        description=_("Mark selected comments as spam"), permissions=["moderate"]
    )
    def mark_spam(self, request, queryset):
        self._decide(
            request,
            queryset,
            services.comment_mark_spam,
            _("Marked as spam in the moderation queue."),
            lambda n: ngettext(
                "%(count)d comment marked as spam.",
                "%(count)d comments marked as spam.",
                n,
            ),
        )

    @admin.action(
        description=_("Ban the commenters of selected comments"), permissions=["ban"]
    )
    def ban_commenters(self, request, queryset):
        reason = self._reason(request, _("Banned in the moderation queue."))
        ban_ip = request.POST.get("ban_ip") in {"on", "true", "1"}
        seen, rejected = set(), 0
        for comment in queryset:
            if not comment.author_email:
                continue
            seen.add(comment.author_email)
            # Idempotent: each comment may add its own IP address to the bans.
            outcome = services.commenter_ban(
                comment=comment, actor=request.user, reason=reason, ban_ip=ban_ip
            )
            rejected += outcome.rejected
        self.message_user(
            request,
            ngettext(
                "%(count)d commenter banned",
                "%(count)d commenters banned",
                len(seen),
            )
            % {"count": len(seen)}
            + "; "
            + ngettext(
                "%(count)d waiting comment rejected.",
                "%(count)d waiting comments rejected.",
                rejected,
            )
            % {"count": rejected},
            messages.SUCCESS,
        )

    def _emails(self, queryset) -> list[str]:
        return sorted(
            {
                email
                for email in queryset.values_list("author_email", flat=True)
                if email
            }
        )

    @admin.action(
        description=_("Export the commenters' personal data (JSON)"),
        permissions=["privacy"],
    )
    def export_commenter_data(self, request, queryset):
        emails = self._emails(queryset)
        data = [
            services.commenter_export(email=email, actor=request.user)
            for email in emails
        ]
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = (
            f'attachment; filename="commenter-data-{stamp}.json"'
        )
        return response

    @admin.action(
        description=_("Erase the commenters' personal data…"),
        permissions=["privacy"],
    )
    def erase_commenter_data(self, request, queryset):
        emails = self._emails(queryset)
        if request.POST.get("confirm_erase") == "yes":
            for email in emails:
                services.commenter_erase(email=email, actor=request.user)
            self.message_user(
                request,
                ngettext(
                    "Personal data of %(count)d commenter erased.",
                    "Personal data of %(count)d commenters erased.",
                    len(emails),
                )
                % {"count": len(emails)},
                messages.SUCCESS,
            )
            return None
        counts = {email: Comment.objects.by_email(email).count() for email in emails}
        return TemplateResponse(
            request,
            "comments/admin/erase_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Erase commenters' personal data?"),
                "opts": self.model._meta,
                "counts": counts,
                "queryset": queryset,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "action_name": "erase_commenter_data",
            },
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["comment_excerpt", "reason", "weight", "outcome", "created_at"]
    list_filter = ["outcome", "reason", "created_at"]
    list_select_related = ["comment"]
    search_fields = ["note", "comment__body"]
    fields = ["comment", "reason", "note", "weight", "outcome", "created_at"]

    @admin.display(description=_("comment"))
    def comment_excerpt(self, obj):
        url = reverse("admin:comments_comment_change", args=[obj.comment_id])
        return format_html(
            '<a href="{}">{}</a>', url, Truncator(obj.comment.body).chars(80)
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "action",
        "who",
        "comment_link",
        "article_id",
        "change",
        "reason_excerpt",
    ]
    list_filter = ["action", "rule", "created_at"]
    search_fields = ["reason", "=comment_id", "=commenter_email", "actor_name"]
    search_help_text = _("Reason, comment id, exact email address or moderator.")
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "action",
        "actor_name",
        "rule",
        "comment_id",
        "article_id",
        "from_status",
        "to_status",
        "reason",
        "commenter_email",
    ]

    @admin.display(description=_("who"))
    def who(self, obj):
        return obj.who

    @admin.display(description=_("comment"), ordering="comment_id")
    def comment_link(self, obj):
        if obj.comment_id is None:
            return DASH
        try:
            url = reverse("admin:comments_comment_change", args=[obj.comment_id])
        except NoReverseMatch:  # pragma: no cover
            return obj.comment_id
        return format_html('<a href="{}">#{}</a>', url, obj.comment_id)

    @admin.display(description=_("status"))
    def change(self, obj):
        if not (obj.from_status or obj.to_status):
            return DASH
        return f"{obj.from_status or DASH} → {obj.to_status or DASH}"

    @admin.display(description=_("why"))
    def reason_excerpt(self, obj):
        return Truncator(obj.reason).chars(120)


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
