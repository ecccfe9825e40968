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

from articles.models import Article, Author, Section
from articles.services import (
    article_batch,
    article_create,
    author_save,
    correction_add,
    section_save,
)
from comments.models import Comment
from comments.services import comment_bulk_create
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
        # Written through the services, as an editor's or an importer's would
        # be: renditions, search vectors, counts and purges come with them.
        with transaction.atomic():
            sections = self._sections()
            authors = self._authors()
            users = self._users(password, authors)
            editor = get_user_model().objects.get(username="editor")
            created = self._articles(sections, authors, editor)
            self._comments()
            self._corrections(editor)
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
            section = Section.objects.filter(slug=slug).first()
            if section is None:
                section = section_save(
                    section=Section(
                        slug=slug, name=name, description=description, position=position
                    )
                )
            sections[slug] = section
        return sections

    def _authors(self):
        authors = {}
        for name, slug, job_title, bio in demo.AUTHORS:
            author = Author.objects.filter(slug=slug).first()
            if author is None:
                author = author_save(
                    author=Author(slug=slug, name=name, job_title=job_title, bio=bio)
                )
            authors[slug] = author
        return authors

    def _articles(self, sections, authors, editor):
        now = timezone.now().replace(second=0, microsecond=0)
        entries = [demo.REFERENCE, *demo.ARTICLES, *demo.DRAFTS]
        created_count = 0
        with article_batch():
            for entry in entries:
                if Article.objects.filter(slug=entry["slug"]).exists():
                    # Leave existing pieces alone: an editor may have changed them.
                    continue
                self._article(entry, sections, authors, editor, now)
                created_count += 1
        return created_count

    def _article(self, entry, sections, authors, editor, now):
        fields = {
            "slug": entry["slug"],
            "headline": entry["headline"],
            "dek": entry["dek"],
            "body": entry["body"],
            "section": sections[entry["section"]],
            "video_url": entry.get("video_url", ""),
            "video_title": entry.get("video_title", ""),
        }
        if "lead_image" in entry:
            image = entry["lead_image"]
            fields.update(
                lead_image=SimpleUploadedFile(
                    f"{entry['slug']}.png", demo_illustration(), "image/png"
                ),
                lead_image_alt=image["alt"],
                lead_image_caption=image["caption"],
                lead_image_credit=image["credit"],
            )
        action, publish_at = None, None
        if entry.get("status", Article.Status.PUBLISHED) == Article.Status.PUBLISHED:
            # Published some hours ago, as a live newsroom's pieces were; a
            # negative age is a piece scheduled for later.
            publish_at = now - timedelta(hours=entry["hours_ago"])
            action = "schedule" if publish_at > now else "publish"
            fields["publish_at"] = publish_at
        return article_create(
            user=editor,
            fields=fields,
            bylines=[authors[slug] for slug in entry["authors"]],
            tags=entry["tags"],
            takeaways=entry.get("takeaways", []),
            action=action,
            publish_at=publish_at,
        )

    def _comments(self):
        """The demo discussion, as an importer writes decided comments: one
        batch, counted and purged once. Comments already there are kept."""
        made, new = [], []
        for slug, name, email, text, status, reply_to in demo.COMMENTS:
            article = Article.objects.get(slug=slug)
            comment = Comment.objects.filter(
                article=article, author_email=email, body=text
            ).first()
            if comment is None:
                comment = Comment(
                    article=article,
                    author_name=name,
                    author_email=email,
                    body=text,
                    status=status,
                    parent=made[reply_to] if reply_to is not None else None,
                )
                new.append(comment)
            made.append(comment)
        comment_bulk_create(comments=new, via="seed_demo")

    def _corrections(self, editor):
        """The reference report carries one dated correction, as a live piece would."""
        article = Article.objects.get(slug=demo.REFERENCE["slug"])
        if article.corrections.exists():
            return
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
