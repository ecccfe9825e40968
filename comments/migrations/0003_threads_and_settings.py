from django.db import migrations


def forwards(apps, schema_editor):
    """Give existing replies their depth and thread, and make the settings row."""
    Comment = apps.get_model("comments", "Comment")
    ModerationSettings = apps.get_model("comments", "ModerationSettings")
    ModerationSettings.objects.get_or_create(pk=1)
    depth = 1
    level = list(
        Comment.objects.filter(parent__isnull=True).values_list("pk", flat=True)
    )
    roots = {pk: pk for pk in level}
    while level:
        depth += 1
        children = list(
            Comment.objects.filter(parent_id__in=level).values_list("pk", "parent_id")
        )
        for pk, parent_id in children:
            roots[pk] = roots[parent_id]
            Comment.objects.filter(pk=pk).update(depth=depth, root_id=roots[pk])
        level = [pk for pk, _parent in children]


class Migration(migrations.Migration):
    dependencies = [("comments", "0002_moderation")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
