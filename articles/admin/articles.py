"""
The article admin: the editors' form with its inlines, the workflow buttons,
presence, revisions and their diff. Every save goes through
``articles.services`` (``save_related``).
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from reversion.admin import VersionAdmin
from reversion.models import Version

from articles import presence, services, zone
from articles.forms import ArticleAdminForm, ScheduleForm
from articles.models import (
    Article,
    ArticleAuthor,
    ArticleConflict,
)
from articles.selectors import revisions
from articles.workflow import (
    DONE_MESSAGES,
    TRANSITIONS,
    available_transitions,
    is_editor,
    may_edit,
)

from .autosave import AutosaveAdminMixin
from .columns import ArticleColumnsMixin
from .corrections import CorrectionInline
from .filters import StatusFilter, TagFilter
from .parts import (
    ArticleAuthorInline,
    ArticleTransitionInline,
    KeyTakeawayInline,
    RelatedArticleInline,
)
from .previews import PreviewLinksAdminMixin
from .scheduling import SchedulingAdminMixin


@admin.register(Article)
class ArticleAdmin(
    AutosaveAdminMixin,
    ArticleColumnsMixin,
    SchedulingAdminMixin,
    PreviewLinksAdminMixin,
    VersionAdmin,
):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    object_history_template = "admin/articles/article/object_history.html"
    # Latest first, so the compare form opens on previous → latest.
    history_latest_first = True
    # A link pasted without a scheme is an https link.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "headline",
        "status_label",
        "section",
        "byline",
        "publish_time",
        "modified_time",
    ]
    # No date_hierarchy: its list of years is a DISTINCT over every row (2 s
    # on SQLite at 100,000 pieces); these date ranges cost no query.
    list_filter = [
        StatusFilter,
        ("publish_at", admin.DateFieldListFilter),
        "section",
        "authors",
        TagFilter,
        "allow_comments",
    ]
    list_select_related = ["section"]
    search_fields = ["headline", "dek", "slug"]
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["section"]
    inlines = [
        ArticleAuthorInline,
        KeyTakeawayInline,
        RelatedArticleInline,
        CorrectionInline,
        ArticleTransitionInline,
    ]
    save_on_top = True
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = [
        "first_published_at",
        "updated_at",
        "created_at",
        "modified_at",
        "created_by",
        "last_edited_by",
        "version",
        "reading_time",
    ]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "body"]}),
        (
            _("Lead image"),
            {
                "fields": [
                    "lead_image",
                    "lead_image_kept",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ]
            },
        ),
        (_("Video"), {"fields": ["video_url", "video_title"]}),
        (_("Filing"), {"fields": ["section", "tags", "new_tags"]}),
        (
            _("Publishing"),
            {
                "fields": [
                    "status",
                    "publish_at",
                    "transition_note",
                    "allow_comments",
                    "loaded_version",
                ]
            },
        ),
        (_("Advanced"), {"classes": ["collapse"], "fields": readonly_fields}),
    ]

    # Pages --------------------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/transition/<slug:action>/",
                wrap(require_POST(self.transition_view)),
                name=f"{prefix}_transition",
            ),
            path(
                "<path:object_id>/presence/",
                wrap(require_POST(self.presence_view)),
                name=f"{prefix}_presence",
            ),
            path(
                "<path:object_id>/history/compare/",
                wrap(self.compare_view),
                name=f"{prefix}_compare",
            ),
            *super().get_urls(),
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
        if "status" in form.base_fields and not is_editor(request.user):
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
        if obj is not None:
            # Writers change their own pieces until they are out; editors any.
            return may_edit(request.user, obj)
        return True

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id and request.method == "GET":
            obj = self.get_object(request, object_id)
            # Django's view loads it again; one load is enough for a page.
            request.article_shown = obj
            if obj is not None:
                extra_context.update(
                    transitions=available_transitions(request.user, obj),
                    others_editing=presence.others(obj.pk, request.user),
                    presence_url=reverse(
                        "admin:articles_article_presence", args=[obj.pk]
                    ),
                )
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ArticleConflict as conflict:
            # Someone saved between our check and our UPDATE: nothing was written.
            messages.error(
                request,
                _(
                    "%(who)s saved this article a moment ago; nothing of yours was "
                    "saved. Reopen it and make your change again."
                )
                % {"who": conflict.article.last_edited_by or _("Someone")},
            )
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        """Nothing yet: the row, its inlines and tags are one service call in
        ``save_related``, so the conflict check, renditions, search vector,
        old address and purge see the whole change."""

    def save_related(self, request, form, formsets, change):
        article = form.instance
        action = getattr(form, "transition", None)
        if action is not None:
            # The edit and the change of state are one write, by the service.
            article.status = form.previous_status

        def save_parts(article):
            super(ArticleAdmin, self).save_related(request, form, formsets, change)

        write = {
            "user": request.user,
            "fields": {},
            "save_parts": save_parts,
            "action": action,
            "publish_at": form.cleaned_data.get("publish_at"),
            "note": form.cleaned_data.get("transition_note", ""),
        }
        if change:
            services.article_update(
                article=article,
                expected_version=form.cleaned_data.get("loaded_version"),
                **write,
            )
        else:
            services.article_create(article=article, **write)

    def delete_model(self, request, obj):
        services.article_delete(article=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            services.article_delete(article=article, user=request.user)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # A revision leaves out the columns others keep (Article.OWNED_ELSEWHERE).
        # Showing one, django-reversion reverts with signals muted, so the form
        # would carry the defaults as the version it was opened at: read them
        # before the revert, and give them back to the object shown.
        request.article_kept = (
            Article.objects.filter(pk=unquote(object_id))
            .values(*Article.OWNED_ELSEWHERE)
            .first()
        )
        return super().revision_view(request, object_id, version_id, extra_context)

    def get_object(self, request, object_id, from_field=None):
        shown = getattr(request, "article_shown", None)
        if shown is not None and from_field is None and str(shown.pk) == object_id:
            return shown
        article = super().get_object(request, object_id, from_field)
        kept = getattr(request, "article_kept", None)
        if article is not None and kept:
            for name, value in kept.items():
                setattr(article, name, value)
        return article

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}), "site_zone": zone.label()}
        response = super().history_view(request, object_id, extra_context)
        for action in getattr(response, "context_data", {}).get("action_list", []):
            # The revision link ends in the version's id; the compare form needs it.
            action["version_id"] = action["url"].rstrip("/").rsplit("/", 1)[-1]
        return response

    # Workflow endpoints ---------------------------------------------------------

    def transition_view(self, request, object_id, action):
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404
        if action not in TRANSITIONS:
            raise PermissionDenied
        publish_at = None
        if action == "schedule":
            schedule = ScheduleForm(request.POST)
            if not schedule.is_valid():
                messages.error(
                    request,
                    _("Not scheduled: %(problem)s")
                    % {"problem": " ".join(schedule.errors["publish_at"])},
                )
                return HttpResponseRedirect(
                    reverse("admin:articles_article_change", args=[article.pk])
                )
            publish_at = schedule.cleaned_data["publish_at"]
        expected = request.POST.get("version", "")
        try:
            services.article_transition(
                article=article,
                user=request.user,
                action=action,
                publish_at=publish_at,
                note=request.POST.get("note", ""),
                expected_version=int(expected) if expected.isdigit() else None,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except ArticleConflict:
            messages.error(
                request,
                _(
                    "Someone saved this article after you opened it; nothing was "
                    "changed. Look at their version and try again."
                ),
            )
        else:
            messages.success(
                request,
                DONE_MESSAGES[action]
                % {
                    "headline": article.headline,
                    "when": zone.when(article.publish_at),
                },
            )
        return HttpResponseRedirect(
            reverse("admin:articles_article_change", args=[article.pk])
        )

    def presence_view(self, request, object_id):
        article = get_object_or_404(Article, pk=object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        presence.beat(article.pk, request.user)
        return JsonResponse({"others": presence.others(article.pk, request.user)})

    def compare_view(self, request, object_id):
        article = get_object_or_404(Article, pk=object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        versions = Version.objects.get_for_object(article).select_related(
            "revision__user"
        )
        older = get_object_or_404(versions, pk=request.GET.get("from"))
        newer = get_object_or_404(versions, pk=request.GET.get("to"))
        if older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("Changes to “%(headline)s”") % {"headline": article.headline},
            "older": older,
            "newer": newer,
            "changes": revisions.compare(older, newer),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)
