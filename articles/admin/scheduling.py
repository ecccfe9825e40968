"""
One way to schedule a piece in the article admin.

A draft or a piece in review is scheduled with the workflow box's Schedule
button only: its form (``ScheduleForm``) uses the admin's date and time fields
in the site's locale, and names the time zone. The change form then shows
"Publish at" as a read-only time, zone named, instead of a second date picker
that meant the same thing in another format. A piece already out (published,
scheduled, withdrawn) keeps the field, in the same format, to correct its time.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from articles import zone
from articles.forms import ScheduleForm
from articles.models import Article

SCHEDULED_IN_THE_WORKFLOW_BOX = (Article.Status.DRAFT, Article.Status.REVIEW)


def _schedules_in_the_box(obj) -> bool:
    return obj is None or obj.status in SCHEDULED_IN_THE_WORKFLOW_BOX


class SchedulingAdminMixin:
    """Goes before ``admin.ModelAdmin`` in the article admin's bases."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = list(options["fields"])
            if _schedules_in_the_box(obj):
                fields = ["publish_time" if f == "publish_at" else f for f in fields]
            options = {**options, "fields": fields}
            if str(name) in (str(_("Publishing")), str(_("Advanced"))):
                options["description"] = _("Times are in %(zone)s.") % {
                    "zone": zone.label()
                }
            fieldsets.append((name, options))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if _schedules_in_the_box(obj):
            readonly.append("publish_time")
        return readonly

    def render_change_form(self, request, context, add=False, change=False, **kw):
        schedule_form = ScheduleForm()
        context.setdefault("schedule_form", schedule_form)
        # The workflow box's date and time fields need the admin's calendar
        # scripts even when the change form shows no date field of its own.
        context["media"] = context["media"] + schedule_form.media
        context["site_zone"] = zone.label()
        return super().render_change_form(request, context, add, change, **kw)

    @admin.display(description=_("publish at"))
    def publish_time(self, obj):
        if obj is None or obj.publish_at is None:
            return _("Not set: schedule with the Schedule button in the Workflow box.")
        return zone.when(obj.publish_at)
