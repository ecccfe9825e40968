"""
One write through the services, in a process of its own with the app's
settings (tests/stack/edge.py runs it): ``python -m tests.stack.edge_writes
ACTION [ID]``. Prints one line of JSON: what it made, and ``started`` (the
wall-clock time before the write began), ``committed`` (just after its
transaction committed, before its purges ran) and ``returned`` (after the
purges, the edge's included, were sent).
"""

import json
import sys
import time

import django


def main(action: str, *args: str) -> dict:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    editor = get_user_model().objects.get(username="editor")
    started = time.time()
    made, committed = {}, []
    with transaction.atomic():
        # Registered first, so it runs first after the commit: before the
        # service's own purges.
        transaction.on_commit(lambda: committed.append(time.time()))
        made = write(action, args, editor)
    return {
        **made,
        "started": started,
        "committed": committed[0],
        "returned": time.time(),
    }


def write(action: str, args, editor) -> dict:
    from django.contrib.auth import get_user_model

    from articles import services as articles
    from articles.models import Article, Section
    from comments import services as comments
    from comments.models import Comment

    made = {}
    if action == "draft":
        article = articles.article_create(
            user=editor,
            fields={
                "headline": args[0],
                "dek": "Filed for the edge test.",
                "body": "<p>A piece the edge has not seen yet.</p>",
                "section": Section.objects.order_by("pk").first(),
            },
        )
        made = {"id": article.pk, "url": article.get_absolute_url()}
    elif action == "publish":
        article = Article.objects.get(pk=args[0])
        articles.article_publish(article=article, user=editor)
        made = {"url": Article.objects.get(pk=args[0]).get_absolute_url()}
    elif action == "correct":
        articles.correction_add(
            article=Article.objects.get(pk=args[0]),
            kind="correction",
            text=args[1],
            user=editor,
        )
    elif action == "withdraw":
        articles.article_withdraw(
            article=Article.objects.get(pk=args[0]), user=editor, note="Legal."
        )
    elif action == "approve":
        moderator = get_user_model().objects.get(username="moderator")
        comment = Comment.objects.get(pk=args[0])
        comments.comment_approve(comment=comment, actor=moderator, reason="Fine.")
    elif action == "headline-without-purge":
        # Behind the services' back, so that nothing is purged: what a reader
        # with a session sees (live) then differs from what the edge keeps.
        Article.objects.filter(pk=args[0]).update(headline=args[1])
    elif action == "published":
        made = {
            "articles": [
                {"id": article.pk, "url": article.get_absolute_url()}
                for article in Article.objects.published().order_by("pk")
            ]
        }
    elif action == "comment-by-email":
        comment = Comment.objects.filter(author_email=args[0]).latest("pk")
        made = {"id": comment.pk, "status": comment.status}
    else:
        raise SystemExit(f"unknown action {action!r}")
    return made


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
