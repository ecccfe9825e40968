"""
The comment list and form: the moderators' queue.

Looking is not deciding: the view permission shows the queue, the
``moderate``, ``ban`` and ``privacy`` permissions allow the decisions. Every
decision, from the form or a bulk action, goes through ``comments.services``.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.db.models import Count, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import AuditEntry, Comment, Report
from .actions import (
    approve_comments,
    ban_commenters,
    erase_commenter_data,
    export_commenter_data,
    mark_spam,
    reject_comments,
)
from .filters import QueueFilter, RuleFilter

DASH = "—"
EXCERPT_LENGTH = 160


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
    # The comment column holds a "more" toggle, which a link around it would
    # swallow: the commenter opens the comment instead.
    list_display_links = ["commenter"]
    list_filter = [QueueFilter, "status", RuleFilter, "created_at"]
    search_fields = ["body", "author_name", "=author_email", "article__headline"]
    search_help_text = _("Text, name, exact email address or article headline.")
    ordering = ["-created_at", "-pk"]
    list_select_related = ["article"]
    list_per_page = 50
    inlines = [ReportInline]
    actions = [
        approve_comments,
        reject_comments,
        mark_spam,
        ban_commenters,
        export_commenter_data,
        erase_commenter_data,
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

    class Media:
        css = {"all": ["css/moderation.css"]}

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
        # Readers may type anything, a 5,000-character word included: a long
        # comment folds behind a "more" toggle that needs no script, and the
        # stylesheet breaks long words, so the columns beside it stay in view.
        head = Truncator(obj.body).chars(EXCERPT_LENGTH)
        if head == obj.body:
            return format_html('<span class="comment-excerpt">{}</span>', obj.body)
        return format_html(
            '<details class="comment-excerpt"><summary><span class="comment-head">'
            '{}</span><span class="more">{}</span><span class="less">{}</span>'
            '</summary><div class="comment-full">{}</div></details>',
            head,
            _("more"),
            _("less"),
            obj.body,
        )

    @admin.display(description=_("commenter"), ordering="author_email")
    def commenter(self, obj):
        if not obj.author_email:
            return format_html(
                '<span class="commenter-name">{}</span>', obj.display_name
            )
        return format_html(
            '<span class="commenter-name">{}</span><small>{}</small>',
            obj.display_name,
            obj.author_email,
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
