"""A reader posts a comment or a reply: POST/redirect/GET, errors, refusals."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import AuditEntry, Comment
from tests.comments.conftest import comment_data
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def post_queries() -> int:
    """What an accepted post asks the database (in a test's transaction, so
    a savepoint and its release around the post's own): the article, the
    commenter's record, then the comment, its audit entry and the count, which
    are one statement on PostgreSQL (a WITH) and three on SQLite."""
    return 5 if connection.vendor == "postgresql" else 7


def textarea(html: str) -> str:
    """The comment box's text as a browser shows it (a first newline is dropped)."""
    text = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S).group(1)
    return text.removeprefix("\n")


def test_an_approved_comment_lands_on_the_article_at_its_anchor(
    client, article, trusting, post_comment
):
    response = post_comment()

    comment = Comment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert comment.status == "approved"
    assert (comment.author_name, comment.author_email) == (
        "Hannah M.",
        "hannah@example.org",
    )
    assert comment.ip_address == "198.51.100.7"
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in page
    assert "Is there any sign of a mutual defence clause?" in page
    assert '<a href="#comments">1 comment</a>' in page
    assert "hannah@example.org" not in page


def test_a_held_comment_with_javascript_goes_back_to_the_article(
    client, article, config, post_comment
):
    response = post_comment(js="1")

    comment = Comment.objects.get()
    assert comment.status == "pending"
    assert comment.moderation_rule == "first-time"
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert response.cookies["newsroom_commented"].value == "1"
    assert response.cookies["newsroom_reader"]["httponly"]
    # The (cacheable) article page never shows it; the reader's endpoint does.
    page = client.get(article.get_absolute_url()).content.decode()
    assert "mutual defence clause" not in page
    assert '<a href="#comments">0 comments</a>' in page
    state = client.get(reverse("comments:reader-state", args=[article.pk])).json()
    assert [(c["id"], c["held"]) for c in state["comments"]] == [(comment.pk, True)]
    assert "Awaiting moderation" in state["comments"][0]["html"]
    assert "mutual defence clause" in state["comments"][0]["html"]


def test_nobody_else_sees_a_held_comment(client, article, config, post_comment):
    post_comment(js="1")
    client.cookies.clear()

    state = client.get(reverse("comments:reader-state", args=[article.pk])).json()
    discussion = client.get(reverse("comments:discussion", args=[article.pk]))

    assert state["comments"] == []
    assert "mutual defence clause" not in discussion.content.decode()


def test_a_forged_reader_cookie_shows_nothing(client, article, config, post_comment):
    post_comment(js="1")
    comment = Comment.objects.get()
    client.cookies.clear()
    client.cookies["newsroom_reader"] = f'{{"id": "x", "posted": [{comment.pk}]}}'

    state = client.get(reverse("comments:reader-state", args=[article.pk])).json()

    assert state["comments"] == []


def test_without_javascript_a_held_comment_lands_where_its_author_sees_it(
    client, article, config, post_comment
):
    response = post_comment()

    comment = Comment.objects.get()
    url = reverse("comments:discussion", args=[article.pk])
    assert response["Location"] == f"{url}#comment-{comment.pk}"
    page = client.get(url)
    html = page.content.decode()
    assert f'<li class="comment comment-held" id="comment-{comment.pk}"' in html
    assert "Awaiting moderation" in html
    assert "no-store" in page["Cache-Control"]


