"""
Seed a newsroom at scale for ``make bench`` (the ``seed_bench`` command).

Sections, authors, tags, articles with bylines, takeaways, related picks and
corrections, and reader comments, including one "viral" article with
thousands of approved comments. Rows are made in batches with ``bulk_create``
and forgotten after each batch, so memory stays flat whatever the size.

Every row is what the normal paths would store: published rows have
``publish_at`` and ``first_published_at``, slugs are unique, bodies are
already-clean HTML (the sanitiser changes nothing in them), PostgreSQL search
vectors are filled per batch, and every seeded comment has its audit entry.
Everything carries the ``bench-`` slug prefix (comments: the ``seed_bench``
rule), so ``plan.reset`` removes exactly that and nothing else.
"""

import random
import resource
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, reset_queries, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Correction,
    KeyTakeaway,
    RelatedArticle,
    Section,
    TaggedArticle,
)
from articles.models.article import WORDS_PER_MINUTE
from articles.search import update_search_vectors
from comments import counts
from comments.models import AuditEntry, Comment
from core.seeding.bench.plan import (
    FIRST,
    LAST,
    PLACES,
    PREFIX,
    SAMPLE_INDEX,
    SECTIONS,
    SEED_RULE,
    TARGET_SLUG,
    TITLES,
    TOPICS,
    VIRAL_SLUG,
    WORDS,
    Plan,
)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def explicit_timestamps(*fields):
    """Let bulk_create keep the times we give instead of ``now`` (auto_now)."""
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def skewed(rng: random.Random, size: int) -> int:
    """An index in range(size), small ones far more often (a few busy tags)."""
    return min(size - 1, int(size * rng.random() ** 3))


