"""
The two emails the comments send, as background jobs (``comments.tasks``)
queued after the transaction commits.

Moderators hear that comments wait, at most once per interval (a key in the
shared cache, so many app servers still send one email); a send that fails
gives the interval back, so the job's retry can send it. A commenter hears
only of an approved reply to their comment, and only if they asked.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from . import policy
from .models import Comment

UNSUBSCRIBE_SALT = "comments.unsubscribe"
THROTTLE_KEY = "comments:moderators-notified"


def moderator_addresses() -> list[str]:
    """Active users who may moderate (the Moderators group, or the permission)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(
            Q(groups__permissions__codename="moderate_comment")
            | Q(user_permissions__codename="moderate_comment")
        )
    )
    return sorted(set(users.values_list("email", flat=True)))


def notify_moderators() -> bool:
    """Tell moderators comments are waiting. Returns whether an email went out."""
    config = policy.current()
    if not config.notify_moderators:
        return False
    if not cache.add(THROTTLE_KEY, 1, timeout=config.notify_interval_minutes * 60):
        return False
    recipients = moderator_addresses()
    if not recipients:
        return False
    waiting = Comment.objects.needs_attention().count()
    context = {
        "waiting": waiting,
        "queue_url": settings.NEWSROOM_SITE_URL
        + reverse("admin:comments_comment_changelist"),
        "site_name": settings.NEWSROOM_SITE_NAME,
    }
    try:
        send_mail(
            render_to_string("comments/email/moderators_subject.txt", context).strip(),
            render_to_string("comments/email/moderators.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    except Exception:
        cache.delete(THROTTLE_KEY)
        raise
    return True


def unsubscribe_token(comment: Comment) -> str:
    return signing.dumps(comment.pk, salt=UNSUBSCRIBE_SALT)


def notify_reply(reply_id: int) -> bool:
    """Email the author of the comment ``reply_id`` answers, if still wanted."""
    reply = (
        Comment.objects.select_related("parent", "article")
        .filter(pk=reply_id)
        .public()
        .first()
    )
    if reply is None or reply.parent is None:
        return False
    parent = reply.parent
    if not parent.notify_replies or not parent.author_email:
        return False
    context = {
        "reply": reply,
        "parent": parent,
        "article": reply.article,
        "reply_url": settings.NEWSROOM_SITE_URL + reply.get_absolute_url(),
        "unsubscribe_url": settings.NEWSROOM_SITE_URL
        + reverse("comments:unsubscribe", args=[unsubscribe_token(parent)]),
        "site_name": settings.NEWSROOM_SITE_NAME,
    }
    send_mail(
        render_to_string("comments/email/reply_subject.txt", context).strip(),
        render_to_string("comments/email/reply.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [parent.author_email],
    )
    return True
