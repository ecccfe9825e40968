"""One render per purge: readers missing the same page at once (caching.coalesce).

The engine's tests use a page of their own (this module is their URLconf) that
counts its renders and can be held mid-render, so that readers take turns in
a fixed order: no test depends on how fast anything runs. The newsroom's
tests check which changes may be answered from the previous copy (a comment
approved) and which never are (a withdrawal, an unpublication, a correction,
a comment taken out of view).
"""

import threading
import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path

from articles import services as article_services
from articles.views import pages as article_views
from caching import coalesce, pages, purges
from comments import services as comment_services
from tests.factories import ArticleFactory, CommentFactory

TAG = "article:1"


class Page:
    """The test page: what it shows, how often it rendered, and a gate that
    holds a render until the test opens it."""

    def __init__(self):
        self.text = "first"
        self.renders = 0
        self.rendering = threading.Event()
        self.gate: threading.Event | None = None


PAGE = Page()


@pages.public_page
def counted_page(request):
    PAGE.renders += 1
    text = PAGE.text
    if text is None:
        raise RuntimeError("the template is broken")
    PAGE.rendering.set()
    if PAGE.gate is not None:
        assert PAGE.gate.wait(30), "the test never opened the gate"
    pages.add_tags(request, TAG)
    return HttpResponse(text)


urlpatterns = [path("hot/", counted_page)]
URL = "/hot/"


@pytest.fixture
def page(settings):
    settings.NEWSROOM_PAGE_CACHE = True
    settings.ROOT_URLCONF = __name__
    global PAGE
    PAGE = Page()
    return PAGE


class Waiting:
    """The readers (threads) that have started waiting for another's render."""

    def __init__(self):
        self.readers = set()
        self.changed = threading.Condition()

    def pause(self, seconds):
        with self.changed:
            self.readers.add(threading.get_ident())
            self.changed.notify_all()
        time.sleep(seconds)

    def wait(self, readers: int = 1) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: len(self.readers) >= readers, 30)

    def is_set(self) -> bool:
        return bool(self.readers)


@pytest.fixture
def waiting(monkeypatch):
    waiting = Waiting()
    monkeypatch.setattr(coalesce, "sleep", waiting.pause)
    return waiting


def lock_key() -> str:
    return coalesce.LOCK_PREFIX + pages._request_key(RequestFactory().get(URL))


def read(results: dict, name: str) -> threading.Thread:
    """A reader in a thread of its own (a worker of its own); its answer goes
    to ``results[name]``."""

    def get():
        response = Client().get(URL)
        results[name] = (response.get("X-Page-Cache"), response.content.decode())

    reader = threading.Thread(target=get)
    reader.start()
    return reader


def render_held(page, results: dict) -> threading.Thread:
    """A reader that starts rendering and is held there until the gate opens."""
    page.gate, page.rendering = threading.Event(), threading.Event()
    renderer = read(results, "renderer")
    assert page.rendering.wait(30)
    return renderer


def answer(*threads: threading.Thread) -> None:
    PAGE.gate.set()
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive()


def overtaken_render(page, *, soft: bool, then: str = "second") -> dict:
    """A render during which a purge comes and the page becomes ``then``;
    what its reader got is in the results."""
    results = {}
    renderer = render_held(page, results)
    purges.purge_now(TAG, soft=soft)
    page.text = then
    answer(renderer)
    page.gate = None
    return results


def state() -> tuple[str, str]:
    response = Client().get(URL)
    return response.get("X-Page-Cache"), response.content.decode()


def test_readers_missing_a_cold_page_at_once_render_it_once(page, waiting):
    results = {}
    renderer = render_held(page, results)
    first, second = read(results, "first"), read(results, "second")
    assert waiting.wait(readers=2)  # both are polling for the render

    answer(renderer, first, second)

    assert page.renders == 1
    assert results["renderer"] == ("miss", "first")
    assert results["first"] == ("wait", "first")
    assert results["second"] == ("wait", "first")
    assert state() == ("hit", "first")


def test_after_a_soft_purge_readers_get_the_previous_copy_while_one_renders(page):
    assert state() == ("miss", "first")
    purges.purge_now(TAG, soft=True)
    page.text = "second"
    results = {}
    renderer = render_held(page, results)

    during = Client().get(URL)  # answered at once, from the previous copy

    answer(renderer)
    assert (during["X-Page-Cache"], during.content) == ("stale", b"first")
    # The edge was purged too: it must not keep the previous copy.
    assert "s-maxage=0" in during["Cache-Control"]
    assert results["renderer"] == ("miss", "second")
    assert state() == ("hit", "second")
    assert page.renders == 2


