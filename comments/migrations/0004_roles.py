from django.db import migrations

from core.roles import sync_groups


class Migration(migrations.Migration):
    """Moderators get the permissions of the moderation models."""

    dependencies = [
        ("comments", "0003_threads_and_settings"),
        ("articles", "0002_roles"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
