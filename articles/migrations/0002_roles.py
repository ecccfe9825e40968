from django.db import migrations

from core.roles import sync_groups


class Migration(migrations.Migration):
    """Groups Writers, Editors and Moderators with the permissions of their role."""

    dependencies = [
        ("articles", "0001_initial"),
        ("comments", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
