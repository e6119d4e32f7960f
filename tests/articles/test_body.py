"""Article bodies: paragraph ids (what comments on a passage link to), also for articles saved
before there were any."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from articles.models import Article
from tests.helpers import make_article

pytestmark = pytest.mark.django_db


def test_saving_an_article_numbers_its_paragraphs():
    article = make_article(body="Opening.\n\n## A heading\n\nClosing.")

    assert article.body_html == (
        '<p id="para-1">Opening.</p>\n<h2>A heading</h2>\n<p id="para-2">Closing.</p>'
    )


def test_the_migration_numbers_the_paragraphs_of_articles_saved_before():
    migration = importlib.import_module("articles.migrations.0005_number_paragraphs")
    article = make_article(body="Opening.\n\nClosing.")
    Article.objects.filter(pk=article.pk).update(body_html="<p>Opening.</p>\n<p>Closing.</p>")

    migration.render_bodies(apps, None)

    article.refresh_from_db()
    assert article.body_html == '<p id="para-1">Opening.</p>\n<p id="para-2">Closing.</p>'
