import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email

from comments.services import commenter_export


class Command(BaseCommand):
    help = (
        "Print, as JSON, everything stored about a commenter's email address: "
        "their comments, bans and the moderation decisions about them."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--output", help="Write to this file instead of standard output."
        )

    def handle(self, *args, email, output=None, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        data = commenter_export(email=email, via="manage.py commenter_export")
        text = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stderr.write(
                f"Wrote {len(data['comments'])} comments for {email} to {output}."
            )
        else:
            self.stdout.write(text)
