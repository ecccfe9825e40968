import django.contrib.postgres.search
from django.db import migrations

INDEX = "article_search_vector_gin"


def create_index(apps, schema_editor):
    """GIN index on PostgreSQL; SQLite searches without the vector."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} "
            "ON articles_article USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def fill_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "UPDATE articles_article SET search_vector = "
        "setweight(to_tsvector('english', coalesce(headline, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(dek, '')), 'B') || "
        "setweight(to_tsvector('english', "
        "regexp_replace(coalesce(body, ''), '<[^>]+>', ' ', 'g')), 'C')"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                blank=True, editable=False, null=True
            ),
        ),
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(fill_vectors, migrations.RunPython.noop),
    ]
