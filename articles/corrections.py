"""
Moved by layer: services to ``articles.services.corrections``, the selector
to ``articles.selectors.corrections``, the view to ``articles.views``.

Kept only for ``articles/management/commands/seed_demo.py``, which imports
``correction_add`` from here and is moving to the site-wide app in a parallel
branch; delete this module once it imports ``articles.services``.
"""

from articles.services.corrections import correction_add

__all__ = ["correction_add"]