def test_a_held_reply_is_shown_to_its_author_under_its_parent(
    client, article, config, post_comment
):
    parent = CommentFactory(article=article, author_name="Takeshi")

    post_comment(parent=str(parent.pk))

    reply = Comment.objects.get(parent=parent)
    html = client.get(
        reverse("comments:discussion", args=[article.pk])
    ).content.decode()
    parent_item = html[html.index(f'id="comment-{parent.pk}"') :]
    assert parent_item.index('class="comment-replies"') < parent_item.index(
        f'id="comment-{reply.pk}"'
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("body", "", "Please write your comment."),
        ("body", "   \n  ", "Please write your comment."),
        (
            "body",
            "x" * 5001,
            "Please keep your comment under 5000 characters (it has 5001).",
        ),
        ("name", "", "Please tell us your name."),
        ("name", "n" * 81, "Please keep your name under 80 characters."),
        (
            "email",
            "hannah-at-example",
            "Please check your email address, e.g. name@example.com.",
        ),
        ("email", "", "Please give your email address; it is never shown."),
    ],
)
def test_errors_show_next_to_the_field_and_keep_the_text(
    article, config, post_comment, field, value, message
):
    body = "My carefully written point about the treaty." if field != "body" else value

    response = post_comment(**{field: value, "body": body})

    html = response.content.decode()
    assert response.status_code == 200
    error = f'<ul class="errorlist" id="id_comment_{field}_error"><li>{message}</li>'
    assert error in html.replace("&#x27;", "'")
    # The list sits in the field's <div>: a <ul> cannot live inside a <p>.
    holder = html[: html.index(f'id="id_comment_{field}_error"')]
    assert holder.rindex('<div class="field') > holder.rfind("<p")
    tag = re.search(rf'<(?:input|textarea)[^>]*id="id_comment_{field}"[^>]*>', html)
    assert 'aria-invalid="true"' in tag.group()
    assert f'aria-describedby="id_comment_{field}' in tag.group()
    if field != "body":
        assert textarea(html) == "My carefully written point about the treaty."
    assert 'value="Hannah M."' in html or field == "name"
    assert not Comment.objects.exists()


def test_a_rate_limited_post_answers_429_with_the_text_kept(
    article, config, post_comment
):
    post_comment()

    response = post_comment(body="A second thought, straight after the first.")

    html = response.content.decode()
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 15
    assert "You are commenting faster than we allow. Please wait" in html
    assert textarea(html) == "A second thought, straight after the first."
    assert Comment.objects.count() == 1
    refused = AuditEntry.objects.get(action="refused")
    assert (refused.rule, refused.article_id) == ("rate-limit", article.pk)


def test_a_duplicate_answers_409_with_a_message(article, config, post_comment):
    config.rate_short_count = 10
    config.save()
    post_comment()

    response = post_comment(ip="203.0.113.50")

    assert response.status_code == 409
    assert "It looks as though you have already said that" in response.content.decode()
    assert Comment.objects.count() == 1


def test_a_closed_article_shows_a_note_and_refuses_posts(client, post_comment):
    closed = ArticleFactory(allow_comments=False)
    CommentFactory(article=closed, body="An earlier comment stays visible.")

    page = client.get(closed.get_absolute_url()).content.decode()
    response = post_comment(target=closed)

    assert "Comments are closed for this article." in page
    assert 'class="comment-form"' not in page
    assert "An earlier comment stays visible." in page
    assert 'class="comment-reply"' not in page
    assert response.status_code == 403
    assert (
        "Comments on this article are closed: Comments are turned off for this "
        "article." in response.content.decode()
    )
    assert "Is there any sign of a mutual defence clause?" in response.content.decode()
    assert Comment.objects.count() == 1


def test_a_closed_article_says_so_before_any_form_error(client, post_comment):
    closed = ArticleFactory(allow_comments=False)

    response = post_comment(target=closed, name="", body="Kept all the same.")

    html = response.content.decode()
    assert response.status_code == 403
    assert "Comments on this article are closed." in html
    assert "Please tell us your name." not in html
    assert "Kept all the same." in html
    assert not Comment.objects.exists()


def test_comments_close_after_the_configured_days(client, settings, post_comment):
    settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = 14
    old = ArticleFactory(publish_at=timezone.now() - timezone.timedelta(days=15))

    page = client.get(old.get_absolute_url()).content.decode()

    assert "Comments are closed: they close 14 days after publication." in page
    assert post_comment(target=old).status_code == 403


