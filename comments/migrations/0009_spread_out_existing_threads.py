"""Give every thread numbered without gaps (by django-mptt, before 0008) its room now, at
deploy time, instead of on its first reply, which would relabel most of the thread then."""

from django.db import migrations

# A pure function of (id, parent id) pairs: safe to use from a migration.
from comments.tree import ROOT_LEFT, ROOT_RIGHT, numbered


def spread_out_existing_threads(apps, schema_editor) -> None:
    Comment = apps.get_model("comments", "Comment")
    narrow = Comment.objects.filter(lft=ROOT_LEFT, rght__lt=ROOT_RIGHT)
    for tree_id in narrow.order_by("tree_id").values_list("tree_id", flat=True).iterator():
        rows = Comment.objects.filter(tree_id=tree_id).order_by("lft")
        numbers = numbered(rows.values_list("pk", "parent_id"))
        ids = list(numbers)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Comment._meta.db_table} AS c SET lft = v.lft, rght = v.rght"
                " FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS v(id, lft, rght)"
                " WHERE c.id = v.id",
                [ids, [numbers[pk][1] for pk in ids], [numbers[pk][2] for pk in ids]],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0008_spread_out_thread_labels"),
    ]

    operations = [
        migrations.RunPython(spread_out_existing_threads, migrations.RunPython.noop, elidable=True),
    ]
