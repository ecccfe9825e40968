"""
The editors' desk on the admin index: their drafts, what waits for review or
goes out soon, what went out last, and (for those who may read them) how many
comments wait for a moderator. Site-wide, as it reads articles and comments.
"""

from datetime import timedelta

from django import template
from django.utils import timezone

from articles import zone
from articles.models import Article
from comments.models import Comment
from core.roles import may_import

register = template.Library()

LIMIT = 8


@register.inclusion_tag("admin/includes/editors_desk.html", takes_context=True)
def editors_desk(context):
    """The editors' desk on the admin index: a fixed number of queries."""
    user = context["request"].user
    data = {
        "show": user.has_perm("articles.view_article"),
        "comments_waiting": None,
        "desk_zone": zone.label(),
        "may_import": may_import(user),
    }
    if not data["show"]:
        return data
    now = timezone.now()
    base = Article.objects.select_related("section").only(
        "headline", "status", "publish_at", "modified_at", "section__name"
    )
    data.update(
        my_drafts=list(
            base.filter(created_by=user, status=Article.Status.DRAFT).order_by(
                "-modified_at"
            )[:LIMIT]
        ),
        in_review=list(
            base.filter(status=Article.Status.REVIEW).order_by("modified_at")[:LIMIT]
        ),
        scheduled=list(
            base.scheduled()
            .filter(publish_at__lte=now + timedelta(hours=24))
            .order_by("publish_at")[:LIMIT]
        ),
        recently_published=list(base.published().order_by("-publish_at")[:LIMIT]),
    )
    if user.has_perm("comments.view_comment"):
        data["comments_waiting"] = Comment.objects.filter(
            status=Comment.Status.PENDING
        ).count()
    return data