def test_a_reply_is_threaded_under_its_parent(client, article, trusting, post_comment):
    parent = CommentFactory(article=article, author_name="Takeshi")

    post_comment(parent=str(parent.pk), body="Replying to Takeshi.")

    reply = Comment.objects.get(parent=parent)
    assert (reply.depth, reply.root_id) == (2, parent.pk)
    html = client.get(article.get_absolute_url()).content.decode()
    parent_item = html[html.index(f'id="comment-{parent.pk}"') :]
    replies = parent_item[parent_item.index('<ol class="comment-replies">') :]
    assert replies.index(f'id="comment-{reply.pk}"') < replies.index("</ol>")


def test_a_reply_deeper_than_the_site_allows_joins_the_deepest_level(
    article, trusting, post_comment, settings
):
    settings.NEWSROOM_COMMENTS_MAX_DEPTH = 3
    top = CommentFactory(article=article)
    second = CommentFactory(article=article, parent=top)
    third = CommentFactory(article=article, parent=second)

    post_comment(parent=str(third.pk))

    reply = Comment.objects.latest("pk")
    assert (reply.parent_id, reply.depth, reply.root_id) == (second.pk, 3, top.pk)


def test_reply_links_stop_at_the_deepest_level(client, article, settings):
    settings.NEWSROOM_COMMENTS_MAX_DEPTH = 2
    top = CommentFactory(article=article)
    second = CommentFactory(article=article, parent=top)

    html = client.get(article.get_absolute_url()).content.decode()

    assert f'data-reply-to="{top.pk}"' in html
    assert f'data-reply-to="{second.pk}"' not in html


@pytest.mark.parametrize("where", ["pending", "other-article"])
def test_a_reply_to_a_comment_readers_cannot_see_is_refused_and_kept(
    article, config, post_comment, where
):
    if where == "pending":
        parent = CommentFactory(article=article, status="pending")
    else:
        parent = CommentFactory(article=ArticleFactory())

    response = post_comment(parent=str(parent.pk), body="My reply, kept.")

    html = response.content.decode()
    assert "The comment you are replying to is no longer shown." in html
    assert textarea(html) == "My reply, kept."
    assert 'name="parent" value=""' in html
    assert not Comment.objects.filter(body="My reply, kept.").exists()


def test_the_honeypot_stores_spam_that_its_sender_sees_as_held(
    client, article, trusting, post_comment
):
    post_comment(website="http://spam.example", js="1")

    comment = Comment.objects.get()
    state = client.get(reverse("comments:reader-state", args=[article.pk])).json()
    assert (comment.status, comment.moderation_rule) == ("spam", "honeypot")
    assert [c["held"] for c in state["comments"]] == [True]


def test_unpublished_articles_take_no_comments(client, post_comment):
    draft = ArticleFactory(status="draft", publish_at=None)

    assert post_comment(target=draft).status_code == 404
    assert not Comment.objects.exists()


def test_the_post_endpoint_only_takes_posts(client, article):
    response = client.get(reverse("comments:post", args=[article.pk]))

    assert response.status_code == 405