class Seeder:
    """Makes the rows of one ``Plan``, a batch of articles at a time."""

    def __init__(self, plan: Plan, *, seed: int = 6, authors=200, tags=2_000):
        self.plan = plan
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.author_count, self.tag_count = authors, tags

    def run(self, *, batch_size: int = 1_000, progress=None) -> dict:
        """Seed everything; ``progress`` has tqdm's ``update`` and ``close``."""
        progress = progress or _NoProgress()
        with explicit_timestamps(
            Article._meta.get_field("created_at"),
            Article._meta.get_field("modified_at"),
            Comment._meta.get_field("created_at"),
        ):
            self.sections = self.make_sections()
            self.authors = self.make_authors(self.author_count)
            self.tags = self.make_tags(self.tag_count)
            made = self.make_articles(batch_size, progress)
        sync_comment_counters()
        analyze()
        return made

    # Reference data --------------------------------------------------------

    def make_sections(self) -> list[tuple[Section, int]]:
        taken = set(Section.objects.values_list("name", flat=True))
        rows = []
        for position, (name, _weight) in enumerate(SECTIONS):
            rows.append(
                Section(
                    name=name if name not in taken else f"{name} (bench)",
                    slug=f"{PREFIX}{slugify(name)}",
                    description=f"The {name.lower()} desk's reporting.",
                    position=100 + position,
                )
            )
        Section.objects.bulk_create(rows)
        saved = Section.objects.filter(slug__startswith=PREFIX).order_by("position")
        return list(zip(saved, [weight for _name, weight in SECTIONS], strict=True))

    def make_authors(self, count: int) -> list[int]:
        rows = []
        for number in range(count):
            name = f"{FIRST[number % len(FIRST)]} {LAST[(number // 3) % len(LAST)]}"
            rows.append(
                Author(
                    name=name,
                    slug=f"{PREFIX}{number}-{slugify(name)}",
                    job_title=TITLES[number % len(TITLES)],
                    bio=f"{name} reports for the newsroom.",
                )
            )
        Author.objects.bulk_create(rows, batch_size=500)
        return list(
            Author.objects.filter(slug__startswith=PREFIX)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def make_tags(self, count: int) -> list[int]:
        taken = {name.lower() for name in Tag.objects.values_list("name", flat=True)}
        rows, number = [], 0
        while len(rows) < count:
            place = PLACES[number % len(PLACES)]
            topic = TOPICS[(number // len(PLACES)) % len(TOPICS)]
            round_ = number // (len(PLACES) * len(TOPICS))
            name = f"{place} {topic}" + (f" {round_ + 1}" if round_ else "")
            number += 1
            if name.lower() in taken:
                continue
            rows.append(Tag(name=name, slug=f"{PREFIX}{slugify(name)}"))
        Tag.objects.bulk_create(rows, batch_size=500)
        return list(
            Tag.objects.filter(slug__startswith=PREFIX)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    # Articles and everything under them ------------------------------------

    def make_articles(self, batch_size: int, progress) -> dict:
        total = self.plan.articles
        made = {"articles": 0, "comments": 0, "bylines": 0, "tags": 0}
        previous: list[int] = []
        try:
            for start in range(0, total, batch_size):
                indexes = range(start, min(total, start + batch_size))
                with transaction.atomic():
                    articles = [self.article(index) for index in indexes]
                    Article.objects.bulk_create(articles)
                    pks = [article.pk for article in articles]
                    counts = self.children(articles, previous)
                    update_search_vectors(Article.objects.filter(pk__in=pks))
                made["articles"] += len(articles)
                for key, value in counts.items():
                    made[key] += value
                previous = pks
                # With DEBUG on, Django keeps the SQL of recent queries, here
                # whole batches of bodies: let it go with the batch.
                reset_queries()
                progress.update(len(articles))
        finally:
            progress.close()
        return made

    def article(self, index: int) -> Article:
        rng, plan = self.rng, self.plan
        status = plan.status(index)
        if index == 0:
            headline = "UK and Japan Sign Security Pact as ‘Quasi-Allies’"
            slug, publish_at = VIRAL_SLUG, self.now - timedelta(minutes=30)
        elif index == 1:
            headline = "Live: Readers’ Questions on the Security Pact"
            slug, publish_at = TARGET_SLUG, self.now - timedelta(minutes=60)
        else:
            place, topic = rng.choice(PLACES), rng.choice(TOPICS)
            headline = f"{place} Weighs New {topic.title()} Plan After Talks №{index}"
            slug = f"{PREFIX}{index}-{slugify(headline)}"[:200]
            publish_at = self.now - timedelta(hours=index)
        if plan.is_scheduled(index):
            publish_at = self.now + timedelta(hours=1 + index % 72)
        body, words = self.body(index)
        live = status in {Article.Status.PUBLISHED, Article.Status.WITHDRAWN}
        weights = [weight for _section, weight in self.sections]
        section = rng.choices(self.sections, weights=weights)[0][0]
        created = (publish_at if live else self.now) - timedelta(hours=3)
        article = Article(
            headline=headline,
            slug=slug,
            dek=f"What the {rng.choice(TOPICS)} plan means for readers in "
            f"{rng.choice(PLACES)}.",
            body=body,
            section=section,
            status=status,
            publish_at=publish_at if live else None,
            first_published_at=publish_at if live else None,
            updated_at=(
                min(self.now, publish_at + timedelta(hours=2))
                if live and index % 7 == 3
                else None
            ),
            created_at=created,
            modified_at=created,
            reading_time=max(1, -(-words // WORDS_PER_MINUTE)),
        )
        article.bench_index = index
        return article

    def body(self, index: int) -> tuple[str, int]:
        """Clean HTML (what the sanitiser would keep): h2 questions, paragraphs
        and a link, about 600 words; returns it with its word count."""
        rng = self.rng
        parts, words = [], 0
        for number in range(4):
            topic = rng.choice(TOPICS)
            parts.append(f"<h2>What is the objective of the {topic} plan?</h2>")
            words += 7
            for _paragraph in range(3):
                sentence = rng.choices(WORDS, k=48)
                words += len(sentence)
                text = " ".join(sentence)
                if number == 1 and _paragraph == 0:
                    text = (
                        f'{text} <a href="https://example.org/report/{index}" '
                        f'rel="noopener noreferrer">the report</a>'
                    )
                    words += 2
                parts.append(f"<p>{text.capitalize()}.</p>")
        return "".join(parts), words

    def children(self, articles: list[Article], previous: list[int]) -> dict:
        rng = self.rng
        bylines, tagged, takeaways, related, corrections = [], [], [], [], []
        batch = [article.pk for article in articles]
        for article in articles:
            index = article.bench_index
            for position, author in enumerate(
                {self.authors[skewed(rng, len(self.authors))] for _ in range(2)}
            ):
                bylines.append(
                    ArticleAuthor(article=article, author_id=author, position=position)
                )
            for tag in {
                self.tags[skewed(rng, len(self.tags))] for _ in range(rng.randint(3, 6))
            }:
                tagged.append(TaggedArticle(content_object=article, tag_id=tag))
            if index % 3 == 0 or index <= SAMPLE_INDEX:
                takeaways += [
                    KeyTakeaway(
                        article=article,
                        position=position,
                        label=f"Point {position + 1}",
                        text=f"{rng.choice(PLACES)} and its partners agree on "
                        f"{rng.choice(TOPICS)}.",
                    )
                    for position in range(4)
                ]
            picks = [pk for pk in previous[-50:] + batch[:50] if pk != article.pk]
            if (index % 5 == 0 or index <= SAMPLE_INDEX) and picks:
                for position, pk in enumerate(rng.sample(picks, min(2, len(picks)))):
                    related.append(
                        RelatedArticle(
                            from_article=article, to_article_id=pk, position=position
                        )
                    )
            if index % 40 == 17 and article.first_published_at:
                corrections.append(
                    Correction(
                        article=article,
                        text="An earlier version misstated the date of the talks.",
                        published_at=article.publish_at + timedelta(hours=1),
                    )
                )
        ArticleAuthor.objects.bulk_create(bylines)
        TaggedArticle.objects.bulk_create(tagged)
        KeyTakeaway.objects.bulk_create(takeaways)
        RelatedArticle.objects.bulk_create(related)
        Correction.objects.bulk_create(corrections)
        comments = sum(self.comments(article) for article in articles)
        return {"comments": comments, "bylines": len(bylines), "tags": len(tagged)}

    def comments(self, article: Article) -> int:
        """Threads of approved comments: most top level, the rest replies up
        to three deep; in chunks so the viral article stays bounded too."""
        wanted = self.plan.comment_count(article.bench_index)
        if not wanted:
            return 0
        made, parents = 0, []
        published = article.publish_at
        step = (min(self.now, published + timedelta(days=2)) - published) / (wanted + 1)
        while made < wanted:
            chunk = min(500, wanted - made)
            heads = max(1, chunk - chunk * 3 // 10)
            rows = [self.comment(article, made + n, None, step) for n in range(heads)]
            Comment.objects.bulk_create(rows)
            replies = [
                self.comment(
                    article, made + heads + n, self.rng.choice(rows + parents), step
                )
                for n in range(chunk - heads)
            ]
            Comment.objects.bulk_create(replies)
            batch = rows + replies
            self.audit(batch)
            parents = [row for row in batch if row.depth < 3][-200:]
            made += chunk
        return made

    def comment(self, article, number: int, parent: Comment | None, step):
        rng = self.rng
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        when = article.publish_at + step * (number + 1)
        if parent is not None:
            when = max(when, parent.created_at + timedelta(milliseconds=10))
        return Comment(
            article=article,
            parent=parent,
            root_id=(parent.root_id or parent.pk) if parent else None,
            depth=parent.depth + 1 if parent else 1,
            author_name=name,
            author_email=f"reader{number}-{article.pk}@readers.bench.invalid",
            body=" ".join(rng.choices(WORDS, k=rng.randint(12, 60))).capitalize() + ".",
            status=Comment.Status.APPROVED,
            moderation_rule=SEED_RULE,
            moderation_reason="Seeded for the benchmark.",
            created_at=when,
        )

    def audit(self, comments: list[Comment]) -> None:
        AuditEntry.objects.bulk_create(
            AuditEntry(
                created_at=comment.created_at,
                action=AuditEntry.Action.DECIDED,
                actor_name=SEED_RULE,
                rule=SEED_RULE,
                comment_id=comment.pk,
                article_id=comment.article_id,
                to_status=comment.status,
                reason="Seeded for the benchmark.",
                commenter_email=comment.author_email,
            )
            for comment in comments
        )


class _NoProgress:
    def update(self, count: int) -> None:
        pass

    def close(self) -> None:
        pass


def sync_comment_counters() -> None:
    """Store the public comment count of every bench article, once.

    bulk_create bypasses the services that keep ``Article.comment_count`` in
    the transaction of each decision (comments.counts)."""
    Article.objects.filter(slug__startswith=PREFIX).update(
        comment_count=counts.public_count()
    )


def analyze() -> None:
    """Refresh the planner's statistics, as after any bulk load: without them
    PostgreSQL plans the fresh tables as near-empty (nested loops over
    thousands of comments); SQLite has none until ANALYZE runs once."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
