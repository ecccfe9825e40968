"""
The editors' steps cost a fixed number of queries (issue 14, point 8).

Opening the add and change pages, Publish now, Schedule, saving the change
form and opening the desk, on a piece like the reference report; then again
after the newsroom grew by many authors, tags, sections and articles: no step
may cost one query more. Their times are measured in ``bench/admin_steps.py``
(see docs/benchmark.md), never here.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import services
from bench.admin_steps import change_form_data
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

# The most each step may cost on the reference-like piece: session, user,
# the piece and each kind of its parts once, the revision and the purge.
# PostgreSQL and SQLite differ by a few savepoints, hence ceilings; a write
# on PostgreSQL also refreshes the piece's search vector (one UPDATE more).
CEILINGS = {
    "add page": 6,
    "change page": 28,
    "publish now": 21,
    "schedule": 21,
    "save change form": 81,
    "desk": 10,
}


def reference_like(user, section, authors, pick):
    """A piece shaped like the demo's reference report."""
    article = services.article_create(
        user=user,
        fields={
            "headline": "UK Considers Security Treaty with Japan as “Quasi-Ally”",
            "dek": "Japan and the United Kingdom deepen their security ties.",
            "body": "<h2>What is the objective?</h2><p>Closer ties.</p>" * 5,
            "section": section,
        },
        bylines=authors,
        tags=["Japan", "United Kingdom", "Defence", "Diplomacy", "Asia"],
        takeaways=[(f"Point {n}", f"Sentence {n}.") for n in range(4)],
        related=[pick],
        action="publish",
    )
    services.correction_add(
        article=article, user=user, kind="correction", text="A date was wrong."
    )
    return article


def grow(articles: int):
    """More of everything an option list could grow with."""
    sections = SectionFactory.create_batch(5)
    authors = AuthorFactory.create_batch(articles // 2)
    for number, article in enumerate(
        ArticleFactory.create_batch(articles, section=sections[0], authors=authors[:2])
    ):
        article.tags.add(f"subject {number}", f"place {number}")
        CommentFactory(article=article, status="pending")


def draft(user, section):
    return services.article_create(
        user=user,
        fields={"headline": "A draft to press a button on", "section": section},
    )


@pytest.fixture
def desk(admin_user):
    section = SectionFactory(name="Politics")
    pick = ArticleFactory(section=section)
    authors = AuthorFactory.create_batch(3)
    return {
        "user": admin_user,
        "section": section,
        "article": reference_like(admin_user, section, authors, pick),
    }


def request_for(step, desk, client):
    """The request the step makes, prepared outside the counted block."""
    article, user = desk["article"], desk["user"]
    change = reverse("admin:articles_article_change", args=[article.pk])
    if step == "add page":
        return "get", reverse("admin:articles_article_add"), None
    if step == "change page":
        return "get", change, None
    if step == "desk":
        return "get", reverse("admin:index"), None
    if step == "save change form":
        return "post", change, change_form_data(client, change)
    piece = draft(user, desk["section"])
    url = reverse("admin:articles_article_transition", args=[piece.pk, step.split()[0]])
    data = {"version": piece.version}
    if step == "schedule":
        when = timezone.localtime() + timedelta(days=2)
        data |= {
            "publish_at_0": when.strftime("%d/%m/%Y"),
            "publish_at_1": when.strftime("%H:%M:%S"),
        }
    return "post", url, data


def count(step, desk, client, django_assert_max_num_queries, ceiling):
    method, url, data = request_for(step, desk, client)
    with django_assert_max_num_queries(ceiling) as queries:
        if method == "get":
            response = client.get(url)
            assert response.status_code == 200
        else:
            response = client.post(url, data)
            assert response.status_code == 302, response.content[:2000]
    return len(queries.captured_queries)


@pytest.mark.parametrize("step", list(CEILINGS))
def test_an_editors_step_costs_the_same_with_a_bigger_newsroom(
    admin_client, desk, step, django_assert_max_num_queries
):
    ceiling = CEILINGS[step]
    small = count(step, desk, admin_client, django_assert_max_num_queries, ceiling)

    grow(60)

    big = count(step, desk, admin_client, django_assert_max_num_queries, small)
    assert big == small


@pytest.mark.parametrize("step", ["publish now", "schedule"])
def test_the_buttons_still_do_their_work(admin_client, desk, step):
    _, url, data = request_for(step, desk, admin_client)
    admin_client.post(url, data)
    piece = desk["article"].__class__.objects.get(pk=url.split("/")[-4])
    assert piece.status == "published"
    assert (piece.publish_at > timezone.now()) is (step == "schedule")


def test_the_change_form_offers_no_list_of_every_author_tag_or_article(
    admin_client, desk
):
    grow(40)
    change = reverse("admin:articles_article_change", args=[desk["article"].pk])

    html = admin_client.get(change).content.decode()

    # Authors, tags, sections and picks come from the autocomplete, so only
    # the chosen ones are printed as options, never the whole table.
    assert "subject 1<" not in html
    assert html.count("<option") < 60


@pytest.mark.parametrize("action", ["publish", "schedule"])
def test_a_button_costs_the_same_whatever_the_piece_carries(
    admin_client, admin_user, action, django_assert_max_num_queries
):
    """The revision names every byline, pick and tag: loaded at once, not
    one query each."""
    section = SectionFactory()
    when = timezone.localtime() + timedelta(days=2)

    def press(authors, tags, picks):
        piece = services.article_create(
            user=admin_user,
            fields={"headline": f"A piece with {tags} tags", "section": section},
            bylines=AuthorFactory.create_batch(authors),
            tags=[f"tag {tags} {n}" for n in range(tags)],
            related=ArticleFactory.create_batch(picks, section=section),
        )
        url = reverse("admin:articles_article_transition", args=[piece.pk, action])
        data = {
            "version": piece.version,
            "publish_at_0": when.strftime("%d/%m/%Y"),
            "publish_at_1": when.strftime("%H:%M:%S"),
        }
        with django_assert_max_num_queries(CEILINGS["publish now"]) as queries:
            assert admin_client.post(url, data).status_code == 302
        return len(queries.captured_queries)

    assert press(authors=1, tags=1, picks=1) == press(authors=4, tags=8, picks=4)