def test_the_reply_page_works_without_javascript(client, article):
    parent = CommentFactory(article=article, author_name="Takeshi", body="Costs?")

    response = client.get(reverse("comments:reply", args=[parent.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Reply to Takeshi</h1>" in html
    assert f'name="parent" value="{parent.pk}"' in html
    assert re.search(r'name="csrfmiddlewaretoken" value="\w+"', html)
    assert "no-store" in response["Cache-Control"]
    assert "Costs?" in html


def test_the_reply_page_of_a_hidden_comment_is_404(client, article):
    parent = CommentFactory(article=article, status="pending")

    assert client.get(reverse("comments:reply", args=[parent.pk])).status_code == 404


def test_the_address_comes_from_the_configured_proxy(
    client, article, trusting, settings
):
    settings.NEWSROOM_COMMENTS_PROXY_COUNT = 1

    client.post(
        reverse("comments:post", args=[article.pk]),
        comment_data(),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.77",
        HTTP_USER_AGENT="Firefox",
    )

    comment = Comment.objects.get()
    assert (comment.ip_address, comment.user_agent) == ("203.0.113.77", "Firefox")


def test_opting_in_to_reply_emails_is_stored(article, trusting, post_comment):
    post_comment(notify_replies="on")

    assert Comment.objects.get().notify_replies is True


def test_a_post_costs_the_same_few_queries_however_long_the_discussion(
    article, trusting, post_comment, django_assert_num_queries
):
    # The article, the commenter's record (one query for the rules), then
    # the comment, its audit entry and the count in one transaction
    # (post_queries).
    post_comment(email="first@example.org", ip="198.51.100.1")  # caches the policy
    with django_assert_num_queries(post_queries()):
        approved = post_comment(email="second@example.org", ip="198.51.100.2")
    CommentFactory.create_batch(20, article=article, status="approved")

    with django_assert_num_queries(post_queries()):
        again = post_comment(email="third@example.org", ip="198.51.100.3")

    assert (approved.status_code, again.status_code) == (303, 303)
    assert Comment.objects.filter(status="approved").count() == 23


def test_a_held_post_costs_no_more_than_an_approved_one(
    article, config, post_comment, django_assert_num_queries
):
    post_comment(email="first@example.org", ip="198.51.100.1")  # caches the policy

    # No count to change, but the page of the thread it waits on (no script):
    # on SQLite the count's UPDATE gives way to it; on PostgreSQL, where the
    # count rides in the post's one statement, it is one more.
    held = post_queries() + (connection.vendor == "postgresql")
    with django_assert_num_queries(held):
        response = post_comment(email="second@example.org", ip="198.51.100.2")

    assert response.status_code == 303
    assert Comment.objects.get(author_email="second@example.org").status == "pending"


def test_a_post_reads_the_article_without_its_body_or_search_vector(
    article, trusting, post_comment, django_assert_num_queries
):
    post_comment(email="first@example.org", ip="198.51.100.1")  # caches the policy

    with django_assert_num_queries(post_queries()) as captured:
        post_comment(email="second@example.org", ip="198.51.100.2")

    read = captured.captured_queries[0]["sql"]
    assert "articles_article" in read
    assert '"body"' not in read and "search_vector" not in read


def test_a_refused_post_shows_its_page_without_reading_the_article_again(
    article, config, post_comment, django_assert_num_queries
):
    post_comment()

    # The article (headline, address), the refusal's audit entry, and the
    # sections menu (the first page this test renders fills its cache).
    with django_assert_num_queries(3):
        response = post_comment(body="A second thought, straight after the first.")

    html = response.content.decode()
    assert response.status_code == 429
    assert article.headline in html
    assert f'href="{article.get_absolute_url()}#comments"' in html


def test_by_default_a_post_waits_for_its_commit_to_reach_the_disk(
    article, trusting, post_comment, settings, django_assert_num_queries
):
    post_comment(email="first@example.org", ip="198.51.100.1")  # caches the policy

    with django_assert_num_queries(post_queries()) as captured:
        post_comment(email="second@example.org", ip="198.51.100.2")

    assert settings.NEWSROOM_COMMENTS_ASYNC_COMMIT is False
    assert not any("synchronous_commit" in q["sql"] for q in captured)


@pytest.mark.django_db(transaction=True)
def test_a_newsroom_may_let_posts_commit_without_waiting_for_the_disk(
    article, trusting, post_comment, settings
):
    settings.NEWSROOM_COMMENTS_ASYNC_COMMIT = True
    post_comment(email="first@example.org", ip="198.51.100.1")  # caches the policy

    with CaptureQueriesContext(connection) as captured:
        response = post_comment(email="second@example.org", ip="198.51.100.2")

    assert response.status_code == 303
    assert Comment.objects.filter(status="approved").count() == 2
    said = [q["sql"] for q in captured if "synchronous_commit" in q["sql"]]
    if connection.vendor != "postgresql":
        assert said == []  # SQLite has no such choice
        return
    assert said == ["SET LOCAL synchronous_commit TO OFF"]
    with connection.cursor() as cursor:  # for that transaction only
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
