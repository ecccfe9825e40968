"""
What happened to a piece, for listeners outside this app (the API's
webhooks). Sent by the services once their transaction has committed, so a
write that rolls back announces nothing; the house rule is that our own flow
calls services, and only outside listeners use these.

Every signal sends ``article_id`` and ``at`` (when it happened);
``article_published`` also sends ``publish_at``, which is in the future for a
scheduled piece: a listener waits until then, and checks the piece is still
out when it gets there.
"""

from django.dispatch import Signal

article_published = Signal()
article_updated = Signal()
article_corrected = Signal()
article_withdrawn = Signal()
