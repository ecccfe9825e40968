"""
Every write of newsroom data goes through a service here (by layer, one
module per thing written): the admin, management commands, tests and the
importer and API call them; ``save()`` only fills a row's own fields.

- ``articles``: create, update and delete; ``transitions``: the workflow's
  moves; ``writes``: what every article write does;
- ``bulk``: ``article_batch``, many writes with derived data done once;
- ``many``: ``article_create_many``, many new articles written together
  (an import's first run);
- ``corrections``: add and remove corrections;
- ``previews``: make and revoke preview links;
- ``sections``: sections and authors;
- ``autosaves``: an editor's unsaved form, kept while they type;
- ``paths``: old addresses from another system (an import);
- ``announce``: what outside listeners are told, and ``announcements_held``
  for writes that are not news.
"""

from .announce import announcements_held
from .articles import article_create, article_delete, article_update
from .autosaves import AutosaveTooLarge, autosave_discard, autosave_store
from .bulk import ArticleBatch, article_batch
from .corrections import correction_add, correction_check, correction_remove
from .many import NewArticle, article_create_many
from .paths import article_paths_add, article_paths_add_many
from .previews import preview_link_create, preview_link_revoke
from .sections import author_save, section_delete, section_save
from .transitions import (
    article_publish,
    article_restore,
    article_return_to_draft,
    article_schedule,
    article_submit,
    article_transition,
    article_unpublish,
    article_withdraw,
)

__all__ = [
    "ArticleBatch",
    "AutosaveTooLarge",
    "NewArticle",
    "announcements_held",
    "article_batch",
    "article_create",
    "article_create_many",
    "article_delete",
    "article_paths_add",
    "article_paths_add_many",
    "article_publish",
    "article_restore",
    "article_return_to_draft",
    "article_schedule",
    "article_submit",
    "article_transition",
    "article_unpublish",
    "article_update",
    "article_withdraw",
    "author_save",
    "autosave_discard",
    "autosave_store",
    "correction_add",
    "correction_check",
    "correction_remove",
    "preview_link_create",
    "preview_link_revoke",
    "section_delete",
    "section_save",
]
