"""
The moderators' admin, one module per part of their work:

- ``comments``: the comment list and form (the moderation queue), with its
  ``filters`` and bulk ``actions``;
- ``moderation``: the policy: bans, watched words, the settings row;
- ``audit``: what happened: readers' reports and the audit log, read-only.

Importing the modules registers their admins. Every change a moderator makes
goes through ``comments.services``.
"""

from . import audit, comments, moderation

__all__ = ["audit", "comments", "moderation"]
