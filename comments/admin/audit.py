"""What happened, for reading only: readers' reports and the audit log.

Both are written by the services alone; here nobody adds, changes or deletes.
"""

from django.contrib import admin
from django.db.models import OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from articles.models import Article

from ..models import AuditEntry, Report
from .comments import DASH


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
        "article_link",
        "change",
        "reason_excerpt",
    ]
    list_filter = ["action", "rule", "created_at"]
    search_fields = ["reason", "=comment_id", "=commenter_email", "actor_name"]
    search_help_text = _("Reason, comment id, exact email address or moderator.")
    readonly_fields = ["article_link"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "action",
        "actor_name",
        "rule",
        "comment_id",
        "article_link",
        "from_status",
        "to_status",
        "reason",
        "commenter_email",
    ]

    def get_queryset(self, request):
        # The entry keeps the article's id only (it outlives the piece); its
        # headline comes in the same query.
        headline = Article.objects.filter(pk=OuterRef("article_id")).values("headline")[
            :1
        ]
        return super().get_queryset(request).annotate(article_headline=headline)

    @admin.display(description=_("article"), ordering="article_headline")
    def article_link(self, obj):
        if obj.article_id is None:
            return DASH
        headline = getattr(obj, "article_headline", None)
        if headline is None:
            return _("#%(id)s (deleted)") % {"id": obj.article_id}
        url = reverse("admin:articles_article_change", args=[obj.article_id])
        return format_html('<a href="{}">{}</a>', url, Truncator(headline).chars(80))

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
