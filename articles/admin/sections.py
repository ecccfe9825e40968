"""Sections and authors in the admin, saved through ``articles.services``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from articles import services
from articles.models import Author, Section


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        services.section_save(section=obj)

    def delete_model(self, request, obj):
        services.section_delete(section=obj)

    def delete_queryset(self, request, queryset):
        for section in queryset:
            services.section_delete(section=section)


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

    def save_model(self, request, obj, form, change):
        services.author_save(author=obj)
