"""Importers of content from other systems (``wordpress``)."""
