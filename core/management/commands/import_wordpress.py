"""
``manage.py import_wordpress EXPORT.xml [MORE.xml …]``: the WordPress importer
from the shell, with a progress bar per phase and the closing table. The work
is ``core.importers.wordpress.wordpress_import``; see docs/import.md.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.importers.wordpress import (
    ImportOptions,
    MediaSource,
    WxrError,
    wordpress_import,
)
from core.importers.wordpress.mapping import DEFAULT_STATUS_MAP, parse_status_map
from core.importers.wordpress.people import read_authors_map


class Command(BaseCommand):
    help = (
        "Import WordPress export files (WXR 1.0-1.2): posts, authors and "
        "co-authors, categories, tags, images and comments, with 301s from the "
        "old addresses. Running it again changes only what the export changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="EXPORT.xml")
        media = parser.add_mutually_exclusive_group()
        media.add_argument(
            "--media-from",
            type=Path,
            metavar="DIR",
            help="A local copy of wp-content/uploads.",
        )
        media.add_argument(
            "--fetch-media",
            action="store_true",
            help="Download attachments from the old site over HTTP(S).",
        )
        parser.add_argument(
            "--media-timeout", type=float, default=10.0, metavar="SECONDS"
        )
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument(
            "--authors-map",
            type=Path,
            metavar="FILE.csv",
            help="Rows of wordpress_login,author_slug: bylines for existing authors.",
        )
        parser.add_argument(
            "--status-map",
            default="",
            metavar="WP=OURS,…",
            help="e.g. private=draft,pending=draft; ours is one of published, "
            "scheduled, draft, review, skip.",
        )
        parser.add_argument(
            "--default-section",
            default="uncategorized",
            metavar="SLUG",
            help="Section of posts without a category.",
        )
        parser.add_argument("--user", help="Username the writes are made as.")
        parser.add_argument("--report", type=Path, metavar="FILE.json")

    def handle(self, *args, **options):
        # call_command passes options as given, not through type=Path.
        for name in ("media_from", "authors_map", "report"):
            if options[name] is not None:
                options[name] = Path(options[name])
        options["files"] = [Path(path) for path in options["files"]]
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
        if options["media_from"] and not options["media_from"].is_dir():
            raise CommandError(f"{options['media_from']}: no such folder.")
        try:
            status_map = {
                **DEFAULT_STATUS_MAP,
                **parse_status_map(options["status_map"]),
            }
        except ValueError as error:
            raise CommandError(f"--status-map {error}") from None
        import_options = ImportOptions(
            media=MediaSource(
                directory=options["media_from"],
                fetch=options["fetch_media"],
                timeout=options["media_timeout"],
            ),
            dry_run=options["dry_run"],
            authors_map=(
                read_authors_map(options["authors_map"])
                if options["authors_map"]
                else {}
            ),
            status_map=status_map,
            default_section=options["default_section"],
        )
        quiet = options["verbosity"] == 0

        def progress(phase, total):
            return tqdm(
                total=total,
                desc=phase,
                unit="item",
                disable=quiet,
                file=self.stderr._out,
            )

        try:
            report = wordpress_import(
                paths=options["files"],
                user=self._user(options["user"]),
                options=import_options,
                progress=progress,
            )
        except WxrError as error:
            raise CommandError(
                f"{error.path}, line {error.line}, column {error.column}: "
                f"{error.reason}. Nothing was imported."
            ) from None
        if options["report"]:
            report.write_json(options["report"])
        self.stdout.write(report.table())
        for problem in report.problems:
            if options["verbosity"] > 1 or problem["outcome"] == "failed":
                self.stdout.write(
                    f"{problem['outcome']}: {problem['kind']} {problem['id']}: "
                    f"{problem['reason']}"
                )
        summary = (
            f"{report.total('created')} created, {report.total('updated')} updated, "
            f"{report.total('unchanged')} unchanged, {report.total('skipped')} "
            f"skipped, {report.total('failed')} failed in {report.seconds:.1f} s"
        )
        if report.dry_run:
            summary += " (dry run: nothing was written)"
        self.stdout.write(self.style.SUCCESS(summary))

    def _user(self, username):
        users = get_user_model().objects.filter(is_active=True)
        user = (
            users.filter(username=username).first()
            if username
            else users.filter(is_superuser=True).order_by("pk").first()
        )
        if user is None:
            raise CommandError(
                f"No active user “{username}”."
                if username
                else "Pass --user USERNAME (an editor): there is no superuser "
                "to write the imported pieces as."
            )
        if not user.has_perm("articles.publish_article"):
            raise CommandError(f"{user}: imports need an editor (who may publish).")
        return user
