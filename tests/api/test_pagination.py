"""Filters, ordering and cursor pagination: a page handed out never shifts
when pieces are published after it, and the Link header leads on."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import services as article_services
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def ids(client, url) -> tuple[list[int], str | None]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    data = response.json()
    links = response["Link"].split(", ")
    assert links[0].endswith('; rel="first"') and "cursor=" not in links[0]
    if data["next"]:
        assert links[1:] == [f'<{data["next"]}>; rel="next"']
    else:
        assert links[1:] == []
    return [item["id"] for item in data["results"]], data["next"]


@pytest.fixture
def many(db):
    section = SectionFactory(slug="world")
    now = timezone.now()
    return [
        ArticleFactory(section=section, publish_at=now - timedelta(minutes=n))
        for n in range(1, 8)
    ]


def test_pages_follow_each_other_to_the_end_without_gaps_or_repeats(client, many):
    seen, url = [], "/api/v1/articles/?page_size=3"
    while url:
        page, url = ids(client, url.removeprefix("http://testserver"))
        seen += page
    assert seen == [article.pk for article in many]


def test_a_piece_published_while_paging_does_not_shift_the_next_page(client, many):
    first, after = ids(client, "/api/v1/articles/?page_size=3")
    ArticleFactory(section=many[0].section, publish_at=timezone.now())
    second, _ = ids(client, after.split("testserver", 1)[-1])
    assert first == [a.pk for a in many[:3]]
    assert second == [a.pk for a in many[3:6]]


def test_oldest_first_ordering_and_date_filters(client, many):
    oldest, _ = ids(client, "/api/v1/articles/?ordering=published_at&page_size=2")
    assert oldest == [many[-1].pk, many[-2].pk]
    cut = many[2].publish_at.isoformat().replace("+00:00", "Z")
    newer, _ = ids(client, f"/api/v1/articles/?published_after={cut}")
    assert newer == [many[0].pk, many[1].pk]
    older, _ = ids(client, f"/api/v1/articles/?published_before={cut}")
    assert older == [a.pk for a in many[3:]]


def test_section_tag_and_author_filters(client, newsroom):
    report, other = newsroom["report"], newsroom["other"]
    assert ids(client, "/api/v1/articles/?section=business")[0] == [other.pk]
    assert ids(client, "/api/v1/articles/?tag=japan")[0] == [report.pk]
    assert ids(client, "/api/v1/articles/?author=daniel-perez")[0] == [report.pk]
    AuthorFactory(slug="nobody-yet")  # no published piece: not a public name yet
    assert client.get("/api/v1/articles/?author=nobody-yet").status_code == 400


def test_modified_since_lists_changes_and_the_pieces_withdrawn_since(client, newsroom):
    since = timezone.now() - timedelta(minutes=5)
    Article.objects.filter(pk=newsroom["other"].pk).update(
        modified_at=since - timedelta(hours=1)
    )
    stamp = since.isoformat().replace("+00:00", "Z")
    data = client.get(f"/api/v1/articles/?modified_since={stamp}").json()
    assert [item["id"] for item in data["results"]] == [newsroom["report"].pk]
    assert [gone["id"] for gone in data["withdrawn"]] == [newsroom["withdrawn"].pk]
    assert "DRAFT-MARKER" not in str(data)


def test_page_size_above_one_hundred_is_refused_and_one_hundred_is_served(client, many):
    assert client.get("/api/v1/articles/?page_size=100").status_code == 200
    assert client.get("/api/v1/articles/?page_size=101").status_code == 400


def test_comments_and_names_page_with_cursors_too(client, newsroom):
    first, after = ids(client, "/api/v1/tags/?page_size=2")
    rest, end = ids(client, after.split("testserver", 1)[-1])
    assert len(first) == 2 and len(rest) == 1 and end is None


def test_an_offset_whose_plus_was_not_encoded_still_reads(client, many):
    cut = many[2].publish_at.astimezone(timezone.get_fixed_timezone(60))
    unencoded = cut.isoformat().replace("+", " ")
    newer, _ = ids(client, f"/api/v1/articles/?published_after={unencoded}")
    assert newer == [many[0].pk, many[1].pk]


def test_a_piece_withdrawn_through_the_service_becomes_a_tombstone(
    client, newsroom, editor
):
    since = timezone.now().isoformat().replace("+00:00", "Z")
    article_services.article_withdraw(
        article=newsroom["report"], user=editor, note="Legal."
    )
    data = client.get(f"/api/v1/articles/?modified_since={since}").json()
    assert [gone["id"] for gone in data["withdrawn"]] == [newsroom["report"].pk]
    assert data["results"] == []


def total(client, url) -> str | None:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.get("X-Total-Count")


def test_totals_come_where_they_are_cheap(client, many, newsroom):
    """Names and comments always; pieces when a section, tag or author narrows
    the list, or when all of it fits on the first page; never for a long
    unfiltered walk."""
    assert total(client, "/api/v1/articles/?section=world&page_size=2") == "7"
    cursor = client.get("/api/v1/articles/?section=world&page_size=2").json()["next"]
    assert total(client, cursor) == "7"
    assert total(client, "/api/v1/articles/?tag=japan") == "1"
    assert total(client, "/api/v1/articles/?author=daniel-perez") == "1"
    assert total(client, "/api/v1/articles/?page_size=2") is None
    assert total(client, "/api/v1/articles/?page_size=100") == "9"
    for kind in ("sections", "tags", "authors"):
        every = client.get(
            f"/api/v1/{kind}/?page_size=100"
            if kind != "sections"
            else "/api/v1/sections/"
        ).json()
        assert total(client, f"/api/v1/{kind}/") == str(len(every["results"]))
    assert total(client, "/api/v1/tags/?page_size=1") == total(client, "/api/v1/tags/")
    report = newsroom["report"]
    assert total(client, f"/api/v1/articles/{report.pk}/comments/") == "1"


def test_the_link_header_names_the_first_page_without_the_cursor(client, many):
    first = client.get("/api/v1/articles/?section=world&page_size=2")
    second = client.get(first.json()["next"])
    start = first["Link"].split(", ")[0]
    assert second["Link"].split(", ")[0] == start
    assert start.endswith('/api/v1/articles/?section=world&page_size=2>; rel="first"')
