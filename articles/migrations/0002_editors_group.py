"""Create the "Editors" group: write, schedule and publish articles in the admin."""

from django.db import migrations

EDITOR_PERMISSIONS = {
    "articles": {
        "article": ["add", "change", "delete", "view"],
        "section": ["add", "change", "delete", "view"],
        "tag": ["add", "change", "delete", "view"],
        "author": ["add", "change", "delete", "view"],
    },
}
EXTRA_PERMISSIONS = [("articles", "preview_article")]


def grant(apps, group_name, permissions, extra):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations have run; make sure they exist.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    codenames = [
        (app, f"{action}_{model}")
        for app, models in permissions.items()
        for model, actions in models.items()
        for action in actions
    ] + list(extra)
    for app_label, codename in codenames:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def create_editors(apps, schema_editor):
    grant(apps, "Editors", EDITOR_PERMISSIONS, EXTRA_PERMISSIONS)


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
