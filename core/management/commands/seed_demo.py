import io
import os
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from articles.corrections import correction_add
from articles.models import Article, ArticleAuthor, Author, KeyTakeaway, Section
from comments import counts
from comments.models import Comment
from core import roles
from core.seeding import demo

DEFAULT_PASSWORD = "newsroom-demo"

DEMO_USERS = [
    # username, group (None: superuser), author slug to link
    ("admin", None, None),
    ("editor", roles.EDITORS, "daniel-perez"),
    ("writer", roles.WRITERS, "amara-okafor"),
    ("moderator", roles.MODERATORS, None),
]


def demo_illustration() -> bytes:
    """A plain graphic for the reference report: a red disc on white beside
    a blue field with a white and red cross, drawn here, owned by the project."""
    width, height = 1600, 900
    image = Image.new("RGB", (width, height), "#f4f1ea")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width // 2, height], fill="#ffffff")
    draw.ellipse([400 - 170, 450 - 170, 400 + 170, 450 + 170], fill="#bc002d")
    left = width // 2
    draw.rectangle([left, 0, width, height], fill="#012169")
    draw.rectangle([left + 330, 0, left + 470, height], fill="#ffffff")
    draw.rectangle([left, 380, width, 520], fill="#ffffff")
    draw.rectangle([left + 360, 0, left + 440, height], fill="#c8102e")
    draw.rectangle([left, 410, width, 490], fill="#c8102e")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class Command(BaseCommand):
    help = (
        "Load the demo newsroom: the reference report, a dozen more articles, "
        "authors, sections, tags, comments and one login per role. "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo logins have a known password).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates logins with a known password. Run it with "
                "DEBUG=true, or pass --force if you really mean it."
            )
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)
        with transaction.atomic():
            sections = self._sections()
            authors = self._authors()
            created = self._articles(sections, authors)
            self._comments()
            users = self._users(password, authors)
            self._corrections()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo newsroom ready: {created} new articles, "
                f"{Article.objects.count()} in all."
            )
        )
        self.stdout.write("Log in at http://127.0.0.1:8000/admin/ as:")
        for username, group in users:
            self.stdout.write(f"  {username:<10} password {password:<16} ({group})")

    def _sections(self):
        sections = {}
        for position, (name, slug, description) in enumerate(demo.SECTIONS):
            sections[slug], _ = Section.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "description": description,
                    "position": position,
                },
            )
        return sections

    def _authors(self):
        authors = {}
        for name, slug, job_title, bio in demo.AUTHORS:
            authors[slug], _ = Author.objects.get_or_create(
                slug=slug, defaults={"name": name, "job_title": job_title, "bio": bio}
            )
        return authors

    def _articles(self, sections, authors):
        now = timezone.now().replace(second=0, microsecond=0)
        entries = [demo.REFERENCE, *demo.ARTICLES, *demo.DRAFTS]
        created_count = 0
        for entry in entries:
            if Article.objects.filter(slug=entry["slug"]).exists():
                # Leave existing pieces alone: an editor may have changed them.
                continue
            status = entry.get("status", Article.Status.PUBLISHED)
            publish_at = None
            if status == Article.Status.PUBLISHED:
                publish_at = now - timedelta(hours=entry["hours_ago"])
            article = Article(
                slug=entry["slug"],
                headline=entry["headline"],
                dek=entry["dek"],
                body=entry["body"],
                section=sections[entry["section"]],
                status=status,
                publish_at=publish_at,
                video_url=entry.get("video_url", ""),
                video_title=entry.get("video_title", ""),
            )
            if "lead_image" in entry:
                image = entry["lead_image"]
                article.lead_image = SimpleUploadedFile(
                    f"{entry['slug']}.png", demo_illustration(), "image/png"
                )
                article.lead_image_alt = image["alt"]
                article.lead_image_caption = image["caption"]
                article.lead_image_credit = image["credit"]
            article.save()
            for position, slug in enumerate(entry["authors"]):
                ArticleAuthor.objects.create(
                    article=article, author=authors[slug], position=position
                )
            for position, (label, text) in enumerate(entry.get("takeaways", [])):
                KeyTakeaway.objects.create(
                    article=article, position=position, label=label, text=text
                )
            article.tags.set(entry["tags"])
            created_count += 1
        return created_count

    def _comments(self):
        made = []
        for slug, name, email, text, status, reply_to in demo.COMMENTS:
            article = Article.objects.get(slug=slug)
            comment, _ = Comment.objects.get_or_create(
                article=article,
                author_email=email,
                body=text,
                defaults={
                    "author_name": name,
                    "status": status,
                    "parent": made[reply_to] if reply_to is not None else None,
                },
            )
            made.append(comment)
        # Written as an import would be, around the services: store the
        # articles' public comment counts from the rows.
        counts.recount(*{comment.article_id for comment in made})

    def _corrections(self):
        """The reference report carries one dated correction, as a live piece would."""
        article = Article.objects.get(slug=demo.REFERENCE["slug"])
        if article.corrections.exists():
            return
        editor = get_user_model().objects.get(username="editor")
        correction_add(
            article=article,
            kind="correction",
            text=demo.REFERENCE_CORRECTION,
            user=editor,
        )

    def _users(self, password, authors):
        User = get_user_model()
        users = []
        for username, group_name, author_slug in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@example.com",
                    "is_staff": True,
                    "is_superuser": group_name is None,
                },
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
            if author_slug and authors[author_slug].user_id is None:
                authors[author_slug].user = user
                authors[author_slug].save(update_fields=["user"])
            users.append((username, group_name or "superuser"))
        return users
