"""
The admin, by what it edits: ``articles`` (the article form, workflow,
revisions), ``corrections``, ``previews`` (links on the article form) and
``sections`` (sections and authors). Importing the package registers them.
"""

from . import articles, corrections, previews, sections

__all__ = ["articles", "corrections", "previews", "sections"]
