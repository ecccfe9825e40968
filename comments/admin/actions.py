"""
The bulk actions on the comment list. Each loops over one service, so a
decision made on fifty comments is fifty of the decisions made one at a time:
same audit entries, same counts, same purges. Their permissions name the
``has_<permission>_permission`` methods of ``CommentAdmin``.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..models import Comment


def _reason(request, default) -> str:
    return request.POST.get("reason", "").strip() or str(default)


def _decide(modeladmin, request, queryset, service, default_reason, message):
    """One service call per comment; say how many it changed."""
    reason = _reason(request, default_reason)
    changed = sum(
        service(comment=comment, actor=request.user, reason=reason)
        for comment in queryset
    )
    modeladmin.message_user(
        request, message(changed) % {"count": changed}, messages.SUCCESS
    )


@admin.action(description=_("Approve selected comments"), permissions=["moderate"])
def approve_comments(modeladmin, request, queryset):
    _decide(
        modeladmin,
        request,
        queryset,
        services.comment_approve,
        _("Approved in the moderation queue."),
        lambda n: ngettext(
            "%(count)d comment approved.", "%(count)d comments approved.", n
        ),
    )


@admin.action(description=_("Reject selected comments"), permissions=["moderate"])
def reject_comments(modeladmin, request, queryset):
    _decide(
        modeladmin,
        request,
        queryset,
        services.comment_reject,
        _("Rejected in the moderation queue."),
        lambda n: ngettext(
            "%(count)d comment rejected.", "%(count)d comments rejected.", n
        ),
    )


@admin.action(description=_("Mark selected comments as spam"), permissions=["moderate"])
def mark_spam(modeladmin, request, queryset):
    _decide(
        modeladmin,
        request,
        queryset,
        services.comment_mark_spam,
        _("Marked as spam in the moderation queue."),
        lambda n: ngettext(
            "%(count)d comment marked as spam.",
            "%(count)d comments marked as spam.",
            n,
        ),
    )


@admin.action(
    description=_("Ban the commenters of selected comments"), permissions=["ban"]
)
def ban_commenters(modeladmin, request, queryset):
    reason = _reason(request, _("Banned in the moderation queue."))
    ban_ip = request.POST.get("ban_ip") in {"on", "true", "1"}
    seen, rejected = set(), 0
    for comment in queryset:
        if not comment.author_email:
            continue
        seen.add(comment.author_email)
        # Idempotent: each comment may add its own IP address to the bans.
        outcome = services.commenter_ban(
            comment=comment, actor=request.user, reason=reason, ban_ip=ban_ip
        )
        rejected += outcome.rejected
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d commenter banned",
            "%(count)d commenters banned",
            len(seen),
        )
        % {"count": len(seen)}
        + "; "
        + ngettext(
            "%(count)d waiting comment rejected.",
            "%(count)d waiting comments rejected.",
            rejected,
        )
        % {"count": rejected},
        messages.SUCCESS,
    )


def _emails(queryset) -> list[str]:
    return sorted(
        {email for email in queryset.values_list("author_email", flat=True) if email}
    )


@admin.action(
    description=_("Export the commenters' personal data (JSON)"),
    permissions=["privacy"],
)
def export_commenter_data(modeladmin, request, queryset):
    emails = _emails(queryset)
    data = [
        services.commenter_export(email=email, actor=request.user) for email in emails
    ]
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = (
        f'attachment; filename="commenter-data-{stamp}.json"'
    )
    return response


@admin.action(
    description=_("Erase the commenters' personal data…"),
    permissions=["privacy"],
)
def erase_commenter_data(modeladmin, request, queryset):
    emails = _emails(queryset)
    if request.POST.get("confirm_erase") == "yes":
        for email in emails:
            services.commenter_erase(email=email, actor=request.user)
        modeladmin.message_user(
            request,
            ngettext(
                "Personal data of %(count)d commenter erased.",
                "Personal data of %(count)d commenters erased.",
                len(emails),
            )
            % {"count": len(emails)},
            messages.SUCCESS,
        )
        return None
    counts = {email: Comment.objects.by_email(email).count() for email in emails}
    return TemplateResponse(
        request,
        "comments/admin/erase_confirmation.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Erase commenters' personal data?"),
            "opts": modeladmin.model._meta,
            "counts": counts,
            "queryset": queryset,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action_name": "erase_commenter_data",
        },
    )
