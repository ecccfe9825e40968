from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from articles import tasks
from articles.images import renditions_deferred
from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Correction,
    KeyTakeaway,
    PreviewLink,
    Section,
)
from articles.search import update_search_vectors
from comments import counts
from comments.models import Comment


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    is_staff = True
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    job_title = "Reporter"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # A photo is stored with its renditions by the service, not by save().
        author = model_class(*args, **kwargs)
        renditions = author.store_photo()
        author.save()
        if renditions_deferred(renditions):  # what the queued job would do
            tasks.make_photo_renditions.call(author.pk, author.photo.name)
            author.refresh_from_db(fields=["photo_renditions"])
        return author


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"Headline number {n}")
    slug = factory.Sequence(lambda n: f"headline-{n}")
    dek = "A sentence under the headline."
    body = "<p>Body text.</p>"
    section = factory.SubFactory(SectionFactory)
    status = Article.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Test data in any state, written like a fixture: the row, its lead
        # image's renditions and its search vector (the services' part), no
        # purge (nothing is cached yet).
        article = model_class(*args, **kwargs)
        renditions = article.store_lead_image()
        article.save()
        if renditions_deferred(renditions):  # a heavy image: the job, at once
            tasks.make_lead_image_renditions.call(article.pk, article.lead_image.name)
            article.refresh_from_db(fields=["lead_image_renditions"])
        update_search_vectors(model_class.objects.filter(pk=article.pk))
        return article

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        for position, author in enumerate(extracted or []):
            ArticleAuthor.objects.create(article=self, author=author, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if extracted:
            self.tags.set(extracted)


class KeyTakeawayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyTakeaway

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(int)
    label = "Label"
    text = "One sentence."


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    author_name = "A Reader"
    author_email = factory.Sequence(lambda n: f"reader{n}@example.org")
    body = "A comment."
    status = Comment.Status.APPROVED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Rows made here skip the services; keep the article's stored count
        # true, as the services do in the decision's transaction.
        comment = super()._create(model_class, *args, **kwargs)
        counts.recount(comment.article_id)
        return comment


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "comments.Report"

    comment = factory.SubFactory(CommentFactory)
    reason = "abuse"
    reporter_key = factory.Sequence(lambda n: f"reader-key-{n}")


class BanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "comments.Ban"

    kind = "email"
    value = factory.Sequence(lambda n: f"banned{n}@example.org")


class ModerationWordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "comments.ModerationWord"

    kind = "suspect"
    word = factory.Sequence(lambda n: f"word{n}")


class PreviewLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreviewLink

    article = factory.SubFactory(
        ArticleFactory, status=Article.Status.DRAFT, publish_at=None
    )
    created_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=48))


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    article = factory.SubFactory(ArticleFactory)
    kind = Correction.Kind.CORRECTION
    text = "An earlier version of this article misstated the date of the talks."
    published_at = factory.LazyFunction(timezone.now)