@pytest.mark.parametrize("soft_first", [False, True], ids=["hard", "soft-then-hard"])
def test_after_a_hard_purge_readers_wait_for_the_one_render(page, waiting, soft_first):
    assert state() == ("miss", "first")
    if soft_first:
        purges.purge_now(TAG, soft=True)
    purges.purge_now(TAG)
    page.text = "second"
    results = {}
    renderer = render_held(page, results)
    reader = read(results, "reader")
    assert waiting.wait()

    answer(renderer, reader)

    assert results["reader"] == ("wait", "second")
    assert page.renders == 2


def test_a_render_overtaken_by_a_soft_purge_is_kept_only_as_previous_copy(
    page, settings
):
    settings.NEWSROOM_PAGE_RENDER_REST_SECONDS = 0
    results = overtaken_render(page, soft=True)
    assert results["renderer"] == ("miss", "first")

    # Not current: the next reader renders; but while it does, the copy answers.
    renderer = render_held(page, results)
    during = state()
    answer(renderer)

    assert during == ("stale", "first")
    assert results["renderer"] == ("miss", "second")
    assert state() == ("hit", "second")


def test_when_soft_purges_overtake_renders_one_after_another_renders_rest(
    page, settings
):
    settings.NEWSROOM_PAGE_RENDER_REST_SECONDS = 60
    overtaken_render(page, soft=True)  # once: the next reader renders at once
    results = overtaken_render(page, soft=True, then="third")  # twice in a row

    resting = state()
    purges.purge_now(TAG)  # a hard purge ends the rest at once
    after_hard = state()

    assert results["renderer"] == ("miss", "second")
    assert resting == ("stale", "second")
    assert after_hard == ("miss", "third")
    assert page.renders == 3


def test_a_render_overtaken_by_a_hard_purge_is_never_shown(page, waiting):
    results = overtaken_render(page, soft=False)
    assert results["renderer"][1] == "first"  # its own reader gets it, live

    renderer = render_held(page, results)
    reader = read(results, "reader")
    assert waiting.wait()
    answer(renderer, reader)

    assert results["reader"] == ("wait", "second")


def test_a_render_during_a_purge_of_another_page_is_stored_as_current(page):
    assert state() == ("miss", "first")
    purges.purge_now(TAG, soft=True)
    results = {}
    renderer = render_held(page, results)

    purges.purge_now("article:2", soft=True)  # the epoch moves, this page's tags not
    answer(renderer)

    assert results["renderer"] == ("miss", "first")
    assert state() == ("hit", "first")
    assert page.renders == 2


def test_a_render_that_outlasts_the_end_of_its_own_purge_is_stored_as_current(page):
    """A purge moves the epoch, then the tags, then the epoch again; a reader
    who misses between the last two renders a page that is current."""
    assert state() == ("miss", "first")
    for key in (pages.EPOCH_KEY, pages.TAG_PREFIX + TAG):  # the purge, half done
        cache.set(key, cache.get(key, 0) + 1, None)
    page.text = "second"
    results = {}
    renderer = render_held(page, results)

    cache.set(pages.EPOCH_KEY, cache.get(pages.EPOCH_KEY) + 1, None)  # it ends
    answer(renderer)

    assert results["renderer"] == ("miss", "second")
    assert state() == ("hit", "second")
    assert page.renders == 2


def test_a_reader_that_missed_just_before_a_render_was_stored_takes_that_copy(page):
    assert state() == ("miss", "first")
    key = pages._request_key(RequestFactory().get(URL))

    # This reader's own look found nothing current; by the time it asks for
    # the lock, another request has rendered, stored and let the lock go.
    found = coalesce.miss(key, pages._lookup, pages.generations)

    assert found.outcome == "wait"
    assert found.entry.content == b"first"
    assert found.lock is None
    assert cache.get(lock_key()) is None  # taken and given back at once
    assert page.renders == 1


@pytest.mark.parametrize(
    ("before", "after", "unchanged"),
    [
        ({"a": 1, "b": 2}, {"a": 1, "b": 2}, True),
        ({"a": 1, "b": 2}, {"a": 1}, True),
        ({"a": 1}, {"a": 2}, False),  # purged while it rendered
        ({"a": 1}, {"a": 1, "b": 0}, False),  # a tag the previous copy lacked
        (None, {"a": 1}, False),  # no previous copy: the epoch decides
        ({}, {}, False),
    ],
)
def test_a_render_is_unchanged_only_if_every_tag_it_shows_was_read_before(
    before, after, unchanged
):
    request = RequestFactory().get(URL)
    request._page_cache_before = before

    assert coalesce.unchanged(request, after) is unchanged


