"""
The WordPress importer (issue 12): WXR files in, articles, authors, sections,
tags, images, comments and old addresses out, through the services.

By concern: ``parse`` (streaming, refusal of bad files), ``content`` (body
and video), ``mapping`` (states, dates, terms), ``people`` (authors,
sections), ``media`` and ``attachments`` (files), ``posts`` (the writes),
``discussion`` (comments), ``report`` and ``run`` (the phases). Call
``wordpress_import``; the ``import_wordpress`` command is one caller.
"""

from .media import MediaSource
from .parse import WxrError
from .report import Report
from .run import ImportOptions, wordpress_import

__all__ = ["ImportOptions", "MediaSource", "Report", "WxrError", "wordpress_import"]
