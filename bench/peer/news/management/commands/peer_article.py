"""
Put the bench article on the peer site: ``manage.py peer_article FILE``.

FILE is JSON written by the harness from the project's bench database
(``headline``, ``dek``, ``byline``, ``body``, ``slug``, ``published_at``), so
both sites serve the same words. The page goes at ``/news/<slug>/`` under the
site's root page, through Wagtail's own revision-and-publish path; run again
with the same text it changes nothing. It prints one JSON line: the page's
address, and the status and SQL queries of one anonymous request to it
through Django's test client.
"""

import json
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from news.models import ArticlePage

FIELDS = ("headline", "dek", "byline", "body")


class Command(BaseCommand):
    help = "Create or update the peer's copy of the bench article from a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            text = json.loads(file.read_text())
            missing = [name for name in (*FIELDS, "slug") if not text.get(name)]
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        if missing:
            raise CommandError(f"{file} lacks {', '.join(missing)}.")
        page = self.article(text)
        path = page.relative_url(Site.objects.get(is_default_site=True))
        client = Client(HTTP_HOST="127.0.0.1")
        client.get(path)  # templates compiled, Wagtail's site lookup remembered
        with CaptureQueriesContext(connection) as queries:
            status = client.get(path).status_code
        self.stdout.write(
            json.dumps({"path": path, "status": status, "queries": len(queries)})
        )

    @transaction.atomic
    def article(self, text: dict) -> ArticlePage:
        root = Site.objects.get(is_default_site=True).root_page
        news = root.get_children().filter(slug="news").first()
        if news is None:
            news = root.add_child(instance=Page(title="News", slug="news"))
        page = ArticlePage.objects.child_of(news).filter(slug=text["slug"]).first()
        if page is None:
            page = ArticlePage(slug=text["slug"], title=text["headline"])
            for name in FIELDS:
                setattr(page, name, text[name])
            news.add_child(instance=page)
        elif all(getattr(page, name) == text[name] for name in FIELDS):
            return page
        for name in FIELDS:
            setattr(page, name, text[name])
        page.title = text["headline"]
        page.save_revision().publish()
        if text.get("published_at"):
            published = datetime.fromisoformat(text["published_at"])
            ArticlePage.objects.filter(pk=page.pk).update(first_published_at=published)
        return ArticlePage.objects.get(pk=page.pk)
