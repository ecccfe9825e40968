"""
A comment became public, for listeners outside this app (the API's
webhooks); sent with ``comment_id`` and ``article_id`` after the approval
commits. Our own flow calls services, never these.
"""

from django.dispatch import Signal

comment_approved = Signal()
