"""Filters of the article list that Django's own cannot express."""

from django.contrib import admin
from django.db.models import Count, Subquery
from django.utils.translation import gettext_lazy as _

from articles.models import Article, TaggedArticle


class StatusFilter(admin.SimpleListFilter):
    """The states, with "scheduled" told apart from "published"."""

    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("review", _("In review")),
            ("scheduled", _("Scheduled")),
            ("live", _("Published (live)")),
            ("withdrawn", _("Withdrawn")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "scheduled":
            return queryset.scheduled()
        if value == "live":
            return queryset.published()
        if value in ("draft", "review", "withdrawn"):
            return queryset.filter(status=value)
        return queryset


class TagFilter(admin.SimpleListFilter):
    """The tags most used on the latest pieces, not every tag there is (a
    newsroom gathers thousands); any tag works from the address, ?tag=slug."""

    title = _("tag")
    parameter_name = "tag"
    RECENT = 500
    SHOWN = 20

    def lookups(self, request, model_admin):
        latest = Article.objects.order_by("-publish_at", "-pk").values("pk")[
            : self.RECENT
        ]
        busy = list(
            TaggedArticle.objects.filter(content_object_id__in=Subquery(latest))
            .values_list("tag__slug", "tag__name")
            .annotate(uses=Count("pk"))
            .order_by("-uses", "tag__name")[: self.SHOWN]
        )
        choices = [(slug, name) for slug, name, _uses in busy]
        chosen = self.value()
        if chosen and chosen not in {slug for slug, _name in choices}:
            choices.insert(0, (chosen, chosen))
        return choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tagged_items__tag__slug=self.value())
        return queryset
