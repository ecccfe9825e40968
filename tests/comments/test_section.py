"""The comment section under an article: threads, pages, and a fixed cost."""

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def render_section(article) -> str:
    return Template("{% load comments_tags %}{% comment_section article %}").render(
        Context({"article": article})
    )


def shown_ids(html: str) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(r'<li class="comment[^"]*" id="comment-(\d+)"', html)
    ]


def reply(parent, **fields):
    return CommentFactory(article=parent.article, parent=parent, **fields)


def test_the_section_costs_one_query_however_long_the_discussion(article):
    article.comment_count = 0
    with CaptureQueriesContext(connection) as empty:
        render_section(article)
    for _ in range(20):
        top = CommentFactory(article=article)
        reply(reply(top))
    article.comment_count = 60

    with CaptureQueriesContext(connection) as full:
        html = render_section(article)

    assert len(empty.captured_queries) == len(full.captured_queries) == 1
    assert len(shown_ids(html)) == 60


def test_a_reply_knows_its_depth_and_thread_however_it_was_made(article):
    top = CommentFactory(article=article)
    answer = Comment.objects.create(
        article=article, parent=top, body="By a script.", status="approved"
    )
    deeper = Comment.objects.create(
        article=article, parent=answer, body="Deeper.", status="approved"
    )

    assert (answer.depth, answer.root_id) == (2, top.pk)
    assert (deeper.depth, deeper.root_id) == (3, top.pk)
    assert shown_ids(render_section(article)) == [top.pk, answer.pk, deeper.pk]


def test_threads_are_oldest_first_with_replies_nested(article):
    first = CommentFactory(article=article, body="first")
    second = CommentFactory(article=article, body="second")
    answer = reply(first, body="answer")
    deeper = reply(answer, body="deeper")

    html = render_section(article)

    assert shown_ids(html) == [first.pk, answer.pk, deeper.pk, second.pk]
    first_item = html[
        html.index(f'id="comment-{first.pk}"') : html.index(f'id="comment-{second.pk}"')
    ]
    assert first_item.count('<ol class="comment-replies">') == 2


def test_the_thread_shows_exactly_what_the_count_counts(client, article):
    top = CommentFactory(article=article)
    removed = reply(top, status="rejected")
    orphan = reply(removed, body="A reply whose parent was removed.")
    reply(top, status="pending")
    reported = reply(top)
    Comment.objects.filter(pk=reported.pk).update(hidden_at="2026-01-01T00:00Z")
    reply(orphan)

    html = client.get(article.get_absolute_url()).content.decode()

    public = Comment.objects.public().filter(article=article).count()
    assert public == 3
    assert f'<a href="#comments">{public} comments</a>' in html
    assert len(shown_ids(html)) == public
    assert "In reply to a comment that is no longer shown." in html


def test_long_discussions_continue_page_by_page(client, article, settings):
    settings.NEWSROOM_COMMENTS_THREADS_PER_PAGE = 2
    tops = [CommentFactory(article=article, body=f"thread {n}") for n in range(3)]
    late = reply(tops[2], body="late reply")

    section = client.get(article.get_absolute_url()).content.decode()
    page_two = client.get(
        reverse("comments:discussion", args=[article.pk]), {"page": 2}
    ).content.decode()
    too_far = client.get(reverse("comments:discussion", args=[article.pk]), {"page": 9})

    assert shown_ids(section) == [tops[0].pk, tops[1].pk]
    assert f"{reverse('comments:discussion', args=[article.pk])}?page=2" in section
    assert shown_ids(page_two) == [tops[2].pk, late.pk]
    assert "Page 2 of 2" in page_two
    assert shown_ids(too_far.content.decode()) == [tops[2].pk, late.pk]


def test_the_discussion_page_has_a_working_form(client, article):
    html = client.get(
        reverse("comments:discussion", args=[article.pk])
    ).content.decode()

    assert re.search(r'name="csrfmiddlewaretoken" value="\w+"', html)
    assert f'action="{reverse("comments:post", args=[article.pk])}"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_names_and_text_are_escaped(client, article):
    CommentFactory(
        article=article,
        author_name='<img src=x onerror="alert(1)">',
        body="<script>alert(1)</script>",
    )

    html = client.get(article.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
