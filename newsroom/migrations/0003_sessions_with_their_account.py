"""Sessions move to newsroom.Session (Django's table, plus the account each is signed in to),
so that readers stay signed in: every live session is carried over with its account read
from its data, and the old rows go (a session ended after this must not come back if the
migration is reversed). Reversing moves them back."""

from django.db import migrations, models
from django.utils import timezone

from newsroom.sessions import SessionStore, account_id

BATCH = 2000


def move(source, target, *, with_account: bool, using: str) -> None:
    store = SessionStore()
    batch = []
    live = source.objects.using(using).filter(expire_date__gt=timezone.now())
    for old in live.order_by("pk").iterator(chunk_size=BATCH):
        row = target(
            session_key=old.session_key,
            session_data=old.session_data,
            expire_date=old.expire_date,
        )
        if with_account:
            # Data that no longer decodes (another secret key) keeps no account: such a
            # session signs no one in, whatever the column says.
            row.user_id = account_id(store.decode(old.session_data))
        batch.append(row)
        if len(batch) == BATCH:
            target.objects.using(using).bulk_create(batch, ignore_conflicts=True)
            batch = []
    target.objects.using(using).bulk_create(batch, ignore_conflicts=True)
    source.objects.using(using).all().delete()


def carry(source: str, target: str, *, with_account: bool):
    """The migration step moving live sessions from the ``source`` model to ``target``."""

    def step(apps, schema_editor):
        move(
            apps.get_model(source),
            apps.get_model(target),
            with_account=with_account,
            using=schema_editor.connection.alias,
        )

    return step


carry_over = carry("sessions.Session", "newsroom.Session", with_account=True)
carry_back = carry("newsroom.Session", "sessions.Session", with_account=False)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0002_account_deletions"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="session key"
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                (
                    "user_id",
                    models.BigIntegerField(
                        blank=True,
                        db_index=True,
                        editable=False,
                        help_text=(
                            "The account signed in with this session, as its data says; "
                            "none for a guest."
                        ),
                        null=True,
                        verbose_name="account",
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "db_table": "newsroom_session",
                "ordering": ["expire_date"],
                "get_latest_by": "expire_date",
                "abstract": False,
            },
        ),
        migrations.RunPython(carry_over, carry_back),
    ]
