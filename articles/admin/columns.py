"""
The article list's columns: every time in the site's zone, the zone named.

Editors read these times to see what goes out when; "14:00" alone leaves them
to guess whose 14:00 (issue 14). Each time shows the zone's abbreviation for
that day (GMT or BST) and, on hover, its full name and offset.
"""

from django.conf import settings
from django.contrib import admin
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from articles import zone


def _time(moment):
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}" title="{}">{} {}</time>',
        moment.isoformat(),
        zone.when(moment),
        formats.date_format(local, "j M Y, H:i"),
        local.tzname(),
    )


class ArticleColumnsMixin:
    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        if obj.is_scheduled:
            local = timezone.localtime(obj.publish_at)
            return format_html(
                '<span title="{}">{} {}</span>',
                zone.when(obj.publish_at),
                _("Scheduled for"),
                local.strftime("%d %b %H:%M %Z"),
            )
        return obj.get_status_display()

    @admin.display(description=_("byline"))
    def byline(self, obj):
        return ", ".join(byline.author.name for byline in obj.bylines.all())

    @admin.display(
        description=format_lazy(_("publish at ({zone})"), zone=settings.TIME_ZONE),
        ordering="publish_at",
    )
    def publish_time(self, obj):
        return _time(obj.publish_at)

    @admin.display(
        description=format_lazy(_("modified ({zone})"), zone=settings.TIME_ZONE),
        ordering="modified_at",
    )
    def modified_time(self, obj):
        return _time(obj.modified_at)
