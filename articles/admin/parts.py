"""The article's parts as inlines of its form, and its status changes."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from articles.models import (
    ArticleAuthor,
    ArticleTransition,
    KeyTakeaway,
    RelatedArticle,
)


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    extra = 1
    verbose_name = _("byline")
    verbose_name_plural = _("byline (in order)")


class KeyTakeawayInline(admin.TabularInline):
    model = KeyTakeaway
    fields = ["position", "label", "text"]
    extra = 1
    max_num = 8


class RelatedArticleInline(admin.TabularInline):
    model = RelatedArticle
    fk_name = "from_article"
    fields = ["to_article", "position"]
    autocomplete_fields = ["to_article"]
    extra = 0
    max_num = 4
    verbose_name = _("related article (editor's pick)")
    verbose_name_plural = _("related articles (editor's picks, in order)")


class ArticleTransitionInline(admin.TabularInline):
    model = ArticleTransition
    fields = ["created_at", "user", "from_status", "to_status", "publish_at", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("status changes")
    classes = ["collapse"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
