"""The piece's fragment is keyed by the address of the stylesheet it prints,
asked of the static files' storage once per storage, not once per render."""

import pytest
from django.templatetags.static import static

from articles import fragments
from articles.selectors.pages import public_article
from tests.factories import ArticleFactory, CorrectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fragments_on(settings):
    settings.NEWSROOM_FRAGMENT_CACHE = True


@pytest.fixture
def corrected(editor):
    piece = ArticleFactory()
    CorrectionFactory(article=piece, editor=editor, text="The talks were on Tuesday.")
    return piece


def test_the_key_holds_the_address_static_gives(corrected):
    shown = public_article(corrected.slug)

    assert static("css/editorial.css") in fragments.printed(shown)


def test_the_address_is_asked_once_per_storage(corrected):
    shown = public_article(corrected.slug)
    fragments._static_url.cache_clear()

    for _ in range(3):
        fragments.printed(shown)

    assert fragments._static_url.cache_info().misses == 1
    assert fragments._static_url.cache_info().hits == 2


def test_another_static_address_is_another_piece(client, corrected, settings):
    client.get(corrected.get_absolute_url())
    settings.STATIC_URL = "/assets/"  # a new storage, with its own addresses

    html = client.get(corrected.get_absolute_url()).content.decode()

    assert 'href="/assets/css/editorial.css"' in html
    assert "/static/css/editorial.css" not in html
