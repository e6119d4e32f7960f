# Indexes for a page of threads in each order, and for counting threads.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0004_image_credit_help'),
        ('comments', '0006_one_guest_vote_per_address'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(models.F('article'), models.F('status'), models.F('is_deleted'), models.F('tree_id'), models.F('lft'), condition=models.Q(('level', 0)), name='comment_threads_idx'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(models.F('article'), models.OrderBy(models.F('is_featured'), descending=True), models.F('created_at'), models.F('id'), condition=models.Q(('level', 0)), name='comment_threads_oldest_idx'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(models.F('article'), models.OrderBy(models.F('is_featured'), descending=True), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('level', 0)), name='comment_threads_newest_idx'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(models.F('article'), models.OrderBy(models.F('is_featured'), descending=True), models.OrderBy(models.F('score'), descending=True), models.F('created_at'), models.F('id'), condition=models.Q(('level', 0)), name='comment_threads_votes_idx'),
        ),
    ]
