"""Create the "Moderators" group (moderate comments, not edit articles) and give Editors the
same comment permissions: editors can do both."""

from django.db import migrations

COMMENT_PERMISSIONS = {
    "comments": {
        "comment": ["change", "view"],
        "flag": ["change", "view"],
        "ban": ["add", "change", "delete", "view"],
        "wordrule": ["add", "change", "delete", "view"],
        "moderationevent": ["view"],
    },
}
EXTRA_PERMISSIONS = [("comments", "moderate_comment")]
# Moderators see articles (a comment's context; closing a discussion) but cannot change them.
MODERATOR_ONLY = [("articles", "view_article")]


def codenames(permissions, extra):
    return [
        (app, f"{action}_{model}")
        for app, models in permissions.items()
        for model, actions in models.items()
        for action in actions
    ] + list(extra)


def ensure_permissions(apps):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations have run; make sure they exist.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None


def grant(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    shared = codenames(COMMENT_PERMISSIONS, EXTRA_PERMISSIONS)
    for group_name, wanted in (("Moderators", shared + MODERATOR_ONLY), ("Editors", shared)):
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name="Moderators").delete()
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        for app_label, codename in codenames(COMMENT_PERMISSIONS, EXTRA_PERMISSIONS):
            editors.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0002_moderationevent_article"),
        ("articles", "0002_editors_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
