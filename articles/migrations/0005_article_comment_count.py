from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def count_existing(apps, schema_editor):
    """Fill the new counter from the rows: approved and not hidden by reports."""
    Article = apps.get_model("articles", "Article")
    Comment = apps.get_model("comments", "Comment")
    public = (
        Comment.objects.filter(
            article=OuterRef("pk"), status="approved", hidden_at__isnull=True
        )
        .order_by()
        .values("article")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Article.objects.update(comment_count=Coalesce(Subquery(public), Value(0)))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_workflow_corrections_paths"),
        ("comments", "0005_report_limit_help"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="comment_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="comments"
            ),
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
