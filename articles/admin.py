from django.contrib import admin
from django.db import models
from django.db.models import Prefetch
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .forms import ArticleAdminForm
from .models import (
    Article,
    ArticleAuthor,
    Author,
    KeyTakeaway,
    RelatedArticle,
    Section,
)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "job_title", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "job_title"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "job_title", "bio", "photo"]}),
        (_("Advanced"), {"classes": ["collapse"], "fields": ["user"]}),
    ]


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


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    # A link pasted without a scheme is an https link.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "headline",
        "status_label",
        "section",
        "byline",
        "publish_at",
        "modified_at",
    ]
    list_filter = ["status", "section", "authors", "tags", "allow_comments"]
    list_select_related = ["section"]
    search_fields = ["headline", "dek", "slug"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["section"]
    inlines = [ArticleAuthorInline, KeyTakeawayInline, RelatedArticleInline]
    save_on_top = True
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = [
        "first_published_at",
        "updated_at",
        "created_at",
        "modified_at",
        "created_by",
        "reading_time",
    ]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "body"]}),
        (
            _("Lead image"),
            {
                "fields": [
                    "lead_image",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ]
            },
        ),
        (_("Video"), {"fields": ["video_url", "video_title"]}),
        (_("Filing"), {"fields": ["section", "tags", "new_tags"]}),
        (_("Publishing"), {"fields": ["status", "publish_at", "allow_comments"]}),
        (
            _("Advanced"),
            {"classes": ["collapse"], "fields": readonly_fields},
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("bylines", ArticleAuthor.objects.select_related("author"))
            )
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.current_user = request.user
        may_publish = request.user.has_perm("articles.publish_article")
        if "status" in form.base_fields and not may_publish:
            # Writers are offered only what they may choose; a forged choice
            # still reaches ArticleAdminForm.clean_status and is refused there.
            status = form.base_fields["status"]
            status.widget.choices = [
                choice
                for choice in status.choices
                if choice[0] in ArticleAdminForm.WRITER_STATUSES
            ]
        return form

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is not None and obj.status in ArticleAdminForm.EDITOR_STATUSES:
            # Once out, a piece is the editors' to change.
            return request.user.has_perm("articles.publish_article")
        return True

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        if obj.is_scheduled:
            return format_html(
                '<span title="{}">{}</span>',
                obj.publish_at.isoformat(),
                _("Scheduled"),
            )
        return obj.get_status_display()

    @admin.display(description=_("byline"))
    def byline(self, obj):
        return ", ".join(byline.author.name for byline in obj.bylines.all())