def test_readers_during_a_render_tell_the_copy_is_not_current_without_its_tags(
    page, monkeypatch
):
    assert state() == ("miss", "first")
    purges.purge_now(TAG, soft=True)
    renderer = render_held(page, {})

    def no_tags(tags):
        raise AssertionError(f"read the generations of {sorted(tags)}")

    monkeypatch.setattr(pages, "generations", no_tags)
    during = [state(), state()]
    monkeypatch.undo()
    answer(renderer)

    assert during == [("stale", "first"), ("stale", "first")]
    assert state() == ("hit", "first")
    assert page.renders == 2


def test_a_lock_whose_renderer_died_expires_and_the_next_reader_renders(
    page, settings, waiting
):
    settings.NEWSROOM_PAGE_RENDER_LOCK_SECONDS = 1
    settings.NEWSROOM_PAGE_RENDER_WAIT_SECONDS = 30
    assert cache.add(lock_key(), "a renderer that died", coalesce.lock_seconds())

    # No previous copy: the reader polls until the lock expires, then renders.
    assert state() == ("miss", "first")
    assert waiting.is_set()
    assert page.renders == 1
    assert cache.get(lock_key()) is None
    assert state() == ("hit", "first")


def test_a_reader_waits_no_longer_than_the_bound_then_renders(page, settings):
    settings.NEWSROOM_PAGE_RENDER_WAIT_SECONDS = 0
    assert cache.add(lock_key(), "a renderer that hangs", 60)

    assert state() == ("miss", "first")
    assert page.renders == 1
    assert cache.get(lock_key()) == "a renderer that hangs"  # not ours to drop


def test_the_renderer_releases_its_lock_when_the_view_fails(page):
    page.text = None  # the view fails

    response = Client(raise_request_exception=False).get(URL)

    assert response.status_code == 500
    assert cache.get(lock_key()) is None


def test_a_renderer_whose_cache_fails_after_the_lock_renders_live_and_lets_go(
    page, monkeypatch
):
    assert state() == ("miss", "first")
    purges.purge_now(TAG, soft=True)

    def broken(key, previous):
        raise RuntimeError("the cache answered nonsense")

    monkeypatch.setattr(coalesce, "_retire", broken)  # after the lock is taken
    response = Client().get(URL)

    assert (response.status_code, response.content) == (200, b"first")
    assert cache.get(lock_key()) is None
    assert page.renders == 2


def test_staff_never_wait_for_a_render(page, waiting):
    assert cache.add(lock_key(), "a renderer that hangs", 60)
    client = Client()
    client.cookies["sessionid"] = "anything"

    response = client.get(URL)

    assert "X-Page-Cache" not in response
    assert not waiting.is_set()


def test_the_benchmark_counts_what_each_miss_did(page, settings):
    settings.NEWSROOM_PAGE_CACHE_STATS = True
    state()
    state()
    purges.purge_now(TAG, soft=True)
    results = {}
    renderer = render_held(page, results)
    during = state()
    answer(renderer)

    assert during[0] == "stale"
    # Stale answers are not counted: a counter written on each would weigh
    # on the very load the benchmark measures.
    assert coalesce.stats() == {
        **{"render": 2, "wait": 0, "fallback": 0},
        **{"rechecked": 0, "kept": 0, "overtaken": 0, "dropped": 0},
    }


def test_the_benchmark_counts_what_became_of_each_render(page, settings):
    settings.NEWSROOM_PAGE_CACHE_STATS = True
    settings.NEWSROOM_PAGE_RENDER_REST_SECONDS = 0
    state()
    for soft, meanwhile in [(True, "article:2"), (True, TAG), (False, TAG)]:
        purges.purge_now(TAG, soft=soft)
        renderer = render_held(page, {})
        purges.purge_now(meanwhile, soft=soft)
        answer(renderer)
    state()  # stored as current
    request = RequestFactory().get(URL)
    key = pages._request_key(request)

    late = coalesce.answer(
        request, key, pages._lookup, pages._replay, pages.generations
    )

    assert late["X-Page-Cache"] == "wait"
    assert coalesce.stats() == {
        **{"render": 5, "wait": 1, "fallback": 0},
        **{"rechecked": 1, "kept": 1, "overtaken": 1, "dropped": 1},
    }


# The newsroom's changes: which may be answered stale -----------------------------


