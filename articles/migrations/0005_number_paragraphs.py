"""Render every article's body again, so its paragraphs carry the ids that readers' comments
on a passage link to (``articles.formatting.number_paragraphs``)."""

from django.db import migrations

# A pure function of the body's text: safe to use from a migration.
from articles.formatting import render_body


def render_bodies(apps, schema_editor) -> None:
    Article = apps.get_model("articles", "Article")
    for pk, body in Article.objects.order_by("pk").values_list("pk", "body").iterator():
        Article.objects.filter(pk=pk).update(body_html=render_body(body))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_image_credit_help"),
    ]

    operations = [
        migrations.RunPython(render_bodies, migrations.RunPython.noop, elidable=True),
    ]
