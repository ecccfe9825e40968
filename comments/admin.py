from django.contrib import admin
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "author_name", "article_link", "status", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["body", "author_name", "author_email", "article__headline"]
    date_hierarchy = "created_at"
    list_select_related = ["article"]
    raw_id_fields = ["article", "parent", "user"]
    readonly_fields = ["ip_address", "user_agent", "created_at"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["article", "parent", "status", "body"]}),
        (_("Commenter"), {"fields": ["author_name", "author_email", "user"]}),
        (
            _("Advanced"),
            {
                "classes": ["collapse"],
                "fields": ["ip_address", "user_agent", "created_at"],
            },
        ),
    ]

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)

    @admin.display(description=_("article"), ordering="article__headline")
    def article_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', obj.article.get_absolute_url(), obj.article
        )
