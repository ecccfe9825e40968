"""
What a preview link is: a ``PreviewLink`` id signed with
``django.core.signing`` (so a guessed or altered address is refused before the
database is asked), its address, its state, and the link a token names.
When it expires and whether it was revoked live in the row, where editors see
and change them, not in the token.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.models import PreviewLink

SALT = "articles.preview-link"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def preview_token(link: PreviewLink) -> str:
    """The link's id and its signature: nothing else to read, nothing to guess."""
    return _signer().sign(link.pk.hex)


def preview_url(link: PreviewLink) -> str:
    """The link's absolute address on the canonical origin, to copy and send."""
    path = reverse("articles:preview", kwargs={"token": preview_token(link)})
    return settings.NEWSROOM_SITE_URL + path


def link_state(link: PreviewLink, *, now=None) -> str:
    """``"revoked"``, ``"expired"`` or ``"active"``."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= (now or timezone.now()):
        return "expired"
    return "active"


def preview_link_for(token: str) -> PreviewLink | None:
    """The link ``token`` names, with its article; None for an altered or
    made-up token, or one naming a link that no longer exists."""
    try:
        link_id = _signer().unsign(token)
        return PreviewLink.objects.select_related("article").get(pk=link_id)
    except (signing.BadSignature, PreviewLink.DoesNotExist, ValidationError):
        return None
