"""The jobs in the admin: long runs with their progress, read only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .jobs.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "progress", "attempts", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "callable_path"]
    date_hierarchy = "created_at"
    readonly_fields = [
        field.name for field in JobRun._meta.fields if field.name != "id"
    ]

    @admin.display(description=_("progress"))
    def progress(self, obj):
        if obj.total:
            return f"{obj.done} / {obj.total} ({obj.done * 100 // obj.total} %)"
        return str(obj.done) if obj.done else "–"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
