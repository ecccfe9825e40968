"""A backup keeps times to the microsecond, as the database has them.

Django's own JSON encoder cuts times to the millisecond; a backup made with it
restored 12:00:00.000500 as 12:00:00, and a round trip then differed from the
original whenever a row's microseconds fell below 1,000.
"""

import json
import tarfile
from datetime import UTC, datetime

import pytest
from django.core import serializers

from articles.models import Article
from core.backup import backup_create
from core.backup.archive import DATA
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

STAMP = datetime(2026, 11, 24, 9, 30, 15, 500, tzinfo=UTC)


def test_a_backup_keeps_microseconds_below_a_millisecond(tmp_path, settings):
    article = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(created_at=STAMP)
    path = tmp_path / "site.tar.gz"

    backup_create(output=path, media_root=settings.MEDIA_ROOT)

    with tarfile.open(path) as archive:
        data = archive.extractfile(DATA).read().decode()
    row = next(
        item
        for item in json.loads(data)
        if item["model"] == "articles.article" and item["pk"] == article.pk
    )
    assert row["fields"]["created_at"] == "2026-11-24T09:30:15.000500Z"
    # And Django's own deserializer, which restore uses, reads it back exactly.
    restored = next(
        item.object
        for item in serializers.deserialize("json", data)
        if isinstance(item.object, Article)
    )
    assert restored.created_at == STAMP
