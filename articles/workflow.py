"""
Who may do what to an article: the role × transition matrix, and who may
correct a piece or share a preview of it.

States: draft → review → published (scheduled while its time is in the
future), back to draft with a note, and withdrawn. Writers draft and submit
their own pieces; editors (``articles.publish_article``) publish, schedule,
withdraw and correct; moderators touch no article.

This module only answers questions; ``articles.services`` makes the changes.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Article

S = Article.Status
# Editors correct pieces; whoever may change articles may handle previews.
CORRECT_PERMISSION = "articles.publish_article"
PREVIEW_PERMISSION = "articles.change_article"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    editors_only: bool
    needs_note: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit", _("Submit for review"), frozenset({S.DRAFT}), S.REVIEW, False
        ),
        Transition(
            "return_to_draft",
            _("Return to draft"),
            frozenset({S.REVIEW}),
            S.DRAFT,
            False,
            needs_note=True,
        ),
        Transition(
            "publish",
            _("Publish now"),
            frozenset({S.DRAFT, S.REVIEW}),
            S.PUBLISHED,
            True,
        ),
        Transition(
            "schedule", _("Schedule"), frozenset({S.DRAFT, S.REVIEW}), S.PUBLISHED, True
        ),
        Transition(
            "unpublish",
            _("Unpublish to draft"),
            frozenset({S.PUBLISHED}),
            S.DRAFT,
            True,
            needs_note=True,
        ),
        Transition(
            "withdraw",
            _("Withdraw"),
            frozenset({S.PUBLISHED}),
            S.WITHDRAWN,
            True,
            needs_note=True,
        ),
        Transition(
            "restore",
            _("Restore to published"),
            frozenset({S.WITHDRAWN}),
            S.PUBLISHED,
            True,
        ),
    ]
}


# What the confirmation after each move says: what happened and what comes
# next, never the button's label again.
DONE_MESSAGES = {
    "submit": _(
        "“%(headline)s” is waiting for review. An editor will publish it, or "
        "return it to draft with a note for you."
    ),
    "return_to_draft": _(
        "“%(headline)s” is back in draft with your note; its writer can submit "
        "it again when it is ready."
    ),
    "publish": _("“%(headline)s” is published: readers can see it now."),
    "schedule": _(
        "“%(headline)s” is scheduled for %(when)s and will appear then on its "
        "own. “Unpublish to draft” stops it."
    ),
    "unpublish": _(
        "“%(headline)s” is back in draft and off the site; publish or schedule "
        "it again when it is ready."
    ),
    "withdraw": _(
        "“%(headline)s” is withdrawn: its address now tells readers the piece "
        "was removed."
    ),
    "restore": _("“%(headline)s” is published again: readers can see it now."),
}


def is_editor(user) -> bool:
    return user.is_active and user.has_perm("articles.publish_article")


def is_own(user, article: Article) -> bool:
    """A writer's own piece: they created it, or their author profile is bylined."""
    if article.created_by_id is not None and article.created_by_id == user.pk:
        return True
    author = getattr(user, "author_profile", None)
    return author is not None and article.bylines.filter(author=author).exists()


def may_edit(user, article: Article) -> bool:
    """Change the text: editors any piece; writers their own until it is out."""
    if not (user.is_active and user.has_perm("articles.change_article")):
        return False
    if is_editor(user):
        return True
    return article.status in (S.DRAFT, S.REVIEW) and is_own(user, article)


def may_transition(user, article: Article, name: str) -> bool:
    """Whether this user may press this button on this article now."""
    transition = TRANSITIONS.get(name)
    if transition is None or article.status not in transition.sources:
        return False
    if not (user.is_active and user.has_perm("articles.change_article")):
        return False
    if transition.editors_only:
        return is_editor(user)
    return is_editor(user) or is_own(user, article)


def may_correct(user) -> bool:
    """Add and remove corrections: editors."""
    return user.has_perm(CORRECT_PERMISSION)


def may_preview(article: Article) -> bool:
    """Whether a preview of ``article`` makes sense: it is not out, nor taken
    down. Drafts, pieces in review and scheduled pieces may be previewed."""
    return not article.is_published() and article.status != S.WITHDRAWN


def may_share(user, article: Article) -> bool:
    """Whether ``user`` may send ``article`` outside the newsroom before it is
    out: editors any piece, a writer only their own. A colleague may read a
    draft in the admin, but letting it out is for its writer or an editor."""
    if not user.has_perm(PREVIEW_PERMISSION):
        return False
    return is_editor(user) or is_own(user, article)


def available_transitions(user, article: Article) -> list[Transition]:
    return [t for name, t in TRANSITIONS.items() if may_transition(user, article, name)]


def action_for(from_status: str, to_status: str, publish_at=None) -> str | None:
    """The transition that takes a piece from one state to another, if any."""
    from django.utils import timezone

    if from_status == to_status:
        return None
    if to_status == S.PUBLISHED and from_status in (S.DRAFT, S.REVIEW):
        if publish_at is not None and publish_at > timezone.now():
            return "schedule"
        return "publish"
    for name, transition in TRANSITIONS.items():
        if name in ("publish", "schedule"):
            continue
        if from_status in transition.sources and transition.target == to_status:
            return name
    return None