@pytest.fixture
def newsroom_page(settings, django_capture_on_commit_callbacks):
    settings.NEWSROOM_PAGE_CACHE = True
    # A reader with no copy to show renders at once: no waiting in these tests.
    settings.NEWSROOM_PAGE_RENDER_WAIT_SECONDS = 0
    article = ArticleFactory(headline="Treaty talks resume")
    url = article.get_absolute_url()
    reader = Client()
    assert reader.get(url)["X-Page-Cache"] == "miss"
    key = pages._request_key(RequestFactory().get(url))

    def commit(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            function(**kwargs)

    def another_request_renders():
        """A renderer in flight elsewhere holds the page's lock."""
        assert cache.add(coalesce.LOCK_PREFIX + key, "elsewhere", 60)

    return article, url, reader, commit, another_request_renders


@pytest.mark.django_db
def test_an_approved_comment_may_be_answered_stale_for_one_render(
    newsroom_page, moderator
):
    article, url, reader, commit, another_request_renders = newsroom_page
    held = CommentFactory(article=article, status="pending", body="A fresh view")
    commit(comment_services.comment_approve, comment=held, actor=moderator)

    another_request_renders()
    during = reader.get(url)
    cache.delete(coalesce.LOCK_PREFIX + pages._request_key(RequestFactory().get(url)))
    after = reader.get(url)

    assert during["X-Page-Cache"] == "stale"
    assert "A fresh view" not in during.content.decode()
    assert after["X-Page-Cache"] == "miss"
    assert "A fresh view" in after.content.decode()


@pytest.mark.django_db
def test_an_approved_comment_is_shown_by_the_next_request(newsroom_page, moderator):
    article, url, reader, commit, _ = newsroom_page
    held = CommentFactory(article=article, status="pending", body="A fresh view")

    commit(comment_services.comment_approve, comment=held, actor=moderator)
    response = reader.get(url)

    assert response["X-Page-Cache"] == "miss"
    assert "A fresh view" in response.content.decode()


@pytest.mark.django_db
def test_a_comment_approved_while_the_page_renders_again_is_shown_next(
    newsroom_page, moderator, monkeypatch
):
    """The page had a copy, so its render is judged by its own tags (read
    before and after): a comment approved in between is not hidden."""
    article, url, reader, commit, _ = newsroom_page
    first = CommentFactory(article=article, status="pending", body="First view")
    second = CommentFactory(article=article, status="pending", body="Second view")
    commit(comment_services.comment_approve, comment=first, actor=moderator)
    render_context = article_views.article_page_context

    def approve_while_rendering(obj):
        monkeypatch.setattr(article_views, "article_page_context", render_context)
        commit(comment_services.comment_approve, comment=second, actor=moderator)
        return render_context(obj)

    monkeypatch.setattr(article_views, "article_page_context", approve_while_rendering)
    during = reader.get(url)
    after = reader.get(url)

    assert "First view" in during.content.decode()
    assert after["X-Page-Cache"] == "miss"
    assert "Second view" in after.content.decode()
    assert reader.get(url)["X-Page-Cache"] == "hit"


CORRECTION = "The talks resume on Tuesday, not Monday."
HARD_CHANGES = {
    # change: (service, its arguments, the status readers get, text shown or not)
    "withdrawn": (article_services.article_withdraw, {"note": "Legal."}, 410, None),
    "unpublished": (article_services.article_unpublish, {"note": "Hold."}, 404, None),
    "corrected": (
        article_services.correction_add,
        {"kind": "correction", "text": CORRECTION},
        200,
        CORRECTION,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("change", list(HARD_CHANGES))
def test_a_withdrawn_unpublished_or_corrected_article_is_never_answered_stale(
    newsroom_page, editor, change
):
    service, arguments, status, shown = HARD_CHANGES[change]
    article, url, reader, commit, another_request_renders = newsroom_page
    another_request_renders()

    commit(service, article=article, user=editor, **arguments)
    response = reader.get(url)

    assert response.status_code == status
    assert response.get("X-Page-Cache") != "stale"
    html = response.content.decode()
    if shown is None:
        assert "Treaty talks resume" not in html
    else:
        assert shown in html


@pytest.mark.django_db
def test_a_comment_taken_out_of_view_is_never_shown_from_the_previous_copy(
    settings, django_capture_on_commit_callbacks, moderator
):
    settings.NEWSROOM_PAGE_CACHE = True
    settings.NEWSROOM_PAGE_RENDER_WAIT_SECONDS = 0
    article = ArticleFactory()
    comment = CommentFactory(article=article, status="approved", body="Libel here")
    url = article.get_absolute_url()
    assert "Libel here" in Client().get(url).content.decode()
    key = pages._request_key(RequestFactory().get(url))
    assert cache.add(coalesce.LOCK_PREFIX + key, "elsewhere", 60)

    with django_capture_on_commit_callbacks(execute=True):
        comment_services.comment_reject(comment=comment, actor=moderator)
    response = Client().get(url)

    assert response.get("X-Page-Cache") != "stale"
    assert "Libel here" not in response.content.decode()
