"""Bans: from a comment in the queue, or made and lifted by hand in the admin."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import AuditEntry, Ban, Comment
from ._shared import actor_fields, audit_entry
from .moderation import comment_reject


@dataclass(frozen=True)
class BanOutcome:
    bans: list[Ban] = field(default_factory=list)
    rejected: int = 0


def commenter_ban(
    *,
    comment: Comment,
    actor,
    reason: str = "",
    ban_ip: bool = False,
    expires_at=None,
) -> BanOutcome:
    """Ban the commenter behind ``comment`` by email (and IP, if asked).

    Their comments still waiting for review are rejected with the same reason.
    """
    targets = []
    if comment.author_email:
        targets.append((Ban.Kind.EMAIL, comment.author_email))
    if ban_ip and comment.ip_address:
        targets.append((Ban.Kind.IP, comment.ip_address))
    bans = []
    with transaction.atomic():
        for kind, value in targets:
            ban, created = Ban.objects.get_or_create(
                kind=kind,
                value=Ban.normalised_value(kind, value),
                defaults={
                    "reason": reason,
                    "expires_at": expires_at,
                    "created_by": actor,
                },
            )
            bans.append(ban)
            if created:
                audit_entry(
                    comment=comment,
                    action=AuditEntry.Action.BANNED,
                    reason=ban.description,
                    **actor_fields(actor),
                )
        rejected = 0
        if comment.author_email:
            waiting = Comment.objects.filter(
                author_email=comment.author_email, status=Comment.Status.PENDING
            )
            for held in waiting:
                rejected += comment_reject(
                    comment=held,
                    actor=actor,
                    reason=f"{_('Commenter banned.')} {reason}".strip(),
                )
    return BanOutcome(bans=bans, rejected=rejected)


def ban_save(*, ban: Ban, actor) -> Ban:
    """A ban made or changed by hand in the admin, logged like the others."""
    with transaction.atomic():
        adding = ban.pk is None
        if adding:
            ban.created_by = actor
        ban.save()
        if adding:
            audit_entry(
                action=AuditEntry.Action.BANNED,
                commenter_email=ban.value if ban.kind == Ban.Kind.EMAIL else "",
                reason=ban.description,
                **actor_fields(actor),
            )
    return ban


def ban_lift(*, ban: Ban, actor) -> None:
    """Remove a ban, and say so in the log."""
    with transaction.atomic():
        audit_entry(
            action=AuditEntry.Action.BANNED,
            commenter_email=ban.value if ban.kind == Ban.Kind.EMAIL else "",
            reason=_("Ban #%(id)d lifted (%(kind)s).")
            % {"id": ban.pk, "kind": ban.get_kind_display().lower()},
            **actor_fields(actor),
        )
        ban.delete()
