"""The moderation policy saved by moderators: the settings row and the words.

Posts read both from the shared cache (``comments.policy``); saving through
here gives that copy a new version once the change commits, so the next post
on every app server applies it.
"""

from django.db import transaction

from .. import policy
from ..models import ModerationSettings, ModerationWord


def moderation_settings_save(*, config: ModerationSettings) -> ModerationSettings:
    """The policy's numbers, changed in the admin (or by a script)."""
    with transaction.atomic():
        config.save()
        policy.forget()
    return config


def moderation_word_save(*, word: ModerationWord) -> ModerationWord:
    """A watched word added or changed."""
    with transaction.atomic():
        word.save()
        policy.forget()
    return word


def moderation_word_delete(*, words) -> int:
    """Watched words removed: one, or a queryset of them."""
    with transaction.atomic():
        if isinstance(words, ModerationWord):
            words.delete()
            removed = 1
        else:
            removed, _by_model = words.delete()
        policy.forget()
    return removed
