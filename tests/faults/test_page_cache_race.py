"""A purge that lands while a page renders must not leave that page cached
as fresh. Found by the load tests (tests/faults): after concurrent posting,
the cached article page said 1115 comments while 1118 were approved, and
stayed so until the page expired.

caching.pages used to read the tags' generations when it stored a page,
after rendering it: a comment approved between the view's query and the
store bumped the generation first, so the stale page was stored under the new
generation and served as a hit for up to PAGE_CACHE_SECONDS. Now a purge moves
the purge epoch before and after its tags, and a page whose render saw the
epoch move is served but not stored.
"""

import pytest

from articles.views import pages as views
from comments import services
from comments.models import Comment, ModerationSettings
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_a_comment_approved_during_a_render_is_not_hidden_by_the_cache(
    client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PAGE_CACHE = True
    config = ModerationSettings.load()
    config.trusted_after_approved = 0
    config.save()
    article = ArticleFactory()
    url = article.get_absolute_url()
    render_context = views.article_page_context

    def approve_while_rendering(obj):
        # The article and its count are loaded; a reader's comment lands now.
        with django_capture_on_commit_callbacks(execute=True):
            services.comment_create(
                article=obj,
                name="Hannah M.",
                email="hannah@example.org",
                body="Posted while the page rendered.",
                ip="198.51.100.7",
            )
        monkeypatch.setattr(views, "article_page_context", render_context)
        return render_context(obj)

    monkeypatch.setattr(views, "article_page_context", approve_while_rendering)
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert Comment.objects.public().filter(article=article).count() == 1

    page = client.get(url)

    assert '<a href="#comments">1 comment</a>' in page.content.decode()
