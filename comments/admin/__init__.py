"""The moderators' admin. Importing the modules registers their admins."""

from . import comments

__all__ = ["comments"]
